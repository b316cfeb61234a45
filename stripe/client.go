// Package stripe implements dashboard.Payments on Stripe's official Go SDK
// (stripe-go v85): Checkout Sessions fetched and listed with the
// expansions an order needs, normalised into dashboard.CheckoutSession, and
// webhook events verified and decoded.
//
// Every HTTP request of a Client, including each page the SDK's list
// iterator fetches, passes one transport that waits for a client-side rate
// budget (STRIPE_MAX_RPS; one Budget per process, shared by its Clients) and
// retries 429s, 5xx answers and network
// failures with capped exponential backoff and full jitter, honouring
// Retry-After and Stripe-Should-Retry. The SDK's own retries are turned off
// so the two never multiply. What still fails becomes a dashboard.Error:
// EUNAVAILABLE (with RetryAfter) or ENOTFOUND.
package stripe

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	stripego "github.com/stripe/stripe-go/v85"
	"golang.org/x/time/rate"

	"github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/backoff"
)

// Defaults of Config.
const (
	DefaultMaxRPS     = 20
	DefaultMaxRetries = 4
	DefaultTimeout    = 10 * time.Second
)

// Config configures a Client. Zero fields take the defaults above.
type Config struct {
	SecretKey     string // STRIPE_SECRET (sk_…, rk_…); required
	WebhookSecret string // STRIPE_WEBHOOK_SECRET (whsec_…); without it every webhook is refused
	// APIBase is the API's base URL (STRIPE_API_BASE), https://api.stripe.com
	// by default; tests point it at stripe-mock or stripetest.
	APIBase string
	// MaxRPS caps this Client's requests per second, retries included
	// (STRIPE_MAX_RPS, default 20 of Stripe's 100 live / 25 test). A
	// negative value turns the limiter off, for tests. Ignored when Budget
	// is set.
	MaxRPS float64
	// Budget, when set, is the rate budget the Client's requests wait for,
	// shared with every other Client built with it: a process's one
	// Stripe budget (app.New makes one from STRIPE_MAX_RPS).
	Budget *Budget
	// HTTPClient carries the requests; its Transport is wrapped, its
	// Timeout ignored in favour of Timeout per attempt.
	HTTPClient *http.Client
	// MaxRetries bounds the retries after a first attempt (default 4; a
	// negative value means none).
	MaxRetries int
	// Timeout bounds one attempt, response body included (default 10 s).
	Timeout time.Duration
	// Sleep waits between retries; tests replace it to record the waits
	// instead of sleeping. It returns early with ctx's error.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock the webhook tolerance is measured with.
	Now func() time.Time
}

// ConfigFromEnv reads the STRIPE_* variables of CONTRACT §7 through getenv
// (os.Getenv in production, a map in tests).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		SecretKey:     getenv("STRIPE_SECRET"),
		WebhookSecret: getenv("STRIPE_WEBHOOK_SECRET"),
		APIBase:       getenv("STRIPE_API_BASE"),
	}
	if v := getenv("STRIPE_MAX_RPS"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 {
			return Config{}, fmt.Errorf("stripe: STRIPE_MAX_RPS must be a positive number, got %q", v)
		}
		c.MaxRPS = f
	}
	return c, nil
}

// Budget is a Stripe request rate budget: a token bucket that every request
// of the Clients sharing it waits for, retries included. Stripe's limit is
// per account, not per client, so a process builds one Budget and hands it
// to every Client it makes (Config.Budget): a reconciliation, member syncs,
// webhooks and order reads in one process then share one rate instead of
// each taking its own. It counts the requests that asked it, so a test (or a
// job's summary) can tell that every request passed it. It is safe for
// concurrent use.
type Budget struct {
	limiter *rate.Limiter
	waits   atomic.Int64
}

// NewBudget returns a budget of rps requests per second with a burst of
// one second's worth: DefaultMaxRPS when rps is 0, unlimited when it is
// negative (tests).
func NewBudget(rps float64) *Budget {
	switch {
	case rps < 0:
		return &Budget{limiter: rate.NewLimiter(rate.Inf, 1)}
	case rps == 0:
		rps = DefaultMaxRPS
	}
	return &Budget{limiter: rate.NewLimiter(rate.Limit(rps), max(1, int(math.Ceil(rps))))}
}

// Wait blocks until the budget allows one request or ctx is done; it fails
// at once when ctx's deadline comes before the request's turn.
func (b *Budget) Wait(ctx context.Context) error {
	b.waits.Add(1)
	return b.limiter.Wait(ctx)
}

