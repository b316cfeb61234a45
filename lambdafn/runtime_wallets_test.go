package lambdafn_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/siwe"
)

// The runtime test of the wallets function (issue 13): a member's wallets
// listed, challenged, proven with a real personal_sign signature and
// removed, through the binary started with only the environment the stack
// gives it.

// walletsOrigin is the SITE_ORIGIN the stack gives the wallets function;
// its challenges must name this host and no other.
const walletsOrigin = "https://dashboard.babesclub.example"

func TestLambdaWallets(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// In the world's environment, not passed as extra: start gives it to
	// the function only if function-env.txt says the stack does.
	w.env["SITE_ORIGIN"] = walletsOrigin
	w.seedMember(memberA, "", testWallet)
	ctx := context.Background()
	// A member as `dashboard migrate wallets` leaves one who had a
	// preferredWallet: the primary has its wallet item.
	if err := w.store.AddWallet(ctx, dashboard.MemberWallet{UserID: memberA, Address: testWallet, Kind: dashboard.WalletEOA,
		AddedAt: time.Now().Add(-time.Hour).UTC().Truncate(time.Millisecond)}); err != nil {
		t.Fatal(err)
	}
	fn := w.start("wallets")

	list := func(member string) []map[string]any {
		t.Helper()
		resp, body := fn.http(apiEvent("GET", "/dashboard/wallets", memberContext(member), ""))
		want(t, "GET /dashboard/wallets", resp, body, 200, "")
		raw, ok := body["wallets"].([]any)
		if !ok {
			t.Fatalf("GET /dashboard/wallets = %s, want a wallets array", resp.Body)
		}
		out := make([]map[string]any, len(raw))
		for i, x := range raw {
			out[i], _ = x.(map[string]any)
		}
		return out
	}
	has := func(ws []map[string]any, address string) bool {
		for _, x := range ws {
			if a, _ := x["address"].(string); strings.EqualFold(a, address) {
				return true
			}
		}
		return false
	}
	challenge := func(member, address string) (int, map[string]any) {
		t.Helper()
		resp, body := fn.http(apiEvent("POST", "/dashboard/wallets/challenge", memberContext(member), `{"address":"`+address+`"}`))
		return resp.StatusCode, body
	}
	verify := func(message, signature string) (int, map[string]any) {
		t.Helper()
		req, _ := json.Marshal(map[string]string{"message": message, "signature": signature})
		resp, body := fn.http(apiEvent("POST", "/dashboard/wallets/verify", memberContext(memberA), string(req)))
		return resp.StatusCode, body
	}

	// The seeded primary, and nobody else's.
	got := list(memberA)
	if len(got) != 1 || got[0]["address"] != testWallet || got[0]["primary"] != true || got[0]["verified"] != false || got[0]["kind"] != "eoa" {
		t.Errorf("member A's wallets = %v, want the seeded primary alone", got)
	}
	if got := list(memberB); len(got) != 0 {
		t.Errorf("member B's wallets = %v, want none", got)
	}

	// A challenge for a new address: an EIP-4361 message for SITE_ORIGIN's
	// host, never the request's Host (API Gateway's execute-api domain).
	key, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	addr := siwe.PubKeyAddress(key.PubKey())
	status, body := challenge(memberA, addr)
	if status != 200 {
		t.Fatalf("challenge for a new address = %d %v", status, body)
	}
	text, _ := body["message"].(string)
	m, err := siwe.Parse(text)
	if err != nil {
		t.Fatalf("the challenge is not an EIP-4361 message: %v\n%s", err, text)
	}
	if !strings.HasPrefix(text, "dashboard.babesclub.example wants you to sign in with your Ethereum account:\n"+addr+"\n") ||
		m.Domain != "dashboard.babesclub.example" || m.URI != walletsOrigin || m.Address != addr || m.ChainID != 1 ||
		m.Nonce == "" || m.Nonce != body["nonce"] || !m.ExpirationTime.After(m.IssuedAt) {
		t.Errorf("challenge = %+v\n%s", m, text)
	}
	if exp, err := time.Parse(time.RFC3339, fmt.Sprint(body["expiresAt"])); err != nil || !exp.Equal(m.ExpirationTime) {
		t.Errorf("expiresAt %v, want the message's expiration %v (%v)", body["expiresAt"], m.ExpirationTime, err)
	}
	if got := list(memberA); len(got) != 2 || !has(got, addr) {
		t.Errorf("after the challenge, wallets = %v, want the new one added", got)
	}
	if st, b := challenge(memberA, "0x123"); st != 400 || b["code"] != "validation_failed" {
		t.Errorf("challenge for a malformed address = %d %v, want 400 validation_failed", st, b)
	}

	// A signature by another key is refused, consumes the nonce and proves
	// nothing; the wallet's own signature of a fresh challenge proves it.
	other, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	forged, err := siwe.SignPersonal(other, text)
	if err != nil {
		t.Fatal(err)
	}
	if st, b := verify(text, forged); st != 400 {
		t.Errorf("verify with another key's signature = %d %v, want 400", st, b)
	}
	if stored, err := w.store.Wallets(ctx, memberA); err != nil || len(stored) != 2 || stored[1].VerifiedAt != nil {
		t.Errorf("after a refused proof the stored wallets are %+v, %v; want the new one unverified", stored, err)
	}
	if status, body = challenge(memberA, addr); status != 200 {
		t.Fatalf("a second challenge = %d %v", status, body)
	}
	text, _ = body["message"].(string)
	sig, err := siwe.SignPersonal(key, text)
	if err != nil {
		t.Fatal(err)
	}
	status, body = verify(text, sig)
	wallet, _ := body["wallet"].(map[string]any)
	if status != 200 || wallet["address"] != addr || wallet["verified"] != true || wallet["kind"] != "eoa" || wallet["primary"] != false {
		t.Errorf("verify = %d %v, want the wallet verified", status, body)
	}
	if ids, err := w.store.WalletMembers(ctx, addr); err != nil || len(ids) != 1 || ids[0] != memberA {
		t.Errorf("the wallet index names %v, %v; want member A", ids, err)
	}

	// At most five: three more fill the list, a sixth is refused and
	// stored nowhere.
	filler := func(i int) string { return fmt.Sprintf("0x%040x", 0xa1+i) }
	for i := range 3 {
		if st, b := challenge(memberA, filler(i)); st != 200 {
			t.Fatalf("challenge for wallet %d = %d %v", 3+i, st, b)
		}
	}
	sixth := filler(3)
	if st, b := challenge(memberA, sixth); st != 400 || b["code"] != "validation_failed" {
		t.Errorf("a sixth wallet = %d %v, want 400 validation_failed", st, b)
	}
	if got := list(memberA); len(got) != dashboard.MaxWallets || has(got, sixth) {
		t.Errorf("after the refused sixth, wallets = %v", got)
	}
	if ids, err := w.store.WalletMembers(ctx, sixth); err != nil || len(ids) != 0 {
		t.Errorf("the refused sixth wallet is indexed for %v, %v", ids, err)
	}

	// Removing: an address the member does not have is 404 and changes
	// nothing; another member cannot remove A's wallet; A can.
	resp, b := fn.http(apiEvent("DELETE", "/dashboard/wallets/"+sixth, memberContext(memberA), ""))
	want(t, "DELETE an unknown wallet", resp, b, 404, "not_found")
	resp, b = fn.http(apiEvent("DELETE", "/dashboard/wallets/"+filler(0), memberContext(memberB), ""))
	want(t, "member B deleting A's wallet", resp, b, 404, "not_found")
	if got := list(memberA); len(got) != dashboard.MaxWallets {
		t.Errorf("after refused deletes, wallets = %v", got)
	}
	resp, _ = fn.http(apiEvent("DELETE", "/dashboard/wallets/"+filler(0), memberContext(memberA), ""))
	if resp.StatusCode != 204 {
		t.Errorf("DELETE = %d %s, want 204", resp.StatusCode, resp.Body)
	}
	if got := list(memberA); len(got) != dashboard.MaxWallets-1 || has(got, filler(0)) {
		t.Errorf("after the delete, wallets = %v", got)
	}
	if ids, err := w.store.WalletMembers(ctx, filler(0)); err != nil || len(ids) != 0 {
		t.Errorf("the removed wallet is still indexed for %v, %v", ids, err)
	}
	if m := fn.metrics(); m["Errors"] != 0 || m["UpstreamFailures/dynamodb"] != 0 {
		t.Errorf("metrics = %v", m)
	}
}
