package dashboard

import (
	"context"
	"time"
)

// SnapshotReader is an optional capability of a Store whose reads are local
// (the embedded store): ReadSnapshot runs fn with reads that all see one
// committed state of the store, in one read transaction. A view that reads
// several items (the NFT list: profile, wallets, holdings page, sync marker;
// the email list: profile, checkout emails)
// uses it instead of reading them concurrently: on DynamoDB concurrent reads
// save round trips, but on a local store a goroutine and a transaction per
// item cost more than the reads themselves, and separate reads could see a
// write land between them. A store without it is read item by item.
type SnapshotReader interface {
	// ReadSnapshot calls fn once, with reads valid only until fn returns.
	// fn must not call the store's own methods: on the embedded store a
	// second transaction opened while the first is held can wait behind a
	// writer that waits for the first.
	ReadSnapshot(ctx context.Context, fn func(Snapshot) error) error
}

// Snapshot is the reads a SnapshotReader offers inside one transaction,
// each answering exactly as the Store's method of the same name does.
type Snapshot interface {
	GetProfile(ctx context.Context, userID string) (*Profile, error)
	Wallets(ctx context.Context, userID string) ([]MemberWallet, error)
	ListHoldings(ctx context.Context, userID, collectionID string, limit int, after string) (HoldingPage, error)
	SyncedAt(ctx context.Context, userID string, kind SyncKind) (*time.Time, error)
	CheckoutEmails(ctx context.Context, userID string) ([]CheckoutEmail, error)
}
