package nfts_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/nfts"
)

// TestRefreshCollapses checks the refresh queue's handler: a member synced
// less than a minute ago is not synced again (a burst of reads costs one
// marketplace sync), one synced a minute ago or more is.
func TestRefreshCollapses(t *testing.T) {
	k := newKit(t)
	k.setWallet("u1", walletA)
	k.market.SetHoldings(walletA, []markettest.NFT{babe("1", "One")})
	refresh := dashboard.RefreshRequest{Kind: dashboard.SyncNFT, UserID: "u1"}

	// Never synced: the refresh syncs.
	t0 := k.now
	if err := k.svc.Refresh(k.ctx, refresh); err != nil {
		t.Fatal(err)
	}
	if at := k.syncedAt("u1"); at == nil || !at.Equal(t0) {
		t.Fatalf("SYNC#NFT after the first refresh = %v, want %v", at, t0)
	}

	// 59 s later the marketplace has changed, but the refresh is collapsed.
	k.market.SetHoldings(walletA, []markettest.NFT{babe("1", "One"), babe("2", "Two")})
	k.now = t0.Add(59 * time.Second)
	calls := k.market.Calls()
	if err := k.svc.Refresh(k.ctx, refresh); err != nil {
		t.Fatal(err)
	}
	if k.market.Calls() != calls {
		t.Error("a refresh 59 s after a sync asked the marketplace")
	}
	if n := len(k.holdings("u1")); n != 1 {
		t.Errorf("a collapsed refresh changed the holdings: %d, want 1", n)
	}
	if at := k.syncedAt("u1"); at == nil || !at.Equal(t0) {
		t.Errorf("SYNC#NFT after a collapsed refresh = %v, want %v", at, t0)
	}

	// A minute after the sync, the refresh is performed.
	k.now = t0.Add(time.Minute)
	if err := k.svc.Refresh(k.ctx, refresh); err != nil {
		t.Fatal(err)
	}
	if k.market.Calls() != calls+1 {
		t.Errorf("a refresh a minute after a sync made %d marketplace calls, want 1", k.market.Calls()-calls)
	}
	if n := len(k.holdings("u1")); n != 2 {
		t.Errorf("holdings after a performed refresh = %d, want 2", n)
	}
	if at := k.syncedAt("u1"); at == nil || !at.Equal(k.now) {
		t.Errorf("SYNC#NFT after a performed refresh = %v, want %v", at, k.now)
	}

	// Another kind of refresh is not the NFT service's.
	k.now = k.now.Add(time.Hour)
	calls = k.market.Calls()
	if err := k.svc.Refresh(k.ctx, dashboard.RefreshRequest{Kind: dashboard.SyncStripe, UserID: "u1"}); err != nil {
		t.Fatal(err)
	}
	if k.market.Calls() != calls {
		t.Error("a Stripe refresh asked the NFT marketplace")
	}
}

