#!/usr/bin/env bash
# Compiles the Solidity of packages evm and internal/evmtest with solc-js (the `solc` package from the npm registry, installed once
# into .cache/solc) and writes the results next to the sources, where they are committed, so `go test ./evm`
# and the product build never need node:
#
#   evm/contracts/SignatureValidator.sol     → SignatureValidator.bin          (product: the ERC-6492 validator)
#   internal/evmtest/testdata/TestWallet.sol → TestWallet{,Factory}.{bin,abi}, TestPreparedWallet.{bin,abi}
#                                              (test fixtures)
#
#   scripts/solc-fixtures.sh          compile and rewrite the .bin/.abi files
#   scripts/solc-fixtures.sh check    compile into a temporary folder and fail when a committed file differs;
#                                     silent on success (`make test` runs it)
#   scripts/solc-fixtures.sh install  only install the pinned solc-js into the cache
#
# A .bin file is the creation bytecode in hex (no 0x) and a newline; an .abi file is the contract's ABI JSON.
# The compiler is pinned twice: the npm version, and the full version string solc-js reports (which names the
# compiler's commit), so a different build of the same version is refused. Settings: the IR pipeline with the
# optimizer on (200 runs), EVM version paris (no PUSH0 or MCOPY, so the validator runs on every chain an RPC
# may serve), and no metadata hash in the bytecode, so comments do not change it.
set -euo pipefail

SOLC_VERSION=0.8.30
SOLC_LONG_VERSION=0.8.30+commit.73712a01.Emscripten.clang
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${SOLC_CACHE_DIR:-$REPO/.cache/solc}

log() { printf 'solc-fixtures: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

install() {
  command -v node >/dev/null || die "node is not installed"
  command -v npm >/dev/null || die "npm is not installed"
  local have
  have=$(node -p "require('$CACHE/node_modules/solc/package.json').version" 2>/dev/null || true)
  [ "$have" = "$SOLC_VERSION" ] && return 0
  log "installing solc@$SOLC_VERSION from the npm registry into $CACHE"
  mkdir -p "$CACHE"
  npm install --prefix "$CACHE" --no-audit --no-fund --loglevel=error "solc@$SOLC_VERSION" >&2
}

# compile SOURCE OUT_DIR CONTRACT... compiles one source file and writes CONTRACT.bin for each contract named,
# and CONTRACT.abi as well when ABI=1.
compile() {
  local source=$1 out=$2
  shift 2
  SOLC_MODULE=$CACHE/node_modules/solc SOLC_LONG_VERSION=$SOLC_LONG_VERSION ABI=${ABI:-0} \
    node - "$source" "$out" "$@" <<'JS'
const fs = require('fs');
const path = require('path');
const solc = require(process.env.SOLC_MODULE);
const [source, out, ...wanted] = process.argv.slice(2);
if (solc.version() !== process.env.SOLC_LONG_VERSION) {
  console.error(`solc-fixtures: solc-js reports ${solc.version()}, want ${process.env.SOLC_LONG_VERSION}`);
  process.exit(1);
}
const name = path.basename(source);
const input = {
  language: 'Solidity',
  sources: { [name]: { content: fs.readFileSync(source, 'utf8') } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    viaIR: true,
    evmVersion: 'paris',
    metadata: { bytecodeHash: 'none' },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
let failed = false;
for (const e of output.errors || []) {
  console.error(e.formattedMessage);
  if (e.severity === 'error') failed = true;
}
if (failed) process.exit(1);
for (const contract of wanted) {
  const c = (output.contracts[name] || {})[contract];
  if (!c || !c.evm.bytecode.object) {
    console.error(`solc-fixtures: ${name} has no contract ${contract}`);
    process.exit(1);
  }
  fs.writeFileSync(path.join(out, contract + '.bin'), c.evm.bytecode.object + '\n');
  if (process.env.ABI === '1') {
    fs.writeFileSync(path.join(out, contract + '.abi'), JSON.stringify(c.abi, null, 2) + '\n');
  }
}
JS
}

# build OUT_ROOT writes every output under OUT_ROOT, laid out as in the repository.
build() {
  local root=$1
  mkdir -p "$root/evm/contracts" "$root/internal/evmtest/testdata"
  compile "$REPO/evm/contracts/SignatureValidator.sol" "$root/evm/contracts" SignatureValidator
  ABI=1 compile "$REPO/internal/evmtest/testdata/TestWallet.sol" "$root/internal/evmtest/testdata" TestWallet TestWalletFactory TestPreparedWallet
}

OUTPUTS=(
  evm/contracts/SignatureValidator.bin
  internal/evmtest/testdata/TestWallet.bin internal/evmtest/testdata/TestWallet.abi
  internal/evmtest/testdata/TestWalletFactory.bin internal/evmtest/testdata/TestWalletFactory.abi
  internal/evmtest/testdata/TestPreparedWallet.bin internal/evmtest/testdata/TestPreparedWallet.abi
)

case "${1:-build}" in
build)
  install
  build "$REPO"
  log "wrote ${OUTPUTS[*]}"
  ;;
check)
  install
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  build "$tmp"
  status=0
  for f in "${OUTPUTS[@]}"; do
    cmp -s "$tmp/$f" "$REPO/$f" || { log "$f is not what solc $SOLC_VERSION makes of its source: run $0"; status=1; }
  done
  exit "$status"
  ;;
install) install ;;
*) die "usage: $0 [build|check|install]" ;;
esac
