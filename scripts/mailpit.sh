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
NAME=mailpit
# shellcheck source=scripts/install-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/install-lib.sh"

case "${1:-}" in
install) go_install "$MODULE" "$VERSION" "${MAILPIT_BIN_DIR:-$REPO/.cache/bin}" ;;
*) die "usage: $0 install" ;;
esac
