#!/usr/bin/env bash
# Runs every Go fuzz target of the module, one after another, for SECONDS
# each (default 30; `make test` passes a short time such as 2).
#
#   scripts/fuzz.sh [SECONDS]
#   FUZZ_TARGETS='^FuzzParse' scripts/fuzz.sh 60   # only the targets matching an ERE
#
# Targets are found, not listed by hand: every package with a *_test.go file
# that declares `func FuzzXxx` is asked for its real list with
# `go test -list '^Fuzz'`, so a new target is fuzzed from the day it lands.
#
# A crasher fails the run. Go writes the failing input under the package's
# testdata/fuzz/<Target>/ folder; the script prints that path. Commit the
# file with the fix: from then on plain `go test` (and so `make test`) runs
# it as a regression test of that target, no fuzzing needed.
set -euo pipefail
cd "$(dirname "$0")/.."

secs="${1:-30}"
if ! [[ "$secs" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [SECONDS]  (a positive whole number of seconds per target)" >&2
  exit 2
fi

module=$(go list -m)
# Packages that declare a fuzz target; .cache (tools) and node_modules are
# not ours, and git ls-files would miss targets not yet committed.
mapfile -t dirs < <(grep -rlE --include='*_test.go' '^func Fuzz[A-Z0-9_]' . \
  --exclude-dir=.cache --exclude-dir=node_modules --exclude-dir=.git | xargs -r -n1 dirname | sort -u)
if [ "${#dirs[@]}" -eq 0 ]; then
  echo "no fuzz targets found" >&2
  exit 1
fi

targets=() # "package name" pairs
failed=()
for d in "${dirs[@]}"; do
  pkg="$module/${d#./}"
  [ "$d" = "." ] && pkg="$module"
  if ! list=$(go test -list '^Fuzz' "$pkg" 2>&1); then
    echo "$list" >&2
    echo "!! cannot list the fuzz targets of $pkg (it does not build?)" >&2
    failed+=("$pkg")
    continue
  fi
  while read -r name; do
    if [[ "$name" =~ ^Fuzz ]] && [[ "$name" =~ ${FUZZ_TARGETS:-.} ]]; then targets+=("$pkg $name"); fi
  done <<<"$list"
done

echo "fuzzing ${#targets[@]} targets for ${secs}s each:"
printf '  %s\n' "${targets[@]}"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  echo "== $name ($pkg)"
  fuzz() { go test -run='^$' -fuzz="^${name}\$" -fuzztime="${secs}s" "$pkg" >"$log" 2>&1; }
  ok=0
  fuzz && ok=1
  # -fuzztime is a budget, not a deadline an input must meet. Go's fuzz
  # coordinator (before Go 1.27, go.dev/issue/75804) can report its own
  # "context deadline exceeded" when the budget ends while a worker is
  # mid-input, and on a loaded machine it does so again and again. No input
  # failed then: nothing is written to testdata/fuzz, no seed or subtest
  # failed and nothing panicked. That is the budget running out, so it
  # passes; any other failure still fails the run.
  if [ "$ok" = 0 ] && grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written to' "$log" &&
    ! grep -qE '^[[:space:]]+--- FAIL|^panic:|fuzzing process hung|build failed|\[setup failed\]' "$log"; then
    echo "   (the ${secs}s budget ended while a worker was mid-input: Go's coordinator reported its own deadline, no input failed)"
    ok=1
  fi
  if [ "$ok" = 1 ]; then
    tail -n 2 "$log"
  else
    cat "$log"
    dir=$(go list -f '{{.Dir}}' "$pkg")
    entry=$(sed -n 's/.*Failing input written to \(testdata\/fuzz\/[^ ]*\).*/\1/p' "$log" | tail -n 1)
    if [ -n "$entry" ]; then
      echo "!! $name found a crasher: ${dir#"$PWD"/}/$entry"
      echo "   It now runs as a regression test in plain 'go test' of $pkg; commit it with the fix."
    else
      echo "!! $name failed (no corpus entry written: a build or setup failure, see above)"
    fi
    failed+=("$name")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzzing failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzzing passed: ${#targets[@]} targets, ${secs}s each"
