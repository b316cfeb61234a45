package dashboard

import (
	"context"
	"time"
)

// SeedBatch is part of a generated club for a store's bulk load
// (`dashboard seed`, `make scale`): whole items, written blindly, in the
// layout the product's own writes give them, so that every route reads
// seeded data exactly as it reads real data.
type SeedBatch struct {
	// Profiles are written as a first SaveProfile of every non-nil field
	// would write them (createdAt and updatedAt from the profile), each
	// with its EMAIL# lookup and, when it has a Stripe customer, its GSI1
	// entry.
	Profiles []Profile
	// Wallets are written with their index items, as AddWallet writes
	// them; a wallet with VerifiedAt also as VerifyWallet leaves it (of
	// its Kind), with its VERIFIED claim.
	Wallets []MemberWallet
	// Orders are written as PutOrder writes them (version Version+1: 1
	// for a new snapshot).
	Orders []OrderSnapshot
	// Holdings are written as ReplaceHoldings writes them, with their
	// collection-index entries.
	Holdings []Holder
	// Synced are the members' sync markers.
	Synced []SyncMark
}

// SyncMark is one member's sync marker of one kind.
type SyncMark struct {
	UserID string
	Kind   SyncKind
	At     time.Time
}

// Seeder is a store that bulk-loads generated data. Seed overwrites items
// with the same keys whole and checks no condition: it is for empty tables
// and local stores (DynamoDB Local, the embedded store), never for a table
// that members use.
type Seeder interface {
	Seed(ctx context.Context, b SeedBatch) error
}
