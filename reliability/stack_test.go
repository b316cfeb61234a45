package reliability

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/auth"
	"github.com/thebabesclub/dashboard/bolt"
	"github.com/thebabesclub/dashboard/cursor"
	"github.com/thebabesclub/dashboard/httpapi"
	"github.com/thebabesclub/dashboard/internal/logtest"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/internal/stripetest"
	"github.com/thebabesclub/dashboard/marketplace"
	"github.com/thebabesclub/dashboard/nfts"
	"github.com/thebabesclub/dashboard/obs"
	"github.com/thebabesclub/dashboard/orders"
	"github.com/thebabesclub/dashboard/profile"
	"github.com/thebabesclub/dashboard/stripe"
)

// Retry settings of the in-process stack: the same adapters as the binary,
// each built twice. Requests meant to succeed go through patient adapters,
// whose per-attempt timeout (patientTimeout) no loaded machine's loopback
// round trip comes near. The timeout faults switch the stack to impatient
// adapters (stackTimeout, short enough to test timeouts in a second; the
// binary's 10 s cannot be changed through the environment) while the
// upstream holds every answer far longer, so the timeout fires however slow
// or fast the machine is and no request that should succeed can time out.
const (
	stackRetries   = 2
	stackTimeout   = 250 * time.Millisecond
	patientTimeout = 30 * time.Second
	// upstreamHang is how long a timeout fault holds an answer (the fakes
	// let go as soon as the client gives up).
	upstreamHang = 10 * time.Minute
)

// stack is the whole API in-process, wired as app.New wires it (the same
// services, adapters and embedded store) but with short upstream timeouts,
// a clock the test moves, recorded instead of slept backoff waits, and no
// refresh queue (so upstream call counts belong to the request under test
// alone). It is served over real HTTP on 127.0.0.1.
type stack struct {
	store   *bolt.Store
	handler http.Handler    // the API, for callers that skip the network
	logs    *logtest.Buffer // the API's JSON log
	stripe  *stripetest.Server
	proxy   *faultProxy // between the Stripe adapter and the fake
	market  *markettest.Server
	api     *api
	skew    atomic.Int64 // added to the services' clock, in nanoseconds
	// impatient switches the services to the adapters with the short
	// per-attempt timeout (see stackTimeout); only timeout faults set it.
	impatient atomic.Bool
	mu        sync.Mutex
	waits     []time.Duration
}

func newStack(t testing.TB) *stack {
	t.Helper()
	s := &stack{stripe: stripetest.New(t), market: markettest.NewOpenSea(t), logs: &logtest.Buffer{Max: maxLog}}
	var err error
	if s.store, err = bolt.Open(filepath.Join(t.TempDir(), "dashboard.db")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.store.Close() })
	s.proxy = newFaultProxy(t, s.stripe.URL())
	logger := obs.NewLogger(s.logs, "info")
	now := func() time.Time { return time.Now().Add(time.Duration(s.skew.Load())) }
	sleep := func(ctx context.Context, d time.Duration) error {
		s.mu.Lock()
		s.waits = append(s.waits, d)
		s.mu.Unlock()
		return ctx.Err()
	}
	payments := &switchPayments{s: s}
	market := &switchMarket{s: s}
	for i, timeout := range []time.Duration{patientTimeout, stackTimeout} {
		p, err := stripe.New(stripe.Config{SecretKey: "sk_test_stack", WebhookSecret: webhookSecret, APIBase: s.proxy.URL(),
			MaxRPS: -1, MaxRetries: stackRetries, Timeout: timeout, Sleep: sleep})
		if err != nil {
			t.Fatal(err)
		}
		m, err := marketplace.New(marketplace.Config{Provider: markettest.OpenSea, BaseURL: s.market.URL(), APIKey: s.market.APIKey(),
			MaxRPS: -1, MaxRetries: stackRetries, Timeout: timeout, Sleep: sleep, Logger: logger})
		if err != nil {
			t.Fatal(err)
		}
		payments.by[i], market.by[i] = p, m
	}
	verifier, err := auth.NewVerifier(auth.Config{Secret: []byte(jwtSecret)})
	if err != nil {
		t.Fatal(err)
	}
	signer := cursor.NewSigner([]byte(jwtSecret))
	srv := &httpapi.Server{
		Profiles:      &profile.Service{Store: s.store, Logger: logger, Now: now},
		Orders:        &orders.Service{Store: s.store, Payments: payments, Cursors: signer, Logger: logger, Now: now},
		NFTs:          &nfts.Service{Store: s.store, Market: market, Cursors: signer, ChainID: 1, Logger: logger, Now: now},
		Verifier:      verifier,
		Logger:        logger,
		InternalToken: internalToken,
	}
	s.handler = srv.Handler()
	hs := httptest.NewServer(s.handler)
	t.Cleanup(hs.Close)
	s.api = newAPI(hs.URL)
	t.Cleanup(s.api.close)
	return s
}

// advance moves the services' clock forward.
func (s *stack) advance(d time.Duration) { s.skew.Add(int64(d)) }

// adapter is 1 (the impatient adapters) while a timeout fault is armed, else 0.
func (s *stack) adapter() int {
	if s.impatient.Load() {
		return 1
	}
	return 0
}

// switchPayments is the Stripe adapter the stack's services use: the
// patient or the impatient one of by, as the stack says at each call.
type switchPayments struct {
	s  *stack
	by [2]dashboard.Payments
}

