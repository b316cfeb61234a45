package nfts_test

import (
	"context"
	"errors"
	"slices"
	"sort"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/markettest"
)

// proveWallet adds wallet to userID's wallets through a challenge and signs
// it with key, as the dashboard's wallets panel does.
func (k *kit) proveWallet(userID, wallet, key string) (*dashboard.Wallet, error) {
	k.t.Helper()
	m := dashboard.Member{UserID: userID}
	c, err := k.svc.ChallengeAddress(k.ctx, m, wallet)
	if err != nil {
		k.t.Fatal(err)
	}
	return k.svc.VerifyAddress(k.ctx, m, c.Message, personalSign(privKey(k.t, key, wallet), c.Message))
}

// tokens returns the sorted token ids of hs, with their wallets.
func tokens(hs []dashboard.Holding) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.TokenID+"@"+h.Wallet)
	}
	sort.Strings(out)
	return out
}

// TestHoldingsAreTheUnionOfTheWallets: the primary and every verified
// wallet hold NFTs; an unverified secondary does not; removing a wallet
// takes its NFTs from the list and the collection index at once; the
// marketplace webhook's path finds members through the wallet index.
func TestHoldingsAreTheUnionOfTheWallets(t *testing.T) {
	k := walletKit(t) // u1, primary walletA, unverified
	k.market.SetHoldings(walletA, []markettest.NFT{babe("1", "Babe #1"), babe("2", "Babe #2")})
	k.market.SetHoldings(walletB, []markettest.NFT{babe("3", "Babe #3")})
	k.market.SetHoldings(walletC, []markettest.NFT{babe("4", "Babe #4")})
	if w, err := k.proveWallet("u1", walletB, keyB); err != nil || !w.Verified || w.Primary || w.Kind != dashboard.WalletEOA {
		t.Fatalf("verify walletB = %+v, %v", w, err)
	}
	if _, err := k.svc.ChallengeAddress(k.ctx, member, walletC); err != nil { // added, never proven
		t.Fatal(err)
	}
	if _, err := k.svc.SyncMember(k.ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	want := []string{"1@" + walletA, "2@" + walletA, "3@" + walletB}
	if got := tokens(k.holdings("u1")); !slices.Equal(got, want) {
		t.Fatalf("stored holdings = %v, want %v", got, want)
	}
	l, err := k.svc.List(k.ctx, member, "babes-club", 10, "")
	if err != nil || !slices.Equal(tokens(l.NFTs), want) {
		t.Fatalf("list = %v, %v", tokens(l.NFTs), err)
	}
	ws, err := k.svc.Wallets(k.ctx, member)
	byAddress := map[string]dashboard.Wallet{}
	for _, w := range ws {
		byAddress[w.Address] = w
	}
	if a, b, c := byAddress[walletA], byAddress[walletB], byAddress[walletC]; err != nil || len(ws) != 3 ||
		!a.Primary || a.Verified || b.Primary || !b.Verified || c.Primary || c.Verified {
		t.Fatalf("wallets = %+v, %v", ws, err)
	}

	// The webhook's path: walletB's members come from the index.
	k.now = k.now.Add(time.Hour)
	k.market.SetHoldings(walletB, []markettest.NFT{babe("3", "Babe #3"), babe("5", "Babe #5")})
	if res, err := k.svc.SyncWallet(k.ctx, walletB); err != nil || res.Synced != 1 || res.Added != 1 {
		t.Fatalf("sync walletB = %+v, %v", res, err)
	}

	// Removing walletB takes its NFTs at once, everywhere.
	if err := k.svc.RemoveWallet(k.ctx, member, walletB); err != nil {
		t.Fatal(err)
	}
	want = []string{"1@" + walletA, "2@" + walletA}
	if got := tokens(k.holdings("u1")); !slices.Equal(got, want) {
		t.Fatalf("after removing walletB: %v, want %v", got, want)
	}
	var held []string
	if err := k.store.EachHolder(k.ctx, "babes-club", func(h dashboard.Holder) error {
		held = append(held, h.Holding.TokenID)
		return nil
	}); err != nil || slices.Contains(held, "3") || slices.Contains(held, "5") {
		t.Fatalf("collection index after removal = %v, %v", held, err)
	}
	if err := k.svc.RemoveWallet(k.ctx, member, walletB); dashboard.ErrorCode(err) != dashboard.ENOTFOUND {
		t.Fatalf("removing it again = %v, want not_found", err)
	}
}

// TestAWalletIsVerifiedByOneMemberOnly: once u1 proved walletB, u2 may add
// it but its proof is ECONFLICT and changes nothing.
func TestAWalletIsVerifiedByOneMemberOnly(t *testing.T) {
	k := walletKit(t)
	if _, err := k.proveWallet("u1", walletB, keyB); err != nil {
		t.Fatal(err)
	}
	k.setWallet("u2", walletA)
	if _, err := k.proveWallet("u2", walletB, keyB); dashboard.ErrorCode(err) != dashboard.ECONFLICT {
		t.Fatalf("u2 proving u1's wallet = %v, want conflict", err)
	}
	ws, err := k.svc.Wallets(k.ctx, dashboard.Member{UserID: "u2"})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		if w.Address == walletB && w.Verified {
			t.Fatal("u2's copy of walletB became verified")
		}
	}
}

