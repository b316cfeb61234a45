// Package markettest is a stand-in for the two NFT APIs the marketplace
// package reads, for tests: an httptest.Server that serves OpenSea API v2
// (GET /api/v2/chain/{chain}/account/{address}/nfts) or Alchemy NFT API v3
// (GET /nft/v3/{apiKey}/getNFTsForOwner) in the providers' documented
// JSON shapes, from an in-memory map wallet → NFTs, with pagination,
// API-key checks, call counters and injected failures.
//
// Point marketplace.Config.BaseURL (NFT_API_BASE_URL) at URL() and use
// APIKey() as the key:
//
//	f := markettest.NewOpenSea(t) // or NewAlchemy(t)
//	f.SetHoldings(wallet, []markettest.NFT{{Contract: babes, TokenID: "1", Collection: "babes-club"}})
//	f.SetPageSize(2)       // paginate after 2 NFTs
//	f.FailNext(429, 503)   // the next two requests fail, then all is well
//	f.FailPage(2, 500)     // every request for page 2 fails until Heal
//	m, _ := marketplace.New(marketplace.Config{Provider: "opensea",
//		BaseURL: f.URL(), APIKey: f.APIKey(), MaxRPS: -1, Sleep: noSleep})
//	holdings, err := m.Holdings(ctx, wallet)
//	f.Calls()             // requests served, failures included
//
// For webhooks, NFTActivity / AddressActivity build Notify payloads and
// SignWebhook their X-Alchemy-Signature header.
//
// A Server's methods are safe for concurrent use; a Notify builder is not.
package markettest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Provider kinds, as marketplace.Config.Provider names them.
const (
	OpenSea = "opensea"
	Alchemy = "alchemy"
)

// Drop, passed to FailNext or FailPage, closes the connection without an
// answer: a network failure.
const Drop = -1

// DefaultAPIKey is the key a new fake accepts.
const DefaultAPIKey = "test-api-key"

// Request is one request the fake received.
type Request struct {
	Path  string
	Query url.Values
	// Page is the 1-based page the request asked for (0 when unreadable).
	Page int
}

// injection is what a page answers instead of its content.
type injection struct {
	status int // 0: serve the page (after slow), Drop, or an HTTP status
	body   string
	slow   time.Duration
}

// Server is one fake provider: the holdings it serves, the failures it
// injects and the requests it counted. Tests share one per scenario.
type Server struct {
	kind string
	srv  *httptest.Server

	mu          sync.Mutex
	key         string
	chain       string
	pageSize    int
	retryAfter  string
	holdings    map[string][]NFT
	failNext    []int
	pages       map[int]injection
	calls       int
	walletCalls map[string]int
	requests    []Request
}

// NewOpenSea starts an OpenSea fake (chain "ethereum", pages of at most
// 200) and stops it when the test ends.
func NewOpenSea(t testing.TB) *Server { return start(t, OpenSea, 200) }

// NewAlchemy starts an Alchemy fake (pages of at most 100) and stops it
// when the test ends.
func NewAlchemy(t testing.TB) *Server { return start(t, Alchemy, 100) }

func start(t testing.TB, kind string, pageSize int) *Server {
	t.Helper()
	s := &Server{
		kind: kind, key: DefaultAPIKey, chain: "ethereum", pageSize: pageSize, retryAfter: "1",
		holdings: map[string][]NFT{}, pages: map[int]injection{}, walletCalls: map[string]int{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v2/chain/{chain}/account/{address}/nfts", s.serveOpenSea)
	mux.HandleFunc("GET /nft/v3/{key}/getNFTsForOwner", s.serveAlchemy)
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.record(r)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// URL returns the base URL to configure as NFT_API_BASE_URL.
func (s *Server) URL() string { return s.srv.URL }

// Kind returns OpenSea or Alchemy, so a helper handed a Server can
// configure the matching provider.
func (s *Server) Kind() string { return s.kind }

// APIKey returns the key the fake accepts (DefaultAPIKey unless
// SetAPIKey changed it).
func (s *Server) APIKey() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.key
}

// SetAPIKey changes the accepted key; any other key answers 401.
func (s *Server) SetAPIKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.key = key
}

// SetChain changes the chain an OpenSea fake serves; others answer 400.
func (s *Server) SetChain(chain string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chain = chain
}

// SetPageSize caps the NFTs of one page below the client's limit, so a
// test gets several pages from a few NFTs.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = max(1, n)
}

// SetHoldings replaces what wallet (any case) holds, in page order.
func (s *Server) SetHoldings(wallet string, nfts []NFT) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.holdings[strings.ToLower(wallet)] = append([]NFT(nil), nfts...)
}

// SetRetryAfter sets the Retry-After header of injected 429 and 503
// answers (default "1"; "" sends none). It may be seconds or an HTTP-date.
func (s *Server) SetRetryAfter(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retryAfter = v
}

// FailNext makes the next requests, whatever they ask for, answer the
// given statuses (or Drop) in order, one each; later requests are served.
func (s *Server) FailNext(statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, statuses...)
}

// FailPage makes every request for page (1-based) answer status (or Drop)
// until Heal.
func (s *Server) FailPage(page, status int) {
	s.setPage(page, injection{status: status})
}

// Malformed makes every request for page answer 200 with truncated JSON
// until Heal.
func (s *Server) Malformed(page int) {
	body := `{"nfts": [{"identifier": "1", "contract": `
	if s.kind == Alchemy {
		body = `{"ownedNfts": [{"tokenId": "1", "contract": `
	}
	s.setPage(page, injection{status: http.StatusOK, body: body})
}

// RawPage makes every request for page answer status with body until
// Heal, for shapes the other injections do not cover.
func (s *Server) RawPage(page, status int, body string) {
	if status == 0 {
		status = http.StatusOK
	}
	s.setPage(page, injection{status: status, body: body})
}

// Slow makes every request for page wait d (or until the client gives
// up) before it is served, until Heal.
func (s *Server) Slow(page int, d time.Duration) {
	s.setPage(page, injection{slow: d})
}

func (s *Server) setPage(page int, in injection) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[page] = in
}

// Heal removes every injected failure.
func (s *Server) Heal() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext, s.pages = nil, map[int]injection{}
}

// Calls counts the requests received, failed ones included.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// WalletCalls counts the requests received for wallet (any case).
func (s *Server) WalletCalls(wallet string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.walletCalls[strings.ToLower(wallet)]
}

// Requests returns the requests received, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}
