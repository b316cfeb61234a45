#!/usr/bin/env bash
# Runs the AWS CDK CLI on the CDK app in infra/ (the BabesClubDashboard stack).
#
#   scripts/cdk.sh install          install the pinned CLI into .cache/ (also done on first use)
#   scripts/cdk.sh synth            synthesize into infra/cdk.out (needs dist/lambda/*.zip: `make lambdas`,
#                                   or -c placeholderCode=true to look at the template only)
#   scripts/cdk.sh diff             compare with the deployed stack (needs AWS credentials)
#   scripts/cdk.sh deploy --parameters JwtSecret=… …
#   scripts/cdk.sh <anything else>  passed to cdk as is (bootstrap, ls, destroy, …)
#
# The CLI is the npm package aws-cdk at the version pinned below, installed with npm into
# .cache/aws-cdk-<version>/ (never globally). Synthesis runs the Go app (`go run .` in infra/),
# which drives aws-cdk-lib on Node through the jsii runtime shipped inside the Go modules, so it
# needs go and node but no network beyond the Go module proxy. docs/operations.md is the manual.
set -euo pipefail

CDK_VERSION=2.1148.1

repo=$(cd "$(dirname "$0")/.." && pwd)
prefix="$repo/.cache/aws-cdk-$CDK_VERSION"
cdk="$prefix/node_modules/.bin/cdk"

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "cdk.sh: $1 is required ($2)" >&2; exit 1; }
}

install_cli() {
  if [ -x "$cdk" ]; then
    return
  fi
  need npm "Node.js 18 or later with npm"
  echo "cdk.sh: installing aws-cdk@$CDK_VERSION into ${prefix#"$repo"/}" >&2
  mkdir -p "$prefix"
  # A package.json of its own keeps npm from walking up into another project.
  [ -f "$prefix/package.json" ] || printf '{"name":"aws-cdk-cli","private":true}\n' >"$prefix/package.json"
  npm install --prefix "$prefix" --save-exact --no-audit --no-fund --loglevel=error "aws-cdk@$CDK_VERSION" >&2
}

if [ $# -eq 0 ]; then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi

install_cli
if [ "$1" = install ]; then
  "$cdk" --version
  exit 0
fi

need go "the CDK app is written in Go"
need node "synthesis runs aws-cdk-lib on Node through the jsii runtime"
cd "$repo/infra"
# No usage telemetry and no version nagging from the CLI.
export CDK_DISABLE_CLI_TELEMETRY=true CDK_DISABLE_VERSION_CHECK=true
exec "$cdk" "$@"
