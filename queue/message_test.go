package queue

import (
	"strings"
	"testing"

	dashboard "github.com/thebabesclub/dashboard"
)

func TestParseMessageAccepts(t *testing.T) {
	cases := map[string]dashboard.RefreshRequest{
		`{"kind":"STRIPE","userId":"u1"}`:                  stripeReq("u1"),
		`{"kind":"NFT","userId":"u1"}`:                     nftReq("u1"),
		`{"kind":"NFT","wallet":"` + wallet + `"}`:         {Kind: dashboard.SyncNFT, Wallet: wallet},
		` {"userId":"u1", "kind":"NFT", "wallet":"0xab"} `: {Kind: dashboard.SyncNFT, UserID: "u1", Wallet: "0xab"},
	}
	for body, want := range cases {
		got, err := ParseMessage(body)
		if err != nil {
			t.Errorf("ParseMessage(%s): %v", body, err)
			continue
		}
		if got != want {
			t.Errorf("ParseMessage(%s) = %+v, want %+v", body, got, want)
		}
	}
}

func TestParseMessageRejects(t *testing.T) {
	long := strings.Repeat("a", maxFieldLen+1)
	bodies := []string{
		``,
		`null`,
		`[]`,
		`"NFT"`,
		`not json`,
		`{"kind":"NFT","userId":"u1"} {"kind":"NFT","userId":"u2"}`,
		`{"kind":"nft","userId":"u1"}`,
		`{"kind":"ORDERS","userId":"u1"}`,
		`{"kind":"NFT"}`,
		`{"kind":"NFT","userId":"  "}`,
		`{"userId":"u1"}`,
		`{"kind":"STRIPE","wallet":"0xab"}`,
		`{"kind":"NFT","userId":"u1","extra":"x"}`,
		`{"Kind":"NFT","userId":"u1"}`,
		`{"kind":"NFT","userID":"u1"}`,
		`{"kind":"NFT","userId":5}`,
		`{"kind":"NFT","userId":null}`,
		`{"kind":"NFT","userId":"` + long + `"}`,
		`{"kind":"NFT","wallet":"` + long + `"}`,
	}
	for _, body := range bodies {
		if r, err := ParseMessage(body); err == nil {
			t.Errorf("ParseMessage(%q) = %+v, want an error", body, r)
		}
	}
}

func TestValidateIsAnInvalidErrorWithoutValues(t *testing.T) {
	err := Validate(dashboard.RefreshRequest{Kind: dashboard.SyncStripe, Wallet: wallet})
	if code := dashboard.ErrorCode(err); code != dashboard.EVALIDATION {
		t.Fatalf("code = %q, want %q (err %v)", code, dashboard.EVALIDATION, err)
	}
	if _, ok := dashboard.ErrorFields(err)["wallet"]; !ok {
		t.Errorf("fields %v do not name wallet", dashboard.ErrorFields(err))
	}
	if strings.Contains(err.Error(), wallet) || strings.Contains(dashboard.ErrorMessage(err), wallet) {
		t.Errorf("error echoes the wallet: %v", err)
	}
	if err := Validate(dashboard.RefreshRequest{UserID: "u1"}); dashboard.ErrorCode(err) != dashboard.EVALIDATION {
		t.Errorf("missing kind: err = %v", err)
	}
}

func TestEncodeRoundTrips(t *testing.T) {
	for _, r := range []dashboard.RefreshRequest{
		stripeReq("u1"),
		{Kind: dashboard.SyncNFT, Wallet: wallet},
		{Kind: dashboard.SyncNFT, UserID: "u2", Wallet: wallet},
	} {
		body, err := encode(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseMessage(body)
		if err != nil || got != r {
			t.Errorf("round trip of %+v: got %+v, %v (body %s)", r, got, err, body)
		}
	}
}

func TestCollapseKeyIgnoresWalletCase(t *testing.T) {
	a := dashboard.RefreshRequest{Kind: dashboard.SyncNFT, Wallet: wallet}
	b := dashboard.RefreshRequest{Kind: dashboard.SyncNFT, Wallet: strings.ToLower(wallet)}
	if collapseKey(a) != collapseKey(b) {
		t.Error("checksum and lower-case forms of one wallet do not collapse")
	}
	if collapseKey(stripeReq("u1")) == collapseKey(nftReq("u1")) {
		t.Error("a Stripe and an NFT refresh of one member collapse")
	}
}
