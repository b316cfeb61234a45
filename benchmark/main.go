// Command benchmark is `make bench`: it measures the dashboard against the
// physical limits of this machine and prints one table.
//
//   - HTTP: every read route of `dashboard serve --demo` (embedded store,
//     auth on) against its own ceiling, a bare net/http server replaying the
//     exact answer that route gave at the start of the run, in its own
//     process; both driven alternately by the same load generator (vegeta's
//     library) over the same keep-alive connections: requests/s at
//     saturation, their ratio, and p50/p99 at a fixed rate.
//   - DynamoDB floor: the get-profile Lambda handler invoked in-process
//     against DynamoDB Local versus a bare GetItem of the same item, and the
//     handler's in-process cold start (BenchmarkDynamoFloor, a Go benchmark
//     in this package, because DynamoDB Local is test support).
//   - Hot paths: the Go benchmarks of the packages (-benchmem).
//   - Lambda: zip size of every function, and cold start through the
//     Runtime API harness when it is available.
//   - Upstream economy: DynamoDB calls per route (DynamoDB Local) and Stripe
//     calls of a 10,000-session reconciliation.
//
// It exits non-zero only when the harness itself fails, never because the
// machine is slow: targets are printed beside the numbers, not enforced.
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
	if len(os.Args) > 2 && os.Args[1] == "bare-server" {
		serveBare(os.Args[2]) // the reference server, started by this program
		return
	}
	var o httpOptions
	flag.StringVar(&o.bin, "dashboard", "bin/dashboard", "the dashboard binary to measure")
	flag.StringVar(&o.logLevel, "log-level", "info", "LOG_LEVEL of the measured server (info: one JSON log line per request, as deployed)")
	flag.DurationVar(&o.sat, "duration", 3*time.Second, "length of each saturation run")
	flag.IntVar(&o.rounds, "rounds", 3, "saturation runs per route and per bare twin, alternating")
	flag.DurationVar(&o.lat, "latency-duration", 2500*time.Millisecond, "length of each fixed-rate run")
	flag.IntVar(&o.latRuns, "latency-runs", 2, "fixed-rate runs per route and per bare twin, alternating")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "saturation warm-up of each target before its runs")
	flag.IntVar(&o.rate, "rate", 1000, "fixed request rate for the latency runs (requests/s)")
	flag.IntVar(&o.conns, "connections", 32, "connections (and workers) for the saturation runs")
	floorN := flag.Int("floor-n", 2000, "warm invocations of each kind in the DynamoDB floor")
	out := flag.String("out", ".cache/bench/last.md", "where to write the table as well")
	skipHTTP := flag.Bool("skip-http", false, "skip the HTTP section")
	skipFloor := flag.Bool("skip-floor", false, "skip the DynamoDB floor")
	skipGo := flag.Bool("skip-go", false, "skip the Go benchmarks, Lambda packages and upstream economy")
	flag.Parse()
	if o.rounds < 1 || o.latRuns < 1 || *floorN < 1 {
		fail(fmt.Errorf("-rounds, -latency-runs and -floor-n must be at least 1"))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var report strings.Builder
	w := io.MultiWriter(os.Stdout, &report)
	fmt.Fprintf(w, "# make bench — %s, %s\n\n", time.Now().UTC().Format(time.RFC3339), machine())

	// The sections run in order; when one fails, what the others measured
	// is still written, followed by the failure, and the run exits 1.
	sections := []struct {
		skip bool
		run  func() error
	}{
		{*skipHTTP, func() error { return httpCeiling(ctx, w, o) }},
		{*skipFloor, func() error { return dynamoFloor(ctx, w, *floorN) }},
		{*skipGo, func() error { return goBenchmarks(ctx, w) }},
		{*skipGo, func() error { return lambdaSizes(ctx, w) }},
		{*skipGo, func() error { return economy(ctx, w) }},
	}
	var failed error
	for _, sec := range sections {
		if sec.skip {
			continue
		}
		if failed = sec.run(); failed != nil {
			fmt.Fprintf(&report, "\n**The harness failed here; later sections did not run.**\n\n```\n%v\n```\n", failed)
			break
		}
	}
	if err := os.MkdirAll(dirOf(*out), 0o755); err != nil {
		fail(err)
	}
	if err := os.WriteFile(*out, []byte(report.String()), 0o644); err != nil {
		fail(err)
	}
	if failed != nil {
		fail(failed)
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
