// Package backoff holds the retry arithmetic the upstream clients (Stripe,
// the NFT marketplaces) share: capped exponential backoff with full jitter,
// Retry-After parsing, and context-aware sleeping.
package backoff

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Policy is a capped exponential backoff: Base × 2^(n−1), at most Max.
type Policy struct {
	Base, Max time.Duration
}

// Ceiling is the backoff cap before retry n (1-based).
func (p Policy) Ceiling(n int) time.Duration {
	d := p.Base
	for i := 1; i < n && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}

// Jitter is the "full jitter" wait after attempt (0-based): uniform in
// [0, Ceiling(attempt+1)], which spreads the retries of many clients best.
func (p Policy) Jitter(attempt int) time.Duration {
	c := p.Ceiling(attempt + 1)
	if c <= 0 {
		return 0
	}
	return rand.N(c + 1)
}

// RetryAfter reads a Retry-After header value, as delay-seconds or an
// HTTP-date, capped at limit.
func RetryAfter(v string, limit time.Duration) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(min(s, int64(limit/time.Second))) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return min(max(time.Until(at), 0), limit), true
	}
	return 0, false
}

// PastDeadline reports whether waiting d would outlive ctx.
func PastDeadline(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return ok && time.Until(dl) < d
}

// RoundUpSecond turns a wait into a whole-second, at-least-one-second hint,
// the granularity of the Retry-After header it ends up in.
func RoundUpSecond(d time.Duration) time.Duration {
	return max(time.Second, (d+time.Second-1)/time.Second*time.Second)
}

// Sleep waits d or until ctx is done.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
