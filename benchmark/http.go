package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// bareBody is what the reference handler writes: a fixed JSON body of the
// size of a profile answer, so both servers move the same bytes.
var bareBody = []byte(`{"profile":{"userId":"0d3e0d3e0d3e0d3e0d3e0d3e0d3e0d3e","email":"demo@babesclub.example","displayName":"Demo Babe","phone":"+1 (555) 010-2025","shippingAddress":{"name":"Demo Babe","line1":"1 Sparkle Street","line2":"Apt 4","city":"Los Angeles","state":"CA","postalCode":"90001","country":"US"},"billingAddress":null,"preferredWallet":"0x52908400098527886E0F7030069857D2E4169EE7","avatarUrl":null,"stripeCustomerId":null,"dashboardSettings":{"showOrderHistory":true,"showNftHoldings":true,"emailNotifications":true},"createdAt":"2026-11-25T12:46:25.773Z","updatedAt":"2026-11-25T12:46:25.773Z"}}` + "\n")

// serveBare runs the reference server: net/http and a fixed body, nothing
// else. It prints its address and serves until killed.
func serveBare() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	fmt.Printf("BARE http://%s\n", ln.Addr())
	http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(bareBody)
	}))
}

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

// start runs a server and waits for the line that names its address.
func start(ctx context.Context, name string, args []string, env []string, addrLine *regexp.Regexp, tokLine *regexp.Regexp) (*server, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = io.Discard
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

// result is one load run.
type result struct {
	rps, p50, p99 float64 // requests/s; latencies in ms
	ok, total     uint64
	errors        int
}

func attack(url, tok string, rate, conns int, d time.Duration) result {
	h := http.Header{}
	if tok != "" {
		h.Set("Authorization", "Bearer "+tok)
	}
	tg := vegeta.NewStaticTargeter(vegeta.Target{Method: "GET", URL: url, Header: h})
	opts := []func(*vegeta.Attacker){vegeta.Connections(conns), vegeta.MaxConnections(conns), vegeta.KeepAlive(true), vegeta.Timeout(10 * time.Second)}
	r := vegeta.Rate{Freq: rate, Per: time.Second}
	if rate == 0 {
		opts = append(opts, vegeta.Workers(uint64(conns)), vegeta.MaxWorkers(uint64(conns)))
	}
	var m vegeta.Metrics
	for res := range vegeta.NewAttacker(opts...).Attack(tg, r, d, "bench") {
		m.Add(res)
	}
	m.Close()
	return result{
		rps: m.Throughput, p50: ms(m.Latencies.P50), p99: ms(m.Latencies.P99),
		ok: uint64(float64(m.Requests) * m.Success), total: m.Requests, errors: len(m.Errors),
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// httpCeiling measures the dashboard's read routes against the bare
// handler: saturation throughput (ratio) and latency at a fixed rate.
func httpCeiling(ctx context.Context, w io.Writer, bin string, d time.Duration, rate, conns int) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	bare, err := start(ctx, self, []string{"bare-server"}, nil, regexp.MustCompile(`^BARE (\S+)`), nil)
	if err != nil {
		return err
	}
	defer bare.stop()
	data, err := os.MkdirTemp("", "bench-data-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(data)
	dash, err := start(ctx, bin, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--data", data},
		[]string{"LOG_LEVEL=error"}, regexp.MustCompile(`API on (http://\S+)`), regexp.MustCompile(`Token:\s+(\S+)`))
	if err != nil {
		return err
	}
	defer dash.stop()
	order, err := firstOrder(dash.base, dash.tok)
	if err != nil {
		return err
	}
	targets := []struct{ name, url, tok string }{
		{"bare net/http handler", bare.base + "/", ""},
		{"GET /dashboard/profile", dash.base + "/dashboard/profile", dash.tok},
		{"GET /dashboard/orders", dash.base + "/dashboard/orders", dash.tok},
		{"GET /dashboard/orders/{id} (cached)", dash.base + "/dashboard/orders/" + order, dash.tok},
		{"GET /dashboard/nfts", dash.base + "/dashboard/nfts", dash.tok},
	}
	fmt.Fprintf(w, "## HTTP ceiling (%d connections; latency at %d req/s; %s per run)\n\n", conns, rate, d)
	fmt.Fprintln(w, "| target | max req/s | ratio to bare | p50 ms | p99 ms | non-2xx or errors |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	var bareRPS float64
	for _, t := range targets {
		sat := attack(t.url, t.tok, 0, conns, d)
		fixed := attack(t.url, t.tok, rate, conns, d)
		if bareRPS == 0 {
			bareRPS = sat.rps
		}
		bad := (sat.total - sat.ok) + (fixed.total - fixed.ok) + uint64(sat.errors+fixed.errors)
		fmt.Fprintf(w, "| %s | %.0f | %.0f %% | %.2f | %.2f | %d |\n", t.name, sat.rps, 100*sat.rps/bareRPS, fixed.p50, fixed.p99, bad)
	}
	fmt.Fprintln(w)
	return nil
}

// firstOrder returns the id of the demo member's newest order.
func firstOrder(base, tok string) (string, error) {
	req, _ := http.NewRequest("GET", base+"/dashboard/orders?limit=1", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`"orderId":"(cs_[^"]+)"`).FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("no demo order in %s", b)
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
