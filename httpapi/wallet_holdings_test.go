package httpapi_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/markettest"
)

// Two wallets of one member and what each holds. Their collections differ,
// so a holding in the list or in the collection index tells which wallet
// it came from.
const (
	walletHoldingsA = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
	walletHoldingsB = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"
)

func walletANFTs() []markettest.NFT {
	return []markettest.NFT{
		{Contract: babesContract, TokenID: "1", Collection: "babes-genesis", Name: "A Babe #1"},
		{Contract: "0x00000000000000000000000000000000000000c4", TokenID: "2", Collection: "babes-charms", Name: "A Charm #2"},
	}
}

func walletBNFTs() []markettest.NFT {
	return []markettest.NFT{
		{Contract: babesContract, TokenID: "300", Collection: "babes-genesis", Name: "B Babe #300"},
	}
}

// holdersOf returns the token ids the collection index (the store path of
// `dashboard holders`) yields for member id in the given collections.
func (h *harness) holdersOf(t *testing.T, id string, collections ...string) []string {
	t.Helper()
	var tokens []string
	for _, c := range collections {
		err := h.store.EachHolder(t.Context(), c, func(hd dashboard.Holder) error {
			if hd.UserID == id {
				tokens = append(tokens, hd.Holding.TokenID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(tokens)
	return tokens
}

// TestWalletHoldingsLeaveWithTheWallet checks finding 2 of issue 10: a
// wallet that is replaced or cleared takes its holdings with it at once,
// from the member's list and from the collection index alike (CONTRACT §3,
// NFT), and the next read of a new wallet refreshes from the marketplace.
func TestWalletHoldingsLeaveWithTheWallet(t *testing.T) {
	h := newTestHarness(t)
	id, tok := h.member("wallet-holdings@example.com")
	other, otherTok := h.member("wallet-holdings-other@example.com")
	h.market.SetHoldings(walletHoldingsA, walletANFTs())
	h.market.SetHoldings(walletHoldingsB, walletBNFTs())

	// Wallet A's holdings are synced and stored, for the member and for
	// another member who holds the same wallet (and must keep them).
	h.setWallet(tok, walletHoldingsA)
	h.setWallet(otherTok, walletHoldingsA)
	for _, m := range []string{id, other} {
		if _, err := h.nfts.SyncMember(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	if got := nftNames(t, h.do("GET", "/dashboard/nfts", tok, "")); len(got) != 2 {
		t.Fatalf("wallet A's NFTs before the change = %v", got)
	}
	if got := h.holdersOf(t, id, "babes-genesis", "babes-charms"); !slices.Equal(got, []string{"1", "2"}) {
		t.Fatalf("collection index before the change = %v", got)
	}

	// Replacing A with B: none of A's NFTs is shown, not even once, and
	// the collection index no longer names the member for them.
	h.setWallet(tok, walletHoldingsB)
	// Checked before the list read below queues a refresh of wallet B,
	// whose worker may then index B's NFT at any moment.
	if got := h.holdersOf(t, id, "babes-genesis", "babes-charms"); len(got) != 0 {
		t.Fatalf("the collection index still names the member for %v after the switch", got)
	}
	r := h.do("GET", "/dashboard/nfts", tok, "")
	if got := nftNames(t, r); len(got) != 0 {
		t.Fatalf("right after switching to wallet B the list shows %v", got)
	}
	if r.body["wallet"] != walletHoldingsB || r.body["refreshing"] != true {
		t.Fatalf("first read of wallet B = %s; want wallet B and a refresh queued", r.raw)
	}
	// The queued refresh reads wallet B, and only B's NFTs show.
	if err := h.queue.Idle(t.Context()); err != nil {
		t.Fatal(err)
	}
	r = h.do("GET", "/dashboard/nfts", tok, "")
	if got := nftNames(t, r); !slices.Equal(got, []string{"B Babe #300"}) {
		t.Fatalf("after the refresh of wallet B the list shows %v", got)
	}
	for _, n := range r.body["nfts"].([]any) {
		if w := n.(map[string]any)["wallet"]; w != walletHoldingsB {
			t.Errorf("an NFT of wallet B names wallet %v", w)
		}
	}

	// Clearing the wallet: nothing is shown, nothing is indexed.
	if r := h.do("PUT", "/dashboard/profile", tok, `{"preferredWallet": null}`); r.status != 200 {
		t.Fatalf("clear wallet = %d %s", r.status, r.raw)
	}
	r = h.do("GET", "/dashboard/nfts", tok, "")
	if got := nftNames(t, r); len(got) != 0 || r.body["wallet"] != nil {
		t.Fatalf("after clearing the wallet = %s", r.raw)
	}
	if got := h.holdersOf(t, id, "babes-genesis", "babes-charms"); len(got) != 0 {
		t.Fatalf("the collection index still names the member for %v after clearing", got)
	}
	page, err := h.store.ListHoldings(t.Context(), id, "", 100, "")
	if err != nil || len(page.Holdings) != 0 {
		t.Fatalf("stored holdings after clearing = %v, %v", page.Holdings, err)
	}

	// The other member of wallet A kept theirs.
	if got := nftNames(t, h.do("GET", "/dashboard/nfts", otherTok, "")); len(got) != 2 {
		t.Errorf("the other member of wallet A now sees %v", got)
	}
	if got := h.holdersOf(t, other, "babes-genesis", "babes-charms"); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("the other member's index entries = %v", got)
	}
}

// duringRead is the real marketplace adapter with a hook that runs once,
// after a read of wallet has completed and before the sync gets to write
// it: the moment a member's wallet change can fall into.
type duringRead struct {
	next   dashboard.Marketplace
	wallet string
	once   sync.Once
	hook   func()
}

func (d *duringRead) Holdings(ctx context.Context, wallet string) ([]dashboard.Holding, error) {
	hs, err := d.next.Holdings(ctx, wallet)
	if strings.EqualFold(wallet, d.wallet) {
		d.once.Do(d.hook)
	}
	return hs, err
}

// TestSyncOfAReplacedWalletLeavesNothing checks the other half of finding
// 2: a sync that read wallet A while the member switched to B does not
// leave A's holdings behind (nor a fresh marker that would delay B's
// first read), whichever way the two interleave.
func TestSyncOfAReplacedWalletLeavesNothing(t *testing.T) {
	h := newTestHarness(t)
	id, tok := h.member("wallet-race@example.com")
	h.market.SetHoldings(walletHoldingsA, walletANFTs())
	h.market.SetHoldings(walletHoldingsB, walletBNFTs())
	h.setWallet(tok, walletHoldingsA)
	h.nfts.Market = &duringRead{next: h.nfts.Market, wallet: walletHoldingsA, hook: func() { h.setWallet(tok, walletHoldingsB) }}

	if _, err := h.nfts.SyncMember(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	page, err := h.store.ListHoldings(t.Context(), id, "", 100, "")
	if err != nil || len(page.Holdings) != 0 {
		t.Fatalf("stored holdings after a sync of the replaced wallet = %v, %v", page.Holdings, err)
	}
	if got := h.holdersOf(t, id, "babes-genesis", "babes-charms"); len(got) != 0 {
		t.Fatalf("the collection index names the member for %v", got)
	}
	if synced, err := h.store.SyncedAt(t.Context(), id, dashboard.SyncNFT); err != nil || synced != nil {
		t.Fatalf("SYNC#NFT after a sync of the replaced wallet = %v, %v; want none", synced, err)
	}
	r := h.do("GET", "/dashboard/nfts", tok, "")
	if got := nftNames(t, r); len(got) != 0 || r.body["refreshing"] != true {
		t.Fatalf("first read of wallet B = %s", r.raw)
	}
	if err := h.queue.Idle(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := nftNames(t, h.do("GET", "/dashboard/nfts", tok, "")); !slices.Equal(got, []string{"B Babe #300"}) {
		t.Fatalf("after the refresh = %v, want wallet B's", got)
	}
}

// TestListShowsOnlyTheCurrentWallet checks the list's own guard: holdings
// stored for another wallet are never shown (and make the read refresh),
// while holdings stored before they named a wallet show under the current
// one.
func TestListShowsOnlyTheCurrentWallet(t *testing.T) {
	h := newTestHarness(t)
	id, tok := h.member("wallet-filter@example.com")
	h.setWallet(tok, walletHoldingsB)
	now := time.Now()
	// As a store may still hold them: one of wallet A, one of B in
	// another case, one from before holdings named a wallet; and a
	// fresh marker.
	stored := []dashboard.Holding{
		{TokenID: "1", ContractAddress: babesContract, CollectionID: "babes-genesis", TokenName: "A Babe #1", Wallet: walletHoldingsA, LastSyncedAt: now},
		{TokenID: "300", ContractAddress: babesContract, CollectionID: "babes-genesis", TokenName: "B Babe #300", Wallet: strings.ToLower(walletHoldingsB), LastSyncedAt: now},
		{TokenID: "301", ContractAddress: babesContract, CollectionID: "babes-genesis", TokenName: "Old Babe #301", LastSyncedAt: now},
	}
	if _, err := h.store.ReplaceHoldings(t.Context(), id, stored, now); err != nil {
		t.Fatal(err)
	}
	r := h.do("GET", "/dashboard/nfts", tok, "")
	if got := nftNames(t, r); !slices.Equal(got, []string{"B Babe #300", "Old Babe #301"}) {
		t.Fatalf("list = %v, want only the current wallet's and the unstamped one", got)
	}
	for _, n := range r.body["nfts"].([]any) {
		if w := n.(map[string]any)["wallet"]; w != walletHoldingsB {
			t.Errorf("a shown NFT names wallet %v, want the profile's %s", w, walletHoldingsB)
		}
	}
	if r.body["refreshing"] != true {
		t.Errorf("a list holding another wallet's NFTs did not refresh: %s", r.raw)
	}
	if err := h.queue.Idle(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Without a wallet nothing shows, whatever is stored.
	if r := h.do("PUT", "/dashboard/profile", tok, `{"preferredWallet": null}`); r.status != 200 {
		t.Fatalf("clear wallet = %d %s", r.status, r.raw)
	}
	if _, err := h.store.ReplaceHoldings(t.Context(), id, stored, now); err != nil {
		t.Fatal(err)
	}
	if r := h.do("GET", "/dashboard/nfts", tok, ""); len(nftNames(t, r)) != 0 || r.body["refreshing"] != false {
		t.Fatalf("list without a wallet = %s", r.raw)
	}
}
