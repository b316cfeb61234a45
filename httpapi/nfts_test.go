package httpapi_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/siwe"
)

// A well-known test key and its address.
const (
	testKeyHex    = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
	testKeyWallet = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
	babesContract = "0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"
)

func testKey(t *testing.T, hexKey string) *secp256k1.PrivateKey {
	t.Helper()
	b, err := hex.DecodeString(hexKey)
	if err != nil {
		t.Fatal(err)
	}
	return secp256k1.PrivKeyFromBytes(b)
}

// personalSign signs message as a wallet's personal_sign does: r‖s‖v.
func personalSign(key *secp256k1.PrivateKey, message string) string {
	compact := ecdsa.SignCompact(key, siwe.PersonalHash(message), false) // v‖r‖s, v = 27 + recovery id
	eth := append(append([]byte{}, compact[1:]...), compact[0])
	return "0x" + hex.EncodeToString(eth)
}

func (h *harness) setWallet(token, wallet string) {
	h.t.Helper()
	if r := h.do("PUT", "/dashboard/profile", token, `{"preferredWallet": "`+wallet+`"}`); r.status != 200 {
		h.t.Fatalf("set wallet = %d %s", r.status, r.raw)
	}
}

func nftNames(t *testing.T, r response) []string {
	t.Helper()
	list, ok := r.body["nfts"].([]any)
	if !ok {
		t.Fatalf("no nfts in %d %s", r.status, r.raw)
	}
	out := make([]string, len(list))
	for i, n := range list {
		out[i] = n.(map[string]any)["tokenName"].(string)
	}
	return out
}

func threeNFTs() []markettest.NFT {
	return []markettest.NFT{
		{Contract: babesContract, TokenID: "7", Collection: "babes-genesis", Name: "Babe #7"},
		{Contract: babesContract, TokenID: "42", Collection: "babes-genesis", Name: "Babe #42"},
		{Contract: "0x00000000000000000000000000000000000000c4", TokenID: "1", Collection: "babes-charms", Name: "Charm #1"},
	}
}

func TestNFTListRefreshesAndFilters(t *testing.T) {
	h := newTestHarness(t)
	_, tok := h.member("nfts@example.com")
	h.setWallet(tok, testKeyWallet)
	h.market.SetHoldings(testKeyWallet, threeNFTs())

	r := h.do("GET", "/dashboard/nfts", tok, "")
	if r.status != 200 || r.body["refreshing"] != true || r.body["wallet"] != testKeyWallet || r.body["walletVerified"] != false || r.body["syncedAt"] != nil {
		t.Fatalf("first read = %d %s", r.status, r.raw)
	}
	if err := h.queue.Idle(t.Context()); err != nil {
		t.Fatal(err)
	}
	r = h.do("GET", "/dashboard/nfts", tok, "")
	if got := nftNames(t, r); len(got) != 3 || r.body["refreshing"] != false || r.body["syncedAt"] == nil {
		t.Fatalf("after the refresh = %s", r.raw)
	}
	r = h.do("GET", "/dashboard/nfts?collectionId=babes-genesis&limit=1", tok, "")
	if got := nftNames(t, r); len(got) != 1 || r.body["nextCursor"] == nil {
		t.Fatalf("filtered page = %s", r.raw)
	}
	cur := r.body["nextCursor"].(string)
	r2 := h.do("GET", "/dashboard/nfts?collectionId=babes-genesis&limit=1&cursor="+url.QueryEscape(cur), tok, "")
	if got := nftNames(t, r2); len(got) != 1 || got[0] == nftNames(t, r)[0] {
		t.Fatalf("second filtered page = %s", r2.raw)
	}
	// A cursor is bound to its filter and its member.
	h.do("GET", "/dashboard/nfts?collectionId=babes-charms&cursor="+url.QueryEscape(cur), tok, "").wantError(t, 400, "invalid_cursor")
	_, other := h.member("nfts-other@example.com")
	h.do("GET", "/dashboard/nfts?collectionId=babes-genesis&cursor="+url.QueryEscape(cur), other, "").wantError(t, 400, "invalid_cursor")
	if got := nftNames(t, h.do("GET", "/dashboard/nfts?collectionId=unknown", tok, "")); len(got) != 0 {
		t.Errorf("unknown collection = %v", got)
	}
}

