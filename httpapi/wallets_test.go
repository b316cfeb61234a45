package httpapi_test

import (
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/thebabesclub/dashboard/internal/markettest"
)

// A second well-known test key and its address.
const (
	secondKeyHex    = "8da4ef21b864d2cc526dbdb2a120bd2874c36c9d0a1fb7f8c63d7f7a8b41de8f"
	secondKeyWallet = "0x63FaC9201494f0bd17B9892B9fae4d52fe3BD377"
)

// proveWallet adds wallet through POST /dashboard/wallets/challenge and
// proves it with key, as the wallets panel does, returning the answer.
func (h *harness) proveWallet(t *testing.T, token, wallet, keyHex string) response {
	t.Helper()
	c := h.do("POST", "/dashboard/wallets/challenge", token, fmt.Sprintf(`{"address": %q}`, wallet))
	if c.status != 200 {
		t.Fatalf("challenge %s = %d %s", wallet, c.status, c.raw)
	}
	msg := c.body["message"].(string)
	return h.do("POST", "/dashboard/wallets/verify", token, fmt.Sprintf(`{"message": %q, "signature": %q}`, msg, personalSign(testKey(t, keyHex), msg)))
}

// nftWallets returns "name@wallet" for each NFT of a list answer, sorted.
func nftWallets(t *testing.T, r response) []string {
	t.Helper()
	var out []string
	for _, n := range r.body["nfts"].([]any) {
		n := n.(map[string]any)
		out = append(out, n["tokenName"].(string)+"@"+n["wallet"].(string))
	}
	sort.Strings(out)
	return out
}

