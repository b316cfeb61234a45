package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

var memberWalletTests = []namedTest{
	{"AddAndList", testMemberWalletAddAndList},
	{"AddExistingIsNoOp", testMemberWalletAddExisting},
	{"LimitRefused", testMemberWalletLimit},
	{"VerifyWritesClaim", testMemberWalletVerify},
	{"VerifyHeldByAnotherMember", testMemberWalletVerifyHeld},
	{"VerifyNotAdded", testMemberWalletVerifyNotAdded},
	{"RemoveTakesItsHoldings", testMemberWalletRemove},
	{"RemoveKeepsAnotherMembersClaim", testMemberWalletRemoveKeepsClaim},
	{"RemoveManyHoldings", testMemberWalletRemoveMany},
	{"MembersOfAWallet", testWalletMembers},
	{"EveryWalletMember", testEachWalletMember},
	{"ShardWalletMembers", testEachShardWalletMember},
	{"CaseInsensitive", testMemberWalletCaseInsensitive},
	{"ChallengesAreNotWallets", testMemberWalletNotChallenges},
	{"BadInput", testMemberWalletBadInput},
}

// newWallet returns a fresh address in mixed case (the stores keep it as
// given and key it lower-cased), unique across runs that share a table.
func newWallet(t *testing.T) string {
	b := []byte(newID(t) + newID(t)[:8])
	for i := range b {
		if i%2 == 0 && b[i] >= 'a' {
			b[i] -= 'a' - 'A'
		}
	}
	return "0x" + string(b)
}

// The keys of a member's wallet item, its index item and its claim.
func walletItemPK(user string) string    { return "USER#" + user }
func walletItemSK(address string) string { return "WALLET#" + lower(address) }
func walletIndexPK(address string) string {
	return "WALLET#" + lower(address)
}
func walletIndexSK(user string) string { return "USER#" + user }

// walletShard is the wallet-shard index key of an index item: its
// address's last hex digit, lower-cased.
func walletShard(address string) string { return "WALLETS#" + lower(address[len(address)-1:]) }

// walletRefs names the three items of user's wallet address.
func walletRefs(user, address string) []itemRef {
	return []itemRef{
		{walletItemPK(user), walletItemSK(address)},
		{walletIndexPK(address), walletIndexSK(user)},
		{walletIndexPK(address), "VERIFIED"},
	}
}

// addWallet adds address for user at at, failing the test on error.
func addWallet(t *testing.T, s RawStore, user, address string, at time.Time) {
	t.Helper()
	must(t, s.AddWallet(t.Context(), dashboard.MemberWallet{UserID: user, Address: address, AddedAt: at}), "AddWallet "+address)
}

// walletList returns the member's wallets, failing on error.
func walletList(t *testing.T, s RawStore, user string) []dashboard.MemberWallet {
	t.Helper()
	list, err := s.Wallets(t.Context(), user)
	must(t, err, "Wallets")
	return list
}

// checkWallets fails unless list holds exactly want, in order, with their
// fields (times at the stored precision, in UTC).
func checkWallets(t *testing.T, list, want []dashboard.MemberWallet) {
	t.Helper()
	if len(list) != len(want) {
		t.Fatalf("Wallets = %+v, want %d wallets %+v", list, len(want), want)
	}
	for i, w := range want {
		got := list[i]
		if got.UserID != w.UserID || got.Address != w.Address || got.Kind != w.Kind {
			t.Errorf("Wallets[%d] = %q %q %q, want %q %q %q", i, got.UserID, got.Address, got.Kind, w.UserID, w.Address, w.Kind)
		}
		checkTime(t, "addedAt of "+w.Address, &got.AddedAt, w.AddedAt)
		checkTimePtr(t, "verifiedAt of "+w.Address, got.VerifiedAt, w.VerifiedAt)
	}
}

// members returns WalletMembers(address), sorted, failing on error.
func members(t *testing.T, s RawStore, address string) []string {
	t.Helper()
	ids, err := s.WalletMembers(t.Context(), address)
	must(t, err, "WalletMembers "+address)
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return ids
}

