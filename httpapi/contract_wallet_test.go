package httpapi_test

import (
	"encoding/hex"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard/evm"
	"github.com/thebabesclub/dashboard/internal/evmtest"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/siwe"
)

// walletCNFTs is what the smart-contract wallet of TestContractWallet
// holds: one NFT in each collection, so the index shows it in both.
func walletCNFTs() []markettest.NFT {
	return []markettest.NFT{
		{Contract: babesContract, TokenID: "500", Collection: "babes-genesis", Name: "C Babe #500"},
		{Contract: "0x00000000000000000000000000000000000000c4", TokenID: "501", Collection: "babes-charms", Name: "C Charm #501"},
	}
}

// challengeWallet adds wallet through POST /dashboard/wallets/challenge and
// returns the message to sign.
func (h *harness) challengeWallet(t *testing.T, token, wallet string) string {
	t.Helper()
	c := h.do("POST", "/dashboard/wallets/challenge", token, fmt.Sprintf(`{"address": %q}`, wallet))
	if c.status != 200 {
		t.Fatalf("challenge %s = %d %s", wallet, c.status, c.raw)
	}
	return c.body["message"].(string)
}

// verifyWallet answers a challenge with signature through POST
// /dashboard/wallets/verify.
func (h *harness) verifyWallet(token, message string, signature []byte) response {
	h.t.Helper()
	return h.do("POST", "/dashboard/wallets/verify", token,
		fmt.Sprintf(`{"message": %q, "signature": %q}`, message, "0x"+hex.EncodeToString(signature)))
}

