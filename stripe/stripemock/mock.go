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
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard/testproc"
)

var (
	once     sync.Once
	baseURL  string
	startErr error

	procMu sync.Mutex
	proc   *testproc.Server
)

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
		p.Stop()
	}
}

// Bin returns the stripe-mock binary: STRIPE_MOCK_BIN, or .cache/bin/
// stripe-mock in the repository that contains the working directory,
// where scripts/stripe-mock.sh install puts it.
func Bin() (string, error) {
	if b := os.Getenv("STRIPE_MOCK_BIN"); b != "" {
		return b, nil
	}
	root, err := testproc.RepoDir("scripts/stripe-mock.sh")
	if err != nil {
		return "", err
	}
	return filepath.Join(root, ".cache", "bin", "stripe-mock"), nil
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
		httpPort, err := testproc.FreePort()
		if err != nil {
			return "", err
		}
		httpsPort, err := testproc.FreePort()
		if err != nil {
			return "", err
		}
		p, err := testproc.Launch("stripe-mock", "", bin, "-http-addr", "127.0.0.1:"+strconv.Itoa(httpPort),
			"-https-addr", "127.0.0.1:"+strconv.Itoa(httpsPort))
		if err != nil {
			return "", err
		}
		u := "http://127.0.0.1:" + strconv.Itoa(httpPort)
		if err := p.WaitHTTP(u+"/v1/charges", 30*time.Second); err != nil {
			p.Stop()
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
