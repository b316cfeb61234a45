package marketplace_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/marketplace"
)

var webhookSecret = []byte("whsec_nft_test_signing_key")

// docsNFTActivity is the NFT_ACTIVITY example of Alchemy's documentation,
// trimmed to the fields that matter here.
const docsNFTActivity = `{
  "webhookId": "wh_5dzeea0ikdnzgq6w",
  "id": "whexs_awxsragnkmh182tl",
  "createdAt": "2024-05-31T21:38:13.912Z",
  "type": "NFT_ACTIVITY",
  "event": {
    "network": "ETH_MAINNET",
    "activity": [
      {
        "fromAddress": "0x715af6b6c6e3aefb97f1f6811ce52db563b38896",
        "toAddress": "0x29469395eaf6f95920e59f858042f0e28d98a20b",
        "contractAddress": "0xbc4ca0eda7647a8ab7c2061c2e118a18a936f13d",
        "blockNum": "0x1310fe1",
        "hash": "0xe6385e8896aa5de1147f8d324ebeb79640f7a0e6fc87f3685d5e39a531f14ea4",
        "erc721TokenId": "0x1eeb",
        "category": "erc721",
        "log": {"address": "0xbc4ca0eda7647a8ab7c2061c2e118a18a936f13d", "topics": [], "removed": false}
      }
    ]
  }
}`

func TestVerifyWebhook(t *testing.T) {
	body := []byte(docsNFTActivity)
	sig := markettest.SignWebhook(webhookSecret, body)
	if err := marketplace.VerifyWebhook(webhookSecret, body, sig); err != nil {
		t.Fatalf("valid signature refused: %v", err)
	}
	if err := marketplace.VerifyWebhook(webhookSecret, body, " "+strings.ToUpper(sig)+" "); err != nil {
		t.Errorf("upper-case hex with spaces refused: %v", err)
	}
	tampered := []byte(strings.Replace(docsNFTActivity, "0x29469395", "0x29469396", 1))
	cases := map[string]struct {
		secret, body []byte
		sig          string
	}{
		"wrong secret":   {[]byte("whsec_other"), body, sig},
		"tampered body":  {webhookSecret, tampered, sig},
		"missing header": {webhookSecret, body, ""},
		"not hex":        {webhookSecret, body, "sha256=" + sig},
		"short":          {webhookSecret, body, sig[:32]},
		"empty secret":   {nil, body, markettest.SignWebhook(nil, body)},
		"empty secret 2": {[]byte{}, body, markettest.SignWebhook([]byte{}, body)},
		"re-encoded": {webhookSecret, []byte(strings.Join(strings.Fields(docsNFTActivity), "")),
			sig},
	}
	for name, c := range cases {
		if err := marketplace.VerifyWebhook(c.secret, c.body, c.sig); dashboard.ErrorCode(err) != dashboard.EUNAUTHORIZED {
			t.Errorf("%s: err = %v, want EUNAUTHORIZED", name, err)
		}
	}
}

func TestWebhookWallets(t *testing.T) {
	buyer := "0x29469395eaf6f95920e59f858042f0e28d98a20b"
	seller := "0x715af6b6c6e3aefb97f1f6811ce52db563b38896"
	cases := map[string]struct {
		body string
		want []string
	}{
		"docs example": {docsNFTActivity, []string{seller, buyer}},
		"builder, mixed case, mint, duplicates": {string(markettest.NFTActivity("").
			Transfer(babes, "7", "0x"+strings.ToUpper(seller[2:]), wallet).
			Transfer1155(editions, "3", 2, markettest.ZeroAddress, buyer).
			Transfer(babes, "8", wallet, markettest.ZeroAddress).JSON()),
			[]string{seller, strings.ToLower(wallet), buyer}},
		"address activity": {string(markettest.AddressActivity("MATIC_MAINNET").Transfer(babes, "1", buyer, seller).JSON()),
			[]string{buyer, seller}},
		"no activity":   {string(markettest.NFTActivity("").JSON()), []string{}},
		"other type":    {string(markettest.NewNotify("MINED_TRANSACTION", "").JSON()), []string{}},
		"custom type":   {`{"type": "GRAPHQL", "event": {"data": {}}}`, []string{}},
		"not addresses": {`{"type": "NFT_ACTIVITY", "event": {"activity": [{"fromAddress": "0x12", "toAddress": null}, {"fromAddress": "vitalik.eth"}]}}`, []string{}},
	}
	for name, c := range cases {
		got, err := marketplace.WebhookWallets([]byte(c.body))
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: WebhookWallets = %#v, %v; want %#v", name, got, err, c.want)
		}
	}
}

func TestWebhookWalletsMalformed(t *testing.T) {
	for _, body := range []string{
		``, `not json`, `[]`, `null`, `{}`, `{"type": 5}`, `{"type": "NFT_ACTIVITY"}`,
		`{"type": "NFT_ACTIVITY", "event": {}}`, `{"type": "NFT_ACTIVITY", "event": {"activity": null}}`,
		`{"type": "ADDRESS_ACTIVITY", "event": {"activity": {}}}`,
		`{"type": "NFT_ACTIVITY", "event": {"activity": [1]}}`,
		`{"type": "NFT_ACTIVITY", "event": {"activity": [{"fromAddress": 5}]}}`,
		`{"type": "NFT_ACTIVITY", "event": {"activity": [` + "\n",
	} {
		got, err := marketplace.WebhookWallets([]byte(body))
		if dashboard.ErrorCode(err) != dashboard.EINVALIDREQUEST || got != nil {
			t.Errorf("WebhookWallets(%q) = %v, %v; want EINVALIDREQUEST", body, got, err)
		}
	}
}
