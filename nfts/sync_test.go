package nfts_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/nfts"
)

// TestSyncMemberDiff checks that a sync replaces the stored holdings with
// the marketplace's, counting adds, metadata updates and removals, without
// counting a holding whose only change is its sync time, and stamps each
// holding with the wallet in its EIP-55 spelling.
func TestSyncMemberDiff(t *testing.T) {
	k := newKit(t)
	// The profile keeps the wallet lower-cased; holdings must still name it
	// as EIP-55 spells it.
	k.setWallet("u1", strings.ToLower(walletA))
	k.market.SetHoldings(walletA, []markettest.NFT{babe("1", "One"), babe("2", "Two"), babe("3", "Three")})

	t0 := k.now
	d, err := k.svc.SyncMember(k.ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if want := (dashboard.HoldingDiff{Added: 3}); d != want {
		t.Errorf("first sync diff = %+v, want %+v", d, want)
	}
	for _, h := range k.holdings("u1") {
		if h.Wallet != walletA || !h.LastSyncedAt.Equal(t0) {
			t.Errorf("holding %s: wallet %q synced %v; want %s at %v", h.TokenID, h.Wallet, h.LastSyncedAt, walletA, t0)
		}
	}
	if at := k.syncedAt("u1"); at == nil || !at.Equal(t0) {
		t.Errorf("SYNC#NFT = %v, want %v", at, t0)
	}

	// One later: token 1 is unchanged, 2 is renamed, 3 is gone, 4 is new.
	k.now = k.now.Add(2 * time.Hour)
	k.market.SetHoldings(walletA, []markettest.NFT{babe("1", "One"), babe("2", "Two, renamed"), babe("4", "Four")})
	d, err = k.svc.SyncMember(k.ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if want := (dashboard.HoldingDiff{Added: 1, Updated: 1, Removed: 1}); d != want {
		t.Errorf("second sync diff = %+v, want %+v", d, want)
	}
	got := byToken(k.holdings("u1"))
	if len(got) != 3 || got["1"].TokenName != "One" || got["2"].TokenName != "Two, renamed" || got["4"].TokenName != "Four" {
		t.Errorf("holdings after the second sync = %+v; want tokens 1 (One), 2 (Two, renamed), 4 (Four)", got)
	}
	if _, ok := got["3"]; ok {
		t.Error("token 3, gone from the marketplace, is still stored")
	}
	// Token 1 did not change, so it was not written: the store keeps its
	// first sync time, the list shows the marker's.
	for _, h := range got {
		want := k.now
		if h.TokenID == "1" {
			want = t0
		}
		if h.Wallet != walletA || !h.LastSyncedAt.Equal(want) {
			t.Errorf("stored holding %s: wallet %q synced %v; want %s at %v", h.TokenID, h.Wallet, h.LastSyncedAt, walletA, want)
		}
	}
	k.listShowsSyncedAt("u1", 3, k.now)

	// Nothing changed upstream: nothing is counted and no holding is
	// written, though the sync time moves, and the list shows it.
	stored := k.holdings("u1")
	k.now = k.now.Add(2 * time.Hour)
	if d, err = k.svc.SyncMember(k.ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if d != (dashboard.HoldingDiff{}) {
		t.Errorf("an unchanged sync diff = %+v, want nothing", d)
	}
	if at := k.syncedAt("u1"); at == nil || !at.Equal(k.now) {
		t.Errorf("SYNC#NFT after an unchanged sync = %v, want %v", at, k.now)
	}
	if after := k.holdings("u1"); !reflect.DeepEqual(after, stored) {
		t.Errorf("an unchanged sync rewrote holdings:\nbefore %+v\nafter  %+v", stored, after)
	}
	k.listShowsSyncedAt("u1", 3, k.now)
	all, err := k.svc.All(k.ctx, dashboard.Member{UserID: "u1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range all {
		if !h.LastSyncedAt.Equal(k.now) {
			t.Errorf("exported NFT %s: lastSyncedAt %v, want the last sync %v", h.TokenID, h.LastSyncedAt, k.now)
		}
	}
}

// listShowsSyncedAt fails unless the member's NFT list shows n NFTs, each
// last synced at (the marker's time, whenever the holding was written).
func (k *kit) listShowsSyncedAt(userID string, n int, at time.Time) {
	k.t.Helper()
	list, err := k.svc.List(k.ctx, dashboard.Member{UserID: userID}, "", nfts.MaxPageSize, "")
	if err != nil {
		k.t.Fatal(err)
	}
	if len(list.NFTs) != n {
		k.t.Errorf("the list shows %d NFTs, want %d", len(list.NFTs), n)
	}
	for _, h := range list.NFTs {
		if !h.LastSyncedAt.Equal(at) {
			k.t.Errorf("listed NFT %s: lastSyncedAt %v, want %v", h.TokenID, h.LastSyncedAt, at)
		}
	}
}

// TestSyncMemberMarketFailureChangesNothing checks that a marketplace
// failure leaves the previous holdings and the SYNC#NFT marker as they were.
func TestSyncMemberMarketFailureChangesNothing(t *testing.T) {
	k := newKit(t)
	k.setWallet("u1", walletA)
	k.market.SetHoldings(walletA, []markettest.NFT{babe("1", "One"), babe("2", "Two")})
	if _, err := k.svc.SyncMember(k.ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	before, t0 := k.holdings("u1"), k.now

	for name, fail := range map[string]func(){
		"HTTP 500":      func() { k.market.FailPage(1, http.StatusInternalServerError) },
		"dropped":       func() { k.market.FailPage(1, markettest.Drop) },
		"malformed":     func() { k.market.Malformed(1) },
		"key refused":   func() { k.market.SetAPIKey("another-key") },
		"second page":   func() { k.market.SetPageSize(1); k.market.FailPage(2, http.StatusServiceUnavailable) },
		"rate limited":  func() { k.market.FailPage(1, http.StatusTooManyRequests) },
		"unknown chain": func() { k.market.SetChain("base") },
	} {
		t.Run(name, func(t *testing.T) {
			k.t = t
			// What a complete read would store: two pages once SetPageSize(1).
			k.market.SetHoldings(walletA, []markettest.NFT{babe("3", "Three"), babe("4", "Four")})
			fail()
			defer func() {
				k.market.Heal()
				k.market.SetAPIKey(markettest.DefaultAPIKey)
				k.market.SetPageSize(200)
				k.market.SetChain("ethereum")
			}()
			k.now = k.now.Add(2 * time.Hour)
			calls := k.market.Calls()
			if _, err := k.svc.SyncMember(k.ctx, "u1"); err == nil {
				t.Fatal("the sync succeeded against a failing marketplace")
			}
			if k.market.Calls() == calls {
				t.Fatal("the marketplace was not asked")
			}
			if got := k.holdings("u1"); !reflect.DeepEqual(got, before) {
				t.Errorf("holdings after a failed sync = %+v, want the previous %+v", got, before)
			}
			if at := k.syncedAt("u1"); at == nil || !at.Equal(t0) {
				t.Errorf("SYNC#NFT after a failed sync = %v, want the previous %v", at, t0)
			}
		})
	}
}

// TestSyncMemberWithoutWallet checks that a member whose wallet was cleared
// ends with no holdings, and that no marketplace read is made for them:
// the cleared wallet's removal takes its holdings at once, and a sync
// removes any left behind (one a sync racing the removal wrote).
func TestSyncMemberWithoutWallet(t *testing.T) {
	k := newKit(t)
	k.setWallet("u1", walletA)
	k.market.SetHoldings(walletA, []markettest.NFT{babe("1", "One"), babe("2", "Two")})
	if _, err := k.svc.SyncMember(k.ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if n := len(k.holdings("u1")); n != 2 {
		t.Fatalf("seeded %d holdings, want 2", n)
	}

	k.setWallet("u1", "")
	if got := k.holdings("u1"); len(got) != 0 {
		t.Fatalf("the cleared wallet's holdings stayed: %+v", got)
	}
	leftovers := []dashboard.Holding{
		{ContractAddress: babes, TokenID: "1", Wallet: walletA, CollectionID: "babes-club"},
		{ContractAddress: babes, TokenID: "2", Wallet: walletA, CollectionID: "babes-club"},
	}
	if _, err := k.store.ReplaceHoldings(k.ctx, "u1", leftovers, k.now); err != nil {
		t.Fatal(err)
	}
	k.now = k.now.Add(time.Hour)
	calls := k.market.Calls()
	d, err := k.svc.SyncMember(k.ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if want := (dashboard.HoldingDiff{Removed: 2}); d != want {
		t.Errorf("diff = %+v, want %+v", d, want)
	}
	if got := k.holdings("u1"); len(got) != 0 {
		t.Errorf("a member without a wallet still holds %+v", got)
	}
	if k.market.Calls() != calls {
		t.Error("the marketplace was asked for a member without a wallet")
	}

	// A member without any profile has no wallet either.
	if d, err := k.svc.SyncMember(k.ctx, "nobody"); err != nil || d != (dashboard.HoldingDiff{}) {
		t.Errorf("sync of a member without a profile = %+v, %v; want nothing", d, err)
	}
	if got := k.holdings("nobody"); len(got) != 0 {
		t.Errorf("a member without a profile holds %+v", got)
	}
}
