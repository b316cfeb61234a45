package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/export"
	"github.com/thebabesclub/dashboard/httpapi"
	"github.com/thebabesclub/dashboard/internal/apitest"
	"github.com/thebabesclub/dashboard/internal/logtest"
	"github.com/thebabesclub/dashboard/nfts"
	"github.com/thebabesclub/dashboard/obs"
	"github.com/thebabesclub/dashboard/orders"
	"github.com/thebabesclub/dashboard/profile"
)

// The transport alone: stub services (the small interfaces of server.go) in
// place of the real ones, so these tests pin what the HTTP layer itself
// does with whatever a service answers, with no store at all.

// stubCalls records what the handlers passed to the services.
type stubCalls struct {
	err     error    // every service method fails with it (nil: succeeds)
	members []string // member ids (or, for internal routes, user ids) the services were given
	queued  []dashboard.RefreshRequest
}

func (c *stubCalls) called(id string) error {
	c.members = append(c.members, id)
	return c.err
}

type stubProfiles struct{ *stubCalls }

func (s stubProfiles) Get(_ context.Context, m dashboard.Member) (*dashboard.Profile, error) {
	return &dashboard.Profile{UserID: m.UserID, Email: m.Email}, s.called(m.UserID)
}

func (s stubProfiles) Update(_ context.Context, m dashboard.Member, _ *profile.Update, _ string) (*profile.UpdateResult, error) {
	return &profile.UpdateResult{Profile: &dashboard.Profile{UserID: m.UserID, Email: m.Email}}, s.called(m.UserID)
}

func (s stubProfiles) ConfirmEmail(_ context.Context, m dashboard.Member, _ string) (*dashboard.Profile, error) {
	return &dashboard.Profile{UserID: m.UserID, Email: m.Email}, s.called(m.UserID)
}

func (s stubProfiles) Emails(_ context.Context, m dashboard.Member) ([]dashboard.MemberEmail, error) {
	return []dashboard.MemberEmail{}, s.called(m.UserID)
}

func (s stubProfiles) AddCheckoutEmail(_ context.Context, m dashboard.Member, email string) (*profile.PendingCheckoutEmail, error) {
	return &profile.PendingCheckoutEmail{Email: email, ExpiresAt: time.Now().Add(time.Minute)}, s.called(m.UserID)
}

func (s stubProfiles) VerifyCheckoutEmail(_ context.Context, m dashboard.Member, email, _ string) (*profile.CheckoutEmailVerification, error) {
	return &profile.CheckoutEmailVerification{Email: email, Verified: true,
		Refresh: &dashboard.RefreshRequest{Kind: dashboard.SyncStripe, UserID: m.UserID, Email: email}}, s.called(m.UserID)
}

func (s stubProfiles) DeleteCheckoutEmail(_ context.Context, m dashboard.Member, _ string) error {
	return s.called(m.UserID)
}

type stubExport struct{ *stubCalls }

func (s stubExport) Export(_ context.Context, m dashboard.Member) (*export.Document, error) {
	return &export.Document{ExportedAt: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}, s.called(m.UserID)
}

type stubOrders struct{ *stubCalls }

func (s stubOrders) List(_ context.Context, m dashboard.Member, _ int, _ string) (*orders.List, error) {
	return &orders.List{Orders: []dashboard.Order{}}, s.called(m.UserID)
}

func (s stubOrders) Detail(_ context.Context, m dashboard.Member, _ string) (*dashboard.OrderDetail, error) {
	return &dashboard.OrderDetail{}, s.called(m.UserID)
}

func (s stubOrders) HandleWebhook(context.Context, []byte, string) (*orders.WebhookAck, error) {
	return &orders.WebhookAck{}, s.called("webhook")
}

func (s stubOrders) Fulfil(context.Context, string, dashboard.FulfillmentEvent) (*dashboard.OrderDetail, error) {
	return &dashboard.OrderDetail{}, s.called("fulfil")
}

func (s stubOrders) SyncMemberByID(_ context.Context, userID, _ string, _ *time.Time) (*orders.SyncResult, error) {
	return &orders.SyncResult{}, s.called(userID)
}

type stubNFTs struct{ *stubCalls }

func (s stubNFTs) List(_ context.Context, m dashboard.Member, _ string, _ int, _ string) (*nfts.List, error) {
	return &nfts.List{NFTs: []dashboard.Holding{}}, s.called(m.UserID)
}

func (s stubNFTs) Challenge(_ context.Context, m dashboard.Member) (*nfts.Challenge, error) {
	return &nfts.Challenge{}, s.called(m.UserID)
}

func (s stubNFTs) Verify(_ context.Context, m dashboard.Member, _, _ string) (*nfts.Verification, error) {
	return &nfts.Verification{}, s.called(m.UserID)
}

func (s stubNFTs) SyncRequested(_ context.Context, userID, _ string) (*nfts.SyncResult, error) {
	return &nfts.SyncResult{}, s.called(userID)
}

