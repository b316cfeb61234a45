package main

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
)

// Targets of the DynamoDB floor, printed beside the numbers.
const (
	targetFloorRatio = 1.25
	targetInitMs     = 30.0
)

// floorMetric matches one "value unit" pair of BenchmarkDynamoFloor's line.
var floorMetric = regexp.MustCompile(`([\d.]+) ([a-z0-9-]+-(?:us|ms))\b`)

// dynamoFloor runs BenchmarkDynamoFloor (a Go benchmark, because DynamoDB
// Local is test support this command may not import) with n warm calls of
// each kind, and tabulates it.
func dynamoFloor(ctx context.Context, w io.Writer, n int) error {
	out, err := run(ctx, "go", "test", "-count=1", "-run=^$", "-bench=^BenchmarkDynamoFloor$",
		"-benchtime="+strconv.Itoa(n)+"x", "./benchmark")
	if err != nil {
		return fmt.Errorf("dynamo floor benchmark: %w\n%s", err, out)
	}
	m, err := parseFloor(out)
	if err != nil {
		return err
	}
	ratio := m["handler-p50-us"] / m["getitem-p50-us"]
	fmt.Fprintln(w, "## DynamoDB floor: the get-profile handler in-process against a bare GetItem")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "DynamoDB Local, the demo member's profile; %d warm calls of each kind, interleaved in rotating order. "+
		"Targets: handler p50 ≤ %.2f× the bare GetItem's, init < %.0f ms.\n\n", n, targetFloorRatio, targetInitMs)
	fmt.Fprintln(w, "| call | p50 ms | p99 ms | p50 ratio to bare GetItem |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	for _, r := range []struct{ key, name string }{
		{"getitem", "bare GetItem (consistent read; SDK client configured as the store's)"},
		{"store", "dynamo.Store.GetProfile (the same GetItem, decoded)"},
		{"handler", "get-profile handler (lambda.NewHandler(lambdafn.API(…)).Invoke of the API Gateway event JSON)"},
	} {
		fmt.Fprintf(w, "| %s | %.3f | %.3f | %.2f× |\n", r.name, m[r.key+"-p50-us"]/1000, m[r.key+"-p99-us"]/1000,
			m[r.key+"-p50-us"]/m["getitem-p50-us"])
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| handler init in-process (lambdafn.New + lambdafn.API: config, SDK client, services) | ms | target |")
	fmt.Fprintln(w, "|---|---:|---:|")
	fmt.Fprintf(w, "| cold: the first build in the process | %.1f | < %.0f ms (%s) |\n", m["init-cold-ms"], targetInitMs, met(m["init-cold-ms"] < targetInitMs))
	fmt.Fprintf(w, "| again in the same process (median of %d) | %.1f | — |\n", floorRebuilds, m["init-again-ms"])
	fmt.Fprintf(w, "| handler p50 / bare GetItem p50 | %.2f× | ≤ %.2f× (%s) |\n\n", ratio, targetFloorRatio, met(ratio <= targetFloorRatio))
	return nil
}

// floorRebuilds is how many more times BenchmarkDynamoFloor builds the
// handler after the cold build, to tell one-time process work from the
// build itself.
const floorRebuilds = 10

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "missed"
}

// parseFloor reads the metrics of BenchmarkDynamoFloor's result line.
func parseFloor(out []byte) (map[string]float64, error) {
	line := regexp.MustCompile(`(?m)^BenchmarkDynamoFloor\S*\s+\d+\s+.*$`).Find(out)
	if line == nil {
		return nil, fmt.Errorf("dynamo floor benchmark printed no result:\n%s", out)
	}
	m := map[string]float64{}
	for _, f := range floorMetric.FindAllSubmatch(line, -1) {
		v, err := strconv.ParseFloat(string(f[1]), 64)
		if err != nil {
			return nil, fmt.Errorf("dynamo floor metric %s: %w", f[2], err)
		}
		m[string(f[2])] = v
	}
	for _, k := range []string{"getitem-p50-us", "getitem-p99-us", "store-p50-us", "store-p99-us",
		"handler-p50-us", "handler-p99-us", "init-cold-ms", "init-again-ms"} {
		if _, ok := m[k]; !ok {
			return nil, fmt.Errorf("dynamo floor benchmark did not report %s:\n%s", k, line)
		}
	}
	if m["getitem-p50-us"] <= 0 {
		return nil, fmt.Errorf("dynamo floor benchmark reported a zero GetItem time:\n%s", line)
	}
	return m, nil
}
