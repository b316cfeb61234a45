package storetest

import (
	"fmt"
	"hash/fnv"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

var holdingTests = []namedTest{
	{"ReplaceDiffs", testReplaceHoldings},
	{"ListPaginatesAndFilters", testListHoldings},
	{"RemoveTakesEverything", testRemoveHoldings},
	{"RemoveInBatches", testRemoveManyHoldings},
	{"CollectionIndexIsSharded", testCollectionIndexSharded},
	{"LegacyCollectionKey", testLegacyCollectionKey},
	{"ResyncWritesNoHolding", testResyncWritesNoHolding},
}

// Contract addresses in checksum (mixed) case, as marketplaces report them.
const (
	contractA = "0xBC4CA0EdA7647A8aB7C2061c2E118A18a936f13D"
	contractB = "0x60E4d786628Fea6478F785A6d7e704777c86a7c6"
)

// holdingWallet is the EIP-55 wallet the test holdings were read from.
const holdingWallet = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"

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
		Wallet:       holdingWallet,
	}
}

// holdingKey is the contract's sort key of a holding.
func holdingKey(h dashboard.Holding) string {
	return "NFT#" + lower(h.ContractAddress) + "#" + h.TokenID
}

// collectionShards is how many shards CONTRACT §6's collection index
// (GSI3) has in both stores.
const collectionShards = 16

// shardKey is the collection-index key (GSI3PK) a store must give h:
// COLLECTION#<collectionId>#<n>, n the FNV-1a hash of the lower-cased
// contract, "#" and the token id, modulo 16. The suite keeps its own copy
// of the function: a change to the count or the hash would move every
// stored holding to another shard on its next sync, so it must fail here.
func shardKey(h dashboard.Holding) string {
	f := fnv.New32a()
	f.Write([]byte(lower(h.ContractAddress) + "#" + h.TokenID))
	return fmt.Sprintf("COLLECTION#%s#%d", h.CollectionID, f.Sum32()%collectionShards)
}

