package bolt_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/bolt"
)

// clock is a store clock the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// TestExpiredChallengesSwept checks finding 7c of issue 10: the embedded
// store deletes expired wallet challenges (USER#…/WALLET_CHALLENGE#…), as
// DynamoDB's TTL does: a member's own when they save a new one, everyone's
// when the store opens. Live challenges and other items stay.
func TestExpiredChallengesSwept(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dashboard.db")
	t0 := time.Date(2025, 11, 26, 12, 0, 0, 0, time.UTC)
	clk := &clock{t: t0}
	s, err := bolt.OpenWithClock(path, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	const a, b = "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"
	challenge := func(user, nonce string, expires time.Time) {
		t.Helper()
		err := s.SaveWalletChallenge(ctx, dashboard.WalletChallenge{
			UserID: user, Nonce: nonce, Wallet: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", Domain: "dashboard.babesclub.example",
			Message: "message " + nonce, IssuedAt: expires.Add(-dashboard.WalletChallengeTTL), ExpiresAt: expires,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	stored := func(user, nonce string) bool {
		t.Helper()
		item, err := s.RawItem(ctx, "USER#"+user, "WALLET_CHALLENGE#"+nonce)
		if err != nil {
			t.Fatal(err)
		}
		return item != nil
	}
	// A profile item in the same partition, which no sweep may touch.
	if err := s.PutRawItem(ctx, map[string]any{"PK": "USER#" + a, "SK": "PROFILE", "userId": a, "email": "a@example.com"}); err != nil {
		t.Fatal(err)
	}
	challenge(a, "a1", t0.Add(10*time.Minute))
	challenge(a, "a2", t0.Add(20*time.Minute))
	challenge(b, "b1", t0.Add(10*time.Minute))

	// At a1's expiry exactly (it is no longer usable), a's next save
	// drops a1; a2 is live and b's challenges are left for the open sweep.
	clk.set(t0.Add(10 * time.Minute))
	challenge(a, "a3", t0.Add(40*time.Minute))
	if stored(a, "a1") {
		t.Error("an expired challenge survived its member's next save")
	}
	if !stored(a, "a2") || !stored(a, "a3") || !stored(b, "b1") {
		t.Errorf("a save swept live or other members' challenges: a2 %v, a3 %v, b1 %v", stored(a, "a2"), stored(a, "a3"), stored(b, "b1"))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Opening after a2 and b1 expired drops them; a3 is still live.
	clk.set(t0.Add(30 * time.Minute))
	if s, err = bolt.OpenWithClock(path, clk.now); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if stored(a, "a2") || stored(b, "b1") {
		t.Errorf("expired challenges survived opening: a2 %v, b1 %v", stored(a, "a2"), stored(b, "b1"))
	}
	if !stored(a, "a3") {
		t.Error("a live challenge was swept on opening")
	}
	if item, err := s.RawItem(ctx, "USER#"+a, "PROFILE"); err != nil || item == nil {
		t.Errorf("the member's profile after the sweeps = %v, %v", item, err)
	}
	if c, err := s.TakeWalletChallenge(ctx, a, "a3"); err != nil || c.Message != "message a3" {
		t.Errorf("the live challenge after the sweeps = %+v, %v", c, err)
	}
}
