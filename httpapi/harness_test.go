package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard/auth"
	"github.com/thebabesclub/dashboard/bolt"
	"github.com/thebabesclub/dashboard/export"
	"github.com/thebabesclub/dashboard/httpapi"
	"github.com/thebabesclub/dashboard/internal/apitest"
	"github.com/thebabesclub/dashboard/internal/logtest"
	"github.com/thebabesclub/dashboard/internal/mailpittest"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/internal/storetest"
	"github.com/thebabesclub/dashboard/internal/stripetest"
	"github.com/thebabesclub/dashboard/nfts"
	"github.com/thebabesclub/dashboard/orders"
	"github.com/thebabesclub/dashboard/profile"
	"github.com/thebabesclub/dashboard/queue"
)

// TestMain stops the Mailpit the tests may have started.
func TestMain(m *testing.M) {
	code := m.Run()
	mailpittest.Stop()
	os.Exit(code)
}

// The secrets of the API under test (apitest.Stack's).
var testSecret = []byte(apitest.StackJWTSecret)

const (
	nftWebhookSecret = apitest.StackNFTWebhookSecret
	webhookSecret    = apitest.StackWebhookSecret
)

// harness is the API over the embedded store (apitest.Stack), in memory of
// this process: handler tests need no DynamoDB Local. DynamoDB's side of the
// same routes is the store conformance suite's and the dynamo package's.
type harness struct {
	t      testing.TB
	store  storetest.RawStore
	server *httpapi.Server
	client *apitest.Client
	logs   *logtest.Buffer
	// stripe is the Stateful Stripe fake the orders service talks to
	// through the real adapter; queue is the real in-process refresh queue.
	stripe   *stripetest.Server
	profiles *profile.Service
	orders   *orders.Service
	queue    *queue.Local
	// market is the marketplace fake (OpenSea's API) behind the real adapter.
	market *markettest.Server
	nfts   *nfts.Service
	export *export.Service
}

// openStore opens an empty embedded store in the test's folder.
func openStore(t testing.TB) storetest.RawStore {
	s, err := bolt.Open(filepath.Join(t.TempDir(), "dashboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newTestHarness is the usual harness: a fresh store, the default auth.
func newTestHarness(t testing.TB) *harness {
	return newHarness(t, openStore(t), nil)
}

// newHarness builds a server over store; adjust may change the auth config.
func newHarness(t testing.TB, store storetest.RawStore, adjust func(*auth.Config)) *harness {
	t.Helper()
	st := apitest.NewStack(t, store, adjust)
	return &harness{t: t, store: store, server: st.Server, client: st.Client, logs: st.Logs, stripe: st.Stripe,
		profiles: st.Profiles, orders: st.Orders, queue: st.Queue, market: st.Market, nfts: st.NFTs, export: st.Export}
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
	resp, raw := h.client.Do(apitest.NewRequest(method, path, token, body, headers...))
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
