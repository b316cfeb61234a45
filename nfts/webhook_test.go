package nfts_test

import (
	"slices"
	"strings"
	"testing"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/marketplace"
	"github.com/thebabesclub/dashboard/nfts"
)

// TestWebhookWallets checks the marketplace webhook port as the service
// uses it, through the real Alchemy Notify verifier: no Webhooks hides the
// route, any bad signature or body is invalid_request with no wallets, and a
// signed delivery names its wallets (lower-cased, without the zero address).
func TestWebhookWallets(t *testing.T) {
	secret := []byte("nft-webhook-test-secret")
	const from, to = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23", "0x52908400098527886E0F7030069857D2E4169EE7"
	body := markettest.NFTActivity("ETH_MAINNET").
		Transfer("0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", "7", from, to).
		Transfer("0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", "8", "0x0000000000000000000000000000000000000000", to).
		JSON()
	good := markettest.SignWebhook(secret, body)

	off := &nfts.Service{}
	if w, err := off.WebhookWallets(body, good); dashboard.ErrorCode(err) != dashboard.ENOTFOUND || w != nil {
		t.Errorf("without Webhooks: %v, %v; want not_found and no wallets", w, err)
	}

	s := &nfts.Service{Webhooks: marketplace.Webhooks{Secret: secret}}
	tampered := slices.Clone(body)
	tampered[len(tampered)/2] ^= 1
	for name, tc := range map[string]struct {
		body []byte
		sig  string
	}{
		"missing signature": {body, ""},
		"wrong secret":      {body, markettest.SignWebhook([]byte("another-secret"), body)},
		"not hex":           {body, "zz"},
		"tampered body":     {tampered, good},
		"not JSON, signed":  {[]byte("nope"), markettest.SignWebhook(secret, []byte("nope"))},
	} {
		w, err := s.WebhookWallets(tc.body, tc.sig)
		if dashboard.ErrorCode(err) != dashboard.EINVALIDREQUEST || w != nil {
			t.Errorf("%s: %v, %v; want invalid_request and no wallets", name, w, err)
		}
	}

	w, err := s.WebhookWallets(body, good)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{strings.ToLower(from), strings.ToLower(to)}; !slices.Equal(w, want) {
		t.Errorf("wallets = %v, want %v", w, want)
	}
}
