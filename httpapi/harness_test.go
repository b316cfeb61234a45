package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dashboard "github.com/thebabesclub/dashboard"

	"github.com/thebabesclub/dashboard/auth"
	"github.com/thebabesclub/dashboard/bolt"
	"github.com/thebabesclub/dashboard/cursor"
	"github.com/thebabesclub/dashboard/dynamo"
	"github.com/thebabesclub/dashboard/httpapi"
	"github.com/thebabesclub/dashboard/internal/apitest"
	"github.com/thebabesclub/dashboard/internal/dynamotest"
	"github.com/thebabesclub/dashboard/internal/logtest"
	"github.com/thebabesclub/dashboard/internal/mailpittest"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/internal/storetest"
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

// TestMain stops the DynamoDB Local and the Mailpit the tests may have started.
func TestMain(m *testing.M) {
	code := m.Run()
	mailpittest.Stop()
	dynamotest.Stop()
	os.Exit(code)
}

var testSecret = []byte("test-secret-0123456789abcdef0123456789abcdef")

// harness is one API server on one store, with a validating client.
type harness struct {
	t      testing.TB
	store  storetest.RawStore
	server *httpapi.Server
	client *apitest.Client
	logs   *logtest.Buffer
	// stripe is the Stateful Stripe fake the orders service talks to
	// through the real adapter; queue is the real in-process refresh queue.
	stripe *stripetest.Server
	orders *orders.Service
	queue  *queue.Local
	// market is the marketplace fake (OpenSea's API) behind the real adapter.
	market *markettest.Server
	nfts   *nfts.Service
}

// nftWebhookSecret signs the marketplace fake's webhook deliveries.
const nftWebhookSecret = "nft-webhook-secret-0123456789"

// webhookSecret signs the Stripe fake's webhook deliveries.
const webhookSecret = "whsec_test_0123456789abcdef"

