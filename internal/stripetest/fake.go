// Package stripetest gives tests the Stripe API two ways. New starts a
// stateful stand-in for scenario tests, and MockURL points at Stripe's own
// stateless mock (mock.go).
//
// The stand-in is an httptest.Server that speaks Stripe's wire format (JSON shapes,
// list objects, pagination, expansions, error bodies) for the Checkout
// Session endpoints the dashboard uses, over sessions a test adds.
//
// stripe-mock checks the wire format against Stripe's OpenAPI spec but
// keeps no state; this fake keeps state, so a test can list 10,000 sessions,
// page through them, inject 429s and timeouts, and count the calls. Point
// the adapter at it with STRIPE_API_BASE (Config.APIBase) = Server.URL():
//
//	f := stripetest.New(t)
//	f.AddSession(stripetest.NewSession("cs_test_1", created).
//		WithUserID(userID).WithItem("Tee", 2, 2500).Paid())
//	f.Fail("/v1/checkout/sessions", 429) // the next list call is rate-limited
//	payments, err := stripe.New(stripe.Config{SecretKey: "sk_test_x",
//		APIBase: f.URL(), MaxRPS: -1, Sleep: noSleep})
//	…
//	f.Calls("/v1/checkout/sessions/") // requests for single sessions
//
// For webhooks, EventPayload renders an event and SignWebhook its
// Stripe-Signature header.
//
// Served:
//   - GET /v1/checkout/sessions: limit, starting_after, created[gte|gt|lte|lt],
//     customer, payment_intent, customer_details[email] (an exact,
//     case-sensitive match on customer_details.email), and expand[] of data.line_items,
//     data.payment_intent(.latest_charge), data.total_details.breakdown and
//     data.discounts.promotion_code. Like Stripe, it refuses expansions
//     deeper than four levels (data.line_items.data.price.product).
//   - GET /v1/checkout/sessions/{id}: the same expansions without "data.",
//     plus line_items.data.price.product.
//   - GET /v1/checkout/sessions/{id}/line_items: limit, starting_after,
//     expand[]=data.price.product.
//
// Everything else answers Stripe's 404 body; a missing API key, its 401.
package stripetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// EmbeddedLineItems is how many line items an expanded line_items list
// carries inside a session; the rest needs the line-items endpoint, whose
// has_more tells a client so.
const EmbeddedLineItems = 10

// maxExpandDepth is Stripe's limit on the dotted depth of an expand[] path.
const maxExpandDepth = 4

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	srv *httptest.Server

	mu         sync.Mutex
	sessions   []*Session // sorted by created desc (then id desc) when !dirty
	byID       map[string]int
	dirty      bool
	seq        int
	calls      map[string]int // by request path
	failures   []failure
	retryAfter time.Duration
	delay      time.Duration
}

type failure struct {
	pattern  string
	statuses []int
}

// New starts a fake and stops it when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := Start()
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake on a free loopback port outside a test, for the
// stripefake command (cmd/stripefake), which serves it to whole binaries;
// Close stops it.
func Start() *Server {
	s := &Server{byID: map[string]int{}, calls: map[string]int{}, retryAfter: time.Second}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/checkout/sessions", s.list)
	mux.HandleFunc("GET /v1/checkout/sessions/{id}", s.get)
	mux.HandleFunc("GET /v1/checkout/sessions/{id}/line_items", s.lineItems)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "invalid_request_error", "",
			fmt.Sprintf("Unrecognized request URL (%s: %s).", r.Method, r.URL.Path))
	})
	s.srv = httptest.NewServer(s.middleware(mux))
	return s
}

// Close stops the fake, waiting for the requests in flight.
func (s *Server) Close() { s.srv.Close() }

// URL is the fake's base URL, for Config.APIBase / STRIPE_API_BASE.
func (s *Server) URL() string { return s.srv.URL }

// AddSession stores sessions, filling every zero field with a default (see
// Session). A session whose id is already stored replaces it, which is how
// a test changes a session between two syncs.
func (s *Server) AddSession(sessions ...Session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, in := range sessions {
		s.addLocked(in)
	}
}

// addLocked stores one session; stored sessions are never changed in place,
// so a request can render one after letting go of s.mu.
func (s *Server) addLocked(in Session) {
	s.seq++
	c := in.complete(s.seq)
	if i, ok := s.byID[c.ID]; ok {
		s.sessions[i] = &c
	} else {
		s.byID[c.ID] = len(s.sessions)
		s.sessions = append(s.sessions, &c)
	}
	s.dirty = true
}

