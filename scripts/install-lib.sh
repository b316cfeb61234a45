# Shared by the install-only scripts for test servers (dynamodb-local.sh,
# stripe-mock.sh, mailpit.sh); source it after setting NAME. These scripts
# only install: the Go tests start and stop the servers themselves, once per
# test binary on free loopback ports (internal/proctest), or reuse the
# instance an environment variable names.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf '%s: %s\n' "$NAME" "$*" >&2; }
die() { log "$*"; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root to run: $*"
  fi
}

apt_install() {
  log "installing $* with apt-get"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

# go_install MODULE VERSION BIN_DIR builds MODULE@VERSION from the Go module
# proxy into BIN_DIR once, stamping the version next to the binary; a no-op
# when that version is there already.
go_install() {
  local module=$1 version=$2 bin_dir=$3
  local bin=$bin_dir/${module##*/} stamp=$bin_dir/.${module##*/}.version
  [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$module@$version" ] && return 0
  command -v go >/dev/null || die "go is not on PATH"
  log "building $module@$version into $bin_dir"
  mkdir -p "$bin_dir"
  # Outside the repository, so its go.mod and any -mod flag play no part.
  (cd / && GOBIN=$bin_dir GOFLAGS=-buildvcs=false go install "$module@$version") >&2
  printf '%s\n' "$module@$version" >"$stamp"
  log "installed $bin"
}