// TestSeveralWallets: a member proves two wallets and sees the union of
// their NFTs, each naming its wallet; the marketplace webhook for one of
// them reaches the member through the wallet index; removing a wallet
// takes its NFTs out of the list and the collection index at once; and a
// wallet one member proved cannot be proved by another.
func TestSeveralWallets(t *testing.T) {
	h := newTestHarness(t)
	id, tok := h.member("wallets@example.com")
	_, otherTok := h.member("other-wallets@example.com")
	h.market.SetHoldings(testKeyWallet, walletANFTs())
	h.market.SetHoldings(secondKeyWallet, walletBNFTs())
	h.setWallet(tok, testKeyWallet)

	for _, w := range []struct{ wallet, key string }{{testKeyWallet, testKeyHex}, {secondKeyWallet, secondKeyHex}} {
		r := h.proveWallet(t, tok, w.wallet, w.key)
		wallet, _ := r.body["wallet"].(map[string]any)
		if r.status != 200 || wallet["address"] != w.wallet || wallet["verified"] != true || wallet["kind"] != "eoa" {
			t.Fatalf("prove %s = %d %s", w.wallet, r.status, r.raw)
		}
	}
	list := h.do("GET", "/dashboard/wallets", tok, "")
	ws := list.body["wallets"].([]any)
	if len(ws) != 2 || ws[0].(map[string]any)["primary"] != true || ws[1].(map[string]any)["primary"] != false {
		t.Fatalf("wallets = %s", list.raw)
	}

	// The first read queues the sync of both wallets.
	if r := h.do("GET", "/dashboard/nfts", tok, ""); r.body["refreshing"] != true || r.body["walletVerified"] != true {
		t.Fatalf("first read = %s", r.raw)
	}
	if err := h.queue.Idle(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := []string{"A Babe #1@" + testKeyWallet, "A Charm #2@" + testKeyWallet, "B Babe #300@" + secondKeyWallet}
	if got := nftWallets(t, h.do("GET", "/dashboard/nfts", tok, "")); !slices.Equal(got, want) {
		t.Fatalf("NFTs = %v, want %v", got, want)
	}
	if got := nftWallets(t, h.do("GET", "/dashboard/nfts?collectionId=babes-genesis", tok, "")); len(got) != 2 {
		t.Fatalf("one collection across wallets = %v", got)
	}

	// The marketplace says wallet B changed: the webhook's refresh finds the
	// member through the index.
	h.market.SetHoldings(secondKeyWallet, append(walletBNFTs(), markettest.NFT{Contract: babesContract, TokenID: "301", Collection: "babes-genesis", Name: "B Babe #301"}))
	body := alchemyNotify("0x0000000000000000000000000000000000000000", secondKeyWallet)
	if r := h.do("POST", "/webhooks/nfts", "", string(body), "X-Alchemy-Signature", signNotify(nftWebhookSecret, body)); r.status != 200 {
		t.Fatalf("webhook = %d %s", r.status, r.raw)
	}
	if err := h.queue.Idle(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := nftWallets(t, h.do("GET", "/dashboard/nfts", tok, "")); len(got) != 4 {
		t.Fatalf("after the webhook: %v", got)
	}

	// Another member cannot prove wallet B.
	if r := h.proveWallet(t, otherTok, secondKeyWallet, secondKeyHex); r.status != 409 || r.body["code"] != "conflict" {
		t.Fatalf("another member proving wallet B = %d %s", r.status, r.raw)
	}

	// Removing wallet B takes its NFTs at once, from the list and the index.
	if r := h.do("DELETE", "/dashboard/wallets/"+secondKeyWallet, tok, ""); r.status != 204 {
		t.Fatalf("DELETE = %d %s", r.status, r.raw)
	}
	want = []string{"A Babe #1@" + testKeyWallet, "A Charm #2@" + testKeyWallet}
	if got := nftWallets(t, h.do("GET", "/dashboard/nfts", tok, "")); !slices.Equal(got, want) {
		t.Fatalf("after removing wallet B: %v", got)
	}
	if got := h.holdersOf(t, id, "babes-genesis"); !slices.Equal(got, []string{"1"}) {
		t.Fatalf("collection index after removing wallet B = %v", got)
	}
}

// TestWalletRefusals: bad input is a clear 4xx and changes nothing.
func TestWalletRefusals(t *testing.T) {
	h := newTestHarness(t)
	_, tok := h.member("refusals@example.com")
	h.setWallet(tok, testKeyWallet)
	for i := 2; i <= 5; i++ {
		if r := h.do("POST", "/dashboard/wallets/challenge", tok, fmt.Sprintf(`{"address": "0x%040x"}`, i)); r.status != 200 {
			t.Fatalf("wallet %d = %d %s", i, r.status, r.raw)
		}
	}
	before := h.do("GET", "/dashboard/wallets", tok, "").raw
	for _, c := range []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"a sixth wallet", "POST", "/dashboard/wallets/challenge", `{"address": "0x0000000000000000000000000000000000000006"}`, 400, "validation_failed"},
		{"not an address", "POST", "/dashboard/wallets/challenge", `{"address": "ruby.eth"}`, 400, "validation_failed"},
		{"a bad checksum", "POST", "/dashboard/wallets/challenge", `{"address": "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"}`, 400, "validation_failed"},
		{"an unknown key", "POST", "/dashboard/wallets/challenge", `{"address": "0x0000000000000000000000000000000000000002", "userId": "x"}`, 400, "invalid_request"},
		{"remove an unknown wallet", "DELETE", "/dashboard/wallets/0x0000000000000000000000000000000000000009", "", 404, "not_found"},
		{"remove a malformed address", "DELETE", "/dashboard/wallets/nope", "", 400, "validation_failed"},
		{"verify without a signature", "POST", "/dashboard/wallets/verify", `{"message": "x", "signature": ""}`, 400, "validation_failed"},
		{"verify a message never issued", "POST", "/dashboard/wallets/verify", `{"message": "hello", "signature": "0x00"}`, 400, "validation_failed"},
	} {
		r := h.do(c.method, c.path, tok, c.body)
		if r.status != c.status || r.body["code"] != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, r.status, r.raw, c.status, c.code)
		}
		if after := h.do("GET", "/dashboard/wallets", tok, "").raw; string(after) != string(before) {
			t.Fatalf("%s changed the wallets:\nbefore %s\nafter  %s", c.name, before, after)
		}
	}
}
