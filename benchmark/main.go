// Command benchmark is `make bench`: it measures the dashboard against the
// physical limits of this machine and prints one table.
//
//   - HTTP ceiling: `dashboard serve --demo` (embedded store, auth on)
//     against a bare net/http handler writing a fixed JSON body, each in its
//     own process, driven by the same constant-rate load generator (vegeta's
//     library) over the same connections: requests/s at saturation, and
//     p50/p99 at a fixed rate.
//   - Hot paths: the Go benchmarks of the packages (-benchmem).
//   - Lambda: zip size of every function, and cold start through the
//     Runtime API harness when it is available.
//   - Upstream economy: DynamoDB calls per route (DynamoDB Local) and Stripe
//     calls of a 10,000-session reconciliation.
//
// It exits non-zero only when the harness itself fails, never because the
// machine is slow.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "bare-server" {
		serveBare() // the reference server, started by this program
		return
	}
	bin := flag.String("dashboard", "bin/dashboard", "the dashboard binary to measure")
	dur := flag.Duration("duration", 10*time.Second, "length of each load run")
	rate := flag.Int("rate", 1000, "fixed request rate for the latency runs (requests/s)")
	conns := flag.Int("connections", 32, "connections (and workers) for the saturation runs")
	out := flag.String("out", ".cache/bench/last.md", "where to write the table as well")
	skipGo := flag.Bool("skip-go", false, "skip the Go benchmarks and upstream economy")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var report strings.Builder
	w := io.MultiWriter(os.Stdout, &report)
	fmt.Fprintf(w, "# make bench — %s, %s\n\n", time.Now().UTC().Format(time.RFC3339), machine())

	if err := httpCeiling(ctx, w, *bin, *dur, *rate, *conns); err != nil {
		fail(err)
	}
	if !*skipGo {
		if err := goBenchmarks(ctx, w); err != nil {
			fail(err)
		}
		if err := lambdaSizes(ctx, w); err != nil {
			fail(err)
		}
		if err := economy(ctx, w); err != nil {
			fail(err)
		}
	}
	if err := os.MkdirAll(dirOf(*out), 0o755); err == nil {
		os.WriteFile(*out, []byte(report.String()), 0o644)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "benchmark:", err)
	os.Exit(1)
}

func dirOf(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return "."
}