// sorted returns ids sorted.
func sorted(ids ...string) []string {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return ids
}

// rawEqual fails unless the raw item at pk/sk is exactly want (nil: absent).
func rawEqual(t *testing.T, s RawStore, pk, sk string, want map[string]any, what string) {
	t.Helper()
	if got := raw(t, s, pk, sk); !reflect.DeepEqual(got, want) {
		t.Errorf("%s %s/%s:\ngot  %v\nwant %v", what, pk, sk, got, want)
	}
}

// stamp is t as the stores write it.
func stamp(t time.Time) string { return ms(t).Format(time.RFC3339Nano) }

// testMemberWalletAddAndList checks the stored layout of a new wallet (the
// member item and its index item, no claim) and the listing, oldest first.
func testMemberWalletAddAndList(t *testing.T, s RawStore) {
	user := newID(t)
	first, second := newWallet(t), newWallet(t)
	addWallet(t, s, user, second, baseTime.Add(time.Minute))
	addWallet(t, s, user, first, baseTime)
	checkWallets(t, walletList(t, s, user), []dashboard.MemberWallet{
		{UserID: user, Address: first, Kind: dashboard.WalletEOA, AddedAt: baseTime},
		{UserID: user, Address: second, Kind: dashboard.WalletEOA, AddedAt: baseTime.Add(time.Minute)},
	})
	rawEqual(t, s, walletItemPK(user), walletItemSK(first), map[string]any{
		"PK": walletItemPK(user), "SK": walletItemSK(first), "userId": user, "address": first,
		"kind": "eoa", "addedAt": stamp(baseTime),
	}, "member item")
	rawEqual(t, s, walletIndexPK(first), walletIndexSK(user), map[string]any{
		"PK": walletIndexPK(first), "SK": walletIndexSK(user), "userId": user, "address": first, "GSI1PK": walletShard(first),
	}, "index item")
	rawEqual(t, s, walletIndexPK(first), "VERIFIED", nil, "claim of an unverified wallet")
	if got := members(t, s, first); !slices.Equal(got, []string{user}) {
		t.Errorf("WalletMembers = %v, want [%s]", got, user)
	}
	if list := walletList(t, s, newID(t)); len(list) != 0 {
		t.Errorf("Wallets of a member with none = %v", list)
	}
}

// testMemberWalletAddExisting checks that adding a wallet again, in
// another case and later, changes nothing, verified or not.
func testMemberWalletAddExisting(t *testing.T, s RawStore) {
	user := newID(t)
	w := newWallet(t)
	addWallet(t, s, user, w, baseTime)
	before := rawItems(t, s, walletRefs(user, w)...)
	addWallet(t, s, user, lower(w), baseTime.Add(time.Hour))
	unchangedItems(t, s, before, "adding an unverified wallet again")

	must(t, s.VerifyWallet(t.Context(), user, w, dashboard.WalletContract, baseTime.Add(time.Minute)), "VerifyWallet")
	before = rawItems(t, s, walletRefs(user, w)...)
	addWallet(t, s, user, w, baseTime.Add(2*time.Hour))
	unchangedItems(t, s, before, "adding a verified wallet again")
	checkWallets(t, walletList(t, s, user), []dashboard.MemberWallet{
		{UserID: user, Address: w, Kind: dashboard.WalletContract, AddedAt: baseTime, VerifiedAt: ptr(baseTime.Add(time.Minute))},
	})
}

