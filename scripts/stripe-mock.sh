#!/usr/bin/env bash
# stripe-mock for tests: Stripe's own API mock, built from the Go module
# proxy (the only place this project may fetch it from) into .cache/bin/.
#
#   scripts/stripe-mock.sh install   go install it once; a no-op when the pinned version is there
#
# There is no start/stop here: Go tests start their own instance on free
# 127.0.0.1 ports (both -http-addr and -https-addr, since it serves HTTPS
# too), once per test binary (internal/stripetest), or reuse the one
# STRIPE_MOCK_URL names.
set -euo pipefail

VERSION=v0.203.0
MODULE=github.com/stripe/stripe-mock
NAME=stripe-mock
# shellcheck source=scripts/install-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/install-lib.sh"

case "${1:-}" in
install) go_install "$MODULE" "$VERSION" "${STRIPE_MOCK_BIN_DIR:-$REPO/.cache/bin}" ;;
*) die "usage: $0 install" ;;
esac
