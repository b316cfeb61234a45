package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

var holdingTests = []namedTest{
	{"ReplaceDiffs", testReplaceHoldings},
	{"ListPaginatesAndFilters", testListHoldings},
}

// Contract addresses in checksum (mixed) case, as marketplaces report them.
const (
	contractA = "0xBC4CA0EdA7647A8aB7C2061c2E118A18a936f13D"
	contractB = "0x60E4d786628Fea6478F785A6d7e704777c86a7c6"
)

// newHolding returns a holding of token in contract and collection.
func newHolding(contract, token, collection string, at time.Time) dashboard.Holding {
	return dashboard.Holding{
		TokenID: token, ContractAddress: contract, CollectionID: collection, TokenName: "Babe #" + token,
		ThumbnailURL: "https://img.example/t/" + token + ".png", ImageURL: "https://img.example/" + token + ".png",
		Metadata: map[string]any{
			"description": "A Babes Club token",
			"rank":        float64(7),
			"attributes":  []any{map[string]any{"trait_type": "Background", "value": "Pink"}},
		},
		LastSyncedAt: at,
	}
}

// holdingKey is the contract's sort key of a holding.
func holdingKey(h dashboard.Holding) string {
	return "NFT#" + lower(h.ContractAddress) + "#" + h.TokenID
}

// normHolding is h as a store returns it.
func normHolding(h dashboard.Holding) dashboard.Holding {
	h.LastSyncedAt = ms(h.LastSyncedAt)
	return h
}

// listAll pages through ListHoldings and returns every holding. Every page
// but the last must be full; an empty last page is allowed only as the
// end of the listing.
func listAll(t *testing.T, s RawStore, user, collection string, limit int) (all []dashboard.Holding, pages []int) {
	t.Helper()
	after := ""
	for range 100 {
		page, err := s.ListHoldings(t.Context(), user, collection, limit, after)
		must(t, err, "ListHoldings")
		if len(page.Holdings) > limit {
			t.Fatalf("page of %d holdings at limit %d", len(page.Holdings), limit)
		}
		for _, h := range page.Holdings {
			all = append(all, normHolding(h))
		}
		if len(page.Holdings) > 0 {
			pages = append(pages, len(page.Holdings))
		}
		if page.Next == "" {
			return all, pages
		}
		if len(page.Holdings) < limit {
			t.Fatalf("a page of %d holdings (limit %d) has a next key: a filtered page must fill up while more match", len(page.Holdings), limit)
		}
		after = page.Next
	}
	t.Fatal("ListHoldings never ended")
	return nil, nil
}

// checkHoldings fails unless got is exactly want in key order.
func checkHoldings(t *testing.T, what string, got []dashboard.Holding, want []dashboard.Holding) {
	t.Helper()
	want = slices.Clone(want)
	for i := range want {
		want[i] = normHolding(want[i])
	}
	slices.SortFunc(want, func(a, b dashboard.Holding) int { return strings.Compare(holdingKey(a), holdingKey(b)) })
	jsonEqual(t, what, got, want)
}