func TestNFTSyncDiffsAndSurvivesFailures(t *testing.T) {
	h := newTestHarness(t)
	id, tok := h.member("diff@example.com")
	h.setWallet(tok, testKeyWallet)
	h.market.SetHoldings(testKeyWallet, threeNFTs())
	if _, err := h.nfts.SyncMember(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	// Between syncs: #7 renamed and re-imaged, #42 sold, #99 bought.
	next := []markettest.NFT{
		{Contract: babesContract, TokenID: "7", Collection: "babes-genesis", Name: "Babe #7 (Rose Gold)", ImageURL: "https://img.example/7-rose.png"},
		{Contract: babesContract, TokenID: "99", Collection: "babes-genesis", Name: "Babe #99"},
		{Contract: "0x00000000000000000000000000000000000000c4", TokenID: "1", Collection: "babes-charms", Name: "Charm #1"},
	}
	h.market.SetHoldings(testKeyWallet, next)
	d, err := h.nfts.SyncMember(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if d.Added != 1 || d.Updated != 1 || d.Removed != 1 {
		t.Errorf("diff = %+v, want 1 added, 1 updated, 1 removed", d)
	}
	page, err := h.store.ListHoldings(t.Context(), id, "", 100, "")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]dashboard.Holding{}
	for _, hd := range page.Holdings {
		got[hd.TokenID] = hd
	}
	if len(got) != 3 || got["7"].TokenName != "Babe #7 (Rose Gold)" || got["7"].ImageURL != "https://img.example/7-rose.png" || got["42"].TokenID != "" || got["99"].TokenID != "99" {
		t.Fatalf("holdings after the second sync = %+v", page.Holdings)
	}

	// A third sync breaks on page 2 of 3: nothing changes.
	before := fmt.Sprint(page.Holdings)
	h.market.SetHoldings(testKeyWallet, threeNFTs())
	h.market.SetPageSize(1)
	h.market.FailPage(2, 500)
	if _, err := h.nfts.SyncMember(t.Context(), id); err == nil {
		t.Fatal("a sync with a failing page succeeded")
	}
	after, _ := h.store.ListHoldings(t.Context(), id, "", 100, "")
	if fmt.Sprint(after.Holdings) != before {
		t.Errorf("a failed sync changed the holdings:\n%v\n%v", before, after.Holdings)
	}
}

// alchemyNotify is an Alchemy Notify payload naming two wallets.
func alchemyNotify(from, to string) []byte {
	return []byte(fmt.Sprintf(`{"webhookId":"wh_test","id":"whevt_1","createdAt":"2025-11-26T21:28:24.000Z","type":"NFT_ACTIVITY",
"event":{"network":"ETH_MAINNET","activity":[{"fromAddress":%q,"toAddress":%q,"contractAddress":%q,"erc721TokenId":"0x7","category":"erc721"}]}}`, from, to, babesContract))
}

func signNotify(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func TestNFTWebhook(t *testing.T) {
	h := newTestHarness(t)
	id, tok := h.member("hook@example.com")
	h.setWallet(tok, testKeyWallet)
	h.market.SetHoldings(testKeyWallet, threeNFTs())
	body := alchemyNotify("0x0000000000000000000000000000000000000000", testKeyWallet)

	for name, sig := range map[string]string{
		"missing": "", "wrong secret": signNotify("other-secret", body), "garbage": "zz",
	} {
		h.do("POST", "/webhooks/nfts", "", string(body), "X-Alchemy-Signature", sig).wantError(t, 400, "invalid_request")
		_ = name
	}
	tampered := append([]byte(nil), body...)
	tampered[10] ^= 1
	h.do("POST", "/webhooks/nfts", "", string(tampered), "X-Alchemy-Signature", signNotify(nftWebhookSecret, body)).wantError(t, 400, "invalid_request")
	if err := h.queue.Idle(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := h.market.WalletCalls(testKeyWallet); n != 0 {
		t.Fatalf("refused deliveries queued %d syncs", n)
	}

	r := h.do("POST", "/webhooks/nfts", "", string(body), "X-Alchemy-Signature", signNotify(nftWebhookSecret, body))
	if r.status != 200 || r.body["received"] != true {
		t.Fatalf("valid delivery = %d %s", r.status, r.raw)
	}
	if err := h.queue.Idle(t.Context()); err != nil {
		t.Fatal(err)
	}
	page, _ := h.store.ListHoldings(t.Context(), id, "", 100, "")
	if len(page.Holdings) != 3 {
		t.Fatalf("the webhook did not sync the wallet: %v", page.Holdings)
	}

	// Without a secret (no Webhooks) the route does not exist.
	h.nfts.Webhooks = nil
	h.do("POST", "/webhooks/nfts", "", string(body), "X-Alchemy-Signature", signNotify(nftWebhookSecret, body)).wantError(t, 404, "not_found")
}

func TestWalletVerification(t *testing.T) {
	h := newTestHarness(t)
	_, tok := h.member("siwe@example.com")
	_, tokB := h.member("siwe-b@example.com")
	key := testKey(t, testKeyHex)
	wrongKey := testKey(t, "8da4ef21b864d2cc526dbdb2a120bd2874c36c9d0a1fb7f8c63d7f7a8b41de8f")

	h.do("POST", "/dashboard/wallet/challenge", tok, "").wantError(t, 409, "conflict") // no wallet yet
	h.setWallet(tok, testKeyWallet)
	challenge := func() (string, string) {
		r := h.do("POST", "/dashboard/wallet/challenge", tok, "", "Origin", "https://dashboard.babesclub.example")
		if r.status != 200 {
			t.Fatalf("challenge = %d %s", r.status, r.raw)
		}
		return r.body["message"].(string), r.body["nonce"].(string)
	}
	verify := func(token, message, sig string) response {
		body := fmt.Sprintf(`{"message": %q, "signature": %q}`, message, sig)
		return h.do("POST", "/dashboard/wallet/verify", token, body)
	}
	verified := func() bool {
		return h.do("GET", "/dashboard/nfts", tok, "").body["walletVerified"] == true
	}

	// Refusals, each with a fresh challenge (every attempt consumes its nonce).
	msg, _ := challenge()
	verify(tok, msg, personalSign(wrongKey, msg)).wantError(t, 400, "validation_failed")
	msg, _ = challenge()
	altered := msg[:len(msg)-1] + "X"
	verify(tok, altered, personalSign(key, altered)).wantError(t, 400, "validation_failed")
	msg, _ = challenge()
	verify(tokB, msg, personalSign(key, msg)).wantError(t, 400, "validation_failed")     // another member's challenge
	verify(tok, msg, personalSign(wrongKey, msg)).wantError(t, 400, "validation_failed") // A's own, wrongly signed
	msg, _ = challenge()
	h.nfts.Now = func() time.Time { return time.Now().Add(11 * time.Minute) }
	verify(tok, msg, personalSign(key, msg)).wantError(t, 400, "validation_failed") // expired
	h.nfts.Now = nil
	verify(tok, "not a message", personalSign(key, "not a message")).wantError(t, 400, "validation_failed")
	if verified() {
		t.Fatal("a refused attempt verified the wallet")
	}

	// The right signature verifies, once.
	msg, _ = challenge()
	r := verify(tok, msg, personalSign(key, msg))
	if r.status != 200 || r.body["wallet"] != testKeyWallet || r.body["walletVerified"] != true {
		t.Fatalf("verify = %d %s", r.status, r.raw)
	}
	if !verified() {
		t.Fatal("the wallet is not shown verified")
	}
	verify(tok, msg, personalSign(key, msg)).wantError(t, 400, "validation_failed") // reused nonce

	// A new wallet is unverified again.
	h.setWallet(tok, "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")
	if verified() {
		t.Error("a new wallet kept the old verification")
	}
}

func TestInternalNFTSync(t *testing.T) {
	h := newTestHarness(t)
	id, tok := h.member("nft-internal@example.com")
	h.setWallet(tok, testKeyWallet)
	h.market.SetHoldings(testKeyWallet, threeNFTs())
	const internal = "internal-token-0123456789abcdef0123456789"
	h.do("POST", "/internal/sync/nfts", tok, `{"userId": "`+id+`"}`).wantError(t, 401, "unauthorized")
	h.do("POST", "/internal/sync/nfts", "", `{}`, "X-Internal-Token", internal).wantError(t, 400, "validation_failed")
	r := h.do("POST", "/internal/sync/nfts", "", `{"userId": "`+id+`"}`, "X-Internal-Token", internal)
	if r.status != 200 || r.body["synced"] != float64(1) || r.body["added"] != float64(3) {
		t.Fatalf("sync = %d %s", r.status, r.raw)
	}
	r = h.do("POST", "/internal/sync/nfts", "", `{"wallet": "`+testKeyWallet+`"}`, "X-Internal-Token", internal)
	if r.status != 200 || r.body["synced"] != float64(1) || r.body["added"] != float64(0) {
		t.Fatalf("sync by wallet = %d %s", r.status, r.raw)
	}
}

// TestWalletChallengeDomainIsSiteOrigin checks finding 5 of issue 10: the
// SIWE domain and uri come from SITE_ORIGIN, never from the request's Host
// or Origin, so a challenge cannot be minted for a phishing site; and the
// challenge so issued still verifies end to end.
func TestWalletChallengeDomainIsSiteOrigin(t *testing.T) {
	h := newTestHarness(t)
	_, tok := h.member("siwe-domain@example.com")
	h.setWallet(tok, testKeyWallet)
	req := httptest.NewRequest("POST", "http://evil.example/dashboard/wallet/challenge", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("X-Forwarded-Host", "evil.example")
	if req.Host != "evil.example" {
		t.Fatalf("request host = %q", req.Host)
	}
	resp, raw := h.client.Do(req)
	var body struct {
		Message string `json:"message"`
	}
	if err := json.Unmarshal(raw, &body); err != nil || resp.StatusCode != 200 {
		t.Fatalf("challenge = %d %s", resp.StatusCode, raw)
	}
	msg, err := siwe.Parse(body.Message)
	if err != nil {
		t.Fatalf("the challenge does not parse: %v\n%s", err, body.Message)
	}
	if msg.Domain != "dashboard.babesclub.example" || msg.URI != "https://dashboard.babesclub.example" {
		t.Fatalf("challenge names domain %q and uri %q, want SITE_ORIGIN's", msg.Domain, msg.URI)
	}
	if strings.Contains(body.Message, "evil.example") {
		t.Fatalf("the request's host reached the message:\n%s", body.Message)
	}
	r := h.do("POST", "/dashboard/wallet/verify", tok, fmt.Sprintf(`{"message": %q, "signature": %q}`, body.Message, personalSign(testKey(t, testKeyHex), body.Message)))
	if r.status != 200 || r.body["walletVerified"] != true {
		t.Fatalf("verify = %d %s", r.status, r.raw)
	}

	// Without SITE_ORIGIN there is no site to name: 503, never the
	// request's host.
	h.nfts.SiteOrigin = nil
	r = h.do("POST", "/dashboard/wallet/challenge", tok, "", "Origin", "https://dashboard.babesclub.example")
	r.wantError(t, 503, "upstream_unavailable")
	if r.header.Get("Retry-After") == "" {
		t.Errorf("a 503 without Retry-After: %v", r.header)
	}
}
