// Package stripemock gives tests Stripe's own API mock, stripe-mock
// (github.com/stripe/stripe-mock, pinned in scripts/stripe-mock.sh), which
// answers every endpoint with responses generated from Stripe's OpenAPI
// spec and validates requests against it. It proves the adapter decodes
// real Stripe JSON; stripefake is for scenarios with state.
//
// A test binary reuses STRIPE_MOCK_URL when the test script started one
// instance for the whole run, and otherwise starts the installed binary
// once, on free loopback ports, and stops it when the binary exits.
package stripemock

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

var (
	once     sync.Once
	baseURL  string
	startErr error

	procMu sync.Mutex
	proc   *server
)

type server struct {
	cmd    *exec.Cmd
	exited chan struct{}
	log    *syncBuffer
}

// URL returns the base URL of a running stripe-mock: STRIPE_MOCK_URL when
// set, otherwise one process started on first use and shared by every test
// of the binary. A missing installation fails the test rather than
// skipping it, because a skipped wire test would hide a decoding bug.
func URL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv("STRIPE_MOCK_URL"); u != "" {
		return u
	}
	once.Do(func() { baseURL, startErr = start() })
	if startErr != nil {
		t.Fatalf("stripemock: %v", startErr)
	}
	return baseURL
}

// Main runs the package's tests and then stops the stripe-mock URL may
// have started. Use it as TestMain:
//
//	func TestMain(m *testing.M) { stripemock.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Stop stops the stripe-mock this process started, if any.
func Stop() {
	procMu.Lock()
	p := proc
	proc = nil
	procMu.Unlock()
	if p != nil {
		p.stop()
	}
}

// Bin returns the stripe-mock binary: STRIPE_MOCK_BIN, or .cache/bin/
// stripe-mock in the repository that contains the working directory,
// where scripts/stripe-mock.sh install puts it.
func Bin() (string, error) {
	if b := os.Getenv("STRIPE_MOCK_BIN"); b != "" {
		return b, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "scripts", "stripe-mock.sh")); err == nil {
			return filepath.Join(d, ".cache", "bin", "stripe-mock"), nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no scripts/stripe-mock.sh above %s", wd)
		}
	}
}

func start() (string, error) {
	bin, err := Bin()
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("stripe-mock is not installed at %s: run `make test` or `scripts/stripe-mock.sh install` (or set STRIPE_MOCK_URL)", bin)
	}
	var errs []error
	for range 3 {
		httpPort, err := freePort()
		if err != nil {
			return "", err
		}
		httpsPort, err := freePort()
		if err != nil {
			return "", err
		}
		p, err := launch(bin, "-http-addr", "127.0.0.1:"+strconv.Itoa(httpPort),
			"-https-addr", "127.0.0.1:"+strconv.Itoa(httpsPort))
		if err != nil {
			return "", err
		}
		u := "http://127.0.0.1:" + strconv.Itoa(httpPort)
		if err := p.waitReady(u, 30*time.Second); err != nil {
			p.stop()
			errs = append(errs, err)
			continue // most likely a port taken in between
		}
		procMu.Lock()
		proc = p
		procMu.Unlock()
		return u, nil
	}
	return "", fmt.Errorf("stripe-mock did not start: %w", errors.Join(errs...))
}

func launch(bin string, args ...string) (*server, error) {
	cmd := exec.Command(bin, args...)
	log := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = sysProcAttr()
	p := &server{cmd: cmd, exited: make(chan struct{}), log: log}
	started := make(chan error, 1)
	go func() {
		// The parent-death signal fires when the forking thread exits:
		// keep this goroutine on its thread for the mock's whole life.
		runtime.LockOSThread()
		err := cmd.Start()
		started <- err
		if err == nil {
			_ = cmd.Wait()
		}
		close(p.exited)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("start stripe-mock: %w", err)
	}
	return p, nil
}

// waitReady polls u until stripe-mock answers, exits, or timeout passes.
func (p *server) waitReady(u string, timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return fmt.Errorf("stripe-mock exited: %s", p.log.String())
		default:
		}
		if resp, err := client.Get(u + "/v1/charges"); err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("no answer on %s within %s: %s", u, timeout, p.log.String())
}

func (p *server) stop() {
	pid := p.cmd.Process.Pid
	killGroup(pid, false)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		killGroup(pid, true)
		<-p.exited
	}
}

// freePort asks the kernel for a free loopback port; start retries when
// another process takes it first.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// syncBuffer collects stripe-mock's output for error messages.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 64<<10 {
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