// testMemberWalletLimit checks that a sixth wallet is refused with
// nothing written, and that re-adding one of the five still succeeds.
func testMemberWalletLimit(t *testing.T, s RawStore) {
	user := newID(t)
	var have []string
	for i := range dashboard.MaxWallets {
		w := newWallet(t)
		have = append(have, w)
		addWallet(t, s, user, w, baseTime.Add(time.Duration(i)*time.Minute))
	}
	sixth := newWallet(t)
	err := s.AddWallet(t.Context(), dashboard.MemberWallet{UserID: user, Address: sixth, AddedAt: baseTime.Add(time.Hour)})
	wantCode(t, err, dashboard.EVALIDATION, "a sixth wallet")
	for _, r := range walletRefs(user, sixth) {
		rawEqual(t, s, r.pk, r.sk, nil, "refused wallet's item")
	}
	if got := members(t, s, sixth); len(got) != 0 {
		t.Errorf("WalletMembers of a refused wallet = %v", got)
	}
	if list := walletList(t, s, user); len(list) != dashboard.MaxWallets {
		t.Errorf("Wallets after a refused add = %d, want %d", len(list), dashboard.MaxWallets)
	}
	addWallet(t, s, user, have[2], baseTime.Add(2*time.Hour)) // at the limit, a no-op
	if list := walletList(t, s, user); len(list) != dashboard.MaxWallets {
		t.Errorf("Wallets after re-adding one = %d, want %d", len(list), dashboard.MaxWallets)
	}
	// Removing one makes room.
	must(t, s.RemoveWallet(t.Context(), user, have[0]), "RemoveWallet")
	addWallet(t, s, user, sixth, baseTime.Add(3*time.Hour))
	if list := walletList(t, s, user); len(list) != dashboard.MaxWallets || list[len(list)-1].Address != sixth {
		t.Errorf("Wallets after making room = %+v", list)
	}
}

// testMemberWalletVerify checks that verifying stamps the member item and
// the index item and writes the claim, and that verifying again keeps the
// first verifiedAt and kind.
func testMemberWalletVerify(t *testing.T, s RawStore) {
	user := newID(t)
	w := newWallet(t)
	addWallet(t, s, user, w, baseTime)
	verified := baseTime.Add(90 * time.Second)
	must(t, s.VerifyWallet(t.Context(), user, w, dashboard.WalletContract, verified), "VerifyWallet")
	rawEqual(t, s, walletItemPK(user), walletItemSK(w), map[string]any{
		"PK": walletItemPK(user), "SK": walletItemSK(w), "userId": user, "address": w,
		"kind": "contract", "addedAt": stamp(baseTime), "verifiedAt": stamp(verified),
	}, "verified member item")
	rawEqual(t, s, walletIndexPK(w), walletIndexSK(user), map[string]any{
		"PK": walletIndexPK(w), "SK": walletIndexSK(user), "userId": user, "address": w, "verifiedAt": stamp(verified),
		"GSI1PK": walletShard(w),
	}, "verified index item")
	rawEqual(t, s, walletIndexPK(w), "VERIFIED", map[string]any{
		"PK": walletIndexPK(w), "SK": "VERIFIED", "userId": user, "verifiedAt": stamp(verified),
	}, "claim")
	checkWallets(t, walletList(t, s, user), []dashboard.MemberWallet{
		{UserID: user, Address: w, Kind: dashboard.WalletContract, AddedAt: baseTime, VerifiedAt: ptr(verified)},
	})

	before := rawItems(t, s, walletRefs(user, w)...)
	must(t, s.VerifyWallet(t.Context(), user, lower(w), dashboard.WalletEOA, verified.Add(time.Hour)), "VerifyWallet again")
	unchangedItems(t, s, before, "verifying again")
}

// testMemberWalletVerifyHeld checks that a wallet verified by one member
// cannot be verified by another, and that the refusal changes nothing for
// either.
func testMemberWalletVerifyHeld(t *testing.T, s RawStore) {
	holder, other := newID(t), newID(t)
	w := newWallet(t)
	addWallet(t, s, holder, w, baseTime)
	addWallet(t, s, other, lower(w), baseTime) // another spelling
	must(t, s.VerifyWallet(t.Context(), holder, w, dashboard.WalletEOA, baseTime.Add(time.Minute)), "VerifyWallet(holder)")
	before := rawItems(t, s, append(walletRefs(holder, w), walletRefs(other, w)...)...)
	err := s.VerifyWallet(t.Context(), other, w, dashboard.WalletEOA, baseTime.Add(time.Hour))
	wantCode(t, err, dashboard.ECONFLICT, "verifying another member's wallet")
	unchangedItems(t, s, before, "a refused verification")
	if list := walletList(t, s, other); len(list) != 1 || list[0].VerifiedAt != nil {
		t.Errorf("the refused member's wallets = %+v, want one unverified", list)
	}
}

