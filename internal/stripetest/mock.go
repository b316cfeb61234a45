package stripetest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard/internal/proctest"
)

// MockURL and Main give tests Stripe's own API mock, stripe-mock
// (github.com/stripe/stripe-mock, pinned in scripts/stripe-mock.sh), which
// answers every endpoint with responses generated from Stripe's OpenAPI
// spec and validates requests against it. It proves the adapter decodes
// real Stripe JSON; New is for scenarios with state.
//
// A test binary reuses the instance STRIPE_MOCK_URL names, if any, and
// otherwise starts the installed binary
// once, on free loopback ports, and stops it when the binary exits.
//
// instance is the stripe-mock of this test binary.
var instance = &proctest.Shared{Name: "stripe-mock", Env: "STRIPE_MOCK_URL", Start: StartMock}

// MockURL returns the base URL of a running stripe-mock: STRIPE_MOCK_URL when
// set, otherwise one process started on first use and shared by every test
// of the binary. A missing installation fails the test rather than
// skipping it, because a skipped wire test would hide a decoding bug.
func MockURL(t testing.TB) string { t.Helper(); return instance.URL(t) }

// Main runs the package's tests and then stops the stripe-mock MockURL may
// have started. Use it as TestMain:
//
//	func TestMain(m *testing.M) { stripetest.Main(m) }
func Main(m *testing.M) { instance.Main(m) }

// StopMock stops the stripe-mock this process started, if any.
func StopMock() { instance.Stop() }

// MockBin returns the stripe-mock binary: STRIPE_MOCK_BIN, or .cache/bin/
// stripe-mock in the repository that contains the working directory,
// where scripts/stripe-mock.sh install puts it.
func MockBin() (string, error) {
	if b := os.Getenv("STRIPE_MOCK_BIN"); b != "" {
		return b, nil
	}
	root, err := proctest.RepoDir("scripts/stripe-mock.sh")
	if err != nil {
		return "", err
	}
	return filepath.Join(root, ".cache", "bin", "stripe-mock"), nil
}

// StartMock starts a stripe-mock on free loopback ports and returns its URL
// and process; the caller stops it. MockURL calls it once per test binary;
// internal/withservers calls it once for a whole test run.
func StartMock() (string, *proctest.Server, error) {
	bin, err := MockBin()
	if err != nil {
		return "", nil, err
	}
	if _, err := os.Stat(bin); err != nil {
		return "", nil, fmt.Errorf("stripe-mock is not installed at %s: run `make test` or `scripts/stripe-mock.sh install` (or set STRIPE_MOCK_URL)", bin)
	}
	var errs []error
	for range 3 {
		httpPort, err := proctest.FreePort()
		if err != nil {
			return "", nil, err
		}
		httpsPort, err := proctest.FreePort()
		if err != nil {
			return "", nil, err
		}
		p, err := proctest.Launch("stripe-mock", "", bin, "-http-addr", "127.0.0.1:"+strconv.Itoa(httpPort),
			"-https-addr", "127.0.0.1:"+strconv.Itoa(httpsPort))
		if err != nil {
			return "", nil, err
		}
		u := "http://127.0.0.1:" + strconv.Itoa(httpPort)
		if err := p.WaitHTTP(u+"/v1/charges", 2*time.Minute); err != nil {
			p.Stop()
			errs = append(errs, err)
			continue // most likely a port taken in between
		}
		return u, p, nil
	}
	return "", nil, fmt.Errorf("stripe-mock did not start: %w", errors.Join(errs...))
}
