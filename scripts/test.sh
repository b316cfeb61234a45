#!/usr/bin/env bash
# Runs `go vet` and every Go test. Arguments are passed to `go test`; PKGS
# (default ./...) names the packages.
#
# internal/withservers starts one DynamoDB Local and one stripe-mock for the
# whole run (unless DYNAMODB_ENDPOINT or STRIPE_MOCK_URL already name one)
# and stops them when `go test` ends; it uses the same Go code with which a
# lone test binary starts its own (internal/proctest owns that lifecycle).
# The scripts next to this one only install the servers (`make test-deps`).
set -euo pipefail
cd "$(dirname "$0")/.."

go vet ./...
go run ./internal/withservers go test "$@" ${PKGS:-./...}
