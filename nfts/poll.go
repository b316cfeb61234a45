package nfts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// pollDeadlineMargin is kept free before a poll unit's deadline: the unit
// starts no member sync with less time left, and queues its continuation
// instead. A member's sync is a few marketplace pages and a few store
// calls (seconds, more with the marketplace's retries), so half a minute
// leaves room to finish the one under way and queue the rest.
const pollDeadlineMargin = 30 * time.Second

// continuationReserve is the part of the margin a member's sync may not
// use: a sync still running that close to the deadline is cut short, so
// the continuation is always queued before Lambda ends the invocation.
const continuationReserve = 10 * time.Second

// errOutOfTime stops a poll unit's walk when too little time is left.
var errOutOfTime = errors.New("nfts: the poll unit is out of time")

// PollRequests returns the units of one poll started at started: one
// refresh-queue message (PollKind) per wallet shard, in shard order, all
// naming the same run.
func PollRequests(started time.Time) []dashboard.RefreshRequest {
	started = started.UTC().Truncate(time.Millisecond)
	run := "poll-" + started.Format("20060102T150405.000Z")
	var out []dashboard.RefreshRequest
	for _, shard := range dashboard.WalletShardKeys() {
		out = append(out, dashboard.RefreshRequest{Kind: dashboard.PollKind, RunID: run, From: started, Shard: shard})
	}
	return out
}

// PlanPoll is the scheduled poll on AWS: it queues the poll's units
// (PollRequests, one per wallet shard) on q for the refresh queue's worker
// and syncs nobody itself, so the poll fans out over the worker's
// concurrency and a failed shard is retried alone. It returns how many
// units it queued; a failure to queue one stops it (the next hour plans
// again, and members already synced are skipped).
func (s *Service) PlanPoll(ctx context.Context, q dashboard.RefreshQueue) (int, error) {
	reqs := PollRequests(s.now())
	for i, r := range reqs {
		if err := q.Enqueue(ctx, r); err != nil {
			return i, fmt.Errorf("nfts: queue poll unit %s: %w", r.Shard, err)
		}
	}
	s.logger().InfoContext(ctx, "NFT poll planned", slog.String("runId", reqs[0].RunID), slog.Int("units", len(reqs)))
	return len(reqs), nil
}

// PollUnit syncs the members of one unit of the poll (PollKind: a wallet
// shard, from its start or after the index item a continuation names),
// found through the wallet index's shard (EachShardWalletMember), never a
// Scan (CONTRACT §10). A member synced since the poll started (through
// another of their wallets, an earlier delivery of this unit, or a read's
// refresh) is skipped, so every member is synced once a poll. A member
// whose sync fails is logged (member id only) and counted by FailureClass;
// the others still sync. progress, if set, is called after each member
// synced or failed.
//
// When ctx has a deadline, the unit starts no member sync with less than
// pollDeadlineMargin left: it queues its continuation (the same unit,
// resuming after the last index item done) on s.Continuations and returns,
// so a shard of any size completes over several invocations. Without a
// continuation queue, running out of time is an error, so the queue
// delivers the unit again (already synced members are then skipped).
func (s *Service) PollUnit(ctx context.Context, r dashboard.RefreshRequest, progress func(SyncResult)) (*SyncResult, error) {
	if r.Kind != dashboard.PollKind {
		return nil, dashboard.Errorf(dashboard.EVALIDATION, "Not a poll unit.")
	}
	res, next, err := s.pollUnit(ctx, r, true, progress)
	if err != nil || next == nil {
		return res, err
	}
	if s.Continuations == nil {
		return res, fmt.Errorf("nfts: poll unit %s ran out of time and has no queue for its continuation", r.Shard)
	}
	// The walk's context may be nearly spent: the continuation gets a
	// moment of its own (the margin kept it free).
	qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), continuationReserve)
	defer cancel()
	if err := s.Continuations.Enqueue(qctx, *next); err != nil {
		return res, fmt.Errorf("nfts: queue the continuation of poll unit %s: %w", r.Shard, err)
	}
	s.logger().InfoContext(ctx, "NFT poll unit continues", slog.String("runId", r.RunID), slog.String("shard", r.Shard),
		slog.String("afterMemberId", next.UserID), slog.Int("synced", res.Synced), slog.Int("failed", res.Failed))
	return res, nil
}