// testMemberWalletVerifyNotAdded checks ENOTFOUND for a wallet the member
// does not have, even one another member has, and that nothing is
// written.
func testMemberWalletVerifyNotAdded(t *testing.T, s RawStore) {
	user, other := newID(t), newID(t)
	w := newWallet(t)
	err := s.VerifyWallet(t.Context(), user, w, dashboard.WalletEOA, baseTime)
	wantCode(t, err, dashboard.ENOTFOUND, "verifying a wallet nobody added")
	for _, r := range walletRefs(user, w) {
		rawEqual(t, s, r.pk, r.sk, nil, "after verifying an unknown wallet")
	}
	addWallet(t, s, other, w, baseTime)
	before := rawItems(t, s, append(walletRefs(user, w), walletRefs(other, w)...)...)
	err = s.VerifyWallet(t.Context(), user, w, dashboard.WalletEOA, baseTime)
	wantCode(t, err, dashboard.ENOTFOUND, "verifying another member's unverified wallet")
	unchangedItems(t, s, before, "verifying a wallet the member has not added")
	err = s.VerifyWallet(t.Context(), other, w, dashboard.WalletKind("multisig"), baseTime)
	wantCode(t, err, dashboard.EVALIDATION, "an unknown kind")
	unchangedItems(t, s, before, "verifying with an unknown kind")
}

// walletHolding returns a holding of token read from wallet.
func walletHolding(token, collection, wallet string) dashboard.Holding {
	h := newHolding(contractA, token, collection, baseTime)
	h.Wallet = wallet
	return h
}

// testMemberWalletRemove checks that removing a wallet deletes its three
// items and exactly its holdings: the member's holdings of their other
// wallet stay, as do another member's holdings of the same wallet, their
// index item and the member's SYNC#NFT marker.
func testMemberWalletRemove(t *testing.T, s RawStore) {
	user, other := newID(t), newID(t)
	gone, kept := newWallet(t), newWallet(t)
	coll := "remove-" + newID(t)[:8]
	addWallet(t, s, user, gone, baseTime)
	addWallet(t, s, user, kept, baseTime)
	addWallet(t, s, other, gone, baseTime)
	must(t, s.VerifyWallet(t.Context(), user, gone, dashboard.WalletEOA, baseTime), "VerifyWallet")
	mine := []dashboard.Holding{
		walletHolding("1", coll, gone),
		walletHolding("2", coll, lower(gone)), // stamped in another case
		walletHolding("3", coll, kept),
	}
	_, err := s.ReplaceHoldings(t.Context(), user, mine, baseTime)
	must(t, err, "ReplaceHoldings")
	theirs := []dashboard.Holding{walletHolding("1", coll, gone), walletHolding("4", coll, gone)}
	_, err = s.ReplaceHoldings(t.Context(), other, theirs, baseTime)
	must(t, err, "ReplaceHoldings(other)")
	otherItems := rawItems(t, s, walletRefs(other, gone)[:2]...)

	must(t, s.RemoveWallet(t.Context(), user, "0x"+strings.ToUpper(gone[2:])), "RemoveWallet")
	for _, r := range walletRefs(user, gone) {
		rawEqual(t, s, r.pk, r.sk, nil, "after the removal")
	}
	got, _ := listAll(t, s, user, "", 10)
	checkHoldings(t, "the member's holdings after the removal", got, mine[2:])
	if tokens := holderTokens(t, s, coll, user); !slices.Equal(tokens, []string{"3"}) {
		t.Errorf("the collection index names the member for %v, want [3]", tokens)
	}
	synced, err := s.SyncedAt(t.Context(), user, dashboard.SyncNFT)
	must(t, err, "SyncedAt")
	checkTime(t, "SYNC#NFT after removing one wallet", synced, baseTime)
	checkWallets(t, walletList(t, s, user), []dashboard.MemberWallet{
		{UserID: user, Address: kept, Kind: dashboard.WalletEOA, AddedAt: baseTime},
	})

	got, _ = listAll(t, s, other, "", 10)
	checkHoldings(t, "the other member's holdings of the same wallet", got, theirs)
	if tokens := holderTokens(t, s, coll, other); !slices.Equal(tokens, []string{"1", "4"}) {
		t.Errorf("the other member's index entries = %v", tokens)
	}
	unchangedItems(t, s, otherItems, "removing another member's wallet")
	if got := members(t, s, gone); !slices.Equal(got, []string{other}) {
		t.Errorf("WalletMembers after the removal = %v, want [%s]", got, other)
	}
	// The claim is released: the other member may now verify it.
	must(t, s.VerifyWallet(t.Context(), other, gone, dashboard.WalletEOA, baseTime.Add(time.Hour)), "VerifyWallet(other) after the removal")

	err = s.RemoveWallet(t.Context(), user, gone)
	wantCode(t, err, dashboard.ENOTFOUND, "removing it again")
	err = s.RemoveWallet(t.Context(), user, newWallet(t))
	wantCode(t, err, dashboard.ENOTFOUND, "removing a wallet never added")
}

