// Package clocktest puts time under a test's control: a settable Clock to
// inject where code asks for the time, and Sleeps to inject where code
// waits, so that no test depends on how fast the machine is.
package clocktest

import (
	"context"
	"sync"
	"time"
)

// Clock is a settable clock for tests of token time (expiry, leeway,
// the authorizer cache): give its Now to the verifier (auth.Config.Now) and
// the HTTP server (httpapi.Server.Now), then move it with Set instead of
// waiting. It is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock reading at.
func NewClock(at time.Time) *Clock { return &Clock{now: at} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Sleeps stands in for a sleep function (func(ctx, d) error, as the Stripe
// and marketplace adapters take): it records each wait instead of waiting
// and returns at once with ctx's error. It is safe for concurrent use.
type Sleeps struct {
	mu sync.Mutex
	ds []time.Duration
}

// Sleep records d.
func (s *Sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ds = append(s.ds, d)
	return ctx.Err()
}

// All returns the waits recorded so far, in order.
func (s *Sleeps) All() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.ds...)
}
