#!/usr/bin/env bash
# Runs every Go test against one shared DynamoDB Local, started here on a free
# loopback port and stopped on exit. Arguments are passed to `go test`.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${DYNAMODB_ENDPOINT:-}" ]; then
  out=$(scripts/dynamodb-local.sh start)
  trap 'scripts/dynamodb-local.sh stop >/dev/null 2>&1 || true' EXIT
  export "$(printf '%s\n' "$out" | grep '^DYNAMODB_ENDPOINT=')"
fi
echo "DynamoDB Local at $DYNAMODB_ENDPOINT"

go vet ./...
go test "$@" ./...
