// Command scale is `make scale`: it seeds a club of 50,000 members
// (500,000 orders, 100,000 NFT holdings) into a DynamoDB Local of its own
// with `dashboard seed`, and measures how the dashboard behaves as the
// table grows:
//
//   - Read routes (profile, orders first and deep page, order detail,
//     NFTs, NFTs of a collection, wallets, emails) through the real HTTP
//     handler in-process over the DynamoDB store: latency p50/p99 with a
//     small club and again, for the same members, with the full club;
//     DynamoDB calls and consumed capacity (ReturnConsumedCapacity TOTAL,
//     set by an SDK middleware of this harness) per request.
//   - Jobs over the full club, through their public entry points: the
//     holders of the popular collection (EachHolder), the NFT poll
//     (nfts.Service.Poll against the marketplace fake), the Stripe
//     reconciliation (orders.Service.Reconcile against the Stripe fake),
//     the per-member Stripe sync (orders.Service.SyncMemberIncremental) and
//     `dashboard sync stripe --all` (the binary): throughput, and calls
//     and capacity per item where they run in this process.
//
// It prints tables and writes them to .cache/scale/last.md. -quick runs the
// same steps on a club of 2,000 (the Go test runs it so it cannot rot). It
// exits non-zero only when the harness itself fails, never because the
// machine is slow.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"
)

func main() {
	cfg := Config{}
	flag.StringVar(&cfg.Dashboard, "dashboard", "bin/dashboard", "the dashboard binary (its seed and sync commands)")
	flag.BoolVar(&cfg.Quick, "quick", false, "a club of 2,000 (500 first), few requests: checks the harness, measures little")
	flag.IntVar(&cfg.Members, "members", 50_000, "club size at full scale")
	flag.IntVar(&cfg.Small, "small", 2_000, "club size of the first measurement (a multiple of 250)")
	flag.Float64Var(&cfg.OrdersPer, "orders-per-member", 10, "average orders per member")
	flag.Float64Var(&cfg.NFTsPer, "nfts-per-member", 2, "average NFT holdings per member")
	flag.IntVar(&cfg.Requests, "requests", 400, "timed requests per route and club size")
	flag.IntVar(&cfg.Sessions, "sessions", 5_000, "new Checkout Sessions the reconciliation files")
	flag.DurationVar(&cfg.JobBudget, "job-budget", 3*time.Minute, "each job stops after this long; its throughput is what it did by then (0: each job runs to its end, as -quick does)")
	flag.StringVar(&cfg.Heap, "heap", "3g", "DynamoDB Local's maximum Java heap (-Xmx)")
	flag.StringVar(&cfg.Out, "out", ".cache/scale/last.md", "where to write the tables as well")
	flag.Parse()
	if cfg.Quick {
		cfg = cfg.quick()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}
