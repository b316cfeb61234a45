package bolt_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/demo"
)

// TestSnapshotReadsAnswerAsTheStore checks that every read of a snapshot
// answers exactly as the Store's method of the same name, values and
// errors, for a member with a profile, wallets, checkout emails, holdings
// and markers, for one without any, and for ids and cursors the store
// refuses. Each read is made twice, so the second answers from the item
// caches.
func TestSnapshotReadsAnswerAsTheStore(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	if err := demo.Seed(ctx, s, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSynced(ctx, demo.Member.UserID, dashboard.SyncNFT, time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	type read struct {
		name string
		call func(r dashboard.Snapshot) (any, error)
	}
	var reads []read
	for _, id := range []string{demo.Member.UserID, "0123456789abcdef0123456789abcdef", "bad#id", ""} {
		reads = append(reads,
			read{"GetProfile " + id, func(r dashboard.Snapshot) (any, error) { return r.GetProfile(ctx, id) }},
			read{"Wallets " + id, func(r dashboard.Snapshot) (any, error) { return r.Wallets(ctx, id) }},
			read{"SyncedAt NFT " + id, func(r dashboard.Snapshot) (any, error) { return r.SyncedAt(ctx, id, dashboard.SyncNFT) }},
			read{"SyncedAt Stripe " + id, func(r dashboard.Snapshot) (any, error) { return r.SyncedAt(ctx, id, dashboard.SyncStripe) }},
			read{"CheckoutEmails " + id, func(r dashboard.Snapshot) (any, error) { return r.CheckoutEmails(ctx, id) }},
		)
		for _, q := range []struct {
			collection, after string
			limit             int
		}{{"", "", 20}, {"", "", 1}, {"", "", 0}, {demo.Holdings(time.Now())[0].CollectionID, "", 20}, {"none", "", 20}, {"", "ORDER#1", 20}} {
			reads = append(reads, read{"ListHoldings " + id, func(r dashboard.Snapshot) (any, error) {
				return r.ListHoldings(ctx, id, q.collection, q.limit, q.after)
			}})
		}
	}
	page, err := s.ListHoldings(ctx, demo.Member.UserID, "", 1, "")
	if err != nil || page.Next == "" {
		t.Fatalf("the demo member's first holding page = %+v, %v; want a next page", page, err)
	}
	reads = append(reads, read{"ListHoldings after", func(r dashboard.Snapshot) (any, error) {
		return r.ListHoldings(ctx, demo.Member.UserID, "", 1, page.Next)
	}})

	found := 0
	for _, rd := range reads {
		for range 2 {
			want, wantErr := rd.call(s) // the Store itself has every method of a Snapshot
			var got any
			var gotErr error
			if err := s.ReadSnapshot(ctx, func(r dashboard.Snapshot) error {
				got, gotErr = rd.call(r)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) || dashboard.ErrorCode(gotErr) != dashboard.ErrorCode(wantErr) || (gotErr == nil) != (wantErr == nil) {
				t.Errorf("%s: snapshot = %#v, %v; store = %#v, %v", rd.name, got, gotErr, want, wantErr)
			}
			if wantErr == nil && !reflect.ValueOf(want).IsZero() {
				found++
			}
		}
	}
	if found < 10 {
		t.Fatalf("only %d reads found anything: the comparison proves little", found)
	}
}

// TestSnapshotRefusesACanceledContext checks that a snapshot is not read
// for a request that is gone.
func TestSnapshotRefusesACanceledContext(t *testing.T) {
	s := open(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	err := s.ReadSnapshot(ctx, func(dashboard.Snapshot) error { called = true; return nil })
	if err == nil || called {
		t.Fatalf("ReadSnapshot on a canceled context = %v, called %v", err, called)
	}
}
