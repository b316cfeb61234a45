package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// httpOptions are the knobs of the HTTP section (flags of the command).
type httpOptions struct {
	bin      string        // the dashboard binary
	logLevel string        // LOG_LEVEL of `dashboard serve`
	sat      time.Duration // length of one saturation run
	rounds   int           // saturation runs per target (alternating)
	lat      time.Duration // length of one fixed-rate run
	latRuns  int           // fixed-rate runs per target (alternating)
	warmup   time.Duration // saturation warm-up per target before its runs
	rate     int           // the fixed rate, requests/s
	conns    int           // connections (and workers) of the saturation runs
}

// estimate is how long the HTTP section's load runs take, for the banner.
func (o httpOptions) estimate(routes int) time.Duration {
	perTarget := o.warmup + time.Duration(o.rounds)*o.sat + time.Duration(o.latRuns)*o.lat
	return time.Duration(2*routes) * perTarget
}

// readRoute is a read route of the member API (CONTRACT §2) and the path
// the bench requests.
type readRoute struct{ name, path string }

// server is a process under load.
type server struct {
	cmd  *exec.Cmd
	base string
	tok  string
}

func (s *server) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		s.cmd.Wait()
	}
}

// start runs a server and waits for the line that names its address. The
// server's stderr (its JSON log) goes to /dev/null, so logging costs it the
// write system call and nothing in this process.
func start(ctx context.Context, name string, args []string, env []string, addrLine *regexp.Regexp, tokLine *regexp.Regexp) (*server, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &server{cmd: cmd}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	deadline := time.Now().Add(30 * time.Second)
	for sc.Scan() && time.Now().Before(deadline) {
		line := sc.Text()
		if m := addrLine.FindStringSubmatch(line); m != nil {
			s.base = m[1]
		}
		if tokLine != nil {
			if m := tokLine.FindStringSubmatch(line); m != nil {
				s.tok = m[1]
			}
		}
		if s.base != "" && (tokLine == nil || s.tok != "") {
			go io.Copy(io.Discard, out)
			return s, nil
		}
	}
	s.stop()
	return nil, fmt.Errorf("%s did not print its address", name)
}

// loadRun is one load run against one target.
type loadRun struct {
	rps       float64         // successful answers per second of the run
	latencies []time.Duration // of every answer
	bad       int             // errors, other statuses, or other body lengths than captured
}

// attack runs the load generator (vegeta's library) against url for d: at
// rate requests/s, or as fast as conns workers on conns keep-alive
// connections go when rate is 0. Every answer is checked against the
// captured one's status and length, so a route that starts failing or
// answering something else under load shows in the bad count instead of
// flattering the numbers.
func attack(url, tok string, want captured, rate, conns int, d time.Duration) loadRun {
	h := http.Header{}
	if tok != "" {
		h.Set("Authorization", "Bearer "+tok)
	}
	tg := vegeta.NewStaticTargeter(vegeta.Target{Method: "GET", URL: url, Header: h})
	opts := []func(*vegeta.Attacker){vegeta.Connections(conns), vegeta.MaxConnections(conns), vegeta.KeepAlive(true), vegeta.Timeout(10 * time.Second)}
	if rate == 0 {
		opts = append(opts, vegeta.Workers(uint64(conns)), vegeta.MaxWorkers(uint64(conns)))
	}
	var r loadRun
	ok := 0
	began := time.Now()
	for res := range vegeta.NewAttacker(opts...).Attack(tg, vegeta.Rate{Freq: rate, Per: time.Second}, d, "bench") {
		if res.Error != "" || int(res.Code) != want.Status || len(res.Body) != len(want.Body) {
			r.bad++
			continue
		}
		ok++
		r.latencies = append(r.latencies, res.Latency)
	}
	r.rps = float64(ok) / time.Since(began).Seconds()
	return r
}

// pair is one route and its bare twin, measured alternately.
type pair struct {
	route, bare []loadRun // saturation runs
	routeLat    []time.Duration
	bareLat     []time.Duration
	bad         [2]int // route, bare
}

