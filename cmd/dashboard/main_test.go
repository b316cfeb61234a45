package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard/auth"
	"github.com/thebabesclub/dashboard/bolt"
	"github.com/thebabesclub/dashboard/demo"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestTokenCommand(t *testing.T) {
	secret := "cli-secret-0123456789abcdef0123456789abcdef"
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"token", "--user", "0123456789abcdef0123456789abcdef", "--email", "a@b.co", "--name", "Ann", "--ttl", "1h"},
		env(map[string]string{"JWT_SECRET": secret, "JWT_ISSUER": "https://id.babesclub.example"}), &out, &errOut)
	if err != nil {
		t.Fatalf("token: %v (%s)", err, errOut.String())
	}
	v, err := auth.NewVerifier(auth.Config{Secret: []byte(secret), Issuer: "https://id.babesclub.example"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := v.Verify(strings.TrimSpace(out.String()))
	if err != nil {
		t.Fatalf("printed token does not verify: %v", err)
	}
	if c.UserID != "0123456789abcdef0123456789abcdef" || c.Email != "a@b.co" || c.DisplayName != "Ann" || time.Until(c.ExpiresAt) > time.Hour {
		t.Errorf("claims = %+v", c)
	}
}

func TestTokenCommandRefuses(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		env  map[string]string
	}{
		"no user":   {[]string{"token"}, map[string]string{"JWT_SECRET": "s"}},
		"no secret": {[]string{"token", "--user", "u"}, nil},
		"bad ttl":   {[]string{"token", "--user", "u", "--ttl", "-1h"}, map[string]string{"JWT_SECRET": "s"}},
	} {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), tc.args, env(tc.env), &out, &errOut); err == nil || out.Len() != 0 {
			t.Errorf("%s: err = %v, printed %q", name, err, out.String())
		}
	}
}

// TestServeDemo runs `dashboard serve --demo` in-process on a free port and
// uses the token it prints, as a person following the README would.
func TestServeDemo(t *testing.T) {
	srv := startServe(t)
	base, token, out := srv.base, srv.token, srv.out.String()
	if !strings.Contains(out, base+"/#demo-token="+token) {
		t.Errorf("no sign-in URL in %q", out)
	}

	req, _ := http.NewRequest("GET", base+"/dashboard/profile", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Profile map[string]any `json:"profile"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != 200 || body.Profile["userId"] != demo.Member.UserID || body.Profile["preferredWallet"] != demo.Wallet ||
		body.Profile["shippingAddress"] == nil {
		t.Fatalf("demo profile = %d %v", resp.StatusCode, body.Profile)
	}

	if err := srv.stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	// The seed is in the store: a dozen orders and a few NFTs.
	s, err := bolt.Open(filepath.Join(srv.data, "dashboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	page, err := s.ListOrders(context.Background(), demo.Member.UserID, 100, "")
	if err != nil || len(page.Orders) != 12 {
		t.Errorf("demo orders = %d, %v", len(page.Orders), err)
	}
	nfts, err := s.ListHoldings(context.Background(), demo.Member.UserID, "", 100, "")
	if err != nil || len(nfts.Holdings) < 3 {
		t.Errorf("demo NFTs = %d, %v", len(nfts.Holdings), err)
	}
	if strings.Contains(srv.errOut.String(), token) {
		t.Error("the token reached the log")
	}
}
