package nfts_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/nfts"
	"github.com/thebabesclub/dashboard/queue"
)

// recorder is the refresh queue as the poll sees it: it keeps what is
// queued, after the queue's own validation of a message.
type recorder struct{ reqs []dashboard.RefreshRequest }

func (q *recorder) Enqueue(_ context.Context, r dashboard.RefreshRequest) error {
	if err := queue.Validate(r); err != nil {
		return err
	}
	q.reqs = append(q.reqs, r)
	return nil
}

// shardWallet returns the i-th test wallet of shard WALLETS#<digit>.
func shardWallet(i int, digit byte) string {
	return fmt.Sprintf("0x%039x%c", 0xb0b0+i, digit)
}

// TestPlanPollQueuesOneUnitPerShard checks the planner: one valid
// message per wallet shard, all of one run started now, and no marketplace
// call or member sync of its own.
func TestPlanPollQueuesOneUnitPerShard(t *testing.T) {
	k := newKit(t)
	k.setWallet("u1", walletA)
	k.market.SetHoldings(walletA, []markettest.NFT{babe("1", "One")})
	q := &recorder{}
	n, err := k.svc.PlanPoll(k.ctx, q)
	if err != nil || n != 16 || len(q.reqs) != 16 {
		t.Fatalf("PlanPoll = %d, %v with %d queued; want 16 units", n, err, len(q.reqs))
	}
	var shards []string
	for _, r := range q.reqs {
		if r.Kind != dashboard.PollKind || r.RunID != q.reqs[0].RunID || r.RunID == "" || !r.From.Equal(k.now) || r.Wallet != "" || r.UserID != "" {
			t.Errorf("unit %+v: want a fresh unit of one run started %v", r, k.now)
		}
		shards = append(shards, r.Shard)
	}
	if !slices.Equal(shards, dashboard.WalletShardKeys()) {
		t.Errorf("units' shards = %v, want each wallet shard once", shards)
	}
	if k.market.Calls() != 0 || k.syncedAt("u1") != nil {
		t.Error("the planner synced a member itself")
	}
}

// TestPollUnitContinues checks a unit that runs out of time: with the
// deadline in its context (the clock moves 20 minutes a member, the
// deadline is an hour away) it syncs three members, queues a continuation
// naming the last one done, and the continuation syncs the rest: every
// member of the shard once in all. A member whose sync fails is logged by
// id only and counted by cause, and the others still sync; a member of
// another shard is left to that shard's unit.
func TestPollUnitContinues(t *testing.T) {
	k := newKit(t)
	var logs bytes.Buffer
	k.svc.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	failures := map[string]int{}
	k.svc.OnPollFailure = func(class string) { failures[class]++ }
	q := &recorder{}
	k.svc.Continuations = q

	const members = 6
	var ids []string
	for i := range members {
		id, w := fmt.Sprintf("u%d", i), shardWallet(i, '3')
		ids = append(ids, id)
		k.setWallet(id, w)
		k.market.SetHoldings(w, []markettest.NFT{babe(fmt.Sprint(i), "Babe")})
	}
	k.setWallet("other", shardWallet(0, '4'))
	k.market.SetHoldings(shardWallet(0, '4'), []markettest.NFT{babe("40", "Elsewhere")})

	unit := nfts.PollRequests(k.now)[3]
	if unit.Shard != "WALLETS#3" {
		t.Fatalf("unit 3 = %+v", unit)
	}
	tick := func(nfts.SyncResult) { k.now = k.now.Add(20 * time.Minute) }
	k.market.FailNext(http.StatusInternalServerError) // the first member's read fails (no retries)

	ctx, cancel := context.WithDeadline(k.ctx, k.now.Add(time.Hour))
	defer cancel()
	first, err := k.svc.PollUnit(ctx, unit, tick)
	if err != nil {
		t.Fatalf("first invocation: %v", err)
	}
	if first.Synced != 2 || first.Failed != 1 {
		t.Errorf("first invocation = %+v, want 2 synced and 1 failed before its deadline", *first)
	}
	if len(q.reqs) != 1 {
		t.Fatalf("continuations queued = %+v, want one", q.reqs)
	}
	next := q.reqs[0]
	if next.Kind != unit.Kind || next.RunID != unit.RunID || !next.From.Equal(unit.From) || next.Shard != unit.Shard || next.UserID != ids[2] || !strings.EqualFold(next.Wallet, shardWallet(2, '3')) {
		t.Errorf("continuation = %+v, want the unit resuming after %s", next, ids[2])
	}

	ctx2, cancel2 := context.WithDeadline(k.ctx, k.now.Add(time.Hour))
	defer cancel2()
	second, err := k.svc.PollUnit(ctx2, next, nil)
	if err != nil {
		t.Fatalf("continuation: %v", err)
	}
	if second.Synced != 3 || second.Failed != 0 || len(q.reqs) != 1 {
		t.Errorf("continuation = %+v with %d queued, want the other 3 synced and nothing more queued", *second, len(q.reqs))
	}
	synced := 0
	for i, id := range ids {
		calls := k.market.WalletCalls(shardWallet(i, '3'))
		if calls != 1 {
			t.Errorf("%s's wallet was asked %d times over both invocations, want once", id, calls)
		}
		if k.syncedAt(id) != nil {
			synced++
		}
	}
	if synced != members-1 {
		t.Errorf("%d members synced, want %d (all but the failed one)", synced, members-1)
	}
	if k.market.WalletCalls(shardWallet(0, '4')) != 0 || k.syncedAt("other") != nil {
		t.Error("a member of another shard was polled by this unit")
	}
	if want := map[string]int{"read marketplace: " + dashboard.EUNAVAILABLE: 1}; fmt.Sprint(failures) != fmt.Sprint(want) {
		t.Errorf("failures by class = %v, want %v", failures, want)
	}
	if !strings.Contains(logs.String(), "NFT sync failed") || !strings.Contains(logs.String(), "memberId=u0") {
		t.Errorf("the failed member is not logged by id: %s", logs.String())
	}
	if strings.Contains(strings.ToLower(logs.String()), shardWallet(0, '3')[2:]) {
		t.Errorf("the log names a wallet: %s", logs.String())
	}
}