// measurePair alternates the route and its twin (route first, then twin
// first, …) so that whatever else the machine does falls on both alike:
// warm-up, the saturation rounds, then the fixed-rate runs.
func measurePair(routeURL, bareURL, tok string, want captured, o httpOptions) pair {
	var p pair
	urls := [2]string{routeURL, bareURL}
	for i := range urls {
		attack(urls[i], tok, want, 0, o.conns, o.warmup)
	}
	for r := 0; r < o.rounds; r++ {
		for _, i := range order(r) {
			res := attack(urls[i], tok, want, 0, o.conns, o.sat)
			p.bad[i] += res.bad
			if i == 0 {
				p.route = append(p.route, res)
			} else {
				p.bare = append(p.bare, res)
			}
		}
	}
	for r := 0; r < o.latRuns; r++ {
		for _, i := range order(r) {
			res := attack(urls[i], tok, want, o.rate, o.conns, o.lat)
			p.bad[i] += res.bad
			if i == 0 {
				p.routeLat = append(p.routeLat, res.latencies...)
			} else {
				p.bareLat = append(p.bareLat, res.latencies...)
			}
		}
	}
	return p
}

// order is which target goes first in round r: the route in even rounds,
// its twin in odd ones.
func order(r int) [2]int {
	if r%2 == 0 {
		return [2]int{0, 1}
	}
	return [2]int{1, 0}
}

// ratios returns the route's throughput over its twin's, round by round:
// each pair of runs ran back to back, so their ratio is the least noisy
// number the run has.
func ratios(route, bare []loadRun) []float64 {
	out := make([]float64, 0, len(route))
	for i := range route {
		if i < len(bare) && bare[i].rps > 0 {
			out = append(out, route[i].rps/bare[i].rps)
		}
	}
	return out
}

func rpsOf(runs []loadRun) []float64 {
	out := make([]float64, len(runs))
	for i, r := range runs {
		out[i] = r.rps
	}
	return out
}

