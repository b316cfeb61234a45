// Package httpapi serves the dashboard API over net/http: routing, the
// middleware every request passes (request id, panic recovery, one log line,
// CORS, auth, body limits), and the mapping of domain errors to responses.
// The same handler runs locally behind `dashboard serve` and on Lambda
// behind the API Gateway adapter.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/auth"
	"github.com/thebabesclub/dashboard/export"
	"github.com/thebabesclub/dashboard/nfts"
	"github.com/thebabesclub/dashboard/orders"
	"github.com/thebabesclub/dashboard/profile"
)

// MaxBodyBytes is the largest member or internal request body (16 KiB).
const MaxBodyBytes = 16 << 10

// MaxWebhookBodyBytes is the largest webhook body (512 KiB, CONTRACT §1):
// Stripe events with many line items or much metadata exceed 16 KiB.
const MaxWebhookBodyBytes = 512 << 10

// The services the handlers call, as the handlers use them: each is the few
// methods of one service package (*profile.Service, *orders.Service,
// *nfts.Service implement them), so a handler test can put a stub in a
// service's place and the transport never depends on how a service stores
// or fetches anything.
type (
	// ProfileService serves the profile routes.
	ProfileService interface {
		Get(ctx context.Context, m dashboard.Member) (*dashboard.Profile, error)
		Update(ctx context.Context, m dashboard.Member, u *profile.Update, ifMatch string) (*profile.UpdateResult, error)
		ConfirmEmail(ctx context.Context, m dashboard.Member, code string) (*dashboard.Profile, error)
		Emails(ctx context.Context, m dashboard.Member) ([]dashboard.MemberEmail, error)
		AddCheckoutEmail(ctx context.Context, m dashboard.Member, email string) (*profile.PendingCheckoutEmail, error)
		VerifyCheckoutEmail(ctx context.Context, m dashboard.Member, email, code string) (*profile.CheckoutEmailVerification, error)
		DeleteCheckoutEmail(ctx context.Context, m dashboard.Member, email string) error
	}
	// OrderService serves the order routes, Stripe's webhook and the
	// internal Stripe sync.
	OrderService interface {
		List(ctx context.Context, m dashboard.Member, limit int, cursor string) (*orders.List, error)
		Detail(ctx context.Context, m dashboard.Member, orderID string) (*dashboard.OrderDetail, error)
		HandleWebhook(ctx context.Context, payload []byte, signature string) (*orders.WebhookAck, error)
		SyncMemberByID(ctx context.Context, userID, customerID string, since *time.Time) (*orders.SyncResult, error)
		Fulfil(ctx context.Context, orderID string, ev dashboard.FulfillmentEvent) (*dashboard.OrderDetail, error)
	}
	// NFTService serves the NFT and wallet routes, the marketplace webhook
	// and the internal NFT sync.
	NFTService interface {
		List(ctx context.Context, m dashboard.Member, collectionID string, limit int, cursor string) (*nfts.List, error)
		Challenge(ctx context.Context, m dashboard.Member) (*nfts.Challenge, error)
		Verify(ctx context.Context, m dashboard.Member, message, signature string) (*nfts.Verification, error)
		SyncRequested(ctx context.Context, userID, wallet string) (*nfts.SyncResult, error)
		Wallets(ctx context.Context, m dashboard.Member) ([]dashboard.Wallet, error)
		ChallengeAddress(ctx context.Context, m dashboard.Member, address string) (*nfts.Challenge, error)
		VerifyAddress(ctx context.Context, m dashboard.Member, message, signature string) (*dashboard.Wallet, error)
		RemoveWallet(ctx context.Context, m dashboard.Member, address string) error
		// AcceptsWebhooks reports whether POST /webhooks/nfts exists
		// (NFT_WEBHOOK_SECRET is set); WebhookWallets verifies a delivery.
		AcceptsWebhooks() bool
		WebhookWallets(body []byte, signature string) ([]string, error)
	}
	// ExportService builds the member's data export.
	ExportService interface {
		Export(ctx context.Context, m dashboard.Member) (*export.Document, error)
	}
)

// Server holds what the handlers need. Zero values of optional fields turn
// the feature off rather than failing.
type Server struct {
	Profiles ProfileService
	Orders   OrderService
	NFTs     NFTService
	// Export serves GET /dashboard/export; nil hides the route (404).
	Export ExportService
	// Refresh queues background refreshes; nil turns them off.
	Refresh dashboard.RefreshQueue
	// Verifier checks member tokens (required for member routes unless
	// Authorizer is set).
	Verifier *auth.Verifier
	// Authorizer, when set, takes the member from the request as an
	// upstream authorizer left it (API Gateway's TOKEN authorizer context on
	// Lambda) instead of verifying the token again; ok false is a 401.
	Authorizer func(*http.Request) (m dashboard.Member, ok bool)
	Logger     *slog.Logger
	// AllowedOrigins is the CORS allow-list (exact origins).
	AllowedOrigins []string
	// InternalToken opens the internal routes; empty (or shorter than 32
	// bytes) hides them (404).
	InternalToken string
	// RequestID returns the request id to use (e.g. API Gateway's); nil or
	// "" means a random one is generated.
	RequestID func(*http.Request) string
	// Static serves the built web dashboard at "/"; nil serves nothing there.
	Static http.Handler
	// Now is the clock the member middleware checks a member's ExpiresAt
	// against (tests inject one); nil means time.Now.
	Now func() time.Time

	// lines holds the request-line loggers (see requestLine).
	lines atomic.Pointer[lineLoggers]
}