// UpdateSession lets change edit a copy of a stored session, stores the
// result and reports whether the session exists. Defaults are filled in
// again, but amounts derived from line items only when they are zero: set
// AmountSubtotal and AmountTotal to 0 when changing the items. change must
// not call the Server.
func (s *Server) UpdateSession(id string, change func(*Session)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.byID[id]
	if !ok {
		return false
	}
	cur := s.sessions[i].complete(0) // a deep copy
	change(&cur)
	cur.ID = id
	s.addLocked(cur)
	return true
}

// Session returns a stored session with its defaults filled in.
func (s *Server) Session(id string) (Session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.byID[id]; ok {
		return *s.sessions[i], true
	}
	return Session{}, false
}

// Fail makes the next len(statuses) requests matching path (see Calls)
// answer with those statuses and Stripe's error body, one each, before
// requests succeed again. A 429 carries Retry-After (see SetRetryAfter).
func (s *Server) Fail(path string, statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failure{pattern: path, statuses: slices.Clone(statuses)})
}

// SetRetryAfter sets the Retry-After of injected 429s (default 1 s; 0 sends
// none). Stripe speaks whole seconds, so d is rounded up to one.
func (s *Server) SetRetryAfter(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retryAfter = d
}

// Delay makes every request wait d before it is answered (0 turns it off),
// so a client's timeout fires. A request whose client gives up stops
// waiting at once.
func (s *Server) Delay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Calls counts the requests received for path, injected failures
// included, so it counts a client's attempts. A path ending in "/" counts
// everything below it: Calls("/v1/checkout/sessions") counts list calls
// only, Calls("/v1/checkout/sessions/") the per-session calls, Calls("/")
// every request.
func (s *Server) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for p, c := range s.calls {
		if matches(path, p) {
			n += c
		}
	}
	return n
}

// ResetCalls sets every counter back to zero.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.calls)
}

func matches(pattern, path string) bool {
	if strings.HasSuffix(pattern, "/") {
		return strings.HasPrefix(path, pattern)
	}
	return path == pattern
}

// middleware counts, authenticates, delays and fails requests in the order
// Stripe's edge would.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls[r.URL.Path]++
		delay, retryAfter := s.delay, s.retryAfter
		status := s.popFailure(r.URL.Path)
		s.mu.Unlock()
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if !authenticated(r) {
			writeError(w, http.StatusUnauthorized, "invalid_request_error", "",
				"You did not provide an API key. You need to provide your API key in the Authorization header.")
			return
		}
		switch {
		case status == http.StatusTooManyRequests:
			if retryAfter > 0 {
				secs := (retryAfter + time.Second - 1) / time.Second
				w.Header().Set("Retry-After", strconv.Itoa(int(secs)))
			}
			writeError(w, status, "invalid_request_error", "rate_limit",
				"Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.")
		case status != 0:
			writeError(w, status, "api_error", "", "An unknown error occurred.")
		default:
			w.Header().Set("Request-Id", "req_fake")
			next.ServeHTTP(w, r)
		}
	})
}

// authenticated reports whether r carries a secret key the way Stripe
// takes one: as a bearer token (the SDKs) or as the user name of Basic
// authentication (curl -u sk_test_…:, as Stripe's docs show).
func authenticated(r *http.Request) bool {
	if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer sk_") {
		return true
	}
	user, _, ok := r.BasicAuth()
	return ok && strings.HasPrefix(user, "sk_")
}

// popFailure takes the next injected status for path (0 for none). The
// caller holds s.mu.
func (s *Server) popFailure(path string) int {
	for i := range s.failures {
		f := &s.failures[i]
		if len(f.statuses) > 0 && matches(f.pattern, path) {
			st := f.statuses[0]
			f.statuses = f.statuses[1:]
			return st
		}
	}
	return 0
}

// sorted returns the sessions newest first, sorting once after changes.
// The caller holds s.mu.
func (s *Server) sorted() []*Session {
	if s.dirty {
		slices.SortStableFunc(s.sessions, func(a, b *Session) int {
			if c := b.Created.Compare(a.Created); c != 0 {
				return c
			}
			return strings.Compare(b.ID, a.ID)
		})
		for i, x := range s.sessions {
			s.byID[x.ID] = i
		}
		s.dirty = false
	}
	return s.sessions
}

// writeError writes Stripe's error body.
func writeError(w http.ResponseWriter, status int, typ, code, msg string) {
	body := map[string]any{"type": typ, "message": msg}
	if code != "" {
		body["code"] = code
	}
	writeJSON(w, status, map[string]any{"error": body})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