// TestContractWallet is issue 13's "done when" through the HTTP API, with
// smart-contract wallets proven on a real EVM over JSON-RPC: a member with
// two externally owned wallets and an ERC-1271 wallet sees the union of
// their NFTs, each naming its wallet; a signature by a key the contract
// does not accept is refused and changes nothing; removing the contract
// wallet takes its NFTs out of the list and the collection index at once;
// and a wallet that is not deployed yet is proven with an ERC-6492
// signature without being deployed.
func TestContractWallet(t *testing.T) {
	chain := evmtest.Start(t)
	h := newTestHarness(t)
	contracts, err := evm.New(chain.URL())
	if err != nil {
		t.Fatal(err)
	}
	// The production bound (5 s) guards against a hung node; the test's
	// in-process chain answers at once, and a loaded machine must not turn
	// a slow answer into a failure, so the bound here is only a hang guard.
	contracts.Timeout = 2 * time.Minute
	h.nfts.Contracts = contracts
	h.nfts.ChainID = chain.ChainID() // challenges name it; the verifier checks the RPC serves it

	owner, stranger := evmtest.NewKey(t), evmtest.NewKey(t)
	walletC := chain.DeployWallet(t, evmtest.Address(owner), [32]byte{1}).Hex()

	id, tok := h.member("contract-wallet@example.com")
	h.market.SetHoldings(testKeyWallet, walletANFTs())
	h.market.SetHoldings(secondKeyWallet, walletBNFTs())
	h.market.SetHoldings(walletC, walletCNFTs())
	h.setWallet(tok, testKeyWallet)
	for _, w := range []struct{ wallet, key string }{{testKeyWallet, testKeyHex}, {secondKeyWallet, secondKeyHex}} {
		r := h.proveWallet(t, tok, w.wallet, w.key)
		wallet, _ := r.body["wallet"].(map[string]any)
		if r.status != 200 || wallet["address"] != w.wallet || wallet["verified"] != true || wallet["kind"] != "eoa" {
			t.Fatalf("prove %s = %d %s", w.wallet, r.status, r.raw)
		}
	}

	// A key the wallet does not accept: refused, and wallet C stays
	// unverified (the challenge added it, unproven).
	msg := h.challengeWallet(t, tok, walletC)
	before := h.do("GET", "/dashboard/wallets", tok, "").raw
	h.verifyWallet(tok, msg, evmtest.Sign(t, stranger, [32]byte(siwe.PersonalHash(msg)))).wantError(t, 400, "validation_failed")
	if after := h.do("GET", "/dashboard/wallets", tok, "").raw; string(after) != string(before) {
		t.Fatalf("a refused signature changed the wallets:\nbefore %s\nafter  %s", before, after)
	}
	if w := walletByAddress(t, h.do("GET", "/dashboard/wallets", tok, ""), walletC); w["verified"] != false {
		t.Fatalf("wallet C after a refused signature = %v", w)
	}

	// The owner key's signature of the message's EIP-191 digest, as the
	// wallet's isValidSignature accepts it, proves wallet C.
	msg = h.challengeWallet(t, tok, walletC)
	r := h.verifyWallet(tok, msg, evmtest.Sign(t, owner, [32]byte(siwe.PersonalHash(msg))))
	wallet, _ := r.body["wallet"].(map[string]any)
	if r.status != 200 || wallet["address"] != walletC || wallet["verified"] != true || wallet["kind"] != "contract" || wallet["primary"] != false {
		t.Fatalf("prove contract wallet C = %d %s", r.status, r.raw)
	}
	if w := walletByAddress(t, h.do("GET", "/dashboard/wallets", tok, ""), walletC); w["verified"] != true || w["kind"] != "contract" {
		t.Fatalf("wallet C in the list = %v", w)
	}

	// The refresh reads the three wallets; the list is their union.
	if r := h.do("GET", "/dashboard/nfts", tok, ""); r.body["refreshing"] != true {
		t.Fatalf("first read = %s", r.raw)
	}
	if err := h.queue.Idle(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := []string{"A Babe #1@" + testKeyWallet, "A Charm #2@" + testKeyWallet, "B Babe #300@" + secondKeyWallet,
		"C Babe #500@" + walletC, "C Charm #501@" + walletC}
	if got := nftWallets(t, h.do("GET", "/dashboard/nfts", tok, "")); !slices.Equal(got, want) {
		t.Fatalf("NFTs = %v, want %v", got, want)
	}
	if got := h.holdersOf(t, id, "babes-genesis", "babes-charms"); !slices.Equal(got, []string{"1", "2", "300", "500", "501"}) {
		t.Fatalf("collection index = %v", got)
	}

	// Removing wallet C takes its NFTs at once, from the list and the index.
	if r := h.do("DELETE", "/dashboard/wallets/"+walletC, tok, ""); r.status != 204 {
		t.Fatalf("DELETE = %d %s", r.status, r.raw)
	}
	if got := h.holdersOf(t, id, "babes-genesis", "babes-charms"); !slices.Equal(got, []string{"1", "2", "300"}) {
		t.Fatalf("collection index after removing wallet C = %v", got)
	}
	want = []string{"A Babe #1@" + testKeyWallet, "A Charm #2@" + testKeyWallet, "B Babe #300@" + secondKeyWallet}
	if got := nftWallets(t, h.do("GET", "/dashboard/nfts", tok, "")); !slices.Equal(got, want) {
		t.Fatalf("after removing wallet C: %v", got)
	}
	for _, w := range h.do("GET", "/dashboard/wallets", tok, "").body["wallets"].([]any) {
		if w.(map[string]any)["address"] == walletC {
			t.Fatalf("wallet C is still listed: %v", w)
		}
	}

	// ERC-6492: a wallet not deployed yet signs through its factory call;
	// it is proven a contract wallet, and checking did not deploy it.
	pendingSalt := [32]byte{2}
	walletD := chain.WalletAddress(t, evmtest.Address(owner), pendingSalt)
	msg = h.challengeWallet(t, tok, walletD.Hex())
	sig := evmtest.ERC6492(t, chain.WalletFactory(t), chain.WalletDeployCall(t, evmtest.Address(owner), pendingSalt),
		evmtest.Sign(t, owner, [32]byte(siwe.PersonalHash(msg))))
	r = h.verifyWallet(tok, msg, sig)
	wallet, _ = r.body["wallet"].(map[string]any)
	if r.status != 200 || wallet["address"] != walletD.Hex() || wallet["verified"] != true || wallet["kind"] != "contract" {
		t.Fatalf("prove counterfactual wallet D = %d %s", r.status, r.raw)
	}
	if len(chain.Code(t, walletD)) != 0 {
		t.Fatal("proving an ERC-6492 wallet deployed it")
	}
}

// walletByAddress returns the wallet of a GET /dashboard/wallets answer
// with address, failing the test when it is not listed.
func walletByAddress(t *testing.T, r response, address string) map[string]any {
	t.Helper()
	for _, w := range r.body["wallets"].([]any) {
		if w := w.(map[string]any); w["address"] == address {
			return w
		}
	}
	t.Fatalf("wallet %s is not in %s", address, r.raw)
	return nil
}