// TestPollSyncsAMemberOncePerPoll checks that a member whose wallets lie
// in two shards is synced by the first unit that reaches them and skipped
// by the other, and that a poll unit delivered twice syncs nobody twice.
func TestPollSyncsAMemberOncePerPoll(t *testing.T) {
	k := newKit(t)
	primary, verified := shardWallet(1, '5'), shardWallet(1, '9')
	k.setWallet("u1", primary)
	if err := k.store.AddWallet(k.ctx, dashboard.MemberWallet{UserID: "u1", Address: verified, AddedAt: k.now}); err != nil {
		t.Fatal(err)
	}
	if err := k.store.VerifyWallet(k.ctx, "u1", verified, dashboard.WalletEOA, k.now); err != nil {
		t.Fatal(err)
	}
	k.market.SetHoldings(primary, []markettest.NFT{babe("1", "One")})
	k.market.SetHoldings(verified, []markettest.NFT{babe("2", "Two")})

	res, err := k.svc.Poll(k.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Synced != 1 || res.Skipped != 1 || res.Added != 2 {
		t.Errorf("poll = %+v, want the member synced once (both wallets) and skipped once", *res)
	}
	if k.market.WalletCalls(primary) != 1 || k.market.WalletCalls(verified) != 1 {
		t.Errorf("wallets asked %d and %d times, want once each", k.market.WalletCalls(primary), k.market.WalletCalls(verified))
	}

	// The same unit delivered again (SQS is at least once) skips them.
	unit := nfts.PollRequests(k.now)[5]
	again, err := k.svc.PollUnit(k.ctx, unit, nil)
	if err != nil || again.Synced != 0 || again.Skipped != 1 || k.market.WalletCalls(primary) != 1 {
		t.Errorf("a redelivered unit = %+v, %v; want the member skipped", again, err)
	}
}

// TestPollUnitRejectsOtherRequests checks that PollUnit refuses a request
// that is not a poll unit, and that the queue refuses a unit without a
// valid shard before any handler sees it.
func TestPollUnitRejectsOtherRequests(t *testing.T) {
	k := newKit(t)
	if _, err := k.svc.PollUnit(k.ctx, dashboard.RefreshRequest{Kind: dashboard.SyncNFT, UserID: "u1"}, nil); dashboard.ErrorCode(err) != dashboard.EVALIDATION {
		t.Errorf("PollUnit(NFT refresh) = %v, want EVALIDATION", err)
	}
	bad := nfts.PollRequests(k.now)[0]
	bad.Shard = "WALLETS#x"
	if _, err := k.svc.PollUnit(k.ctx, bad, nil); dashboard.ErrorCode(err) != dashboard.EVALIDATION {
		t.Errorf("PollUnit(unknown shard) = %v, want EVALIDATION from the store", err)
	}
	if err := queue.Validate(bad); dashboard.ErrorCode(err) != dashboard.EVALIDATION {
		t.Errorf("queue.Validate(unknown shard) = %v, want EVALIDATION", err)
	}
	if k.market.Calls() != 0 {
		t.Error("a rejected unit asked the marketplace")
	}
}

// TestPollUnitWithoutTimeFails checks that a unit delivered with less
// than its margin left syncs nobody and queues no continuation (which
// would be the same unit again, for ever): it fails, so the queue
// delivers it again later.
func TestPollUnitWithoutTimeFails(t *testing.T) {
	k := newKit(t)
	q := &recorder{}
	k.svc.Continuations = q
	w := shardWallet(0, '3')
	k.setWallet("u1", w)
	k.market.SetHoldings(w, []markettest.NFT{babe("1", "One")})
	ctx, cancel := context.WithDeadline(k.ctx, k.now.Add(20*time.Second))
	defer cancel()
	res, err := k.svc.PollUnit(ctx, nfts.PollRequests(k.now)[3], nil)
	if err == nil || len(q.reqs) != 0 || k.market.Calls() != 0 || k.syncedAt("u1") != nil {
		t.Errorf("PollUnit with 20 s left = %+v, %v with %d queued; want an error, nobody synced, nothing queued", res, err, len(q.reqs))
	}
}