// storeKinds opens each real store the API runs on.
var storeKinds = map[string]func(t testing.TB) storetest.RawStore{
	"bolt": func(t testing.TB) storetest.RawStore {
		s, err := bolt.Open(filepath.Join(t.TempDir(), "dashboard.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	},
	"dynamo": func(t testing.TB) storetest.RawStore {
		client, table := dynamotest.NewTable(t)
		return dynamo.New(client, table)
	},
}

// forEachStore runs fn once per store kind.
func forEachStore(t *testing.T, fn func(t *testing.T, h *harness)) {
	for _, kind := range []string{"bolt", "dynamo"} {
		t.Run(kind, func(t *testing.T) {
			fn(t, newHarness(t, storeKinds[kind](t), nil))
		})
	}
}

// newHarness builds a server over store; adjust may change the auth config.
func newHarness(t testing.TB, store storetest.RawStore, adjust func(*auth.Config)) *harness {
	t.Helper()
	cfg := auth.Config{Secret: testSecret}
	if adjust != nil {
		adjust(&cfg)
	}
	v, err := auth.NewVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logs := &logtest.Buffer{}
	logger := obs.NewLogger(logs, "debug")
	fake := stripetest.New(t)
	payments, err := stripe.New(stripe.Config{
		SecretKey: "sk_test_harness", WebhookSecret: webhookSecret, APIBase: fake.URL(), MaxRPS: -1, MaxRetries: 2,
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() },
	})
	if err != nil {
		t.Fatal(err)
	}
	ord := &orders.Service{Store: store, Payments: payments, Cursors: cursor.NewSigner(testSecret), Logger: logger}
	market := markettest.NewOpenSea(t)
	mk, err := marketplace.New(marketplace.Config{Provider: "opensea", BaseURL: market.URL(), APIKey: market.APIKey(), MaxRPS: -1, MaxRetries: 1,
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	nft := &nfts.Service{Store: store, Market: mk, Webhooks: marketplace.Webhooks{Secret: []byte(nftWebhookSecret)},
		Cursors: cursor.NewSigner(testSecret), ChainID: 1, Logger: logger,
		SiteOrigin: &url.URL{Scheme: "https", Host: "dashboard.babesclub.example"}}
	refresh := func(ctx context.Context, r dashboard.RefreshRequest) error {
		if r.Kind == dashboard.SyncNFT {
			return nft.Refresh(ctx, r)
		}
		return ord.Refresh(ctx, r)
	}
	// Mail goes to an outbox folder unless a test asks for Mailpit.
	outbox, err := mail.NewOutbox(filepath.Join(t.TempDir(), "outbox"), mail.DefaultFrom, logger)
	if err != nil {
		t.Fatal(err)
	}
	q := queue.NewLocal(refresh, queue.LocalOptions{Logger: logger, Collapse: -1})
	t.Cleanup(func() { q.Close(context.Background()) })
	srv := &httpapi.Server{
		Profiles:       &profile.Service{Store: store, Logger: logger, Mailer: outbox, CodeKey: profile.NewCodeKey(testSecret)},
		Orders:         ord,
		NFTs:           nft,
		Refresh:        q,
		Verifier:       v,
		Logger:         logger,
		AllowedOrigins: []string{"https://dashboard.babesclub.example"},
		InternalToken:  "internal-token-0123456789abcdef0123456789",
	}
	h := &harness{t: t, store: store, server: srv, logs: logs, stripe: fake, orders: ord, queue: q, market: market, nfts: nft}
	h.client = apitest.NewValidator(t).Client(t, srv.Handler())
	return h
}

// member returns a fresh member id (32 hex digits, as the identity service
// issues) with a valid token.
func (h *harness) member(email string) (id, token string) {
	h.t.Helper()
	id = newMemberID()
	tok, err := auth.Sign(testSecret, auth.Claims{UserID: id, Email: email, Role: "customer", DisplayName: "Member " + id[:4]}, time.Now(), time.Hour)
	if err != nil {
		h.t.Fatal(err)
	}
	return id, tok
}

// response is a decoded API answer.
type response struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// do sends one request; body "" sends none. Extra headers come in pairs.
func (h *harness) do(method, path, token, body string, headers ...string) response {
	h.t.Helper()
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
	resp, raw := h.client.Do(req)
	r := response{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			h.t.Fatalf("%s %s: body is not a JSON object: %q", method, path, raw)
		}
	}
	return r
}

// profile returns the "profile" object of a response.
func (r response) profile(t *testing.T) map[string]any {
	t.Helper()
	p, ok := r.body["profile"].(map[string]any)
	if !ok {
		t.Fatalf("no profile in %d %s", r.status, r.raw)
	}
	return p
}

// wantError checks a contract error response.
func (r response) wantError(t *testing.T, status int, code string) {
	t.Helper()
	if r.status != status || r.body["code"] != code {
		t.Fatalf("got %d %s, want %d with code %q", r.status, r.raw, status, code)
	}
	if msg, _ := r.body["error"].(string); msg == "" {
		t.Fatalf("error body without a message: %s", r.raw)
	}
}

// rawProfile returns the stored profile item in a canonical byte form.
func (h *harness) rawItem(pk, sk string) []byte {
	h.t.Helper()
	item, err := h.store.RawItem(context.Background(), pk, sk)
	if err != nil {
		h.t.Fatal(err)
	}
	if item == nil {
		return nil
	}
	b, err := json.Marshal(item)
	if err != nil {
		h.t.Fatal(err)
	}
	return b
}

// putIdentityProfile writes a profile item the way the identity service
// does at sign-up, with the attributes only it owns.
func (h *harness) putIdentityProfile(id, email string) {
	h.t.Helper()
	err := h.store.PutRawItem(context.Background(), map[string]any{
		"PK": "USER#" + id, "SK": "PROFILE", "userId": id, "email": email,
		"passwordHash": "pbkdf2$c2VjcmV0aGFzaA==", "passwordSalt": "c2FsdA==", "hashAlgorithm": "pbkdf2-sha256",
		"hashIterations": 310000, "status": "active", "roles": []any{"customer"},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.store.PutRawItem(context.Background(), map[string]any{
		"PK": "EMAIL#" + strings.ToLower(email), "SK": "LOOKUP", "userId": id, "email": email,
	}); err != nil {
		h.t.Fatal(err)
	}
}

var _ dashboard.Store = storetest.RawStore(nil)

// countedDynamo opens a DynamoDB store whose calls are counted.
func countedDynamo(t testing.TB, opts ...func(*dynamodb.Options)) (storetest.RawStore, *dynamotest.Counter) {
	c := &dynamotest.Counter{}
	client, table := dynamotest.NewTable(t, append([]func(*dynamodb.Options){c.Option()}, opts...)...)
	return dynamo.New(client, table), c
}
