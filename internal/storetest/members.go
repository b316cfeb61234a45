package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

var memberTests = []namedTest{
	{"EachProfileVisitsProfilesOnly", testEachProfile},
	{"EachStripeMemberVisitsCustomersOnly", testEachStripeMember},
	{"EachStripeMemberFollowsTheCustomer", testEachStripeMemberFollows},
	{"EachStripeMemberStopsAtFnError", testEachStripeMemberStops},
}

// testEachProfile stores profiles next to orders, lookups and an identity
// service item, and checks EachProfile visits each profile once, with its
// fields, and nothing else. The table may be shared, so it looks only for
// its own members.
func testEachProfile(t *testing.T, s RawStore) {
	a, b, foreign := newID(t), newID(t), newID(t)
	create(t, s, fullProfile(t, a, newEmail(t), baseTime))
	create(t, s, otherProfile(t, b, baseTime))
	must(t, s.PutRawItem(t.Context(), map[string]any{"PK": "USER#" + foreign, "SK": "PROFILE", "userId": foreign, "passwordHash": "x"}), "put identity item")
	putOrder(t, s, newOrder(t, a, baseTime))
	seen := map[string]int{}
	var wallet string
	err := s.EachProfile(t.Context(), func(p *dashboard.Profile) error {
		seen[p.UserID]++
		if p.UserID == a && p.PreferredWallet != nil {
			wallet = *p.PreferredWallet
		}
		return nil
	})
	must(t, err, "EachProfile")
	if seen[a] != 1 || seen[b] != 1 || seen[foreign] != 1 {
		t.Fatalf("visits = %v, want each of %s, %s, %s once", seen, a, b, foreign)
	}
	if wallet != "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed" {
		t.Errorf("profile fields not decoded: wallet %q", wallet)
	}
	for id := range seen {
		if id == "" {
			t.Error("a visited profile has no user id")
		}
	}
}

// stripeMembers walks EachStripeMember and returns, for the members of
// ids only (the table may be shared), the customer ids each was visited
// with, in order.
func stripeMembers(t *testing.T, s RawStore, ids ...string) map[string][]string {
	t.Helper()
	mine := map[string]bool{}
	for _, id := range ids {
		mine[id] = true
	}
	seen := map[string][]string{}
	must(t, s.EachStripeMember(t.Context(), func(userID, customerID string) error {
		if userID == "" || customerID == "" {
			t.Errorf("visited user %q with customer %q: both must be set", userID, customerID)
		}
		if mine[userID] {
			seen[userID] = append(seen[userID], customerID)
		}
		return nil
	}), "EachStripeMember")
	return seen
}

// testEachStripeMember stores two members with a customer and, next to
// them, one without (with a wallet, whose index item shares GSI1), an
// identity-service-only profile, and an order, and checks that only the
// two are visited, each once, with their customer ids.
func testEachStripeMember(t *testing.T, s RawStore) {
	a, b, none, foreign := newID(t), newID(t), newID(t), newID(t)
	pa, pb := fullProfile(t, a, newEmail(t), baseTime), otherProfile(t, b, baseTime)
	create(t, s, pa)
	create(t, s, pb)
	pn := otherProfile(t, none, baseTime)
	pn.StripeCustomerID = nil
	create(t, s, pn)
	addWallet(t, s, none, newWallet(t), baseTime)
	addWallet(t, s, a, newWallet(t), baseTime)
	must(t, s.PutRawItem(t.Context(), map[string]any{"PK": "USER#" + foreign, "SK": "PROFILE", "userId": foreign, "passwordHash": "x"}), "put identity item")
	putOrder(t, s, newOrder(t, a, baseTime))

	seen := stripeMembers(t, s, a, b, none, foreign)
	want := map[string][]string{a: {*pa.StripeCustomerID}, b: {*pb.StripeCustomerID}}
	if len(seen) != len(want) || !slices.Equal(seen[a], want[a]) || !slices.Equal(seen[b], want[b]) {
		t.Errorf("visits = %v, want %v (and nothing for %s without a customer or %s without a profile of ours)", seen, want, none, foreign)
	}
}

// testEachStripeMemberFollows changes a member's customer, links one to a
// member who had none and removes another's, and checks the walk follows
// each change: the new customer, once; none for the removed one.
func testEachStripeMemberFollows(t *testing.T, s RawStore) {
	moved, linked, dropped := newID(t), newID(t), newID(t)
	pm, pl, pd := fullProfile(t, moved, newEmail(t), baseTime), otherProfile(t, linked, baseTime), otherProfile(t, dropped, baseTime)
	pl.StripeCustomerID = nil
	for _, p := range []*dashboard.Profile{pm, pl, pd} {
		create(t, s, p)
	}
	if seen := stripeMembers(t, s, moved, linked, dropped); len(seen) != 2 || len(seen[linked]) != 0 {
		t.Fatalf("before the changes, visits = %v; want %s and %s only", seen, moved, dropped)
	}
	setCustomer := func(p *dashboard.Profile, cus *string) {
		t.Helper()
		at := baseTime.Add(time.Minute)
		q := &dashboard.Profile{UserID: p.UserID, StripeCustomerID: cus, UpdatedAt: &at}
		must(t, save(t, s, q, []string{dashboard.FieldStripeCustomerID}, p.UpdatedAt, p.Email), "set stripeCustomerId")
	}
	newCus, linkedCus := "cus_"+newID(t)[:14], "cus_"+newID(t)[:14]
	setCustomer(pm, &newCus)
	setCustomer(pl, &linkedCus)
	setCustomer(pd, nil)

	seen := stripeMembers(t, s, moved, linked, dropped)
	if len(seen) != 2 || !slices.Equal(seen[moved], []string{newCus}) || !slices.Equal(seen[linked], []string{linkedCus}) {
		t.Errorf("after the changes, visits = %v; want %s with %s, %s with %s, and not %s", seen, moved, newCus, linked, linkedCus, dropped)
	}
}

// testEachStripeMemberStops checks the walk ends at fn's first error and
// returns it.
func testEachStripeMemberStops(t *testing.T, s RawStore) {
	for range 2 {
		create(t, s, fullProfile(t, newID(t), newEmail(t), baseTime))
	}
	stop := errors.New("stop")
	calls := 0
	err := s.EachStripeMember(t.Context(), func(string, string) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("EachStripeMember = %v after %d calls; want fn's error after 1", err, calls)
	}
}