// Poll syncs every member with a wallet in this process: the poll's units
// (PollRequests) one after another, each to its end whatever ctx's
// deadline (`dashboard sync nfts --all` and `dashboard serve`'s schedule).
// It stops early only when ctx ends. progress, if set, is called after
// each member synced or failed, with the running total.
//
// A profile with a preferredWallet but no wallet items (written before the
// wallet index existed) is not found: `dashboard migrate wallets` adds
// them, once, before this version polls.
func (s *Service) Poll(ctx context.Context, progress func(SyncResult)) (*SyncResult, error) {
	total := &SyncResult{}
	for _, r := range PollRequests(s.now()) {
		var tick func(SyncResult)
		if progress != nil {
			base := *total
			tick = func(u SyncResult) {
				sum := base
				sum.Merge(u)
				progress(sum)
			}
		}
		res, _, err := s.pollUnit(ctx, r, false, tick)
		total.Merge(*res)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// pollUnit walks one unit. With budget, it stops before ctx's deadline
// (see PollUnit) and returns the continuation to queue; without, it runs
// to the end of the shard. It fails only when the shard cannot be read
// (or ctx ends).
func (s *Service) pollUnit(ctx context.Context, r dashboard.RefreshRequest, budget bool, progress func(SyncResult)) (*SyncResult, *dashboard.RefreshRequest, error) {
	res := &SyncResult{}
	deadline, limited := ctx.Deadline()
	limited = limited && budget
	lastWallet, lastUser := r.Wallet, r.UserID
	seen := map[string]bool{}
	err := s.Store.EachShardWalletMember(ctx, r.Shard, r.Wallet, r.UserID, func(address, userID string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if limited && s.timeLeft(deadline) < pollDeadlineMargin {
			return errOutOfTime
		}
		if !seen[userID] {
			seen[userID] = true
			mctx, cancel := ctx, context.CancelFunc(func() {})
			if limited {
				mctx, cancel = context.WithDeadline(ctx, deadline.Add(-continuationReserve))
			}
			done, err := s.pollMember(mctx, r.From, userID, res)
			cancel()
			if !done && limited && errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
				return errOutOfTime // the member is redone by the continuation
			}
			if err != nil {
				res.Failed++
				class := FailureClass(err)
				if s.OnPollFailure != nil {
					s.OnPollFailure(class)
				}
				s.logger().WarnContext(ctx, "NFT sync failed", slog.String("memberId", userID), slog.String("class", class), slog.Any("error", err))
			}
			if done || err != nil {
				if progress != nil {
					progress(*res)
				}
			}
		}
		lastWallet, lastUser = address, userID
		return nil
	})
	switch {
	case errors.Is(err, errOutOfTime) && lastWallet == r.Wallet && lastUser == r.UserID:
		// Not one member done: a continuation would be this very unit
		// again, so it fails instead and the queue retries it later.
		return res, nil, fmt.Errorf("nfts: poll unit %s had too little time to sync a member", r.Shard)
	case errors.Is(err, errOutOfTime):
		next := r
		next.Wallet, next.UserID = lastWallet, lastUser
		return res, &next, nil
	case err != nil:
		return res, nil, fmt.Errorf("nfts: list the members of %s: %w", r.Shard, err)
	}
	return res, nil, nil
}

// pollMember syncs one member of a poll started at started unless their
// marker says they were synced since. It reports whether it synced them;
// a failure is returned, not counted.
func (s *Service) pollMember(ctx context.Context, started time.Time, userID string, res *SyncResult) (bool, error) {
	last, err := s.Store.SyncedAt(ctx, userID, dashboard.SyncNFT)
	if err != nil {
		return false, stage("read sync marker", err)
	}
	if last != nil && !last.Before(started) {
		res.Skipped++
		return false, nil
	}
	d, err := s.SyncMember(ctx, userID)
	if err != nil {
		return false, err
	}
	res.add(d)
	return true, nil
}