// TestPoll checks the scheduled poll: every member with a wallet is synced,
// members without one are not asked for, and a member whose sync fails is
// counted and skipped (keeping their holdings and marker) while the others
// still sync. The failure is logged without the member's wallet.
func TestPoll(t *testing.T) {
	k := newKit(t)
	var logs bytes.Buffer
	k.svc.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	members := map[string]string{"u1": walletA, "u2": walletB, "u3": walletC}
	for id, w := range members {
		k.setWallet(id, w)
		k.market.SetHoldings(w, []markettest.NFT{babe("1", "One")})
	}
	k.setWallet("u4", walletA)
	k.setWallet("u4", "") // had a wallet once, has none now
	k.setWallet("u5", "")

	t0 := k.now
	var steps []nfts.SyncResult
	res, err := k.svc.Poll(k.ctx, func(r nfts.SyncResult) { steps = append(steps, r) })
	if err != nil {
		t.Fatal(err)
	}
	if *res != (nfts.SyncResult{Synced: 3, Added: 3}) {
		t.Errorf("first poll = %+v, want 3 synced, 3 added", *res)
	}
	if len(steps) != 3 || steps[2] != *res {
		t.Errorf("progress = %+v, want one call per member with a wallet, the last equal to the result", steps)
	}
	for id, w := range members {
		if k.market.WalletCalls(w) != 1 {
			t.Errorf("%s's wallet was asked %d times, want once", id, k.market.WalletCalls(w))
		}
		if at := k.syncedAt(id); at == nil || !at.Equal(t0) {
			t.Errorf("%s: SYNC#NFT = %v, want %v", id, at, t0)
		}
	}
	if k.market.Calls() != 3 {
		t.Errorf("the poll made %d marketplace calls, want 3 (none for members without a wallet)", k.market.Calls())
	}

	// The next poll: every wallet gained a token, and the first request
	// fails (no retries), so exactly one member's sync fails.
	for _, w := range members {
		k.market.SetHoldings(w, []markettest.NFT{babe("1", "One"), babe("2", "Two")})
	}
	k.market.FailNext(http.StatusInternalServerError)
	k.now = t0.Add(time.Hour)
	res, err = k.svc.Poll(k.ctx, nil)
	if err != nil {
		t.Fatalf("a member's failure stopped the poll: %v", err)
	}
	if *res != (nfts.SyncResult{Synced: 2, Added: 2, Failed: 1}) {
		t.Errorf("poll with one failure = %+v, want 2 synced, 2 added, 1 failed", *res)
	}
	var stale, fresh []string
	for id := range members {
		at, n := k.syncedAt(id), len(k.holdings(id))
		switch {
		case at != nil && at.Equal(t0) && n == 1:
			stale = append(stale, id)
		case at != nil && at.Equal(k.now) && n == 2:
			fresh = append(fresh, id)
		default:
			t.Errorf("%s: SYNC#NFT %v with %d holdings: neither kept nor synced", id, at, n)
		}
	}
	if len(stale) != 1 || len(fresh) != 2 {
		t.Errorf("kept %v and synced %v; want one kept, two synced", stale, fresh)
	}
	if !strings.Contains(logs.String(), "NFT sync failed") {
		t.Errorf("the failure was not logged: %s", logs.String())
	}
	for _, w := range members {
		if strings.Contains(strings.ToLower(logs.String()), strings.ToLower(w[2:])) {
			t.Errorf("the log names a wallet: %s", logs.String())
		}
	}
}

// TestPollReachesEveryWalletOfTheIndex checks that the poll finds members
// through the wallet index, not their profiles: a member whose only
// wallet is verified but not primary is polled for it, and a member's
// unverified non-primary wallet is never asked for (it holds nothing of
// theirs).
func TestPollReachesEveryWalletOfTheIndex(t *testing.T) {
	k := newKit(t)
	k.setWallet("u1", walletA)
	for _, w := range []dashboard.MemberWallet{
		{UserID: "u2", Address: walletB, AddedAt: k.now},
		{UserID: "u3", Address: walletC, AddedAt: k.now},
	} {
		if err := k.store.AddWallet(k.ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	if err := k.store.VerifyWallet(k.ctx, "u2", walletB, dashboard.WalletEOA, k.now); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{walletA, walletB, walletC} {
		k.market.SetHoldings(w, []markettest.NFT{babe("1", "One")})
	}

	res, err := k.svc.Poll(k.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 2 || res.Failed != 0 {
		t.Errorf("poll = %+v, want 2 added (u1's and u2's wallets), none failed", *res)
	}
	for _, c := range []struct {
		user, wallet string
		asked, held  int
	}{{"u1", walletA, 1, 1}, {"u2", walletB, 1, 1}, {"u3", walletC, 0, 0}} {
		if n := k.market.WalletCalls(c.wallet); n != c.asked {
			t.Errorf("%s's wallet was asked %d times, want %d", c.user, n, c.asked)
		}
		if n := len(k.holdings(c.user)); n != c.held {
			t.Errorf("%s holds %d NFTs after the poll, want %d", c.user, n, c.held)
		}
	}
}