func (s stubNFTs) Wallets(_ context.Context, m dashboard.Member) ([]dashboard.Wallet, error) {
	return []dashboard.Wallet{}, s.called(m.UserID)
}

func (s stubNFTs) ChallengeAddress(_ context.Context, m dashboard.Member, _ string) (*nfts.Challenge, error) {
	return &nfts.Challenge{}, s.called(m.UserID)
}

func (s stubNFTs) VerifyAddress(_ context.Context, m dashboard.Member, _, _ string) (*dashboard.Wallet, error) {
	return &dashboard.Wallet{Address: stubWallet, Verified: true, Kind: dashboard.WalletEOA}, s.called(m.UserID)
}

func (s stubNFTs) RemoveWallet(_ context.Context, m dashboard.Member, _ string) error {
	return s.called(m.UserID)
}

func (s stubNFTs) AcceptsWebhooks() bool { return true }

func (s stubNFTs) WebhookWallets([]byte, string) ([]string, error) {
	return []string{stubWallet}, s.called("webhook")
}

const stubWallet = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"

// stubQueue records the refreshes the handlers queue.
type stubQueue struct{ queued *[]dashboard.RefreshRequest }

func (q stubQueue) Enqueue(_ context.Context, r dashboard.RefreshRequest) error {
	*q.queued = append(*q.queued, r)
	return nil
}

// serviceRoutes is one request to each route whose handler calls a service,
// and the id that call must carry.
var serviceRoutes = []struct{ method, path, body, wantID string }{
	{"GET", "/dashboard/profile", "", stubMember.UserID},
	{"PUT", "/dashboard/profile", `{"displayName":"Stub"}`, stubMember.UserID},
	{"POST", "/dashboard/profile/email/verify", `{"code":"123456"}`, stubMember.UserID},
	{"GET", "/dashboard/emails", "", stubMember.UserID},
	{"POST", "/dashboard/emails", `{"email":"guest@example.com"}`, stubMember.UserID},
	{"POST", "/dashboard/emails/verify", `{"email":"guest@example.com","code":"123456"}`, stubMember.UserID},
	{"DELETE", "/dashboard/emails/guest%40example.com", "", stubMember.UserID},
	{"GET", "/dashboard/export", "", stubMember.UserID},
	{"POST", "/internal/orders/cs_test_stub/fulfillment", `{"status":"shipped"}`, "fulfil"},
	{"GET", "/dashboard/orders", "", stubMember.UserID},
	{"GET", "/dashboard/orders/cs_test_stub", "", stubMember.UserID},
	{"POST", "/webhooks/stripe", `{}`, "webhook"},
	{"POST", "/internal/sync/stripe", `{"userId":"` + stubMember.UserID + `"}`, stubMember.UserID},
	{"GET", "/dashboard/nfts", "", stubMember.UserID},
	{"POST", "/dashboard/wallet/challenge", "", stubMember.UserID},
	{"POST", "/dashboard/wallet/verify", `{"message":"m","signature":"0x00"}`, stubMember.UserID},
	{"GET", "/dashboard/wallets", "", stubMember.UserID},
	{"POST", "/dashboard/wallets/challenge", `{"address":"` + stubWallet + `"}`, stubMember.UserID},
	{"POST", "/dashboard/wallets/verify", `{"message":"m","signature":"0x00"}`, stubMember.UserID},
	{"DELETE", "/dashboard/wallets/" + stubWallet, "", stubMember.UserID},
	{"POST", "/internal/sync/nfts", `{"userId":"` + stubMember.UserID + `"}`, stubMember.UserID},
	{"POST", "/webhooks/nfts", `{}`, "webhook"},
}

// stubMember is the member the stub authorizer signs in.
var stubMember = dashboard.Member{UserID: "0123456789abcdef0123456789abcdef", Email: "stub@example.com", Role: "customer"}

const stubInternalToken = "stub-internal-token-0123456789abcdef"

// stubServer is the transport over stub services that all fail with err.
func stubServer(err error) (*httpapi.Server, *stubCalls, *logtest.Buffer) {
	calls := &stubCalls{err: err}
	logs := &logtest.Buffer{}
	m := stubMember
	m.ExpiresAt = time.Now().Add(time.Hour)
	return &httpapi.Server{
		Profiles:      stubProfiles{calls},
		Orders:        stubOrders{calls},
		NFTs:          stubNFTs{calls},
		Export:        stubExport{calls},
		Refresh:       stubQueue{&calls.queued},
		Authorizer:    func(*http.Request) (dashboard.Member, bool) { return m, true },
		Logger:        obs.NewLogger(logs, "debug"),
		InternalToken: stubInternalToken,
	}, calls, logs
}

func stubRequest(method, path, body string) *http.Request {
	return apitest.NewRequest(method, path, "", body, "X-Internal-Token", stubInternalToken)
}

