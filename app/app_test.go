package app_test

import (
	"context"
	"io"
	"strings"
	"testing"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/app"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/internal/storetest"
)

const memberID = "0123456789abcdef0123456789abcdef"

// newApp builds the app on an embedded store from env.
func newApp(t *testing.T, env map[string]string) (*app.App, error) {
	t.Helper()
	a, err := app.New(context.Background(), func(k string) string { return env[k] }, t.TempDir(), io.Discard)
	if err == nil {
		t.Cleanup(func() { a.Store.Close() })
	}
	return a, err
}

// TestEnabledFlagsTurnRefreshesOnWithoutKeys (issue 10, finding 6): on AWS
// list-orders and list-nfts hold no Stripe or marketplace key, only
// STRIPE_ENABLED / NFT_ENABLED. With the flag a stale list still says
// "refreshing" and carries the refresh for the worker that holds the key;
// without flag or key it does not, and the process never holds a client.
func TestEnabledFlagsTurnRefreshesOnWithoutKeys(t *testing.T) {
	ctx := context.Background()
	m := dashboard.Member{UserID: memberID, Email: "m@example.com"}
	for _, tc := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, false},
		{map[string]string{"STRIPE_ENABLED": "false", "NFT_ENABLED": "false"}, false},
		{map[string]string{"STRIPE_ENABLED": "true", "NFT_ENABLED": "true"}, true},
		{map[string]string{"STRIPE_ENABLED": "1", "NFT_ENABLED": "TRUE"}, true},
	} {
		a, err := newApp(t, tc.env)
		if err != nil {
			t.Fatalf("%v: %v", tc.env, err)
		}
		if a.Stripe != tc.want || a.Market != tc.want || a.Orders.Payments != nil || a.NFTs.Market != nil {
			t.Errorf("%v: Stripe %v, Market %v, clients %v %v", tc.env, a.Stripe, a.Market, a.Orders.Payments, a.NFTs.Market)
		}
		orders, err := a.Orders.List(ctx, m, 20, "")
		if err != nil {
			t.Fatal(err)
		}
		if orders.Refreshing != tc.want || (orders.Refresh != nil) != tc.want {
			t.Errorf("%v: orders refreshing %v (refresh %+v), want %v", tc.env, orders.Refreshing, orders.Refresh, tc.want)
		}
		// A member with a wallet, never synced.
		raw := a.Store.(storetest.RawStore)
		if err := raw.PutRawItem(ctx, map[string]any{"PK": "USER#" + memberID, "SK": "PROFILE", "userId": memberID,
			"email": "m@example.com", "preferredWallet": "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"}); err != nil {
			t.Fatal(err)
		}
		holdings, err := a.NFTs.List(ctx, m, "", 20, "")
		if err != nil {
			t.Fatal(err)
		}
		if holdings.Refreshing != tc.want || (holdings.Refresh != nil) != tc.want {
			t.Errorf("%v: NFTs refreshing %v (refresh %+v), want %v", tc.env, holdings.Refreshing, holdings.Refresh, tc.want)
		}
	}
	for _, bad := range []string{"STRIPE_ENABLED", "NFT_ENABLED"} {
		if _, err := newApp(t, map[string]string{bad: "yes please"}); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%s=yes please: %v, want an error naming it", bad, err)
		}
	}
}

// TestAppSecret: CURSOR_SECRET, else JWT_SECRET, else a random key; a short
// CURSOR_SECRET is refused.
func TestAppSecret(t *testing.T) {
	get := func(env map[string]string) func(string) string { return func(k string) string { return env[k] } }
	cursor := strings.Repeat("c", app.MinCursorSecretBytes)
	if k, err := app.AppSecret(get(map[string]string{"CURSOR_SECRET": cursor, "JWT_SECRET": "j"})); err != nil || string(k) != cursor {
		t.Errorf("with CURSOR_SECRET: %q %v", k, err)
	}
	if k, err := app.AppSecret(get(map[string]string{"JWT_SECRET": "j"})); err != nil || string(k) != "j" {
		t.Errorf("with JWT_SECRET only: %q %v", k, err)
	}
	if _, err := app.AppSecret(get(map[string]string{"CURSOR_SECRET": cursor[1:]})); err == nil {
		t.Error("a short CURSOR_SECRET was accepted")
	}
	k1, err1 := app.AppSecret(get(nil))
	k2, err2 := app.AppSecret(get(nil))
	if err1 != nil || err2 != nil || len(k1) < 32 || string(k1) == string(k2) {
		t.Errorf("random keys %x %x (%v %v)", k1, k2, err1, err2)
	}
}

// TestNFTWebhookSecretOpensTheWebhook: NFT_WEBHOOK_SECRET alone (no
// marketplace key, as the nft-webhook function has) gives the NFT service
// its webhook verifier keyed with that secret; without it the route does not
// exist.
func TestNFTWebhookSecretOpensTheWebhook(t *testing.T) {
	body := []byte(`{"type":"NFT_ACTIVITY","event":{"activity":[{"fromAddress":"0x2c7536e3605d9c16a7a3d7b1898e529396a65c23","toAddress":null}]}}`)
	secret := "nft-webhook-test-secret"
	sig := markettest.SignWebhook([]byte(secret), body)

	off, err := newApp(t, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if w, err := off.NFTs.WebhookWallets(body, sig); dashboard.ErrorCode(err) != dashboard.ENOTFOUND {
		t.Errorf("without NFT_WEBHOOK_SECRET: %v, %v; want not_found", w, err)
	}

	on, err := newApp(t, map[string]string{"NFT_WEBHOOK_SECRET": secret})
	if err != nil {
		t.Fatal(err)
	}
	if on.NFTs.Market != nil {
		t.Error("NFT_WEBHOOK_SECRET alone built a marketplace client")
	}
	if w, err := on.NFTs.WebhookWallets(body, sig); err != nil || len(w) != 1 || w[0] != "0x2c7536e3605d9c16a7a3d7b1898e529396a65c23" {
		t.Errorf("signed delivery: %v, %v", w, err)
	}
	if _, err := on.NFTs.WebhookWallets(body, markettest.SignWebhook([]byte("another-secret"), body)); dashboard.ErrorCode(err) != dashboard.EINVALIDREQUEST {
		t.Errorf("delivery signed with another secret: %v; want invalid_request", err)
	}
}