// Waits is how many requests have asked the budget so far.
func (b *Budget) Waits() int64 { return b.waits.Load() }

// Limit is the budget's rate in requests per second (+Inf: unlimited).
func (b *Budget) Limit() float64 {
	if l := b.limiter.Limit(); l != rate.Inf {
		return float64(l)
	}
	return math.Inf(1)
}

// Client is Stripe as the orders service sees it. It is safe for concurrent
// use, and all its calls share one rate budget (Config.Budget).
type Client struct {
	sc            *stripego.Client
	webhookSecret string
	now           func() time.Time
}

var _ dashboard.Payments = (*Client)(nil)

// New returns a Client for cfg. It makes no request.
func New(cfg Config) (*Client, error) {
	if cfg.SecretKey == "" {
		return nil, errors.New("stripe: STRIPE_SECRET is required")
	}
	base := cfg.APIBase
	if base == "" {
		base = stripego.APIURL
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("stripe: STRIPE_API_BASE must be an http(s) URL, got %q", base)
	}
	rt := &transport{
		maxRetries: cfg.MaxRetries,
		timeout:    cfg.Timeout,
		sleep:      cfg.Sleep,
		policy:     backoff.Policy{Base: 500 * time.Millisecond, Max: 8 * time.Second},
		maxWait:    30 * time.Second,
	}
	switch {
	case rt.maxRetries == 0:
		rt.maxRetries = DefaultMaxRetries
	case rt.maxRetries < 0:
		rt.maxRetries = 0
	}
	if rt.timeout <= 0 {
		rt.timeout = DefaultTimeout
	}
	if rt.sleep == nil {
		rt.sleep = backoff.Sleep
	}
	if rt.budget = cfg.Budget; rt.budget == nil {
		rt.budget = NewBudget(cfg.MaxRPS)
	}
	hc := http.Client{}
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	}
	rt.next = hc.Transport
	if rt.next == nil {
		rt.next = http.DefaultTransport
	}
	hc.Transport, hc.Timeout = rt, 0
	backends := stripego.NewBackendsWithConfig(&stripego.BackendConfig{
		HTTPClient:        &hc,
		URL:               stripego.String(base),
		MaxNetworkRetries: stripego.Int64(0), // the transport retries
		LeveledLogger:     &stripego.LeveledLogger{Level: stripego.LevelNull},
	})
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Client{
		sc:            stripego.NewClient(cfg.SecretKey, stripego.WithBackends(backends)),
		webhookSecret: cfg.WebhookSecret,
		now:           now,
	}, nil
}

// apiError turns an SDK or transport error into the dashboard's error
// codes, keeping the cause in the message for the log (ErrorMessage still
// shows a client only the dashboard.Error's own message).
func apiError(op string, err error) error {
	var unavailable *unavailableError
	var se *stripego.Error
	switch {
	case errors.As(err, &unavailable):
		return fmt.Errorf("stripe: %s: %w: %v", op, &dashboard.Error{
			Code: dashboard.EUNAVAILABLE, Message: "Stripe is unavailable; try again later.",
			RetryAfter: unavailable.retryAfter,
		}, unavailable.cause)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("stripe: %s: %w: %v", op, &dashboard.Error{
			Code: dashboard.EUNAVAILABLE, Message: "Stripe did not answer in time; try again later.",
			RetryAfter: time.Second,
		}, err)
	case errors.As(err, &se) && se.HTTPStatusCode == http.StatusNotFound:
		return fmt.Errorf("stripe: %s: %w", op, &dashboard.Error{Code: dashboard.ENOTFOUND, Message: "Order not found."})
	case strings.Contains(err.Error(), "Couldn't deserialize JSON"):
		// stripe-go quotes a sample of the undecodable body in its error;
		// the sample can hold a customer's name and address, so it is
		// dropped here and never reaches a log.
		return fmt.Errorf("stripe: %s: %w: the response could not be decoded", op, &dashboard.Error{
			Code: dashboard.EUNAVAILABLE, Message: "Stripe answered with something unreadable; try again later.",
			RetryAfter: 30 * time.Second,
		})
	case errors.As(err, &se) && (se.HTTPStatusCode == http.StatusTooManyRequests || se.HTTPStatusCode >= 500):
		// Only reached when the transport chose not to retry
		// (Stripe-Should-Retry: false).
		return fmt.Errorf("stripe: %s: %w: %v", op, &dashboard.Error{
			Code: dashboard.EUNAVAILABLE, Message: "Stripe is unavailable; try again later.", RetryAfter: time.Second,
		}, err)
	}
	return fmt.Errorf("stripe: %s: %w", op, err)
}