// testMemberWalletRemoveKeepsClaim checks that a member removing a wallet
// another member verified leaves that member's claim and items alone.
func testMemberWalletRemoveKeepsClaim(t *testing.T, s RawStore) {
	user, holder := newID(t), newID(t)
	w := newWallet(t)
	addWallet(t, s, user, w, baseTime)
	addWallet(t, s, holder, w, baseTime)
	must(t, s.VerifyWallet(t.Context(), holder, w, dashboard.WalletEOA, baseTime), "VerifyWallet(holder)")
	before := rawItems(t, s, walletRefs(holder, w)...)
	must(t, s.RemoveWallet(t.Context(), user, w), "RemoveWallet")
	unchangedItems(t, s, before, "another member's removal")
	rawEqual(t, s, walletItemPK(user), walletItemSK(w), nil, "the removed member item")
	rawEqual(t, s, walletIndexPK(w), walletIndexSK(user), nil, "the removed index item")
}

// testMemberWalletRemoveMany removes more holdings of a wallet than one
// batch of deletes takes (DynamoDB's BatchWriteItem takes 25).
func testMemberWalletRemoveMany(t *testing.T, s RawStore) {
	user := newID(t)
	gone, kept := newWallet(t), newWallet(t)
	coll := "many-" + newID(t)[:8]
	addWallet(t, s, user, gone, baseTime)
	addWallet(t, s, user, kept, baseTime)
	var all, stay []dashboard.Holding
	for i := range 57 {
		w := gone
		if i%10 == 0 {
			w = kept
		}
		h := walletHolding(fmt.Sprintf("%03d", i), coll, w)
		all = append(all, h)
		if w == kept {
			stay = append(stay, h)
		}
	}
	_, err := s.ReplaceHoldings(t.Context(), user, all, baseTime)
	must(t, err, "ReplaceHoldings")
	must(t, s.RemoveWallet(t.Context(), user, gone), "RemoveWallet")
	got, _ := listAll(t, s, user, "", 100)
	checkHoldings(t, "holdings after the removal", got, stay)
	if tokens := holderTokens(t, s, coll, user); len(tokens) != len(stay) {
		t.Errorf("%d index entries after the removal, want %d", len(tokens), len(stay))
	}
}

