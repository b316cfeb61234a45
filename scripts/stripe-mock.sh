#!/usr/bin/env bash
# stripe-mock for tests: Stripe's own API mock, built from the Go module
# proxy (the only place this project may fetch it from) into .cache/bin/.
#
#   scripts/stripe-mock.sh install   go install it once; a no-op when the pinned version is there
#   scripts/stripe-mock.sh start     start it in the background on free 127.0.0.1 ports and
#                                    print STRIPE_MOCK_URL=http://127.0.0.1:PORT
#   scripts/stripe-mock.sh stop      stop what start started
#   scripts/stripe-mock.sh status    print the URL if it is running
#
# stripe-mock binds every interface unless told otherwise, and serves HTTPS
# on a second port too; start therefore passes both -http-addr and
# -https-addr on 127.0.0.1. Go tests that find no STRIPE_MOCK_URL start their
# own instance the same way (stripe/stripemock).
set -euo pipefail
set +m # no job control: a background job stays in our process group until setsid

VERSION=v0.203.0
MODULE=github.com/stripe/stripe-mock

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN_DIR=${STRIPE_MOCK_BIN_DIR:-$REPO/.cache/bin}
BIN=$BIN_DIR/stripe-mock
STAMP=$BIN_DIR/.stripe-mock.version
RUN=$REPO/.cache/stripe-mock

log() { printf 'stripe-mock: %s\n' "$*" >&2; }
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

# answers PORT succeeds once stripe-mock answers HTTP on 127.0.0.1:PORT.
answers() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET /v1/charges HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer sk_test_123\r\nConnection: close\r\n\r\n' >&3
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

# running_pid prints the PID start left running, checking the command line
# so a stale pid file never names another process.
running_pid() {
  local pid
  [ -f "$RUN/pid" ] || return 1
  pid=$(cat "$RUN/pid")
  alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q stripe-mock || return 1
  echo "$pid"
}

start() {
  installed || die "not installed: run 'scripts/stripe-mock.sh install' (or 'make test')"
  if running_pid >/dev/null && answers "$(cat "$RUN/port")"; then
    echo "STRIPE_MOCK_URL=http://127.0.0.1:$(cat "$RUN/port")"
    return 0
  fi
  mkdir -p "$RUN"
  local attempt port tls pid
  for attempt in 1 2 3; do
    port=$(free_port)
    tls=$(free_port)
    [ "$port" != "$tls" ] || continue
    # setsid: stripe-mock leads its own process group, so stop ends it whole.
    setsid "$BIN" -http-addr "127.0.0.1:$port" -https-addr "127.0.0.1:$tls" </dev/null >"$RUN/log" 2>&1 &
    pid=$!
    echo "$pid" >"$RUN/pid"
    echo "$port" >"$RUN/port"
    # A wall-clock bound, generous for a loaded machine: while the process
    # lives it is still starting, and only a hang should end the wait.
    local deadline=$((SECONDS + 120))
    while [ "$SECONDS" -lt "$deadline" ]; do
      alive "$pid" || break
      if answers "$port"; then
        echo "STRIPE_MOCK_URL=http://127.0.0.1:$port"
        return 0
      fi
      sleep 0.1
    done
    stop_pid "$pid"
    log "attempt $attempt on ports $port/$tls failed:"
    tail -n 20 "$RUN/log" >&2 || true
  done
  die "stripe-mock did not start"
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
    echo "STRIPE_MOCK_URL=http://127.0.0.1:$(cat "$RUN/port")"
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
