package auth

import (
	"slices"
	"sync"
	"time"
)

// cacheSize bounds the verified-token cache; past it the cache starts over.
const cacheSize = 8192

// tokenCache remembers tokens this Verifier already verified, so a member's
// next requests skip the HMAC and the decoding. Only tokens that passed
// every check enter it, and a hit still checks the token's time window
// against the clock, so an expired token is refused exactly as before. It
// belongs to one Verifier, whose secrets and rules never change.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]verified
}

// verified is a token's claims and its time window (nbf, exp).
type verified struct {
	claims    Claims
	notBefore time.Time // zero when the token has no nbf
}

func (c *tokenCache) get(token string) (verified, bool) {
	c.mu.Lock()
	v, ok := c.m[token]
	c.mu.Unlock()
	return v, ok
}

func (c *tokenCache) put(token string, v verified) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= cacheSize {
		c.m = make(map[string]verified)
	}
	c.m[token] = v
	c.mu.Unlock()
}

// inWindow reports whether now falls within the token's validity, with the
// same leeway the parser applies.
func (v verified) inWindow(now time.Time, leeway time.Duration) bool {
	if !now.Before(v.claims.ExpiresAt.Add(leeway)) {
		return false
	}
	return v.notBefore.IsZero() || !now.Before(v.notBefore.Add(-leeway))
}

// copyClaims returns a copy the caller may change.
func (v verified) copyClaims() *Claims {
	c := v.claims
	c.Audience = slices.Clone(c.Audience)
	return &c
}