// route is one API operation.
type route struct {
	method, path string
	handler      http.HandlerFunc
}

// routes lists every API operation; member-only routes are wrapped in
// s.member, internal ones in s.internal.
func (s *Server) routes() []route {
	return []route{
		{"GET", "/healthz", s.handleHealth},
		{"GET", "/dashboard/profile", s.member(s.handleGetProfile)},
		{"PUT", "/dashboard/profile", s.member(s.handleUpdateProfile)},
		{"POST", "/dashboard/update-profile", s.member(s.handleUpdateProfile)},
		{"POST", "/dashboard/profile/email/verify", s.member(s.handleVerifyEmail)},
		{"GET", "/dashboard/emails", s.member(s.handleListEmails)},
		{"POST", "/dashboard/emails", s.member(s.handleAddEmail)},
		{"POST", "/dashboard/emails/verify", s.member(s.handleVerifyCheckoutEmail)},
		{"DELETE", "/dashboard/emails/{email}", s.member(s.handleDeleteEmail)},
		{"GET", "/dashboard/export", s.member(s.handleExport)},
		{"GET", "/dashboard/orders", s.member(s.handleListOrders)},
		{"GET", "/dashboard/orders/{orderId}", s.member(s.handleGetOrder)},
		{"POST", "/webhooks/stripe", s.handleStripeWebhook},
		{"POST", "/stripe/webhook", s.handleStripeWebhook},
		{"POST", "/internal/sync/stripe", s.internal(s.handleSyncStripe)},
		{"POST", "/internal/orders/{orderId}/fulfillment", s.internal(s.handleFulfil)},
		{"GET", "/dashboard/nfts", s.member(s.handleListNFTs)},
		{"POST", "/dashboard/wallet/challenge", s.member(s.handleWalletChallenge)},
		{"POST", "/dashboard/wallet/verify", s.member(s.handleWalletVerify)},
		{"GET", "/dashboard/wallets", s.member(s.handleListWallets)},
		{"POST", "/dashboard/wallets/challenge", s.member(s.handleWalletsChallenge)},
		{"POST", "/dashboard/wallets/verify", s.member(s.handleWalletsVerify)},
		{"DELETE", "/dashboard/wallets/{address}", s.member(s.handleDeleteWallet)},
		{"POST", "/internal/sync/nfts", s.internal(s.handleSyncNFTs)},
		{"POST", "/webhooks/nfts", s.handleNFTWebhook},
	}
}

// Handler returns the whole API as one http.Handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	allowed := map[string][]string{}
	for _, rt := range s.routes() {
		mux.HandleFunc(rt.method+" "+rt.path, rt.handler)
		allowed[rt.path] = append(allowed[rt.path], rt.method)
	}
	// Every known path answers other methods with 405 and an Allow header
	// (and OPTIONS without a CORS preflight with 204), in the contract's
	// error shape rather than net/http's plain text. A literal path that a
	// pattern with a wildcard also matches (/dashboard/emails/verify and
	// /dashboard/emails/{email}) gets no fallback of its own — net/http
	// would refuse the two as conflicting — but shares the pattern's, which
	// allows the methods of both.
	covered := map[string]map[string][]string{} // wildcard path → the literal paths it also matches → their methods
	for path, methods := range allowed {
		if wildcard := coveringWildcard(path, allowed); wildcard != "" {
			if covered[wildcard] == nil {
				covered[wildcard] = map[string][]string{}
			}
			covered[wildcard][path] = methods
		}
	}
	for path, methods := range allowed {
		if coveringWildcard(path, allowed) != "" {
			continue
		}
		literals := covered[path]
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			methods := methods
			if more, ok := literals[r.URL.Path]; ok {
				methods = append(slices.Clone(more), methods...)
			}
			w.Header().Set("Allow", strings.Join(append(slices.Clone(methods), "OPTIONS"), ", "))
			if r.Method == http.MethodOptions {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			s.failf(w, r, codeMethodNotAllowed, "Method %s is not allowed here; use %s.", r.Method, strings.Join(methods, " or "))
		})
	}
	notFound := func(w http.ResponseWriter, r *http.Request) {
		s.failf(w, r, "not_found", "No such route.")
	}
	for _, prefix := range []string{"/dashboard/", "/internal/", "/webhooks/", "/stripe/"} {
		mux.HandleFunc(prefix, notFound)
	}
	// Everything else is the web dashboard, when one is served.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if s.Static != nil && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			s.Static.ServeHTTP(w, r)
			return
		}
		notFound(w, r)
	})
	return s.frame(mux)
}

// coveringWildcard returns the one of paths with a {wildcard} segment that
// also matches the literal path, or "".
func coveringWildcard(path string, paths map[string][]string) string {
	if strings.Contains(path, "{") {
		return ""
	}
	segs := strings.Split(path, "/")
	for other := range paths {
		if !strings.Contains(other, "{") {
			continue
		}
		o := strings.Split(other, "/")
		if len(o) != len(segs) {
			continue
		}
		match := true
		for i := range o {
			if o[i] != segs[i] && !strings.HasPrefix(o[i], "{") {
				match = false
				break
			}
		}
		if match {
			return other
		}
	}
	return ""
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}
