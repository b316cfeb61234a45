#!/usr/bin/env bash
# Builds, tests and runs the web dashboard in web/ (Vite + React + TypeScript).
#
#   scripts/web.sh install   npm ci into web/node_modules (skipped when already done for this lock file)
#   scripts/web.sh build     typecheck + production build into web/dist, which the next `go build` of
#                            cmd/dashboard embeds (package web) and `dashboard serve` serves at /
#   scripts/web.sh test      check that src/api/schema.d.ts matches api/openapi.yaml, then the Vitest suite
#   scripts/web.sh dev       Vite dev server on 127.0.0.1:5173, proxying /dashboard and /healthz to the Go
#                            API (DASHBOARD_API, default http://127.0.0.1:8080: run `make run` alongside)
#   scripts/web.sh gen-api   regenerate src/api/schema.d.ts from api/openapi.yaml
#
# build, test, dev and gen-api run install first, so each works on a fresh clone. Packages come from the npm
# registry only, pinned by web/package-lock.json; nothing downloads binaries of its own.
set -euo pipefail
cd "$(dirname "$0")/../web"

die() { echo "web.sh: $*" >&2; exit 1; }

check_node() {
  command -v node >/dev/null 2>&1 || die "node is not installed (Node.js >= 20.19 and npm are needed)"
  command -v npm >/dev/null 2>&1 || die "npm is not installed"
  local v major minor
  v=$(node --version); v=${v#v}
  major=${v%%.*}; minor=${v#*.}; minor=${minor%%.*}
  if [ "$major" -lt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -lt 19 ]; }; then
    die "Node.js $v is too old: Vite needs 20.19 or newer"
  fi
}

# The stamp records what node_modules was installed from; npm ci runs again only when it changes.
stamp=node_modules/.web-sh-installed
want_stamp() {
  printf '%s %s\n' "$(node --version)" "$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
}

install() {
  check_node
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(want_stamp)" ]; then
    echo "web: dependencies are up to date"
    return
  fi
  echo "web: installing dependencies (npm ci)"
  npm ci --no-audit --no-fund --prefer-offline --loglevel=error
  want_stamp >"$stamp"
}

run_tests() {
  npm run --silent check:api
  local report status=0
  report=$(mktemp)
  CI=${CI:-true} npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
  # One plain summary line, readable by any CI log scanner.
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`web: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  ' "$report" 2>/dev/null || true
  rm -f "$report"
  return "$status"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  install) install ;;
  build) install; npm run --silent build ;;
  test) install; run_tests "$@" ;;
  dev) install; exec npm run dev -- "$@" ;;
  gen-api) install; npm run --silent gen:api ;;
  *) echo "usage: scripts/web.sh install|build|test|dev|gen-api" >&2; exit 2 ;;
esac
