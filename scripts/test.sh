#!/usr/bin/env bash
# Runs every Go test against one shared DynamoDB Local and one stripe-mock,
# started here on free loopback ports (unless DYNAMODB_ENDPOINT or
# STRIPE_MOCK_URL already name one) and stopped on exit. Arguments are passed
# to `go test`; PKGS (default ./...) names the packages.
set -euo pipefail
cd "$(dirname "$0")/.."

started=()
cleanup() { for s in "${started[@]}"; do "scripts/$s.sh" stop >/dev/null 2>&1 || true; done; }
trap cleanup EXIT

if [ -z "${DYNAMODB_ENDPOINT:-}" ]; then
  out=$(scripts/dynamodb-local.sh start)
  started+=(dynamodb-local)
  export "$(printf '%s\n' "$out" | grep '^DYNAMODB_ENDPOINT=')"
fi
if [ -z "${STRIPE_MOCK_URL:-}" ]; then
  out=$(scripts/stripe-mock.sh start)
  started+=(stripe-mock)
  export "$(printf '%s\n' "$out" | grep '^STRIPE_MOCK_URL=')"
fi
echo "DynamoDB Local at $DYNAMODB_ENDPOINT, stripe-mock at $STRIPE_MOCK_URL"

go vet ./...
go test "$@" ${PKGS:-./...}
