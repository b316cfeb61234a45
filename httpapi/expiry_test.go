package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/auth"
	"github.com/thebabesclub/dashboard/internal/clocktest"
)

// TestUpstreamMemberExpires is the Lambda mode of finding 4 (issue 10): the
// member comes from an upstream authorizer (API Gateway's, possibly from
// its cache) with the token's exp. Past exp + 60 s of leeway the request is
// refused with the same 401 as a bad token, and nothing is written; before
// that it is served. A member whose expiry is unknown is refused too.
func TestUpstreamMemberExpires(t *testing.T) {
	h := newTestHarness(t)
	const id = "0123456789abcdef0123456789abcdef"
	issued := time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC)
	exp := issued.Add(15 * time.Minute)
	clk := clocktest.NewClock(issued)
	h.server.Now = clk.Now
	member := dashboard.Member{UserID: id, Email: "ctx@example.com", Role: "customer", ExpiresAt: exp}
	h.server.Authorizer = func(*http.Request) (dashboard.Member, bool) { return member, true }

	put := func(name string) response {
		t.Helper()
		return h.do("PUT", "/dashboard/profile", "", `{"displayName":"`+name+`"}`)
	}
	if r := put("Fresh"); r.status != 200 {
		t.Fatalf("fresh: %d %s", r.status, r.raw)
	}
	clk.Set(exp.Add(auth.DefaultLeeway - time.Second))
	if r := put("Within leeway"); r.status != 200 {
		t.Fatalf("within the leeway: %d %s", r.status, r.raw)
	}
	before := h.rawItem("USER#"+id, "PROFILE")

	for _, now := range []time.Time{exp.Add(auth.DefaultLeeway), exp.Add(5 * time.Minute), exp.Add(30 * 24 * time.Hour)} {
		clk.Set(now)
		for _, r := range []response{put("Stale"), h.do("POST", "/dashboard/update-profile", "", `{"displayName":"Stale"}`),
			h.do("GET", "/dashboard/profile", "", ""), h.do("GET", "/dashboard/orders", "", "")} {
			r.wantError(t, 401, "unauthorized")
			if r.body["error"] != "A valid member token is required." || r.header.Get("WWW-Authenticate") != `Bearer realm="dashboard"` {
				t.Errorf("%v past exp: %s %v; want the same 401 as a bad token", now.Sub(exp), r.raw, r.header)
			}
		}
	}
	if after := h.rawItem("USER#"+id, "PROFILE"); string(after) != string(before) {
		t.Errorf("an expired member changed the profile:\n before %s\n after  %s", before, after)
	}

	// Unknown expiry: refused, whatever the clock says.
	clk.Set(issued)
	member.ExpiresAt = time.Time{}
	h.do("GET", "/dashboard/profile", "", "").wantError(t, 401, "unauthorized")
}

// TestTokenMemberCarriesItsExpiry: locally the member comes from the
// Verifier, whose claims now carry exp into the member, and the middleware
// holds it to the server's clock as on Lambda. The verifier's clock stays
// at issue time here, so only the middleware can refuse.
func TestTokenMemberCarriesItsExpiry(t *testing.T) {
	issued := time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC)
	verifierClock, serverClock := clocktest.NewClock(issued), clocktest.NewClock(issued)
	h := newHarness(t, openStore(t), func(cfg *auth.Config) { cfg.Now = verifierClock.Now })
	h.server.Now = serverClock.Now
	const id = "fedcba9876543210fedcba9876543210"
	tok, err := auth.Sign(testSecret, auth.Claims{UserID: id, Email: "tok@example.com", Role: "customer"}, issued, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if r := h.do("GET", "/dashboard/profile", tok, ""); r.status != 200 {
		t.Fatalf("fresh token: %d %s", r.status, r.raw)
	}
	serverClock.Set(issued.Add(time.Hour + auth.DefaultLeeway))
	h.do("GET", "/dashboard/profile", tok, "").wantError(t, 401, "unauthorized")
}
