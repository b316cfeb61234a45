package storetest

import (
	"testing"

	dashboard "github.com/thebabesclub/dashboard"
)

var memberTests = []namedTest{
	{"EachProfileVisitsProfilesOnly", testEachProfile},
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