// median returns the median of xs (the mean of the middle two for an even
// count), 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// percentile returns the q-th percentile (0 < q ≤ 100) of ds by the
// nearest-rank method, in milliseconds; 0 for none.
func percentile(ds []time.Duration, q float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(q/100*float64(len(s))+0.999999999) - 1
	rank = max(0, min(rank, len(s)-1))
	return ms(s[rank])
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// Targets of the HTTP section, printed beside the numbers; missing them
// never fails the run.
const (
	targetRatio = 0.70
	targetP99ms = 5.0
)

// httpCeiling measures every read route of `dashboard serve --demo`
// against its own ceiling: a bare net/http server replaying the exact
// answer the route gave at the start of the run (same path, same request
// headers, same response bytes), both driven by the same load generator
// over the same number of keep-alive connections, alternately.
func httpCeiling(ctx context.Context, w io.Writer, o httpOptions) error {
	data, err := os.MkdirTemp("", "bench-data-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(data)
	dash, err := start(ctx, o.bin, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--data", data},
		[]string{"LOG_LEVEL=" + o.logLevel}, regexp.MustCompile(`API on (http://\S+)`), regexp.MustCompile(`Token:\s+(\S+)`))
	if err != nil {
		return err
	}
	defer dash.stop()
	orderID, err := firstOrder(dash.base, dash.tok)
	if err != nil {
		return err
	}
	routes := []readRoute{
		{"GET /dashboard/profile", "/dashboard/profile"},
		{"GET /dashboard/orders", "/dashboard/orders"},
		{"GET /dashboard/orders/{orderId}", "/dashboard/orders/" + orderID},
		{"GET /dashboard/nfts", "/dashboard/nfts"},
		{"GET /dashboard/wallets", "/dashboard/wallets"},
		{"GET /dashboard/emails", "/dashboard/emails"},
	}
	answers := make([]captured, len(routes))
	for i, r := range routes {
		if answers[i], err = capture(dash.base, r.path, dash.tok); err != nil {
			return err
		}
	}
	spec, err := json.Marshal(answers)
	if err != nil {
		return err
	}
	specFile := filepath.Join(data, "bare-answers.json")
	if err := os.WriteFile(specFile, spec, 0o600); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	bare, err := start(ctx, self, []string{"bare-server", specFile}, nil, regexp.MustCompile(`^BARE (\S+)`), nil)
	if err != nil {
		return err
	}
	defer bare.stop()
	for i, r := range routes { // the twin must answer what the route answered
		got, err := capture(bare.base, r.path, dash.tok)
		if err != nil {
			return fmt.Errorf("bare twin: %w", err)
		}
		if got.Status != answers[i].Status || !bytes.Equal(got.Body, answers[i].Body) {
			return fmt.Errorf("bare twin of %s does not replay the captured answer", r.path)
		}
	}

	fmt.Fprintf(os.Stderr, "benchmark: HTTP section, about %s of load\n", o.estimate(len(routes)).Round(time.Second))
	fmt.Fprintf(w, "## HTTP: each read route against its own bare ceiling\n\n")
	fmt.Fprintf(w, "`dashboard serve --demo` (embedded store, auth on, LOG_LEVEL=%s) and a bare net/http server replaying "+
		"each route's captured answer (same bytes, same headers), in separate processes, alternately. "+
		"Saturation: %d runs of %s per target over %d keep-alive connections; ratio = median of the paired runs' ratios. "+
		"Latency: %d runs of %s per target at %d req/s. Targets: ratio ≥ %.0f %%, p99 < %.0f ms.\n\n",
		o.logLevel, o.rounds, o.sat, o.conns, o.latRuns, o.lat, o.rate, 100*targetRatio, targetP99ms)
	fmt.Fprintln(w, "| route | body B | route req/s | bare req/s | ratio | ratio range | route p50 ms | route p99 ms | bare p50 ms | bare p99 ms | bad (route/bare) | targets |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	for i, r := range routes {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := measurePair(dash.base+r.path, bare.base+r.path, dash.tok, answers[i], o)
		rs := ratios(p.route, p.bare)
		ratio, p99 := median(rs), percentile(p.routeLat, 99)
		fmt.Fprintf(w, "| %s | %d | %.0f | %.0f | %.0f %% | %.0f–%.0f %% | %.2f | %.2f | %.2f | %.2f | %d/%d | %s |\n",
			r.name, len(answers[i].Body), median(rpsOf(p.route)), median(rpsOf(p.bare)), 100*ratio,
			100*slices.Min(rs), 100*slices.Max(rs), percentile(p.routeLat, 50), p99,
			percentile(p.bareLat, 50), percentile(p.bareLat, 99), p.bad[0], p.bad[1], verdict(ratio, p99))
	}
	fmt.Fprintln(w)
	return nil
}

// verdict says which targets a route met.
func verdict(ratio, p99 float64) string {
	var miss []string
	if ratio < targetRatio {
		miss = append(miss, "ratio")
	}
	if p99 >= targetP99ms {
		miss = append(miss, "p99")
	}
	if len(miss) == 0 {
		return "met"
	}
	return "missed: " + strings.Join(miss, ", ")
}

// capture GETs path with the member's token, the way the load generator
// will (Go's transport, so the same Accept-Encoding), and keeps the whole
// answer. Anything but a 200 is a broken harness.
func capture(base, path, tok string) (captured, error) {
	req, err := http.NewRequest("GET", base+path, nil)
	if err != nil {
		return captured{}, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return captured{}, fmt.Errorf("capture %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return captured{}, fmt.Errorf("capture %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return captured{}, fmt.Errorf("capture %s: %s: %s", path, resp.Status, body)
	}
	return captured{Path: path, Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// firstOrder returns the id of the demo member's newest order.
func firstOrder(base, tok string) (string, error) {
	a, err := capture(base, "/dashboard/orders?limit=1", tok)
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile(`"orderId":"(cs_[^"]+)"`).FindSubmatch(a.Body)
	if m == nil {
		return "", fmt.Errorf("no demo order in %s", a.Body)
	}
	return string(m[1]), nil
}

func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if m := regexp.MustCompile(`model name\s*:\s*(.+)`).FindSubmatch(b); m != nil {
			cpu = strings.TrimSpace(string(m[1]))
		}
	}
	return fmt.Sprintf("%s, %s cores", cpu, strconv.Itoa(numCPU()))
}
