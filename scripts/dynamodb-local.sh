#!/usr/bin/env bash
# DynamoDB Local for tests and local runs: AWS's jar, taken from the npm
# package amplify-dynamodb-simulator (the npm registry is the only place this
# project may fetch it from), cached under .cache/dynamodb-local/.
#
#   scripts/dynamodb-local.sh install   fetch Java (apt) and the jar (npm) once; a no-op when cached
#
# There is no start/stop here: Go tests start their own JVM on a free
# 127.0.0.1 port, once per test binary (internal/dynamotest), or reuse the
# one DYNAMODB_ENDPOINT names.
#
# DynamoDB Local has no flag for its listen address (only -port), and its Jetty
# server binds every interface. The install step therefore compiles a
# ten-line launcher (with the JRE's own jdk.compiler module, no JDK needed)
# that sets the Jetty connector's host to 127.0.0.1 before the server starts.
# Should that compile ever fail, install says so and internal/dynamotest
# falls back to `java -jar` (all interfaces, on a random free port).
set -euo pipefail

# Pinned: amplify-dynamodb-simulator 2.9.30 ships DynamoDB Local 1.25.1
# (package/emulator/DynamoDBLocal.jar, `java -jar DynamoDBLocal.jar -version`).
NPM_PACKAGE=amplify-dynamodb-simulator
NPM_VERSION=2.9.30
# The tarball's SHA-512 (the registry's dist.integrity, in hex).
NPM_SHA512=c5379e44bbf311fab2779961ddb1f8734907bd21c79a6843e590ec1c5280439836665e89aa515dbad6908422c7cf1129e91cb5a3b4c1ea7888a17b9002749ec1
DDB_VERSION=1.25.1
LAUNCHER=LoopbackDynamoDBLocal

NAME=dynamodb-local
# shellcheck source=scripts/install-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/install-lib.sh"
DIR=${DYNAMODB_LOCAL_DIR:-$REPO/.cache/dynamodb-local}
STAMP="$NPM_PACKAGE@$NPM_VERSION DynamoDBLocal $DDB_VERSION"

installed() {
  [ -f "$DIR/VERSION" ] && [ "$(cat "$DIR/VERSION")" = "$STAMP" ] &&
    [ -f "$DIR/DynamoDBLocal.jar" ] && [ -d "$DIR/DynamoDBLocal_lib" ]
}

# compile_launcher writes and compiles the loopback launcher. It is retried on
# every install until it succeeds, so a later JDK/JRE fixes an earlier failure.
compile_launcher() {
  [ -f "$DIR/launcher/$LAUNCHER.class" ] && return 0
  mkdir -p "$DIR/launcher"
  cat >"$DIR/launcher/$LAUNCHER.java" <<'JAVA'
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Runs DynamoDB Local with its Jetty connectors bound to 127.0.0.1 only (the jar has no host flag). */
public final class LoopbackDynamoDBLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    Connector[] connectors = server.getConnectors();
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local has no connector");
    for (Connector c : connectors) ((ServerConnector) c).setHost(System.getProperty("dynamodb.local.host", "127.0.0.1"));
    proxy.start();
  }
}
JAVA
  if ! java -m jdk.compiler/com.sun.tools.javac.Main -nowarn -d "$DIR/launcher" \
    -cp "$DIR/DynamoDBLocal.jar" "$DIR/launcher/$LAUNCHER.java" >&2; then
    log "warning: could not compile the loopback launcher; DynamoDB Local will listen on all interfaces"
    rm -f "$DIR/launcher/$LAUNCHER.class"
  fi
}

install() {
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  command -v java >/dev/null || die "java is still missing after installing openjdk-17-jre-headless"
  if ! installed; then
    command -v npm >/dev/null || apt_install npm
    log "fetching $NPM_PACKAGE@$NPM_VERSION (DynamoDB Local $DDB_VERSION) from the npm registry"
    mkdir -p "$DIR"
    local tmp
    tmp=$(mktemp -d "$DIR/.install.XXXXXX")
    # shellcheck disable=SC2064
    trap "rm -rf '$tmp'" EXIT
    (cd "$tmp" && npm pack --silent --cache "$tmp/npm-cache" --pack-destination "$tmp" \
      "$NPM_PACKAGE@$NPM_VERSION" >"$tmp/name")
    local tgz
    tgz=$tmp/$(tail -n1 "$tmp/name")
    # npm has checked the registry's integrity already; the pin also catches
    # a tarball that differs from the one this script was written against.
    local got
    got=$(sha512sum "$tgz" | cut -d' ' -f1)
    [ "$got" = "$NPM_SHA512" ] || die "checksum mismatch for $NPM_PACKAGE@$NPM_VERSION: $got"
    tar -xzf "$tgz" -C "$tmp" package/emulator
    rm -rf "$DIR/DynamoDBLocal.jar" "$DIR/DynamoDBLocal_lib" "$DIR/launcher" "$DIR/VERSION"
    mv "$tmp/package/emulator/DynamoDBLocal.jar" "$tmp/package/emulator/DynamoDBLocal_lib" "$DIR/"
    local have
    have=$(cd "$DIR" && java -jar DynamoDBLocal.jar -version 2>/dev/null | tail -n1 | tr -d '\r')
    [ "$have" = "$DDB_VERSION" ] || die "expected DynamoDB Local $DDB_VERSION in the package, found '$have'"
    printf '%s\n' "$STAMP" >"$DIR/VERSION"
    rm -rf "$tmp"
    trap - EXIT
    log "installed into $DIR"
  fi
  compile_launcher
}

case "${1:-}" in
install) install ;;
*) die "usage: $0 install" ;;
esac
