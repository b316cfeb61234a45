package main

import (
	"fmt"
	"io"
	"time"
)

// printSeeding prints how long `dashboard seed` took.
func printSeeding(w io.Writer, cfg Config, runs []seedRun, size tableSize) {
	fmt.Fprintf(w, "## Seeding (`dashboard seed`, %.4g orders and %.4g NFTs per member on average, into DynamoDB Local in memory, -Xmx%s)\n\n",
		cfg.OrdersPer, cfg.NFTsPer, cfg.Heap)
	fmt.Fprintln(w, "| members | orders | NFT holdings | items written | time | items/s |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	var items, orders, holdings int
	var total time.Duration
	for _, r := range runs {
		fmt.Fprintf(w, "| %d–%d | %d | %d | %d | %s | %.0f |\n", r.From, r.To-1, r.Orders, r.Holdings, r.Items,
			r.Elapsed.Round(100*time.Millisecond), float64(r.Items)/r.Elapsed.Seconds())
		items, orders, holdings, total = items+r.Items, orders+r.Orders, holdings+r.Holdings, total+r.Elapsed
	}
	fmt.Fprintf(w, "| **all %d** | **%d** | **%d** | **%d** | **%s** | **%.0f** |\n\n", cfg.Members, orders, holdings, items,
		total.Round(100*time.Millisecond), float64(items)/total.Seconds())
	if size.items > 0 {
		fmt.Fprintf(w, "DescribeTable: %d items, %.1f MB.\n\n", size.items, float64(size.bytes)/(1<<20))
	}
}

// printRoutes prints each route at both club sizes.
func printRoutes(w io.Writer, cfg Config, routes []route, small, full []routeResult) {
	fmt.Fprintf(w, "## Read routes (in-process handler over DynamoDB Local; %d requests one at a time per route and size; calls and capacity per request at %d members)\n\n",
		cfg.Requests, cfg.Members)
	fmt.Fprintf(w, "| route | p50 ms @%d | p99 ms @%d | p50 ms @%d | p99 ms @%d | DynamoDB calls | RCU | WCU | bytes | queued | errors |\n",
		cfg.Small, cfg.Small, cfg.Members, cfg.Members)
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for i, rt := range routes {
		s, f := small[i], full[i]
		name := rt.name
		if rt.note != "" {
			name += " — " + rt.note
		}
		fmt.Fprintf(w, "| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f | %d | %d |\n",
			name, s.p50, s.p99, f.p50, f.p99, f.calls, f.rcu, f.wcu, f.bytes, s.queued+f.queued, s.errors+f.errors)
	}
	fmt.Fprintln(w)
}

// printJobs prints each job's throughput and cost per item.
func printJobs(w io.Writer, jobs []jobResult) {
	fmt.Fprintln(w, "## Jobs over the full club (each stops at its budget; throughput is what it did by then)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| job | items | time | items/s | DynamoDB calls/item | RCU/item | WCU/item | upstream | notes |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---|---|")
	for _, j := range jobs {
		calls, rcu, wcu := "n/a", "n/a", "n/a"
		if j.dynamo != nil && j.items > 0 {
			n := float64(j.items)
			calls = fmt.Sprintf("%.3g (%d in all)", float64(j.dynamo.Calls)/n, j.dynamo.Calls)
			rcu = fmt.Sprintf("%.3f", j.dynamo.RCU/n)
			wcu = fmt.Sprintf("%.3f", j.dynamo.WCU/n)
		}
		rate := 0.0
		if s := j.elapsed.Seconds(); s > 0 {
			rate = float64(j.items) / s
		}
		fmt.Fprintf(w, "| %s | %d %s | %s | %.0f | %s | %s | %s | %s | %s |\n", j.name, j.items, j.unit,
			j.elapsed.Round(100*time.Millisecond), rate, calls, rcu, wcu, j.upstream, j.note)
	}
	fmt.Fprintln(w)
}