// testWalletMembers checks that a wallet's members are exactly those who
// added it, verified or not, in any spelling of the address.
func testWalletMembers(t *testing.T, s RawStore) {
	a, b, c := newID(t), newID(t), newID(t)
	w, elsewhere := newWallet(t), newWallet(t)
	addWallet(t, s, a, w, baseTime)
	addWallet(t, s, b, lower(w), baseTime)
	addWallet(t, s, c, elsewhere, baseTime)
	must(t, s.VerifyWallet(t.Context(), b, w, dashboard.WalletEOA, baseTime), "VerifyWallet")
	want := sorted(a, b)
	for _, spelling := range []string{w, lower(w), "0x" + strings.ToUpper(w[2:])} {
		if got := members(t, s, spelling); !slices.Equal(got, want) {
			t.Errorf("WalletMembers(%s) = %v, want %v", spelling, got, want)
		}
	}
	if got := members(t, s, newWallet(t)); len(got) != 0 {
		t.Errorf("WalletMembers of an unknown wallet = %v", got)
	}
}

// testMemberWalletCaseInsensitive checks that every method finds a wallet
// in any case and that the listing keeps the address as first given.
func testMemberWalletCaseInsensitive(t *testing.T, s RawStore) {
	user := newID(t)
	w := newWallet(t)
	upper := "0x" + strings.ToUpper(w[2:])
	addWallet(t, s, user, w, baseTime)
	addWallet(t, s, user, upper, baseTime.Add(time.Hour))
	must(t, s.VerifyWallet(t.Context(), user, lower(w), dashboard.WalletEOA, baseTime), "VerifyWallet lower-cased")
	checkWallets(t, walletList(t, s, user), []dashboard.MemberWallet{
		{UserID: user, Address: w, Kind: dashboard.WalletEOA, AddedAt: baseTime, VerifiedAt: ptr(baseTime)},
	})
	must(t, s.RemoveWallet(t.Context(), user, upper), "RemoveWallet upper-cased")
	if list := walletList(t, s, user); len(list) != 0 {
		t.Errorf("Wallets after the removal = %+v", list)
	}
}

// testMemberWalletNotChallenges checks that the member's wallet
// challenges (USER#<id> / WALLET_CHALLENGE#<nonce>) are never listed as
// wallets nor counted against the limit.
func testMemberWalletNotChallenges(t *testing.T, s RawStore) {
	user := newID(t)
	for range 3 {
		c := newChallenge(t, user)
		c.ExpiresAt = time.Now().Add(time.Hour) // alive, whatever the store's clock
		must(t, s.SaveWalletChallenge(t.Context(), c), "SaveWalletChallenge")
		if raw(t, s, "USER#"+user, "WALLET_CHALLENGE#"+c.Nonce) == nil {
			t.Fatal("the challenge was not stored")
		}
	}
	if list := walletList(t, s, user); len(list) != 0 {
		t.Fatalf("Wallets of a member with only challenges = %+v", list)
	}
	for i := range dashboard.MaxWallets {
		addWallet(t, s, user, newWallet(t), baseTime.Add(time.Duration(i)*time.Second))
	}
	list := walletList(t, s, user)
	if len(list) != dashboard.MaxWallets {
		t.Fatalf("Wallets = %d, want %d", len(list), dashboard.MaxWallets)
	}
	for _, w := range list {
		if !strings.HasPrefix(w.Address, "0x") || w.Kind != dashboard.WalletEOA {
			t.Errorf("listed a wallet that is not one: %+v", w)
		}
	}
}

