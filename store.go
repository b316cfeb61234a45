package dashboard

import (
	"context"
	"time"
)

// SyncKind names a per-member sync marker (SYNC#STRIPE, SYNC#NFT).
type SyncKind string

// Sync markers of the contract.
const (
	SyncStripe SyncKind = "STRIPE"
	SyncNFT    SyncKind = "NFT"
)

// SyncStore keeps sync markers, processed events and watermarks.
type SyncStore interface {
	// SyncedAt returns the member's marker of kind (nil if never synced).
	SyncedAt(ctx context.Context, userID string, kind SyncKind) (*time.Time, error)
	// MarkSynced sets the member's marker of kind.
	MarkSynced(ctx context.Context, userID string, kind SyncKind, at time.Time) error
	// EventProcessed reports whether EVENT#<id> exists.
	EventProcessed(ctx context.Context, eventID string) (bool, error)
	// MarkEventProcessed writes EVENT#<id> with expiresAt = at + 90 days.
	// Writing an existing event again is not an error.
	MarkEventProcessed(ctx context.Context, eventID string, at time.Time) error
	// Watermark returns the named system watermark (zero time if unset).
	Watermark(ctx context.Context, name string) (time.Time, error)
	// SetWatermark stores the named system watermark.
	SetWatermark(ctx context.Context, name string, at time.Time) error
}

// EventRetention is how long processed-event records live (their TTL).
const EventRetention = 90 * 24 * time.Hour

// Store is everything the dashboard keeps, as both the DynamoDB and the
// embedded store implement it.
type Store interface {
	ProfileStore
	OrderStore
	HoldingStore
	SyncStore
	ReconcileStore
	WalletStore
	CodeStore
	RateStore
	CheckoutEmailStore
	MemberWalletStore
	Close() error
}
