package apitest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/auth"
	"github.com/thebabesclub/dashboard/cursor"
	"github.com/thebabesclub/dashboard/export"
	"github.com/thebabesclub/dashboard/httpapi"
	"github.com/thebabesclub/dashboard/internal/logtest"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/internal/stripetest"
	"github.com/thebabesclub/dashboard/mail"
	"github.com/thebabesclub/dashboard/marketplace"
	"github.com/thebabesclub/dashboard/nfts"
	"github.com/thebabesclub/dashboard/obs"
	"github.com/thebabesclub/dashboard/orders"
	"github.com/thebabesclub/dashboard/profile"
	"github.com/thebabesclub/dashboard/queue"
	"github.com/thebabesclub/dashboard/stripe"
)

// The secrets a Stack is configured with.
const (
	// StackJWTSecret signs member tokens (auth.Sign) and keys cursors and
	// verification codes.
	StackJWTSecret = "test-secret-0123456789abcdef0123456789abcdef"
	// StackWebhookSecret signs Stripe webhook deliveries.
	StackWebhookSecret = "whsec_test_0123456789abcdef"
	// StackNFTWebhookSecret signs marketplace webhook deliveries.
	StackNFTWebhookSecret = "nft-webhook-secret-0123456789"
	// StackInternalToken opens the internal routes.
	StackInternalToken = "internal-token-0123456789abcdef0123456789"
	// StackSiteOrigin is the site wallet challenges name (SITE_ORIGIN).
	StackSiteOrigin = "https://dashboard.babesclub.example"
)

// Stack is the whole API over one store, as `dashboard serve` wires it, with
// the outside systems replaced at their edge: the Stripe fake behind the real
// Stripe adapter, the marketplace fake behind the real marketplace adapter,
// mail to an outbox folder, and the real in-process refresh queue. Tests of
// the HTTP transport run it on the embedded store; tests of a store's cost
// per route run it on that store.
type Stack struct {
	Store    dashboard.Store
	Server   *httpapi.Server
	Client   *Client // validates every response against the OpenAPI document
	Logs     *logtest.Buffer
	Profiles *profile.Service
	Orders   *orders.Service
	NFTs     *nfts.Service
	Export   *export.Service
	// Outbox is the folder the mail goes to (mail.ReadOutbox reads it).
	Outbox string
	Queue  *queue.Local
	Stripe *stripetest.Server
	Market *markettest.Server
}

// NewStack builds a Stack over store; adjust, when not nil, may change the
// token verifier's settings.
func NewStack(t testing.TB, store dashboard.Store, adjust func(*auth.Config)) *Stack {
	t.Helper()
	cfg := auth.Config{Secret: []byte(StackJWTSecret)}
	if adjust != nil {
		adjust(&cfg)
	}
	verifier, err := auth.NewVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st := &Stack{Store: store, Logs: &logtest.Buffer{}, Stripe: stripetest.New(t), Market: markettest.NewOpenSea(t)}
	logger := obs.NewLogger(st.Logs, "debug")
	noSleep := func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	payments, err := stripe.New(stripe.Config{
		SecretKey: "sk_test_stack", WebhookSecret: StackWebhookSecret, APIBase: st.Stripe.URL(), MaxRPS: -1, MaxRetries: 2, Sleep: noSleep,
	})
	if err != nil {
		t.Fatal(err)
	}
	market, err := marketplace.New(marketplace.Config{
		Provider: "opensea", BaseURL: st.Market.URL(), APIKey: st.Market.APIKey(), MaxRPS: -1, MaxRetries: 1, Sleep: noSleep, Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	st.Outbox = filepath.Join(t.TempDir(), "outbox")
	outbox, err := mail.NewOutbox(st.Outbox, mail.DefaultFrom, logger)
	if err != nil {
		t.Fatal(err)
	}
	site, _ := url.Parse(StackSiteOrigin)
	cursors := cursor.NewSigner([]byte(StackJWTSecret))
	st.Profiles = &profile.Service{Store: store, Logger: logger, Mailer: outbox, CodeKey: profile.NewCodeKey([]byte(StackJWTSecret))}
	st.Orders = &orders.Service{Store: store, Payments: payments, Cursors: cursors, Logger: logger, Mailer: outbox, SiteOrigin: StackSiteOrigin}
	st.NFTs = &nfts.Service{Store: store, Market: market, Webhooks: marketplace.Webhooks{Secret: []byte(StackNFTWebhookSecret)},
		Cursors: cursors, ChainID: 1, Logger: logger, SiteOrigin: site}
	st.Export = &export.Service{Profiles: st.Profiles, Orders: st.Orders, NFTs: st.NFTs, Limits: store, Logger: logger}
	st.Queue = queue.NewLocal(st.refresh, queue.LocalOptions{Logger: logger, Collapse: -1})
	t.Cleanup(func() { st.Queue.Close(context.Background()) })
	st.Server = &httpapi.Server{
		Profiles:       st.Profiles,
		Orders:         st.Orders,
		NFTs:           st.NFTs,
		Export:         st.Export,
		Refresh:        st.Queue,
		Verifier:       verifier,
		Logger:         logger,
		AllowedOrigins: []string{StackSiteOrigin},
		InternalToken:  StackInternalToken,
	}
	st.Client = NewValidator(t).Client(t, st.Server.Handler())
	return st
}

// refresh performs one queued refresh, as app.App.Refresh does.
func (st *Stack) refresh(ctx context.Context, r dashboard.RefreshRequest) error {
	if r.Kind == dashboard.SyncNFT {
		return st.NFTs.Refresh(ctx, r)
	}
	return st.Orders.Refresh(ctx, r)
}

// Token signs a token for member, valid for an hour.
func (st *Stack) Token(t testing.TB, m dashboard.Member) string {
	t.Helper()
	tok, err := auth.Sign([]byte(StackJWTSecret), auth.Claims{UserID: m.UserID, Email: m.Email, Role: m.Role, DisplayName: m.DisplayName}, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// NewRequest is one API request as a member's client sends it: token, when
// not empty, as a Bearer token; body, when not empty, as JSON. Extra headers
// come in name, value pairs; an empty value removes the header (e.g.
// "Content-Type", "" sends a body without one).
func NewRequest(method, path, token, body string, headers ...string) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	return req
}
