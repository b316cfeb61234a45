package stripe_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/stripetest"
	"github.com/thebabesclub/dashboard/stripe"
)

const sessionPath = "/v1/checkout/sessions/cs_test_r"

func retryFake(t *testing.T) *stripetest.Server {
	f := stripetest.New(t)
	f.AddSession(stripetest.NewSession("cs_test_r", t0).WithItem("Tee", 1, 100).Paid())
	return f
}

func TestRetry429HonoursRetryAfter(t *testing.T) {
	f := retryFake(t)
	f.SetRetryAfter(2 * time.Second)
	f.Fail(sessionPath, 429)
	c, sl := newClient(t, f.URL())
	if _, err := c.Session(t.Context(), "cs_test_r"); err != nil {
		t.Fatal(err)
	}
	if got := sl.All(); len(got) != 1 || got[0] != 2*time.Second {
		t.Errorf("slept %v, want [2s] (Retry-After)", got)
	}
	if n := f.Calls(sessionPath); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
}

func TestRetry5xxBacksOffWithJitter(t *testing.T) {
	f := retryFake(t)
	f.Fail(sessionPath, 500, 503, 502)
	c, sl := newClient(t, f.URL())
	if _, err := c.Session(t.Context(), "cs_test_r"); err != nil {
		t.Fatal(err)
	}
	got := sl.All()
	if len(got) != 3 || f.Calls(sessionPath) != 4 {
		t.Fatalf("slept %v over %d attempts, want 3 sleeps, 4 attempts", got, f.Calls(sessionPath))
	}
	// Full jitter: each wait is within [0, 500ms × 2^n].
	for i, d := range got {
		if ceiling := 500 * time.Millisecond << i; d < 0 || d > ceiling {
			t.Errorf("wait %d = %v, want within [0, %v]", i, d, ceiling)
		}
	}
}

func TestRetriesExhaustedAreUnavailable(t *testing.T) {
	f := retryFake(t)
	f.Fail(sessionPath, 429, 429, 429, 429, 429)
	c, sl := newClient(t, f.URL())
	_, err := c.Session(t.Context(), "cs_test_r")
	if dashboard.ErrorCode(err) != dashboard.EUNAVAILABLE || dashboard.ErrorRetryAfter(err) != time.Second {
		t.Fatalf("err = %v (retry after %v), want EUNAVAILABLE after 1s", err, dashboard.ErrorRetryAfter(err))
	}
	if n := f.Calls(sessionPath); n != 1+stripe.DefaultMaxRetries || len(sl.All()) != stripe.DefaultMaxRetries {
		t.Errorf("%d attempts, %d sleeps; want %d and %d", n, len(sl.All()), 1+stripe.DefaultMaxRetries, stripe.DefaultMaxRetries)
	}
	if msg := dashboard.ErrorMessage(err); msg != "Stripe is unavailable; try again later." {
		t.Errorf("client message = %q", msg)
	}
}

func TestRetriesExhaustedWithoutRetryAfterStillHint(t *testing.T) {
	f := retryFake(t)
	f.Fail(sessionPath, 500, 500, 500)
	c, _ := newClient(t, f.URL(), func(c *stripe.Config) { c.MaxRetries = 2 })
	_, err := c.Session(t.Context(), "cs_test_r")
	if dashboard.ErrorCode(err) != dashboard.EUNAVAILABLE || dashboard.ErrorRetryAfter(err) <= 0 {
		t.Fatalf("err = %v (retry after %v), want EUNAVAILABLE with a hint", err, dashboard.ErrorRetryAfter(err))
	}
	if n := f.Calls(sessionPath); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
}

// A Retry-After longer than is worth waiting in-process ends the call at
// once and hands the wait to the caller.
func TestLongRetryAfterIsHandedBack(t *testing.T) {
	f := retryFake(t)
	f.SetRetryAfter(90 * time.Second)
	f.Fail(sessionPath, 429)
	c, sl := newClient(t, f.URL())
	_, err := c.Session(t.Context(), "cs_test_r")
	if dashboard.ErrorCode(err) != dashboard.EUNAVAILABLE || dashboard.ErrorRetryAfter(err) != 90*time.Second {
		t.Fatalf("err = %v (retry after %v), want EUNAVAILABLE after 90s", err, dashboard.ErrorRetryAfter(err))
	}
	if len(sl.All()) != 0 || f.Calls(sessionPath) != 1 {
		t.Errorf("%d sleeps, %d attempts; want none and 1", len(sl.All()), f.Calls(sessionPath))
	}
}