// TestServiceErrorsBecomeTheirStatus sends one request to every route whose
// handler calls a service, with the services failing with each kind of
// domain error, and checks the one mapping of CONTRACT §1: the status, the
// code, a message, Retry-After where a retry makes sense, and that an
// unexpected error shows the client nothing of its detail but is logged.
func TestServiceErrorsBecomeTheirStatus(t *testing.T) {
	secret := "dynamodb: table commerce-prod throttled at 10.0.3.7"
	cases := []struct {
		err        error
		status     int
		code       string
		retryAfter string
	}{
		{dashboard.Errorf(dashboard.EVALIDATION, "No."), 400, "validation_failed", ""},
		{dashboard.Errorf(dashboard.EINVALIDCURSOR, "No."), 400, "invalid_cursor", ""},
		{dashboard.Errorf(dashboard.EINVALIDCODE, "No."), 400, "invalid_code", ""},
		{dashboard.Errorf(dashboard.ENOTFOUND, "No."), 404, "not_found", ""},
		{dashboard.Errorf(dashboard.ECONFLICT, "No."), 409, "conflict", ""},
		{dashboard.Errorf(dashboard.EPRECONDITION, "No."), 412, "precondition_failed", ""},
		{&dashboard.Error{Code: dashboard.ERATELIMITED, Message: "Later.", RetryAfter: 90 * time.Second}, 429, "rate_limited", "90"},
		{&dashboard.Error{Code: dashboard.EUNAVAILABLE, Message: "Later.", RetryAfter: 1500 * time.Millisecond}, 503, "upstream_unavailable", "2"},
		{dashboard.Errorf(dashboard.EUNAVAILABLE, "Later."), 503, "upstream_unavailable", "1"},
		{errors.New(secret), 500, "internal", ""},
		{dashboard.Errorf("no_such_code", "%s", secret), 500, "internal", ""},
	}
	for _, c := range cases {
		for _, rt := range serviceRoutes {
			srv, calls, logs := stubServer(c.err)
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, stubRequest(rt.method, rt.path, rt.body))
			what := rt.method + " " + rt.path + " with " + c.code
			body := rec.Body.String()
			if rec.Code != c.status || !strings.Contains(body, `"code":"`+c.code+`"`) || !strings.Contains(body, `"error":"`) {
				t.Errorf("%s = %d %s, want %d", what, rec.Code, body, c.status)
			}
			if got := rec.Header().Get("Retry-After"); got != c.retryAfter {
				t.Errorf("%s: Retry-After %q, want %q", what, got, c.retryAfter)
			}
			if len(calls.members) != 1 || calls.members[0] != rt.wantID {
				t.Errorf("%s: the services were called with %v, want [%s]", what, calls.members, rt.wantID)
			}
			if len(calls.queued) != 0 {
				t.Errorf("%s: a failed call queued %+v", what, calls.queued)
			}
			if c.status == 500 {
				if strings.Contains(body, "10.0.3.7") {
					t.Errorf("%s: the client saw the internal detail: %s", what, body)
				}
				if !strings.Contains(logs.String(), "10.0.3.7") {
					t.Errorf("%s: the internal detail was not logged", what)
				}
			}
		}
	}
}

// TestServiceAnswersReachTheClient runs the same routes with services that
// succeed: each answers 2xx with the service's result as JSON.
func TestServiceAnswersReachTheClient(t *testing.T) {
	for _, rt := range serviceRoutes {
		srv, calls, _ := stubServer(nil)
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, stubRequest(rt.method, rt.path, rt.body))
		if rec.Code/100 != 2 || (rec.Code != http.StatusNoContent && !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json")) {
			t.Errorf("%s %s = %d %s", rt.method, rt.path, rec.Code, rec.Body)
		}
		if len(calls.members) != 1 || calls.members[0] != rt.wantID {
			t.Errorf("%s %s: the services were called with %v", rt.method, rt.path, calls.members)
		}
		// Only two routes queue here: the marketplace webhook a refresh of
		// each wallet the verified delivery named, a verified checkout
		// email the Stripe sync of that address.
		switch rt.path {
		case "/webhooks/nfts":
			if len(calls.queued) != 1 || calls.queued[0] != (dashboard.RefreshRequest{Kind: dashboard.SyncNFT, Wallet: stubWallet}) {
				t.Errorf("the NFT webhook queued %+v", calls.queued)
			}
		case "/dashboard/emails/verify":
			if len(calls.queued) != 1 || calls.queued[0] != (dashboard.RefreshRequest{Kind: dashboard.SyncStripe, UserID: stubMember.UserID, Email: "guest@example.com"}) {
				t.Errorf("the checkout email verification queued %+v", calls.queued)
			}
		default:
			if len(calls.queued) != 0 {
				t.Errorf("%s %s queued %+v", rt.method, rt.path, calls.queued)
			}
		}
	}
}