// testMemberWalletBadInput checks that malformed member ids and addresses
// are refused with EVALIDATION and write nothing.
func testMemberWalletBadInput(t *testing.T, s RawStore) {
	ctx := t.Context()
	user := newID(t)
	w := newWallet(t)
	_, err := s.Wallets(ctx, "")
	wantCode(t, err, dashboard.EVALIDATION, "Wallets without a member id")
	err = s.AddWallet(ctx, dashboard.MemberWallet{UserID: "USER#x", Address: w, AddedAt: baseTime})
	wantCode(t, err, dashboard.EVALIDATION, "AddWallet with a malformed member id")
	wantCode(t, s.VerifyWallet(ctx, "", w, dashboard.WalletEOA, baseTime), dashboard.EVALIDATION, "VerifyWallet without a member id")
	wantCode(t, s.RemoveWallet(ctx, "", w), dashboard.EVALIDATION, "RemoveWallet without a member id")
	for _, bad := range []string{"", "0x", w[:41], w + "0", "0x" + strings.Repeat("g", 40), "0x" + strings.Repeat("a", 39) + "#", "1x" + w[2:]} {
		err := s.AddWallet(ctx, dashboard.MemberWallet{UserID: user, Address: bad, AddedAt: baseTime})
		wantCode(t, err, dashboard.EVALIDATION, fmt.Sprintf("AddWallet(%q)", bad))
		wantCode(t, s.VerifyWallet(ctx, user, bad, dashboard.WalletEOA, baseTime), dashboard.EVALIDATION, fmt.Sprintf("VerifyWallet(%q)", bad))
		wantCode(t, s.RemoveWallet(ctx, user, bad), dashboard.EVALIDATION, fmt.Sprintf("RemoveWallet(%q)", bad))
		_, err = s.WalletMembers(ctx, bad)
		wantCode(t, err, dashboard.EVALIDATION, fmt.Sprintf("WalletMembers(%q)", bad))
	}
	if list := walletList(t, s, user); len(list) != 0 {
		t.Errorf("Wallets after refused adds = %+v", list)
	}
}

// testEachWalletMember checks that EachWalletMember visits exactly the
// (wallet, member) pairs of the wallet index, lower-cased: unverified and
// verified wallets alike (verifying rewrites the index item, which must
// stay in its shard), a wallet shared by two members once per member, and
// a removed wallet no more. The table may hold other tests' wallets, so
// only this test's members are compared.
func testEachWalletMember(t *testing.T, s RawStore) {
	a, b := newID(t), newID(t)
	w1, w2, shared := newWallet(t), newWallet(t), newWallet(t)
	addWallet(t, s, a, w1, baseTime)
	addWallet(t, s, a, shared, baseTime)
	addWallet(t, s, b, w2, baseTime)
	addWallet(t, s, b, lower(shared), baseTime)
	must(t, s.VerifyWallet(t.Context(), a, w1, dashboard.WalletEOA, baseTime), "VerifyWallet")
	must(t, s.VerifyWallet(t.Context(), b, shared, dashboard.WalletContract, baseTime), "VerifyWallet")

	pairs := func() []string {
		var out []string
		must(t, s.EachWalletMember(t.Context(), func(address, user string) error {
			if user == a || user == b {
				out = append(out, address+" "+user)
			}
			return nil
		}), "EachWalletMember")
		slices.Sort(out)
		return out
	}
	want := sorted(lower(w1)+" "+a, lower(shared)+" "+a, lower(w2)+" "+b, lower(shared)+" "+b)
	if got := pairs(); !slices.Equal(got, want) {
		t.Errorf("EachWalletMember = %v, want %v", got, want)
	}

	must(t, s.RemoveWallet(t.Context(), a, shared), "RemoveWallet")
	want = sorted(lower(w1)+" "+a, lower(w2)+" "+b, lower(shared)+" "+b)
	if got := pairs(); !slices.Equal(got, want) {
		t.Errorf("EachWalletMember after a removal = %v, want %v", got, want)
	}

	// fn's error stops the walk and is returned as it is.
	stop := fmt.Errorf("stop here")
	calls := 0
	err := s.EachWalletMember(t.Context(), func(string, string) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Errorf("EachWalletMember with a failing fn = %v after %d calls, want %v after 1", err, calls, stop)
	}
}

// walletInShard returns a new mixed-case wallet whose lower-cased address
// ends in digit, so it lands in wallet shard WALLETS#<digit>.
func walletInShard(t *testing.T, digit byte) string {
	w := []byte(newWallet(t))
	w[len(w)-1] = digit
	return string(w)
}