func TestTimeoutIsUnavailable(t *testing.T) {
	f := retryFake(t)
	// The fake holds every answer for ten minutes (or until the client gives
	// up), so each 30 ms attempt times out however slow the machine is.
	f.Delay(10 * time.Minute)
	c, _ := newClient(t, f.URL(), func(c *stripe.Config) { c.Timeout = 30 * time.Millisecond; c.MaxRetries = 2 })
	start := time.Now()
	_, err := c.Session(t.Context(), "cs_test_r")
	if dashboard.ErrorCode(err) != dashboard.EUNAVAILABLE || dashboard.ErrorRetryAfter(err) <= 0 {
		t.Fatalf("err = %v, want EUNAVAILABLE with a hint", err)
	}
	if n := f.Calls(sessionPath); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
	// Three attempts take about 0.1 s; a client that waited for the answer
	// would take half an hour.
	if el := time.Since(start); el > 2*time.Minute {
		t.Errorf("took %v: the per-attempt timeout did not fire", el)
	}
}

func TestStripeShouldRetryFalseIsNotRetried(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		w.Header().Set("Stripe-Should-Retry", "false")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"error":{"type":"api_error","message":"no"}}`))
	}))
	t.Cleanup(srv.Close)
	c, sl := newClient(t, srv.URL)
	_, err := c.Session(t.Context(), "cs_test_r")
	if dashboard.ErrorCode(err) != dashboard.EUNAVAILABLE {
		t.Errorf("err = %v, want EUNAVAILABLE", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls != 1 || len(sl.All()) != 0 {
		t.Errorf("%d calls, %d sleeps; want 1 and 0", calls, len(sl.All()))
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	f := retryFake(t)
	f.Fail(sessionPath, 400)
	c, sl := newClient(t, f.URL())
	_, err := c.Session(t.Context(), "cs_test_r")
	if err == nil || dashboard.ErrorCode(err) != dashboard.EINTERNAL {
		t.Errorf("err = %v, want an internal error", err)
	}
	if f.Calls(sessionPath) != 1 || len(sl.All()) != 0 {
		t.Errorf("%d calls, %d sleeps; want 1 and 0", f.Calls(sessionPath), len(sl.All()))
	}
}

// The limiter is shared by every call of one Client.
func TestRateLimitIsShared(t *testing.T) {
	f := retryFake(t)
	c, _ := newClient(t, f.URL(), func(c *stripe.Config) { c.MaxRPS = 20 })
	start := time.Now()
	var wg sync.WaitGroup
	for range 30 {
		wg.Go(func() {
			if _, err := c.Session(t.Context(), "cs_test_r"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// A burst of 20, then 10 more at 20/s: at least ~0.5 s.
	if el := time.Since(start); el < 400*time.Millisecond {
		t.Errorf("30 calls at 20 rps took %v", el)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	if _, err := stripe.New(stripe.Config{}); err == nil {
		t.Error("no secret key: want an error")
	}
	if _, err := stripe.New(stripe.Config{SecretKey: "sk_test", APIBase: "ftp://x"}); err == nil {
		t.Error("ftp base: want an error")
	}
	env := map[string]string{"STRIPE_SECRET": "sk_test_1", "STRIPE_WEBHOOK_SECRET": "whsec_1",
		"STRIPE_API_BASE": "http://127.0.0.1:1", "STRIPE_MAX_RPS": "7.5"}
	cfg, err := stripe.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil || cfg.SecretKey != "sk_test_1" || cfg.WebhookSecret != "whsec_1" || cfg.APIBase != "http://127.0.0.1:1" || cfg.MaxRPS != 7.5 {
		t.Errorf("ConfigFromEnv = %+v, %v", cfg, err)
	}
	for _, bad := range []string{"fast", "0", "-1", "NaN"} {
		env["STRIPE_MAX_RPS"] = bad
		if _, err := stripe.ConfigFromEnv(func(k string) string { return env[k] }); err == nil {
			t.Errorf("STRIPE_MAX_RPS=%q: want an error", bad)
		}
	}
}