// TestAtMostFiveWallets: a sixth address is refused and not stored.
func TestAtMostFiveWallets(t *testing.T) {
	k := walletKit(t) // walletA is the first (primary, added by challenge below)
	addrs := []string{walletA, walletB, walletC, "0x0000000000000000000000000000000000000004", "0x0000000000000000000000000000000000000005"}
	for _, a := range addrs {
		if _, err := k.svc.ChallengeAddress(k.ctx, member, a); err != nil {
			t.Fatalf("add %s: %v", a, err)
		}
	}
	_, err := k.svc.ChallengeAddress(k.ctx, member, "0x0000000000000000000000000000000000000006")
	if dashboard.ErrorCode(err) != dashboard.EVALIDATION {
		t.Fatalf("a sixth wallet = %v, want validation_failed", err)
	}
	if ws, _ := k.svc.Wallets(k.ctx, member); len(ws) != 5 {
		t.Fatalf("wallets after the refusal = %d, want 5", len(ws))
	}
}

// contractWallet is the ContractSignatures port as a contract wallet would
// answer: it accepts one signature, or fails to be reached.
type contractWallet struct {
	accept []byte
	err    error
	asked  int
}

func (c *contractWallet) CheckSignature(_ context.Context, chainID int64, address string, _ [32]byte, sig []byte) (bool, error) {
	c.asked++
	if c.err != nil {
		return false, c.err
	}
	return chainID == 1 && address == walletC && slices.Equal(sig, c.accept), nil
}

// TestContractWalletProof: a signature that ecrecover does not match is
// asked of the wallet contract; an accepted one verifies the wallet as kind
// contract, a refused one is validation_failed, and a contract that cannot
// be reached is upstream_unavailable with the wallet unverified and the
// challenge kept, so the same signed message can be sent again (once
// refused, it cannot).
func TestContractWalletProof(t *testing.T) {
	k := walletKit(t)
	cw := &contractWallet{accept: []byte{0xca, 0xfe, 0x12, 0x71}}
	k.svc.Contracts = cw
	try := func(sig string) (*dashboard.Wallet, error) {
		c, err := k.svc.ChallengeAddress(k.ctx, member, walletC)
		if err != nil {
			t.Fatal(err)
		}
		return k.svc.VerifyAddress(k.ctx, member, c.Message, sig)
	}
	cw.err = errors.New("dial tcp: connection refused")
	if _, err := try("0xcafe1271"); dashboard.ErrorCode(err) != dashboard.EUNAVAILABLE {
		t.Fatalf("unreachable contract = %v, want upstream_unavailable", err)
	}
	cw.err = nil
	if _, err := try("0xdeadbeef"); dashboard.ErrorCode(err) != dashboard.EVALIDATION {
		t.Fatalf("refused signature = %v, want validation_failed", err)
	}
	if ws, _ := k.svc.Wallets(k.ctx, member); slices.ContainsFunc(ws, func(w dashboard.Wallet) bool { return w.Verified }) {
		t.Fatalf("a wallet is verified after refusals: %+v", ws)
	}
	w, err := try("0xcafe1271")
	if err != nil || !w.Verified || w.Kind != dashboard.WalletContract {
		t.Fatalf("accepted signature = %+v, %v", w, err)
	}
	if cw.asked != 3 {
		t.Errorf("the contract was asked %d times, want 3", cw.asked)
	}

	// Unreachable, then reachable: the same message and signature verify.
	if err := k.svc.RemoveWallet(k.ctx, member, walletC); err != nil {
		t.Fatal(err)
	}
	c, err := k.svc.ChallengeAddress(k.ctx, member, walletC)
	if err != nil {
		t.Fatal(err)
	}
	cw.err = errors.New("context deadline exceeded")
	if _, err := k.svc.VerifyAddress(k.ctx, member, c.Message, "0xcafe1271"); dashboard.ErrorCode(err) != dashboard.EUNAVAILABLE {
		t.Fatalf("unreachable contract = %v, want upstream_unavailable", err)
	}
	cw.err = nil
	if w, err := k.svc.VerifyAddress(k.ctx, member, c.Message, "0xcafe1271"); err != nil || !w.Verified {
		t.Fatalf("the same signature after the outage = %+v, %v; want verified", w, err)
	}
	if _, err := k.svc.VerifyAddress(k.ctx, member, c.Message, "0xcafe1271"); dashboard.ErrorCode(err) != dashboard.EVALIDATION {
		t.Errorf("the challenge verified twice: %v", err)
	}
}