// holderCounts returns how many times EachHolder yields each
// member/token pair of collection, failing on a holder of another one.
func holderCounts(t *testing.T, s RawStore, collection string) map[string]int {
	t.Helper()
	seen := map[string]int{}
	must(t, s.EachHolder(t.Context(), collection, func(h dashboard.Holder) error {
		if h.Holding.CollectionID != collection {
			t.Errorf("EachHolder(%s) yielded a holding of %q: %s/%s", collection, h.Holding.CollectionID, h.UserID, h.Holding.TokenID)
		}
		seen[h.UserID+"/"+h.Holding.TokenID]++
		return nil
	}), "EachHolder("+collection+")")
	return seen
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
	if item == nil || item["GSI3PK"] != shardKey(a1) || item["contractAddress"] != contractA || item["tokenId"] != "1" || item["wallet"] != holdingWallet {
		t.Errorf("stored holding at %s = %v", holdingKey(a1), item)
	}

	// The same set again changes nothing.
	diff, err = s.ReplaceHoldings(t.Context(), user, []dashboard.Holding{b1, a2, a1}, at)
	must(t, err, "ReplaceHoldings(same set)")
	if diff != (dashboard.HoldingDiff{}) {
		t.Errorf("diff of an identical set = %+v, want none", diff)
	}

	// The same set seen again later is no change: the marker records the
	// new sync, the holdings keep the time they were written
	// (testResyncWritesNoHolding checks every item).
	seen := at.Add(30 * time.Minute)
	a1s, a2s, b1s := a1, a2, b1
	a1s.LastSyncedAt, a2s.LastSyncedAt, b1s.LastSyncedAt = seen, seen, seen
	diff, err = s.ReplaceHoldings(t.Context(), user, []dashboard.Holding{a1s, a2s, b1s}, seen)
	must(t, err, "ReplaceHoldings(same set, later)")
	if diff != (dashboard.HoldingDiff{}) {
		t.Errorf("diff of a set only seen later = %+v, want none", diff)
	}
	if item := raw(t, s, "USER#"+user, holdingKey(a1)); item["lastSyncedAt"] != ms(at).Format(time.RFC3339Nano) {
		t.Errorf("lastSyncedAt of a holding only seen again = %v, want it unwritten (%s)", item["lastSyncedAt"], ms(at).Format(time.RFC3339Nano))
	}
	synced, err = s.SyncedAt(t.Context(), user, dashboard.SyncNFT)
	must(t, err, "SyncedAt")
	checkTime(t, "SYNC#NFT after a sync of the same set", synced, seen)

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

// holderTokens returns the token ids EachHolder yields for user in
// collection.
func holderTokens(t *testing.T, s RawStore, collection, user string) []string {
	t.Helper()
	var tokens []string
	must(t, s.EachHolder(t.Context(), collection, func(h dashboard.Holder) error {
		if h.UserID == user {
			tokens = append(tokens, h.Holding.TokenID)
		}
		return nil
	}), "EachHolder")
	slices.Sort(tokens)
	return tokens
}

// testRemoveHoldings checks that RemoveHoldings takes all of a member's
// holdings at once — the list, the collection index and the SYNC#NFT
// marker — including one written before holdings named their wallet, and
// leaves everything else alone: the member's other items and another
// member's holdings of the same collections.
func testRemoveHoldings(t *testing.T, s RawStore) {
	user, other := newID(t), newID(t)
	alpha, beta := "alpha-"+newID(t)[:8], "beta-"+newID(t)[:8]
	at := baseTime
	mine := []dashboard.Holding{newHolding(contractA, "1", alpha, at), newHolding(contractA, "2", alpha, at), newHolding(contractB, "3", beta, at)}
	_, err := s.ReplaceHoldings(t.Context(), user, mine, at)
	must(t, err, "ReplaceHoldings")
	// A holding as an earlier release stored it: no wallet attribute.
	legacy := newHolding(contractB, "4", beta, at)
	legacy.Wallet = ""
	must(t, s.PutRawItem(t.Context(), map[string]any{
		"PK": "USER#" + user, "SK": holdingKey(legacy), "GSI3PK": "COLLECTION#" + beta, "userId": user,
		"tokenId": legacy.TokenID, "contractAddress": legacy.ContractAddress, "collectionId": beta,
		"tokenName": legacy.TokenName, "thumbnailUrl": legacy.ThumbnailURL, "imageUrl": legacy.ImageURL,
		"metadata": legacy.Metadata, "lastSyncedAt": ms(at).Format(time.RFC3339Nano),
	}), "PutRawItem(legacy holding)")
	theirs := []dashboard.Holding{newHolding(contractA, "1", alpha, at), newHolding(contractB, "3", beta, at)}
	_, err = s.ReplaceHoldings(t.Context(), other, theirs, at)
	must(t, err, "ReplaceHoldings(other)")
	must(t, s.MarkSynced(t.Context(), user, dashboard.SyncStripe, at), "MarkSynced(stripe)")
	got, _ := listAll(t, s, user, "", 10)
	checkHoldings(t, "holdings before the removal", got, append(slices.Clone(mine), legacy))
	if tokens := holderTokens(t, s, beta, user); !slices.Equal(tokens, []string{"3", "4"}) {
		t.Fatalf("collection index before the removal = %v", tokens)
	}

	n, err := s.RemoveHoldings(t.Context(), user)
	must(t, err, "RemoveHoldings")
	if n != 4 {
		t.Errorf("RemoveHoldings removed %d, want 4", n)
	}
	if got, _ := listAll(t, s, user, "", 10); len(got) != 0 {
		t.Errorf("holdings after the removal = %v", got)
	}
	for _, c := range []string{alpha, beta} {
		if tokens := holderTokens(t, s, c, user); len(tokens) != 0 {
			t.Errorf("the index of %s still names the member for %v", c, tokens)
		}
	}
	synced, err := s.SyncedAt(t.Context(), user, dashboard.SyncNFT)
	must(t, err, "SyncedAt")
	if synced != nil || raw(t, s, "USER#"+user, "SYNC#NFT") != nil {
		t.Errorf("the SYNC#NFT marker survived the removal: %v", synced)
	}
	for _, h := range append(slices.Clone(mine), legacy) {
		if item := raw(t, s, "USER#"+user, holdingKey(h)); item != nil {
			t.Errorf("a removed holding is still stored: %v", item)
		}
	}

	// Everything else stays: the member's Stripe marker, the other
	// member's holdings, index entries and marker.
	stripeSynced, err := s.SyncedAt(t.Context(), user, dashboard.SyncStripe)
	must(t, err, "SyncedAt(stripe)")
	checkTime(t, "SYNC#STRIPE after the removal", stripeSynced, at)
	got, _ = listAll(t, s, other, "", 10)
	checkHoldings(t, "the other member's holdings", got, theirs)
	if a, b := holderTokens(t, s, alpha, other), holderTokens(t, s, beta, other); !slices.Equal(a, []string{"1"}) || !slices.Equal(b, []string{"3"}) {
		t.Errorf("the other member's index entries = %v, %v", a, b)
	}
	otherSynced, err := s.SyncedAt(t.Context(), other, dashboard.SyncNFT)
	must(t, err, "SyncedAt(other)")
	checkTime(t, "the other member's SYNC#NFT", otherSynced, at)

	// Removing again is a no-op; a later sync starts afresh.
	n, err = s.RemoveHoldings(t.Context(), user)
	if err != nil || n != 0 {
		t.Errorf("a second RemoveHoldings = %d, %v; want 0, nil", n, err)
	}
	later := at.Add(time.Hour)
	fresh := newHolding(contractA, "9", alpha, later)
	diff, err := s.ReplaceHoldings(t.Context(), user, []dashboard.Holding{fresh}, later)
	must(t, err, "ReplaceHoldings after the removal")
	if diff != (dashboard.HoldingDiff{Added: 1}) {
		t.Errorf("diff after the removal = %+v, want 1 added", diff)
	}
	if tokens := holderTokens(t, s, alpha, user); !slices.Equal(tokens, []string{"9"}) {
		t.Errorf("collection index after a new sync = %v", tokens)
	}

	_, err = s.RemoveHoldings(t.Context(), "")
	wantCode(t, err, dashboard.EVALIDATION, "RemoveHoldings without a member id")
}

// testRemoveManyHoldings removes more holdings than one batch of deletes
// takes (DynamoDB's BatchWriteItem takes 25).
func testRemoveManyHoldings(t *testing.T, s RawStore) {
	user := newID(t)
	coll := "many-" + newID(t)[:8]
	var all []dashboard.Holding
	for i := range 61 {
		all = append(all, newHolding(contractA, fmt.Sprintf("%03d", i), coll, baseTime))
	}
	_, err := s.ReplaceHoldings(t.Context(), user, all, baseTime)
	must(t, err, "ReplaceHoldings")
	shards := map[any]bool{}
	for _, h := range all {
		shards[raw(t, s, "USER#"+user, holdingKey(h))["GSI3PK"]] = true
	}
	if len(shards) < 2 {
		t.Fatalf("61 holdings in %d collection-index shard(s): the removal would not cross shards", len(shards))
	}
	n, err := s.RemoveHoldings(t.Context(), user)
	must(t, err, "RemoveHoldings")
	if n != len(all) {
		t.Errorf("RemoveHoldings removed %d, want %d", n, len(all))
	}
	if got, _ := listAll(t, s, user, "", 100); len(got) != 0 {
		t.Errorf("%d holdings left after the removal", len(got))
	}
	if tokens := holderTokens(t, s, coll, user); len(tokens) != 0 {
		t.Errorf("%d index entries left after the removal (from %d shards)", len(tokens), len(shards))
	}
}

// testCollectionIndexSharded checks the collection index's shards
// (CONTRACT §6, issue 14): the holdings of one collection by many members
// land in many shards, keyed exactly COLLECTION#<id>#<n>; one member's many
// tokens spread too; EachHolder yields every holding once across them; and
// a re-sync leaves every item in its shard.
func testCollectionIndexSharded(t *testing.T, s RawStore) {
	coll := "crowd-" + newID(t)[:8]
	at := baseTime
	type held struct {
		user string
		h    dashboard.Holding
	}
	var all []held
	want := map[string]int{}
	var whale string
	var whaleSet []dashboard.Holding
	token := 0
	for m := range 12 {
		user := newID(t)
		n := 2
		if m == 0 {
			whale, n = user, 16 // one member with many tokens of the collection
		}
		var set []dashboard.Holding
		for range n {
			h := newHolding(contractA, fmt.Sprint(token), coll, at)
			token++
			set = append(set, h)
			all = append(all, held{user, h})
			want[user+"/"+h.TokenID] = 1
		}
		if m == 0 {
			whaleSet = set
		}
		set = append(set, newHolding(contractB, "1", "other-"+coll, at))
		_, err := s.ReplaceHoldings(t.Context(), user, set, at)
		must(t, err, "ReplaceHoldings")
	}

	shards, whaleShards := map[string]bool{}, map[string]bool{}
	for _, x := range all {
		item := raw(t, s, "USER#"+x.user, holdingKey(x.h))
		key, _ := item["GSI3PK"].(string)
		if key != shardKey(x.h) {
			t.Errorf("GSI3PK of %s = %q, want %q", holdingKey(x.h), item["GSI3PK"], shardKey(x.h))
		}
		shards[key] = true
		if x.user == whale {
			whaleShards[key] = true
		}
	}
	// 38 tokens over 16 shards: a hash that spreads them fills most.
	if len(shards) < collectionShards/2 {
		t.Errorf("%d holdings of one collection landed in %d shards: %v", len(all), len(shards), shards)
	}
	if len(whaleShards) < 2 {
		t.Errorf("one member's 16 tokens landed in %d shard(s): %v", len(whaleShards), whaleShards)
	}
	if got := holderCounts(t, s, coll); !reflect.DeepEqual(got, want) {
		t.Errorf("EachHolder across the shards = %v, want each of %v once", got, want)
	}

	// A later sync of the same set leaves every item in its shard and
	// every holder listed once.
	later := at.Add(time.Hour)
	for i := range whaleSet {
		whaleSet[i].LastSyncedAt = later
	}
	diff, err := s.ReplaceHoldings(t.Context(), whale, append(slices.Clone(whaleSet), newHolding(contractB, "1", "other-"+coll, at)), later)
	must(t, err, "ReplaceHoldings(again)")
	if diff != (dashboard.HoldingDiff{}) {
		t.Errorf("diff of a re-sync = %+v, want none", diff)
	}
	for _, h := range whaleSet {
		if item := raw(t, s, "USER#"+whale, holdingKey(h)); item["GSI3PK"] != shardKey(h) {
			t.Errorf("GSI3PK of %s after a re-sync = %v, want %s", holdingKey(h), item["GSI3PK"], shardKey(h))
		}
	}
	if got := holderCounts(t, s, coll); !reflect.DeepEqual(got, want) {
		t.Errorf("EachHolder after a re-sync = %v, want each of %v once", got, want)
	}
}

// testLegacyCollectionKey checks holdings stored before the collection
// index was sharded, under GSI3PK = COLLECTION#<id>: EachHolder still
// yields them (once), never a legacy item of another collection whose id
// makes its key look like a shard, and the member's next sync rewrites them
// under their shard without counting an update.
func testLegacyCollectionKey(t *testing.T, s RawStore) {
	coll := "legacy-" + newID(t)[:8]
	user, other, stranger := newID(t), newID(t), newID(t)
	at := baseTime
	legacyItem := func(user string, h dashboard.Holding, gsi string) map[string]any {
		return map[string]any{
			"PK": "USER#" + user, "SK": holdingKey(h), "GSI3PK": gsi, "userId": user,
			"tokenId": h.TokenID, "contractAddress": h.ContractAddress, "collectionId": h.CollectionID,
			"tokenName": h.TokenName, "thumbnailUrl": h.ThumbnailURL, "imageUrl": h.ImageURL,
			"metadata": h.Metadata, "lastSyncedAt": ms(h.LastSyncedAt).Format(time.RFC3339Nano), "wallet": h.Wallet,
		}
	}
	sharded := newHolding(contractA, "1", coll, at)
	_, err := s.ReplaceHoldings(t.Context(), user, []dashboard.Holding{sharded}, at)
	must(t, err, "ReplaceHoldings")
	mine, theirs := newHolding(contractA, "2", coll, at), newHolding(contractB, "5", coll, at)
	must(t, s.PutRawItem(t.Context(), legacyItem(user, mine, "COLLECTION#"+coll)), "PutRawItem(legacy)")
	must(t, s.PutRawItem(t.Context(), legacyItem(other, theirs, "COLLECTION#"+coll)), "PutRawItem(other's legacy)")
	// A collection whose id ends in "#3": its legacy key is shard 3's key
	// of coll.
	look := newHolding(contractA, "77", coll+"#3", at)
	must(t, s.PutRawItem(t.Context(), legacyItem(stranger, look, "COLLECTION#"+coll+"#3")), "PutRawItem(look-alike)")

	want := map[string]int{user + "/1": 1, user + "/2": 1, other + "/5": 1}
	if got := holderCounts(t, s, coll); !reflect.DeepEqual(got, want) {
		t.Errorf("EachHolder with legacy keys = %v, want %v", got, want)
	}
	if got := holderCounts(t, s, coll+"#3"); !reflect.DeepEqual(got, map[string]int{stranger + "/77": 1}) {
		t.Errorf("EachHolder of the look-alike collection = %v", got)
	}

	// The member's next sync of the same set moves the legacy item to its
	// shard: written, not counted as an update.
	diff, err := s.ReplaceHoldings(t.Context(), user, []dashboard.Holding{sharded, mine}, at)
	must(t, err, "ReplaceHoldings(re-sync)")
	if diff != (dashboard.HoldingDiff{}) {
		t.Errorf("diff of a re-sync over a legacy item = %+v, want none", diff)
	}
	if item := raw(t, s, "USER#"+user, holdingKey(mine)); item["GSI3PK"] != shardKey(mine) {
		t.Errorf("GSI3PK after the re-sync = %v, want %s", item["GSI3PK"], shardKey(mine))
	}
	if item := raw(t, s, "USER#"+other, holdingKey(theirs)); item["GSI3PK"] != "COLLECTION#"+coll {
		t.Errorf("another member's legacy item changed: %v", item["GSI3PK"])
	}
	if got := holderCounts(t, s, coll); !reflect.DeepEqual(got, want) {
		t.Errorf("EachHolder after the re-sync = %v, want %v", got, want)
	}
	got, _ := listAll(t, s, user, coll, 10)
	checkHoldings(t, "the member's holdings after the re-sync", got, []dashboard.Holding{sharded, mine})

	// Removing the other member's holdings takes the legacy entry too.
	n, err := s.RemoveHoldings(t.Context(), other)
	must(t, err, "RemoveHoldings(other)")
	if n != 1 {
		t.Errorf("RemoveHoldings(other) removed %d, want 1", n)
	}
	delete(want, other+"/5")
	if got := holderCounts(t, s, coll); !reflect.DeepEqual(got, want) {
		t.Errorf("EachHolder after removing the legacy holder = %v, want %v", got, want)
	}
}

// testResyncWritesNoHolding checks that a sync whose holdings differ from
// the stored ones only in lastSyncedAt writes no holding item: every item
// stays exactly as it was (a DynamoDB store that rewrote one would leave
// the same attributes but for lastSyncedAt, which the holdings carry the
// new time of), while the SYNC#NFT marker moves to the new sync. That is
// what keeps the hourly poll of an unchanged club to one write a member.
// A holding whose content changed in the same sync is still written.
func testResyncWritesNoHolding(t *testing.T, s RawStore) {
	user := newID(t)
	at := baseTime
	set := []dashboard.Holding{
		newHolding(contractA, "1", "alpha", at), newHolding(contractA, "2", "alpha", at),
		newHolding(contractB, "10", "beta", at), newHolding(contractB, "11", "", at),
	}
	_, err := s.ReplaceHoldings(t.Context(), user, set, at)
	must(t, err, "ReplaceHoldings")
	before := map[string]map[string]any{}
	for _, h := range set {
		before[holdingKey(h)] = raw(t, s, "USER#"+user, holdingKey(h))
	}

	later := at.Add(time.Hour)
	again := slices.Clone(set)
	for i := range again {
		again[i].LastSyncedAt = later
	}
	again[1].TokenName = "Renamed Babe" // the one holding that did change
	diff, err := s.ReplaceHoldings(t.Context(), user, again, later)
	must(t, err, "ReplaceHoldings(later)")
	if diff != (dashboard.HoldingDiff{Updated: 1}) {
		t.Errorf("diff = %+v, want 1 updated", diff)
	}
	for i, h := range set {
		got := raw(t, s, "USER#"+user, holdingKey(h))
		if i == 1 {
			if got["tokenName"] != "Renamed Babe" || got["lastSyncedAt"] != ms(later).Format(time.RFC3339Nano) {
				t.Errorf("changed holding after the re-sync = %v, want it rewritten with the new name and time", got)
			}
			continue
		}
		if !reflect.DeepEqual(got, before[holdingKey(h)]) {
			t.Errorf("unchanged holding %s was rewritten:\nbefore %v\nafter  %v", holdingKey(h), before[holdingKey(h)], got)
		}
	}
	synced, err := s.SyncedAt(t.Context(), user, dashboard.SyncNFT)
	must(t, err, "SyncedAt")
	checkTime(t, "SYNC#NFT after the re-sync", synced, later)
}
