#!/usr/bin/env bash
# Browser tests of the member dashboard: playwright-core drives Debian's Chromium (/usr/bin/chromium, headless)
# through the real `dashboard serve --demo` serving the production build of web/, one server per test on a
# free 127.0.0.1 port with a temporary store and a random JWT_SECRET (web/e2e/ has the tests).
#
#   scripts/e2e.sh     install Chromium when missing (Debian's package, as root), the npm packages, build
#                      web/dist and bin/dashboard, run the tests; screenshots land in web/screenshots/
#
# Nothing is downloaded but Debian's packages and the npm registry's (never `playwright install`).
# The last line is the summary: `e2e: N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "e2e.sh: $*" >&2; exit 1; }

chromium=/usr/bin/chromium
if [ ! -x "$chromium" ]; then
  install_cmd="apt-get update && apt-get install -y --no-install-recommends chromium fonts-liberation"
  command -v apt-get >/dev/null 2>&1 || die "$chromium is missing and this is not a Debian-like system: install Chromium so that $chromium exists"
  [ "$(id -u)" -eq 0 ] || die "$chromium is missing: install Debian's Chromium as root ($install_cmd), or run this script as root"
  echo "e2e: installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
  [ -x "$chromium" ] || die "apt-get finished but $chromium is still missing"
fi

scripts/web.sh install
scripts/web.sh build
echo "e2e: building bin/dashboard, bin/stripefake and bin/devchain (the Stripe fake and the Ethereum dev chain some tests start beside it)"
go build -o bin/dashboard ./cmd/dashboard
go build -o bin/stripefake ./internal/stripetest/cmd/stripefake
go build -o bin/devchain ./internal/evmtest/cmd/devchain

# The tests stop their servers and remove their temporary folders themselves; should the test process be
# killed, this stops the servers it left (their pids are in E2E_PID_DIR) and removes the run's TMPDIR.
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/dashboard-e2e-run.XXXXXX")
mkdir "$run_tmp/pids"
cleanup() {
  local f
  for f in "$run_tmp"/pids/*; do
    [ -e "$f" ] && kill -KILL "${f##*/}" 2>/dev/null || true
  done
  rm -rf "$run_tmp"
}
trap cleanup EXIT

cd web
TMPDIR=$run_tmp E2E_PID_DIR=$run_tmp/pids npm run --silent e2e
