package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
)

func numCPU() int { return runtime.NumCPU() }

// benchLine matches one line of `go test -bench -benchmem` output.
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(.*)$`)

// goBenchmarks runs the hot-path benchmarks and tabulates them.
func goBenchmarks(ctx context.Context, w io.Writer) error {
	pkgs := []struct{ pkg, pattern string }{
		{"./auth", "Verify"}, {"./profile", "ParseUpdate"}, {"./stripe", "Normalize"}, {"./cursor", "SealOpen"},
		{"./siwe", "Verify"}, {"./httpapi", "Handlers"}, {"./bolt", "."},
	}
	fmt.Fprintln(w, "## Hot paths (Go benchmarks, -benchmem)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| benchmark | ns/op | B/op | allocs/op | other |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---|")
	for _, p := range pkgs {
		out, err := run(ctx, "go", "test", "-run=^$", "-bench="+p.pattern, "-benchmem", "-benchtime=1s", p.pkg)
		if err != nil {
			return fmt.Errorf("go test -bench %s: %w\n%s", p.pkg, err, out)
		}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			m := benchLine.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			bop, allocs, other := "", "", []string{}
			fields := strings.Fields(m[3])
			for i := 0; i+1 < len(fields); i += 2 {
				switch fields[i+1] {
				case "B/op":
					bop = fields[i]
				case "allocs/op":
					allocs = fields[i]
				default:
					other = append(other, fields[i]+" "+fields[i+1])
				}
			}
			fmt.Fprintf(w, "| %s %s | %s | %s | %s | %s |\n", strings.TrimPrefix(p.pkg, "./"), m[1], m[2], bop, allocs, strings.Join(other, ", "))
		}
	}
	fmt.Fprintln(w)
	return nil
}

// coldStarts runs the Runtime API harness, which starts every function's
// binary (host build) and times process start → first answer. It runs the
// harness's tests one at a time (-parallel=1): in parallel, on 2 cores, each
// function's first start would share the machine with other functions'
// starts and tests, and its time would be theirs too.
func coldStarts(ctx context.Context) (map[string][2]float64, error) {
	f, err := os.CreateTemp("", "coldstart-*.json")
	if err != nil {
		return nil, err
	}
	f.Close()
	defer os.Remove(f.Name())
	cmd := exec.CommandContext(ctx, "go", "test", "-count=1", "-parallel=1", "-run=.", "./lambdafn")
	cmd.Env = append(os.Environ(), "LAMBDA_COLDSTART_REPORT="+f.Name())
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("lambda harness: %w\n%s", err, out)
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		return nil, err
	}
	var rep struct {
		Functions []struct {
			Function      string  `json:"function"`
			InitMs        float64 `json:"initMs"`
			FirstAnswerMs float64 `json:"firstAnswerMs"`
		} `json:"functions"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, err
	}
	out := map[string][2]float64{}
	for _, r := range rep.Functions {
		out[r.Function] = [2]float64{r.InitMs, r.FirstAnswerMs}
	}
	return out, nil
}

// lambdaSizes lists the zips `make lambdas` built, with cold starts.
func lambdaSizes(ctx context.Context, w io.Writer) error {
	zips, _ := filepath.Glob("dist/lambda/*.zip")
	fmt.Fprintln(w, "## Lambda packages (target ≤ 8 MB each) and cold starts through the Runtime API harness (host build; target ≤ 30 ms)")
	fmt.Fprintln(w)
	if len(zips) == 0 {
		fmt.Fprintln(w, "No zips in dist/lambda: run `make lambdas` first.")
		fmt.Fprintln(w)
		return nil
	}
	sort.Strings(zips)
	cold, err := coldStarts(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "| function | zip MB | cold start: init ms | cold start: first answer ms |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	for _, z := range zips {
		st, err := os.Stat(z)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(filepath.Base(z), ".zip")
		c := cold[name]
		fmt.Fprintf(w, "| %s | %.2f | %.1f | %.1f |\n", name, float64(st.Size())/(1<<20), c[0], c[1])
	}
	fmt.Fprintln(w)
	return nil
}

// economy runs the call-counting tests and the 10,000-session
// reconciliation benchmark.
func economy(ctx context.Context, w io.Writer) error {
	fmt.Fprintln(w, "## Upstream economy")
	fmt.Fprintln(w)
	out, err := run(ctx, "go", "test", "-count=1", "-run=^TestDynamoCallsPerRoute$", "-v", "./dynamo")
	if err != nil {
		return fmt.Errorf("economy test: %w\n%s", err, out)
	}
	fmt.Fprintln(w, "| route (warm, DynamoDB Local) | DynamoDB calls |")
	fmt.Fprintln(w, "|---|---:|")
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "ECONOMY|"); ok {
			route, n, _ := strings.Cut(rest, "|")
			fmt.Fprintf(w, "| %s | %s |\n", route, n)
		}
	}
	fmt.Fprintln(w)
	out, err = run(ctx, "go", "test", "-run=^$", "-bench=^BenchmarkOrderDetailWarm$", "-benchtime=200x", "./httpapi")
	if err != nil {
		return fmt.Errorf("order detail benchmark: %w\n%s", err, out)
	}
	d := regexp.MustCompile(`([\d.]+) stripecalls/op`).FindStringSubmatch(string(out))
	if d == nil {
		return fmt.Errorf("order detail benchmark printed no metric:\n%s", out)
	}
	fmt.Fprintln(w, "| warm order detail after its Stripe check (Stripe fake, embedded store) | value | target |")
	fmt.Fprintln(w, "|---|---:|---:|")
	fmt.Fprintf(w, "| Stripe calls per view | %s | 0 |\n\n", d[1])
	out, err = run(ctx, "go", "test", "-run=^$", "-bench=^BenchmarkReconcile10k$", "-benchtime=1x", "./orders")
	if err != nil {
		return fmt.Errorf("reconcile benchmark: %w\n%s", err, out)
	}
	m := regexp.MustCompile(`([\d.]+) listcalls\s+([\d.]+) sessioncalls\s+([\d.]+) sessions/s`).FindStringSubmatch(string(out))
	if m == nil {
		return fmt.Errorf("reconcile benchmark printed no metrics:\n%s", out)
	}
	fmt.Fprintln(w, "| reconciliation of 10,000 sessions (Stripe fake, embedded store) | value | target |")
	fmt.Fprintln(w, "|---|---:|---:|")
	// A week of sessions, one a minute, is 167 hourly windows of one page each.
	fmt.Fprintf(w, "| Stripe list calls | %s | 167 (one per hourly window) |\n| per-session calls | %s | 0 |\n| sessions/s | %s | — |\n\n", m[1], m[2], m[3])
	return nil
}

func run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = os.Environ()
	return cmd.CombinedOutput()
}
