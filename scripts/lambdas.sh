#!/usr/bin/env bash
# Builds the Lambda functions (every cmd/lambda/<name>) for the
# provided.al2023 runtime on arm64 and packs each as dist/lambda/<name>.zip
# holding one executable, `bootstrap`; then prints the sizes, largest first.
# `make lambdas` runs it.
#
#   scripts/lambdas.sh [--host] [--out DIR] [--max-mb N] [NAME...]
#
#   --host      build for this machine's OS and architecture instead (into
#               dist/lambda-host unless --out says otherwise), to run the
#               binaries against a local Runtime API
#   --out DIR   where the zips (and <name>/bootstrap) go; default dist/lambda
#   --max-mb N  fail when a zip is larger than N MB (default 8)
#   NAME...     only these functions (default: all of cmd/lambda)
#
# The zips are reproducible: a fixed timestamp and mode 0755 on the one entry,
# so an unchanged function keeps its hash and a deploy does not update it.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
goos=linux
goarch=arm64
out=
max_mb=8
names=()

usage() { sed -n '2,17s/^# \{0,1\}//p' "$0"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --host) goos=$($GO env GOHOSTOS); goarch=$($GO env GOHOSTARCH); out=${out:-dist/lambda-host} ;;
    --out) [ $# -ge 2 ] || { usage >&2; exit 2; }; out=$2; shift ;;
    --max-mb) [ $# -ge 2 ] || { usage >&2; exit 2; }; max_mb=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "lambdas.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) names+=("$1") ;;
  esac
  shift
done
out=${out:-dist/lambda}

if [ ${#names[@]} -eq 0 ]; then
  for d in cmd/lambda/*/; do names+=("$(basename "$d")"); done
fi
pkgs=()
for n in "${names[@]}"; do
  [ -f "cmd/lambda/$n/main.go" ] || { echo "lambdas.sh: no function cmd/lambda/$n" >&2; exit 2; }
  pkgs+=("./cmd/lambda/$n")
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The zipper: a few lines of Go (archive/zip), so that neither zip nor Python
# is needed, and the archives come out byte-for-byte the same every time.
mkdir -p "$tmp/zipper"
cat >"$tmp/zipper/go.mod" <<'EOF'
module zipper

go 1.21
EOF
cat >"$tmp/zipper/main.go" <<'EOF'
// Command zipper writes a Lambda deployment zip holding one file, bootstrap.
package main

import (
	"archive/zip"
	"compress/flate"
	"io"
	"log"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: zipper BINARY ZIP")
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	f, err := os.Create(os.Args[2] + ".tmp")
	if err != nil {
		log.Fatal(err)
	}
	zw := zip.NewWriter(f)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err == nil {
		_, err = w.Write(data)
	}
	if err == nil {
		err = zw.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(os.Args[2]+".tmp", os.Args[2])
	}
	if err != nil {
		log.Fatal(err)
	}
}
EOF
(cd "$tmp/zipper" && GOWORK=off GOFLAGS= GOOS= GOARCH= CGO_ENABLED=0 $GO build -o "$tmp/zipit" .)

echo "Building ${#names[@]} function(s) for $goos/$goarch into $out/ ..."
mkdir -p "$tmp/bin"
GOOS=$goos GOARCH=$goarch CGO_ENABLED=0 \
  $GO build -tags lambda.norpc -trimpath -ldflags="-s -w" -o "$tmp/bin/" "${pkgs[@]}"

mkdir -p "$out"
rows=()
for n in "${names[@]}"; do
  mkdir -p "$out/$n"
  mv -f "$tmp/bin/$n" "$out/$n/bootstrap"
  chmod 0755 "$out/$n/bootstrap"
  "$tmp/zipit" "$out/$n/bootstrap" "$out/$n.zip"
  rows+=("$(wc -c <"$out/$n.zip" | tr -d " ") $(wc -c <"$out/$n/bootstrap" | tr -d " ") $n")
done

# The table, largest zip first: sizes in MiB, and a mark on any zip over the limit.
printf '%s\n' "${rows[@]}" | sort -k1,1nr -k3,3 | awk -v max="$max_mb" '
  BEGIN { printf "\n%-22s %12s %12s\n", "function", "binary", "zip"; printf "%-22s %12s %12s\n", "--------", "------", "---" }
  { over = $1 > max * 1048576; bad += over
    printf "%-22s %9.2f MB %9.2f MB%s\n", $3, $2 / 1048576, $1 / 1048576, over ? "  over " max " MB" : ""
    zips += $1; bins += $2 }
  END { printf "%-22s %9.2f MB %9.2f MB\n\n", "total (" NR ")", bins / 1048576, zips / 1048576; exit bad > 0 }
' || { echo "lambdas.sh: some zips are larger than ${max_mb} MB" >&2; exit 1; }
