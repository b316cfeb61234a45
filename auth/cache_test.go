package auth

import (
	"testing"
	"time"
)

// TestCachedTokenStillExpires verifies a token, moves the clock past its
// expiry (and leeway) and checks the cached token is refused, then that a
// tampered copy of a cached token is never served from the cache.
func TestCachedTokenStillExpires(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	clock := now
	secret := []byte("cache-secret-0123456789abcdef0123456789")
	v, err := NewVerifier(Config{Secret: secret, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := Sign(secret, Claims{UserID: "0123456789abcdef0123456789abcdef", Email: "a@b.co"}, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second call is served from the cache
		c, err := v.Verify(tok)
		if err != nil || c.UserID != "0123456789abcdef0123456789abcdef" {
			t.Fatalf("Verify = %+v, %v", c, err)
		}
		c.UserID = "changed" // a caller's change must not reach the cache
	}
	if c, _ := v.Verify(tok); c == nil || c.UserID != "0123456789abcdef0123456789abcdef" {
		t.Fatalf("the cache handed out a changed claim: %+v", c)
	}
	clock = now.Add(time.Hour + 59*time.Second) // within the 60 s leeway
	if _, err := v.Verify(tok); err != nil {
		t.Fatalf("within leeway: %v", err)
	}
	clock = now.Add(time.Hour + 61*time.Second)
	if _, err := v.Verify(tok); err == nil {
		t.Fatal("a cached token was accepted after it expired")
	}
	clock = now
	tampered := tok[:len(tok)-2] + "xx"
	if _, err := v.Verify(tampered); err == nil {
		t.Fatal("a tampered token was accepted")
	}
}

func TestCachedTokenHonoursNotBefore(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	e := verified{claims: Claims{ExpiresAt: now.Add(time.Hour)}, notBefore: now.Add(10 * time.Minute)}
	if e.inWindow(now, time.Minute) {
		t.Error("inWindow accepted a token before nbf")
	}
	if !e.inWindow(now.Add(9*time.Minute+30*time.Second), time.Minute) {
		t.Error("inWindow refused a token within nbf's leeway")
	}
}
