// Command dashboard runs the Babes Club member dashboard on one host: the
// whole API and the web dashboard on one port, with the refresh queue and
// the hourly NFT poll and nightly Stripe reconciliation in-process (serve);
// member tokens for trying it (token); and the operator's jobs, run once
// against the same store: syncing members' orders or NFTs (sync),
// reconciling every Checkout Session (reconcile), listing a collection's
// holders (holders), recording an order's fulfilment (fulfil), the
// one-off data migrations (migrate) and a generated club for load tests
// (seed).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `Usage: dashboard <command> [flags]

Commands:
  serve      serve the API and the web dashboard (embedded store unless DYNAMODB_ENDPOINT/COMMERCE_TABLE are set)
  token      print a member JWT signed with JWT_SECRET
  sync       stripe|nfts [--user ID | --all] [--incremental[=false]]: refresh members' orders from Stripe (--all: each from their last sync) or NFTs from the marketplace
  reconcile  [--status]: file every Checkout Session since the watermark under its owner, window by window (--status: show the latest run)
  holders    --collection ID | --wallet ADDRESS: the members holding NFTs of a collection, or having a wallet
  fulfil     ORDER_ID --status S [--carrier C] [--tracking N] [--tracking-url U] [--at T] [--note TEXT]: record a fulfilment event
  migrate    wallets: give every profile's preferredWallet its wallet and wallet-index items (one-off, idempotent)
  seed       --members N [--orders-per-member M] [--nfts-per-member K]: fill DynamoDB Local or the embedded store with a generated club

Run "dashboard <command> -h" for the flags of a command.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "dashboard:", err)
		}
		os.Exit(2)
	}
}

var errUsage = errors.New("usage")

// run dispatches a command line; getenv and the writers are parameters so
// tests can drive the CLI in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], getenv, stdout, stderr)
	case "token":
		return runToken(args[1:], getenv, stdout, stderr)
	case "sync":
		return runSync(ctx, args[1:], getenv, stdout, stderr)
	case "holders":
		return runHolders(ctx, args[1:], getenv, stdout, stderr)
	case "reconcile":
		return runReconcile(ctx, args[1:], getenv, stdout, stderr)
	case "fulfil":
		return runFulfil(ctx, args[1:], getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, args[1:], getenv, stdout, stderr)
	case "seed":
		return runSeed(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", args[0], usage)
		return errUsage
	}
}
