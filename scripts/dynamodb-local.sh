#!/usr/bin/env bash
# DynamoDB Local for tests and local runs: AWS's jar, taken from the npm
# package amplify-dynamodb-simulator (the npm registry is the only place this
# project may fetch it from), cached under .cache/dynamodb-local/.
#
#   scripts/dynamodb-local.sh install   fetch Java (apt) and the jar (npm) once; a no-op when cached
#   scripts/dynamodb-local.sh start     start it in the background on a free 127.0.0.1 port and
#                                       print DYNAMODB_ENDPOINT=http://127.0.0.1:PORT
#   scripts/dynamodb-local.sh stop      stop what start started
#   scripts/dynamodb-local.sh status    print the endpoint if it is running
#
# DynamoDB Local has no flag for its listen address (only -port), and its Jetty
# server binds every interface. The install step therefore compiles a
# ten-line launcher (with the JRE's own jdk.compiler module, no JDK needed)
# that sets the Jetty connector's host to 127.0.0.1 before the server starts.
# Should that compile ever fail, start falls back to `java -jar` (all
# interfaces, on a random free port) and says so on stderr.
set -euo pipefail
set +m # no job control: a background job stays in our process group until setsid

# Pinned: amplify-dynamodb-simulator 2.9.30 ships DynamoDB Local 1.25.1
# (package/emulator/DynamoDBLocal.jar, `java -jar DynamoDBLocal.jar -version`).
NPM_PACKAGE=amplify-dynamodb-simulator
NPM_VERSION=2.9.30
# The tarball's SHA-512 (the registry's dist.integrity, in hex).
NPM_SHA512=c5379e44bbf311fab2779961ddb1f8734907bd21c79a6843e590ec1c5280439836665e89aa515dbad6908422c7cf1129e91cb5a3b4c1ea7888a17b9002749ec1
DDB_VERSION=1.25.1
LAUNCHER=LoopbackDynamoDBLocal

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${DYNAMODB_LOCAL_DIR:-$REPO/.cache/dynamodb-local}
RUN=$DIR/run
STAMP="$NPM_PACKAGE@$NPM_VERSION DynamoDBLocal $DDB_VERSION"

log() { printf 'dynamodb-local: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root to run: $*"
  fi
}

apt_install() {
  log "installing $* with apt-get"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

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

# command_for PORT prints, one argument per line, how to run DynamoDB Local.
command_for() {
  local port=$1
  printf '%s\n' java -Xms64m -Djava.library.path="$DIR/DynamoDBLocal_lib"
  if [ -f "$DIR/launcher/$LAUNCHER.class" ]; then
    printf '%s\n' -cp "$DIR/DynamoDBLocal.jar:$DIR/launcher" "$LAUNCHER"
  else
    printf '%s\n' -jar "$DIR/DynamoDBLocal.jar"
  fi
  printf '%s\n' -inMemory -sharedDb -disableTelemetry -port "$port"
}

# answers PORT succeeds once an HTTP server answers on 127.0.0.1:PORT.
answers() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
    IFS= read -r -t 2 line <&3 || true
    [[ ${line:-} == HTTP/* ]]
  ) 2>/dev/null
}

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "no free port found"
}

# alive PID succeeds while PID runs (a zombie child of ours does not count).
alive() {
  local _pid _comm state
  read -r _pid _comm state _ 2>/dev/null <"/proc/$1/stat" || return 1
  [ "$state" != Z ]
}

# running_pid prints the PID of the instance start left running. It checks
# the command line too, so a stale pid file never names another process.
running_pid() {
  local pid
  [ -f "$RUN/pid" ] || return 1
  pid=$(cat "$RUN/pid")
  alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q DynamoDBLocal || return 1
  echo "$pid"
}

start() {
  installed || die "not installed: run 'scripts/dynamodb-local.sh install' (or 'make test')"
  if running_pid >/dev/null && answers "$(cat "$RUN/port")"; then
    echo "DYNAMODB_ENDPOINT=http://127.0.0.1:$(cat "$RUN/port")"
    return 0
  fi
  [ -f "$DIR/launcher/$LAUNCHER.class" ] || log "warning: no loopback launcher; listening on all interfaces"
  mkdir -p "$RUN"
  local attempt port pid
  for attempt in 1 2 3; do
    port=$(free_port)
    mapfile -t cmd < <(command_for "$port")
    # setsid: the JVM leads its own process group, so stop can end it whole.
    (cd "$RUN" && exec setsid "${cmd[@]}" </dev/null >"$RUN/log" 2>&1) &
    pid=$!
    echo "$pid" >"$RUN/pid"
    echo "$port" >"$RUN/port"
    # A wall-clock bound, generous for a loaded machine: while the process
    # lives it is still starting, and only a hang should end the wait.
    local deadline=$((SECONDS + 120))
    while [ "$SECONDS" -lt "$deadline" ]; do
      alive "$pid" || break
      if answers "$port"; then
        echo "DYNAMODB_ENDPOINT=http://127.0.0.1:$port"
        return 0
      fi
      sleep 0.1
    done
    stop_pid "$pid"
    log "attempt $attempt on port $port failed:"
    tail -n 20 "$RUN/log" >&2 || true
  done
  die "DynamoDB Local did not start"
}

stop_pid() {
  local pid=$1
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    alive "$pid" || return 0
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}

stop() {
  local pid
  if pid=$(running_pid); then
    stop_pid "$pid"
    log "stopped (pid $pid)"
  fi
  rm -f "$RUN/pid" "$RUN/port"
}

status() {
  if running_pid >/dev/null && answers "$(cat "$RUN/port")"; then
    echo "DYNAMODB_ENDPOINT=http://127.0.0.1:$(cat "$RUN/port")"
  else
    log "not running"
    return 1
  fi
}

case "${1:-}" in
install) install ;;
start) start ;;
stop) stop ;;
status) status ;;
*) die "usage: $0 install|start|stop|status" ;;
esac
