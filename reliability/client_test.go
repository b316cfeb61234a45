package reliability

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard/auth"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/internal/stripetest"
)

// Secrets the servers under test are configured with.
const (
	jwtSecret        = "reliability-jwt-secret-0123456789abcdef"
	internalToken    = "reliability-internal-token-0123456789abcdef"
	webhookSecret    = "whsec_reliability_0123456789abcdef"
	nftWebhookSecret = "reliability-nft-webhook-secret-0123"
)

// serverEnv is the environment of a server wired to the two fakes. The
// rate limit is raised above Stripe's default so that the write storm's
// webhooks measure the store, not the limiter.
func serverEnv(stripeURL, marketURL string) map[string]string {
	return map[string]string{
		"JWT_SECRET":            jwtSecret,
		"INTERNAL_TOKEN":        internalToken,
		"STRIPE_SECRET":         "sk_test_reliability",
		"STRIPE_WEBHOOK_SECRET": webhookSecret,
		"STRIPE_API_BASE":       stripeURL,
		"STRIPE_MAX_RPS":        "1000",
		"NFT_PROVIDER":          markettest.OpenSea,
		"NFT_API_BASE_URL":      marketURL,
		"NFT_API_KEY":           markettest.DefaultAPIKey,
		"NFT_WEBHOOK_SECRET":    nftWebhookSecret,
		"LOG_LEVEL":             "info",
	}
}

// member is one signed-in member.
type member struct {
	ID, Email, Token string
}

// newMember returns a fresh member id (32 hex digits, as the identity
// service issues them) with a token valid for a day.
func newMember(t testing.TB) member {
	t.Helper()
	var b [16]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	email := "m" + id[:10] + "@example.com"
	tok, err := auth.Sign([]byte(jwtSecret), auth.Claims{UserID: id, Email: email, Role: "customer", DisplayName: "Member " + id[:4]},
		time.Now(), 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return member{ID: id, Email: email, Token: tok}
}

// wallet returns a distinct EVM address for member number i.
func wallet(i int) string { return fmt.Sprintf("0x%040x", 0xba6e5000+i) }

// api talks to one server over real HTTP.
type api struct {
	base   string
	client *http.Client
}

// newAPI returns a client for base whose connection pool is large enough
// for the load tests (so no request waits for, or churns, a connection).
// Its timeout only turns a hung request into a failure: a soak's backlog on
// a loaded machine can keep a request waiting for many seconds, which is
// not what the suite asserts on, so it is two minutes.
func newAPI(base string) *api {
	tr := &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: 90 * time.Second}
	return &api{base: base, client: &http.Client{Transport: tr, Timeout: 2 * time.Minute}}
}

// close drops the pool's idle connections.
func (a *api) close() { a.client.CloseIdleConnections() }

// reply is one decoded answer.
type reply struct {
	Status int
	Header http.Header
	Raw    []byte
	Body   map[string]any
}

// do sends one request. token "" sends no Authorization; headers come in
// pairs. A transport failure is returned as the error; a body that is not
// JSON is an error too (every route answers JSON).
func (a *api) do(method, path, token, body string, headers ...string) (reply, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		return reply{}, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	r := reply{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.Body); err != nil {
			return r, fmt.Errorf("%s %s: %d with a body that is not a JSON object: %q", method, path, r.Status, raw)
		}
	}
	return r, nil
}

// must sends one request that has to succeed with want.
func (a *api) must(t testing.TB, want int, method, path, token, body string, headers ...string) reply {
	t.Helper()
	r, err := a.do(method, path, token, body, headers...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if r.Status != want {
		t.Fatalf("%s %s = %d %s, want %d", method, path, r.Status, r.Raw, want)
	}
	return r
}

// deliver posts a Stripe event signed now, as Stripe would.
func (a *api) deliver(payload []byte) (reply, error) {
	return a.do("POST", "/webhooks/stripe", "", string(payload), "Stripe-Signature", stripetest.SignWebhook(webhookSecret, payload, time.Now()))
}

// internal calls an internal route.
func (a *api) internal(path, body string) (reply, error) {
	return a.do("POST", path, "", body, "X-Internal-Token", internalToken)
}

// orderIDs lists every order of m, following nextCursor, pageSize at a time.
func (a *api) orderIDs(t testing.TB, m member, pageSize int) []string {
	t.Helper()
	var ids []string
	cur := ""
	for page := 0; ; page++ {
		if page > 10000 {
			t.Fatal("order pagination does not end")
		}
		path := fmt.Sprintf("/dashboard/orders?limit=%d", pageSize)
		if cur != "" {
			path += "&cursor=" + cur
		}
		r := a.must(t, 200, "GET", path, m.Token, "")
		list, _ := r.Body["orders"].([]any)
		for _, o := range list {
			id, _ := o.(map[string]any)["orderId"].(string)
			ids = append(ids, id)
		}
		next, _ := r.Body["nextCursor"].(string)
		if next == "" {
			return ids
		}
		cur = next
	}
}

// checkoutEvent is a checkout.session.completed event for a paid session of
// m, and the session to add to the Stripe fake.
func checkoutEvent(m member, sessionID string, created time.Time) (stripetest.Session, []byte) {
	sess := stripetest.NewSession(sessionID, created).WithUserID(m.ID).WithItem("Babes Tee", 1, 3200).Paid()
	return sess, stripetest.Event{ID: "evt_" + strings.TrimPrefix(sessionID, "cs_"), Type: "checkout.session.completed", Object: sess, Created: created}.Payload()
}