func testReplaceHoldings(t *testing.T, s RawStore) {
	user := newID(t)
	at := baseTime
	a1, a2, b1 := newHolding(contractA, "1", "alpha", at), newHolding(contractA, "2", "alpha", at), newHolding(contractB, "10", "beta", at)
	diff, err := s.ReplaceHoldings(t.Context(), user, []dashboard.Holding{a1, a2, b1}, at)
	must(t, err, "ReplaceHoldings")
	if diff != (dashboard.HoldingDiff{Added: 3}) {
		t.Errorf("first diff = %+v, want 3 added", diff)
	}
	synced, err := s.SyncedAt(t.Context(), user, dashboard.SyncNFT)
	must(t, err, "SyncedAt")
	checkTime(t, "SYNC#NFT", synced, at)
	got, _ := listAll(t, s, user, "", 10)
	checkHoldings(t, "holdings after the first replace", got, []dashboard.Holding{a1, a2, b1})

	item := raw(t, s, "USER#"+user, holdingKey(a1))
	if item == nil || item["GSI3PK"] != "COLLECTION#alpha" || item["contractAddress"] != contractA || item["tokenId"] != "1" {
		t.Errorf("stored holding at %s = %v", holdingKey(a1), item)
	}

	// The same set again changes nothing.
	diff, err = s.ReplaceHoldings(t.Context(), user, []dashboard.Holding{b1, a2, a1}, at)
	must(t, err, "ReplaceHoldings(same set)")
	if diff != (dashboard.HoldingDiff{}) {
		t.Errorf("diff of an identical set = %+v, want none", diff)
	}

	// The same set seen again later is no change, but records the new
	// lastSyncedAt.
	seen := at.Add(30 * time.Minute)
	a1s, a2s, b1s := a1, a2, b1
	a1s.LastSyncedAt, a2s.LastSyncedAt, b1s.LastSyncedAt = seen, seen, seen
	diff, err = s.ReplaceHoldings(t.Context(), user, []dashboard.Holding{a1s, a2s, b1s}, seen)
	must(t, err, "ReplaceHoldings(same set, later)")
	if diff != (dashboard.HoldingDiff{}) {
		t.Errorf("diff of a set only seen later = %+v, want none", diff)
	}
	if item := raw(t, s, "USER#"+user, holdingKey(a1)); item["lastSyncedAt"] != ms(seen).Format(time.RFC3339Nano) {
		t.Errorf("lastSyncedAt after a refresh = %v, want %s", item["lastSyncedAt"], ms(seen).Format(time.RFC3339Nano))
	}

	// Keep a1, rename a2, drop b1, add b2.
	later := at.Add(time.Hour)
	a2.TokenName = "Renamed Babe"
	b2 := newHolding(contractB, "11", "beta", later)
	diff, err = s.ReplaceHoldings(t.Context(), user, []dashboard.Holding{a1, a2, b2}, later)
	must(t, err, "ReplaceHoldings(changed set)")
	if diff != (dashboard.HoldingDiff{Added: 1, Updated: 1, Removed: 1}) {
		t.Errorf("diff = %+v, want 1 added, 1 updated, 1 removed", diff)
	}
	got, _ = listAll(t, s, user, "", 10)
	checkHoldings(t, "holdings after the second replace", got, []dashboard.Holding{a1, a2, b2})
	if item := raw(t, s, "USER#"+user, holdingKey(b1)); item != nil {
		t.Errorf("removed holding still stored: %v", item)
	}
	synced, err = s.SyncedAt(t.Context(), user, dashboard.SyncNFT)
	must(t, err, "SyncedAt")
	checkTime(t, "SYNC#NFT after the second replace", synced, later)

	// Another member's holdings are theirs alone.
	other := newID(t)
	_, err = s.ReplaceHoldings(t.Context(), other, []dashboard.Holding{newHolding(contractA, "1", "alpha", at)}, at)
	must(t, err, "ReplaceHoldings(other member)")
	got, _ = listAll(t, s, user, "", 10)
	checkHoldings(t, "holdings beside another member's", got, []dashboard.Holding{a1, a2, b2})

	diff, err = s.ReplaceHoldings(t.Context(), user, nil, later.Add(time.Hour))
	must(t, err, "ReplaceHoldings(empty)")
	if diff != (dashboard.HoldingDiff{Removed: 3}) {
		t.Errorf("diff of emptying = %+v, want 3 removed", diff)
	}
	if got, _ = listAll(t, s, user, "", 10); len(got) != 0 {
		t.Errorf("holdings after emptying = %d", len(got))
	}
	if got, _ = listAll(t, s, other, "", 10); len(got) != 1 {
		t.Errorf("the other member has %d holdings, want 1", len(got))
	}
}

func testListHoldings(t *testing.T, s RawStore) {
	user := newID(t)
	var all, alpha []dashboard.Holding
	// 25 holdings; every third one and the last two (10 in all) are in
	// "alpha", so filtered pages must skip over "beta" to fill up.
	for i := range 25 {
		collection := "beta"
		if i%3 == 0 || i >= 23 {
			collection = "alpha"
		}
		h := newHolding(contractA, fmt.Sprintf("%03d", i), collection, baseTime)
		all = append(all, h)
		if collection == "alpha" {
			alpha = append(alpha, h)
		}
	}
	_, err := s.ReplaceHoldings(t.Context(), user, all, baseTime)
	must(t, err, "ReplaceHoldings")

	got, pages := listAll(t, s, user, "", 10)
	checkHoldings(t, "every holding", got, all)
	if !slices.Equal(pages, []int{10, 10, 5}) {
		t.Errorf("unfiltered page sizes = %v, want [10 10 5]", pages)
	}
	got, pages = listAll(t, s, user, "alpha", 4)
	checkHoldings(t, "alpha holdings", got, alpha)
	if !slices.Equal(pages, []int{4, 4, 2}) {
		t.Errorf("filtered page sizes = %v, want [4 4 2]", pages)
	}
	got, _ = listAll(t, s, user, "gamma", 4)
	if len(got) != 0 {
		t.Errorf("holdings of an unknown collection = %d", len(got))
	}
	page, err := s.ListHoldings(t.Context(), user, "", 3, "")
	must(t, err, "ListHoldings")
	if len(page.Holdings) != 3 || page.Next == "" {
		t.Errorf("first page at limit 3 = %d holdings, next %q", len(page.Holdings), page.Next)
	}
}
