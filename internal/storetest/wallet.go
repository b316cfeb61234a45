package storetest

import (
	"sync"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

var walletTests = []namedTest{
	{"ChallengeTakenOnce", testChallengeTakenOnce},
	{"ChallengeOfAnotherMember", testChallengeOfAnotherMember},
	{"HoldersOfCollection", testHoldersOfCollection},
}

func newChallenge(t *testing.T, user string) dashboard.WalletChallenge {
	return dashboard.WalletChallenge{
		UserID: user, Nonce: "n" + newID(t)[:16], Wallet: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		Domain: "dashboard.babesclub.example", Message: "dashboard.babesclub.example wants you to sign in…\nline two",
		IssuedAt: baseTime, ExpiresAt: baseTime.Add(10 * time.Minute),
	}
}

// testChallengeTakenOnce checks a challenge round-trips and that of many
// concurrent takes exactly one gets it.
func testChallengeTakenOnce(t *testing.T, s RawStore) {
	user := newID(t)
	c := newChallenge(t, user)
	must(t, s.SaveWalletChallenge(t.Context(), c), "save challenge")
	if item := raw(t, s, "USER#"+user, "WALLET_CHALLENGE#"+c.Nonce); item == nil || item["expiresAt"] != float64(c.ExpiresAt.Unix()) {
		t.Fatalf("stored challenge = %v", item)
	}
	var wg sync.WaitGroup
	got := make([]*dashboard.WalletChallenge, 8)
	errs := make([]error, 8)
	for i := range got {
		wg.Add(1)
		go func() { defer wg.Done(); got[i], errs[i] = s.TakeWalletChallenge(t.Context(), user, c.Nonce) }()
	}
	wg.Wait()
	won := 0
	for i := range got {
		switch {
		case errs[i] == nil:
			won++
			g := got[i]
			if g.Message != c.Message || g.Wallet != c.Wallet || g.Domain != c.Domain || !g.IssuedAt.Equal(ms(c.IssuedAt)) || !g.ExpiresAt.Equal(c.ExpiresAt.Truncate(time.Second)) {
				t.Errorf("taken challenge = %+v, want %+v", g, c)
			}
		default:
			wantCode(t, errs[i], dashboard.ENOTFOUND, "a second take")
		}
	}
	if won != 1 {
		t.Fatalf("%d takes got the challenge, want 1", won)
	}
	if raw(t, s, "USER#"+user, "WALLET_CHALLENGE#"+c.Nonce) != nil {
		t.Error("a taken challenge is still stored")
	}
}

func testChallengeOfAnotherMember(t *testing.T, s RawStore) {
	a, b := newID(t), newID(t)
	c := newChallenge(t, a)
	must(t, s.SaveWalletChallenge(t.Context(), c), "save challenge")
	_, err := s.TakeWalletChallenge(t.Context(), b, c.Nonce)
	wantCode(t, err, dashboard.ENOTFOUND, "another member's nonce")
	if _, err := s.TakeWalletChallenge(t.Context(), a, c.Nonce); err != nil {
		t.Fatalf("the owner's take after a foreign attempt: %v", err)
	}
}

func testHoldersOfCollection(t *testing.T, s RawStore) {
	a, b := newID(t), newID(t)
	coll := "coll-" + newID(t)[:8]
	at := baseTime
	_, err := s.ReplaceHoldings(t.Context(), a, []dashboard.Holding{newHolding(contractA, "1", coll, at), newHolding(contractA, "2", coll, at), newHolding(contractB, "9", "other-"+coll, at)}, at)
	must(t, err, "replace a")
	_, err = s.ReplaceHoldings(t.Context(), b, []dashboard.Holding{newHolding(contractA, "3", coll, at)}, at)
	must(t, err, "replace b")
	seen := map[string]int{}
	must(t, s.EachHolder(t.Context(), coll, func(h dashboard.Holder) error {
		seen[h.UserID+"/"+h.Holding.TokenID]++
		if h.Holding.CollectionID != coll {
			t.Errorf("holder of another collection: %+v", h)
		}
		return nil
	}), "EachHolder")
	if len(seen) != 3 || seen[a+"/1"] != 1 || seen[a+"/2"] != 1 || seen[b+"/3"] != 1 {
		t.Fatalf("holders = %v", seen)
	}
	// A removed holding leaves the index.
	_, err = s.ReplaceHoldings(t.Context(), b, nil, at)
	must(t, err, "replace b with nothing")
	n := 0
	must(t, s.EachHolder(t.Context(), coll, func(dashboard.Holder) error { n++; return nil }), "EachHolder")
	if n != 2 {
		t.Errorf("%d holders after a removal, want 2", n)
	}
}