// testEachShardWalletMember checks the per-shard walk a unit of the NFT
// poll makes: it visits exactly the shard's (wallet, member) pairs (none
// of another shard), and resumed after any pair it yielded it visits
// exactly the pairs after it, so an invocation that stops and its
// continuation together visit every pair once. A resume point removed
// meanwhile still resumes after it. Bad input is EVALIDATION. The table
// may hold other tests' wallets, so only this test's members are compared.
func testEachShardWalletMember(t *testing.T, s RawStore) {
	const shard = "WALLETS#7"
	users := []string{newID(t), newID(t), newID(t)}
	mine := map[string]bool{}
	for _, u := range users {
		mine[u] = true
	}
	shared := walletInShard(t, '7')
	for _, u := range users {
		addWallet(t, s, u, walletInShard(t, '7'), baseTime)
		addWallet(t, s, u, shared, baseTime)
	}
	elsewhere := walletInShard(t, 'c')
	addWallet(t, s, users[0], elsewhere, baseTime)

	walk := func(afterAddress, afterUser string) []string {
		t.Helper()
		var out []string
		must(t, s.EachShardWalletMember(t.Context(), shard, afterAddress, afterUser, func(address, user string) error {
			if mine[user] {
				out = append(out, address+" "+user)
			}
			return nil
		}), "EachShardWalletMember")
		return out
	}
	all := walk("", "")
	if len(all) != 6 {
		t.Fatalf("EachShardWalletMember(%s) = %v, want this test's 6 pairs of the shard", shard, all)
	}
	for _, p := range all {
		if strings.HasSuffix(p, " "+users[0]) && strings.HasPrefix(p, lower(elsewhere)) {
			t.Errorf("EachShardWalletMember(%s) yielded a wallet of another shard: %s", shard, p)
		}
		if p != lower(p) {
			t.Errorf("EachShardWalletMember yielded %q, want lower-cased addresses", p)
		}
	}
	var everyPair []string
	must(t, s.EachWalletMember(t.Context(), func(address, user string) error {
		if mine[user] && strings.HasSuffix(address, "7") {
			everyPair = append(everyPair, address+" "+user)
		}
		return nil
	}), "EachWalletMember")
	if !slices.Equal(sorted(everyPair...), sorted(all...)) {
		t.Errorf("EachWalletMember's pairs of the shard = %v, the shard walk's = %v", everyPair, all)
	}

	for i, p := range all {
		address, user, _ := strings.Cut(p, " ")
		if got := walk(address, user); !slices.Equal(got, all[i+1:]) {
			t.Errorf("resumed after pair %d (%s): %v, want %v", i, p, got, all[i+1:])
		}
	}
	// A resume point whose wallet was removed since: the walk still goes
	// on after it. The resume point may be given in any case.
	address, user, _ := strings.Cut(all[2], " ")
	must(t, s.RemoveWallet(t.Context(), user, address), "RemoveWallet")
	if got := walk("0x"+strings.ToUpper(address[2:]), user); !slices.Equal(got, all[3:]) {
		t.Errorf("resumed after a removed wallet: %v, want %v", got, all[3:])
	}

	// fn's error stops the walk and is returned as it is.
	stop := fmt.Errorf("stop here")
	calls := 0
	if err := s.EachShardWalletMember(t.Context(), shard, "", "", func(string, string) error { calls++; return stop }); err != stop || calls != 1 {
		t.Errorf("EachShardWalletMember with a failing fn = %v after %d calls, want %v after 1", err, calls, stop)
	}

	for _, bad := range []struct{ what, shard, address, user string }{
		{"an unknown shard", "WALLETS#g", "", ""},
		{"a shard key in upper case", "WALLETS#A", "", ""},
		{"no shard", "", "", ""},
		{"a wallet of another shard", shard, lower(elsewhere), users[0]},
		{"a wallet without a member", shard, lower(shared), ""},
		{"a member without a wallet", shard, "", users[0]},
		{"a malformed wallet", shard, "0x7", users[0]},
	} {
		err := s.EachShardWalletMember(t.Context(), bad.shard, bad.address, bad.user, func(string, string) error {
			t.Errorf("EachShardWalletMember with %s called fn", bad.what)
			return nil
		})
		wantCode(t, err, dashboard.EVALIDATION, "EachShardWalletMember with "+bad.what)
	}
}
