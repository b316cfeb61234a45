package dashboard

import (
	"context"
	"time"
)

// RefreshRequest asks for background work: one member's data synced, or
// one window of the reconciliation filed (Kind RECONCILE).
type RefreshRequest struct {
	Kind   SyncKind `json:"kind"`             // STRIPE, NFT or RECONCILE
	UserID string   `json:"userId,omitempty"` // the member to sync
	// Wallet, for NFT refreshes that a marketplace webhook names by wallet
	// rather than by member.
	Wallet string `json:"wallet,omitempty"`
	// Email, for a Stripe refresh of one checkout email the member just
	// verified: only the sessions of that address are listed (CONTRACT §9).
	Email string `json:"email,omitempty"`
	// RunID, From and To name one reconciliation window (Kind RECONCILE,
	// ReconcileWindow): the sessions created in [From, To).
	RunID string    `json:"runId,omitempty"`
	From  time.Time `json:"from,omitzero"`
	To    time.Time `json:"to,omitzero"`
	// Shard names one unit of the NFT poll (Kind NFT_POLL, PollKind): a
	// wallet shard (WalletShardKeys) whose members are synced. RunID and
	// From name the poll and when it started; Wallet and UserID, when set,
	// are the index item a continuation resumes after.
	Shard string `json:"shard,omitempty"`
}

// PollKind is the RefreshRequest kind of one unit of the hourly NFT poll:
// one wallet shard's members, synced by the refresh queue's worker, so the
// poll fans out over the worker's concurrency instead of running in one
// invocation, and a shard that runs out of time queues its own
// continuation.
const PollKind SyncKind = "NFT_POLL"

// RefreshQueue takes refresh requests. Enqueue returns once the request is
// accepted (sent to SQS, or queued in-process), never after the sync.
type RefreshQueue interface {
	Enqueue(ctx context.Context, r RefreshRequest) error
}

// RefreshHandler performs one refresh; the queue's worker calls it.
type RefreshHandler func(ctx context.Context, r RefreshRequest) error
