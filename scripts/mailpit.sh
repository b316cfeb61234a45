#!/usr/bin/env bash
# Mailpit for tests: a real SMTP server with an HTTP API to read what
# arrived, built from the Go module proxy (the only place this project may
# fetch it from) into .cache/bin/.
#
#   scripts/mailpit.sh install   go install it once; a no-op when the pinned version is there
#
# There is no start/stop here: Go tests start their own instance on free
# 127.0.0.1 ports, with an in-memory database, once per test binary
# (internal/mailpittest), or reuse the one MAILPIT_URL and MAILPIT_SMTP name.
set -euo pipefail

VERSION=v1.33.1
MODULE=github.com/axllent/mailpit

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN_DIR=${MAILPIT_BIN_DIR:-$REPO/.cache/bin}
BIN=$BIN_DIR/mailpit
STAMP=$BIN_DIR/.mailpit.version

log() { printf 'mailpit: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

installed() { [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$MODULE@$VERSION" ]; }

install() {
  installed && return 0
  command -v go >/dev/null || die "go is not on PATH"
  log "building $MODULE@$VERSION into $BIN_DIR"
  mkdir -p "$BIN_DIR"
  # Outside the repository, so its go.mod and any -mod flag play no part.
  (cd / && GOBIN=$BIN_DIR GOFLAGS=-buildvcs=false go install "$MODULE@$VERSION") >&2
  printf '%s\n' "$MODULE@$VERSION" >"$STAMP"
  log "installed $BIN"
}

case "${1:-}" in
install) install ;;
*) die "usage: $0 install" ;;
esac