func (p *switchPayments) Session(ctx context.Context, id string) (*dashboard.CheckoutSession, error) {
	return p.by[p.s.adapter()].Session(ctx, id)
}

func (p *switchPayments) ListSessions(ctx context.Context, q dashboard.SessionQuery, each func(*dashboard.CheckoutSession) error) error {
	return p.by[p.s.adapter()].ListSessions(ctx, q, each)
}

func (p *switchPayments) ParseWebhook(payload []byte, signature string) (*dashboard.StripeEvent, error) {
	return p.by[p.s.adapter()].ParseWebhook(payload, signature)
}

// switchMarket is switchPayments for the marketplace adapter.
type switchMarket struct {
	s  *stack
	by [2]dashboard.Marketplace
}

func (m *switchMarket) Holdings(ctx context.Context, wallet string) ([]dashboard.Holding, error) {
	return m.by[m.s.adapter()].Holdings(ctx, wallet)
}

// takeWaits returns and forgets the backoff waits recorded so far.
func (s *stack) takeWaits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.waits
	s.waits = nil
	return w
}

// putCustomer stores a profile the way the identity service and an earlier
// email match would have left it: with a Stripe customer on GSI1.
func (s *stack) putCustomer(t *testing.T, m member, customerID string) {
	t.Helper()
	err := s.store.PutRawItem(context.Background(), map[string]any{
		"PK": "USER#" + m.ID, "SK": "PROFILE", "userId": m.ID, "email": m.Email,
		"stripeCustomerId": customerID, "GSI1PK": "STRIPE#" + customerID,
	})
	if err != nil {
		t.Fatal(err)
	}
}

// synced reads a member's sync marker.
func (s *stack) synced(t *testing.T, id string, kind dashboard.SyncKind) *time.Time {
	t.Helper()
	at, err := s.store.SyncedAt(context.Background(), id, kind)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// eventRecorded reports whether EVENT#<id> exists.
func (s *stack) eventRecorded(t *testing.T, id string) bool {
	t.Helper()
	ok, err := s.store.EventProcessed(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// Fault modes of the proxy.
const (
	faultMalformed = "malformed" // 200 with truncated JSON
	faultDrop      = "drop"      // close the connection without an answer
	faultEndless   = "endless"   // a list page that always says has_more
)

// truncatedSession is the body faultMalformed answers: a session cut
// short, after the customer's name and street address (piiMarkers), which
// must not reach a log.
const truncatedSession = `{"id": "cs_test_trunc", "object": "checkout.session", "customer_details": {"name": "Ruby Tuesday", ` +
	`"address": {"line1": "12 Rosewood Lane", "city": "Austin"}}, "line_items": {"data": [{"id": `

// piiMarkers are the personal data in truncatedSession.
var piiMarkers = []string{"Ruby Tuesday", "Rosewood Lane"}

// maxLog caps what the API log keeps, so that a long fuzz run over the
// stack cannot fill the memory with request lines.
const maxLog = 8 << 20

// endlessPage is the page faultEndless answers: one item and has_more,
// whatever starting_after asked for. Its item is a line item and a
// session at once (each decoder ignores the other's fields).
const endlessPage = `{"object":"list","url":"/v1/checkout/sessions","has_more":true,"data":[{"id":"cs_test_loop",` +
	`"object":"checkout.session","created":1700000000,"status":"complete","payment_status":"paid","currency":"usd",` +
	`"quantity":1,"amount_total":100,"description":"Loop","line_items":{"object":"list","has_more":false,"data":[]}}]}`

// faultProxy forwards to a fake and, while armed, answers the requests
// whose path starts with a prefix in a way the fake cannot: a truncated
// body, or a connection closed without an answer. It counts what it
// intercepted.
type faultProxy struct {
	srv     *httptest.Server
	mu      sync.Mutex
	mode    string
	prefix  string
	left    int
	applied int
}

func newFaultProxy(t testing.TB, target string) *faultProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = slog.NewLogLogger(slog.DiscardHandler, slog.LevelError) // clients that time out are the point
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		mode := ""
		if p.left > 0 && pathMatches(p.prefix, r.URL.Path) {
			mode = p.mode
			p.left--
			p.applied++
		}
		p.mu.Unlock()
		switch mode {
		case faultMalformed:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, truncatedSession)
		case faultEndless:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, endlessPage)
		case faultDrop:
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
		default:
			rp.ServeHTTP(w, r)
		}
	}))
	p.srv.Config.ErrorLog = slog.NewLogLogger(slog.DiscardHandler, slog.LevelError)
	t.Cleanup(p.srv.Close)
	return p
}

// pathMatches applies the fakes' path rule: a pattern ending in "/"
// matches everything below it, any other only itself.
func pathMatches(pattern, path string) bool {
	if strings.HasSuffix(pattern, "/") {
		return strings.HasPrefix(path, pattern)
	}
	return path == pattern
}

// URL is the proxy's base URL.
func (p *faultProxy) URL() string { return p.srv.URL }

// arm makes the next n requests matching prefix (see pathMatches) fail
// with mode.
func (p *faultProxy) arm(mode, prefix string, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode, p.prefix, p.left = mode, prefix, n
}

// heal disarms the proxy and returns how many requests it intercepted
// since the last heal.
func (p *faultProxy) heal() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.applied
	p.left, p.applied = 0, 0
	return n
}
