package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"

	"github.com/thebabesclub/dashboard/auth"
	"github.com/thebabesclub/dashboard/internal/authtest"
)

// TestHostileTokens sends every hostile token to every member route: each
// must get 401 with the contract's error body, never a 500 and never data.
func TestHostileTokens(t *testing.T) {
	prev := []byte("previous-secret-0123456789abcdef0123456789")
	base := auth.Config{Secret: testSecret, PreviousSecret: prev}
	cases := authtest.HostileCases(base, prev)
	if len(cases) < 25 {
		t.Fatalf("only %d hostile cases", len(cases))
	}
	store := openStore(t)
	routes := [][2]string{
		{"GET", "/dashboard/profile"},
		{"PUT", "/dashboard/profile"},
		{"POST", "/dashboard/update-profile"},
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			h := newHarness(t, store, func(cfg *auth.Config) {
				cfg.PreviousSecret = prev
				if c.Adjust != nil {
					c.Adjust(cfg)
				}
			})
			for _, rt := range routes {
				body := ""
				if rt[0] != "GET" {
					body = `{"displayName": "Intruder"}`
				}
				r := h.do(rt[0], rt[1], "", body, "Authorization", c.Header)
				r.wantError(t, 401, "unauthorized")
				if r.header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
			}
		})
	}
}

// TestValidTokenOpensRoutes guards the table above: the same server accepts
// a good token, so the 401s are about the tokens.
func TestValidTokenOpensRoutes(t *testing.T) {
	prev := []byte("previous-secret-0123456789abcdef0123456789")
	h := newHarness(t, openStore(t), func(cfg *auth.Config) { cfg.PreviousSecret = prev })
	header := authtest.ValidToken(auth.Config{Secret: testSecret}, "0123456789abcdef0123456789abcdef")
	r := h.do("GET", "/dashboard/profile", "", "", "Authorization", header)
	if r.status != 200 || r.profile(t)["userId"] != "0123456789abcdef0123456789abcdef" {
		t.Fatalf("valid token = %d %s", r.status, r.raw)
	}
}

func TestTwoAuthorizationHeadersAreRefused(t *testing.T) {
	h := newTestHarness(t)
	_, tok := h.member("two@example.com")
	req := httptest.NewRequest("GET", "/dashboard/profile", nil)
	req.Header.Add("Authorization", "Bearer "+tok)
	req.Header.Add("Authorization", "Bearer "+tok)
	resp, _ := h.client.Do(req)
	if resp.StatusCode != 401 {
		t.Fatalf("got %d", resp.StatusCode)
	}
}

// TestAuthorizerContext checks the Lambda mode: the member comes from the
// upstream authorizer, never from a token or the request.
func TestAuthorizerContext(t *testing.T) {
	h := newTestHarness(t)
	const id = "0123456789abcdef0123456789abcdef"
	h.server.Authorizer = func(r *http.Request) (dashboard.Member, bool) {
		if r.Header.Get("X-Test-Authorized") != "yes" {
			return dashboard.Member{}, false
		}
		return dashboard.Member{UserID: id, Email: "ctx@example.com", ExpiresAt: time.Now().Add(time.Hour)}, true
	}
	r := h.do("GET", "/dashboard/profile", "", "", "X-Test-Authorized", "yes")
	if r.status != 200 || r.profile(t)["userId"] != id {
		t.Fatalf("authorized = %d %s", r.status, r.raw)
	}
	// A valid token does not stand in for the authorizer.
	_, tok := h.member("token@example.com")
	h.do("GET", "/dashboard/profile", tok, "").wantError(t, 401, "unauthorized")
}
