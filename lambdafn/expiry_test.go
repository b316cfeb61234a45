package lambdafn_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/app"
	"github.com/thebabesclub/dashboard/auth"
	"github.com/thebabesclub/dashboard/internal/clocktest"
)

// gatewayContext is what API Gateway puts in requestContext.authorizer of
// the proxy event from an authorizer's Allow answer, on every request it
// answers from its cache for the TTL: the context with each value turned
// into a string, plus the principalId.
func gatewayContext(t *testing.T, resp events.APIGatewayCustomAuthorizerResponse) map[string]any {
	t.Helper()
	out := map[string]any{"principalId": resp.PrincipalID, "integrationLatency": 2}
	for k, v := range resp.Context {
		switch v.(type) {
		case string, bool, float64, int, int64:
			out[k] = fmt.Sprint(v)
		default:
			t.Fatalf("context %s = %#v: API Gateway takes only strings, numbers and booleans", k, v)
		}
	}
	return out
}

// TestCachedAuthorizerDecisionDiesWithTheToken is finding 4 of issue 10,
// end to end in one process: the real authorizer handler allows a token,
// and API Gateway replays its answer (context included) from the cache on
// later requests. Once the clock passes the token's exp + 60 s of leeway,
// the function refuses with the contract's 401 and writes nothing, though
// the cached Allow is still there; until then it serves. Both sides share
// one injected clock, so nothing depends on how fast the machine is.
func TestCachedAuthorizerDecisionDiesWithTheToken(t *testing.T) {
	ctx := context.Background()
	issued := time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC)
	clk := clocktest.NewClock(issued)

	// The authorizer, as TokenAuthorizer builds it, on the shared clock.
	authFn, _, logs := newTestFunction(t, "authorizer", nil)
	cfg := auth.Config{Secret: []byte(jwtSecret), Now: clk.Now}
	v, err := auth.NewVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	authorize := authFn.Authorizer(v)
	const ttl = 15 * time.Minute
	tok, err := auth.Sign(cfg.Secret, auth.Claims{UserID: memberA, Email: "member-012345@example.com", Role: "customer",
		DisplayName: "Test Member"}, issued, ttl)
	if err != nil {
		t.Fatal(err)
	}
	decision, err := authorize(ctx, events.APIGatewayCustomAuthorizerRequest{
		Type: "TOKEN", AuthorizationToken: "Bearer " + tok, MethodArn: testAPIArn + "/PUT/dashboard/profile"})
	if err != nil {
		t.Fatalf("fresh token refused: %v", err)
	}
	cached := gatewayContext(t, decision)

	// The update-profile function, as API builds it, on an embedded store
	// (the store is not what is under test) and the same clock.
	env := map[string]string{"CURSOR_SECRET": cursorSecret}
	fn, _, _ := newTestFunction(t, "update-profile", env)
	a, err := app.New(ctx, func(k string) string { return env[k] }, t.TempDir(), logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Store.Close() })
	srv, err := fn.Server(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	srv.Now = clk.Now
	h := fn.HTTP(srv.Handler())
	put := func(name string) events.APIGatewayProxyResponse {
		t.Helper()
		resp, err := h(ctx, apiEvent("PUT", "/dashboard/profile", cached, `{"displayName":"`+name+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	stored := func() string {
		t.Helper()
		p, err := a.Store.GetProfile(ctx, memberA)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(p)
		return string(b)
	}

	if resp := put("Fresh"); resp.StatusCode != 200 {
		t.Fatalf("fresh token: %d %s", resp.StatusCode, resp.Body)
	}
	// Past exp but within the leeway the verifier allows too: still served.
	clk.Set(issued.Add(ttl + auth.DefaultLeeway - time.Second))
	if resp := put("Within leeway"); resp.StatusCode != 200 {
		t.Fatalf("within the leeway: %d %s", resp.StatusCode, resp.Body)
	}
	before := stored()

	// Past exp + leeway, API Gateway still answers from its cache; the
	// function must not.
	for _, late := range []time.Duration{ttl + auth.DefaultLeeway, ttl + 4*time.Minute, 24 * time.Hour} {
		clk.Set(issued.Add(late))
		resp := put("Stale")
		var body map[string]any
		_ = json.Unmarshal([]byte(resp.Body), &body)
		if resp.StatusCode != 401 || body["code"] != "unauthorized" || body["error"] != "A valid member token is required." ||
			len(body) != 2 || resp.MultiValueHeaders["Www-Authenticate"] == nil {
			t.Errorf("%v after issue: %d %v %s; want the contract's 401", late, resp.StatusCode, resp.MultiValueHeaders, resp.Body)
		}
		get, err := h(ctx, apiEvent("GET", "/dashboard/profile", cached, ""))
		if err != nil || get.StatusCode != 401 {
			t.Errorf("%v after issue, GET: %d %s %v", late, get.StatusCode, get.Body, err)
		}
	}
	if after := stored(); after != before {
		t.Errorf("an expired token changed the profile:\n before %s\n after  %s", before, after)
	}
	// The authorizer itself refuses the token by then, so no new Allow can
	// be cached for it.
	if _, err := authorize(ctx, events.APIGatewayCustomAuthorizerRequest{
		Type: "TOKEN", AuthorizationToken: "Bearer " + tok, MethodArn: testAPIArn + "/PUT/dashboard/profile"}); err == nil {
		t.Error("the authorizer allowed an expired token")
	}
}

// TestMemberExpiryOnTheAPIGatewayPath checks the same refusal with the
// context API Gateway builds, for every member route, from the wall clock:
// a token that expired an hour ago (it only gets older while the test runs)
// and one minted now for an hour.
func TestMemberExpiryOnTheAPIGatewayPath(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"CURSOR_SECRET": cursorSecret}
	fn, _, logs := newTestFunction(t, "get-profile", env)
	a, err := app.New(ctx, func(k string) string { return env[k] }, t.TempDir(), logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Store.Close() })
	srv, err := fn.Server(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	h := fn.HTTP(srv.Handler())
	for _, route := range [][2]string{
		{"GET", "/dashboard/profile"}, {"PUT", "/dashboard/profile"}, {"POST", "/dashboard/update-profile"},
		{"GET", "/dashboard/orders"}, {"GET", "/dashboard/orders/cs_test_a1b2"}, {"GET", "/dashboard/nfts"},
		{"POST", "/dashboard/wallet/challenge"}, {"POST", "/dashboard/wallet/verify"},
		{"GET", "/dashboard/emails"}, {"POST", "/dashboard/emails"}, {"POST", "/dashboard/emails/verify"},
		{"DELETE", "/dashboard/emails/late@example.com"}, {"GET", "/dashboard/export"},
		{"GET", "/dashboard/wallets"}, {"POST", "/dashboard/wallets/challenge"}, {"POST", "/dashboard/wallets/verify"},
		{"DELETE", "/dashboard/wallets/0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"},
	} {
		body := ""
		if route[0] != "GET" {
			body = `{"displayName":"Late"}`
		}
		resp, err := h(ctx, apiEvent(route[0], route[1], expiringContext(memberA, time.Now().Add(-time.Hour)), body))
		if err != nil || resp.StatusCode != http.StatusUnauthorized || !bytes.Contains([]byte(resp.Body), []byte(`"code":"unauthorized"`)) {
			t.Errorf("%s %s with an expired token: %d %s %v", route[0], route[1], resp.StatusCode, resp.Body, err)
		}
	}
	if _, err := a.Store.GetProfile(ctx, memberA); dashboard.ErrorCode(err) != dashboard.ENOTFOUND {
		t.Errorf("an expired token wrote a profile: %v", err)
	}
	resp, err := h(ctx, apiEvent("GET", "/dashboard/profile", memberContext(memberA), ""))
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("fresh token: %d %s %v", resp.StatusCode, resp.Body, err)
	}
}
