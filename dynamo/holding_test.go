package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/dynamo"
	"github.com/thebabesclub/dashboard/internal/dynamotest"
)

// TestEachHolderQueriesEveryShard holds EachHolder to its budget on the
// sharded collection index (issue 14): one Query per shard and one for the
// legacy unsharded key, all of one page here, and never a Scan (CONTRACT
// §10); the holders come in the same order every time, and fn's error or
// an ended context stops the walk with that error.
func TestEachHolderQueriesEveryShard(t *testing.T) {
	var calls dynamotest.Counter
	s := newStore(t, calls.Option())
	ctx := t.Context()
	want := storeHolders(t, s, 4, 5)
	calls.Reset()
	first := walkHolders(t, s)
	if q, total := calls.Count("Query"), calls.Total(); q != dashboard.CollectionShards+1 || total != q {
		t.Errorf("EachHolder made %v, want %d Queries and nothing else", calls.Calls(), dashboard.CollectionShards+1)
	}
	if n := calls.Count("Scan"); n != 0 {
		t.Errorf("EachHolder made %d Scans", n)
	}
	seen := map[string]bool{}
	for _, k := range first {
		if seen[k] || !want[k] {
			t.Errorf("EachHolder yielded %s twice or unexpectedly: %v", k, first)
		}
		seen[k] = true
	}
	if len(seen) != len(want) {
		t.Errorf("EachHolder yielded %d holdings, want %d", len(seen), len(want))
	}
	if again := walkHolders(t, s); !slices.Equal(again, first) {
		t.Errorf("a second walk came in another order:\n%v\n%v", again, first)
	}

	stop := errors.New("stop")
	n := 0
	err := s.EachHolder(ctx, "babes", func(dashboard.Holder) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("EachHolder with a failing fn = %v after %d calls, want %v after 1", err, n, stop)
	}
	ended, cancel := context.WithCancel(ctx)
	cancel()
	n = 0
	if err := s.EachHolder(ended, "babes", func(dashboard.Holder) error { n++; return nil }); err == nil || n != 0 {
		t.Errorf("EachHolder on an ended context = %v after %d calls, want an error and none", err, n)
	}
}

// storeHolders stores perMember holdings of the collection "babes" for each
// of members new members and returns them as "<user>/<token>".
func storeHolders(t *testing.T, s *dynamo.Store, members, perMember int) map[string]bool {
	t.Helper()
	at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	want := map[string]bool{}
	for m := range members {
		user := newID(t)
		var set []dashboard.Holding
		for i := range perMember {
			token := fmt.Sprint(m*perMember + i)
			set = append(set, dashboard.Holding{TokenID: token, ContractAddress: "0xABCdef", CollectionID: "babes", LastSyncedAt: at})
			want[user+"/"+token] = true
		}
		if _, err := s.ReplaceHoldings(t.Context(), user, set, at); err != nil {
			t.Fatal(err)
		}
	}
	return want
}

// walkHolders is one EachHolder walk of "babes", as "<user>/<token>".
func walkHolders(t *testing.T, s *dynamo.Store) []string {
	t.Helper()
	var got []string
	if err := s.EachHolder(t.Context(), "babes", func(h dashboard.Holder) error {
		got = append(got, h.UserID+"/"+h.Holding.TokenID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}
