package stripe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// transport rate-limits and retries every request of a Client. It sits
// under the SDK (whose own retries are off) rather than around SDK calls,
// so a retry of the tenth page of a listing repeats that page only, and the
// SDK's iterator never sees a transient failure.
type transport struct {
	next       http.RoundTripper
	limiter    *rate.Limiter
	maxRetries int
	timeout    time.Duration // per attempt
	baseDelay  time.Duration // backoff ceiling of the first retry
	maxDelay   time.Duration // backoff ceiling cap
	maxWait    time.Duration // longest Retry-After worth waiting for in-process
	sleep      func(ctx context.Context, d time.Duration) error
}

// unavailableError is what the transport returns once retrying is over:
// the adapter turns it into EUNAVAILABLE with retryAfter.
type unavailableError struct {
	retryAfter time.Duration
	cause      error
}

func (e *unavailableError) Error() string {
	return fmt.Sprintf("stripe unavailable (retry after %s): %v", e.retryAfter, e.cause)
}

func (e *unavailableError) Unwrap() error { return e.cause }

// RoundTrip sends req, retrying as the package documentation describes.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		if err := t.limiter.Wait(ctx); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			// The limiter's wait would outlast ctx's deadline.
			return nil, &unavailableError{retryAfter: time.Second, cause: err}
		}
		actx, cancel := context.WithTimeout(ctx, t.timeout)
		r := req.Clone(actx)
		if attempt > 0 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				cancel()
				return nil, err
			}
			r.Body = body
		}
		resp, err := t.next.RoundTrip(r)
		retry, hinted, cause := t.verdict(ctx, req, resp, err)
		if !retry {
			if resp == nil {
				cancel()
				return nil, err
			}
			resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
			return resp, nil
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		cancel()
		wait := hinted
		if wait < 0 {
			wait = t.backoff(attempt)
		}
		if attempt >= t.maxRetries || wait > t.maxWait || pastDeadline(ctx, wait) {
			hint := hinted
			if hint < 0 {
				hint = t.ceiling(attempt + 1)
			}
			return nil, &unavailableError{retryAfter: roundUpSecond(hint), cause: cause}
		}
		if err := t.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// verdict decides whether an attempt is worth repeating. hinted is the
// server's Retry-After (negative when absent); cause describes the failure
// for the log.
func (t *transport) verdict(ctx context.Context, req *http.Request, resp *http.Response, err error) (retry bool, hinted time.Duration, cause error) {
	hinted = -1
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return false, hinted, nil // the body cannot be sent twice
	}
	if err != nil {
		var unknownCA x509.UnknownAuthorityError
		var certErr *tls.CertificateVerificationError
		if ctx.Err() != nil || errors.As(err, &unknownCA) || errors.As(err, &certErr) {
			return false, hinted, nil
		}
		return true, hinted, err // timeouts, resets, refused connections
	}
	switch resp.Header.Get("Stripe-Should-Retry") {
	case "false":
		return false, hinted, nil
	case "true":
	default:
		if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500 {
			return false, hinted, nil
		}
	}
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After")); ok {
		hinted = d
	}
	return true, hinted, fmt.Errorf("%s %s answered %s", req.Method, req.URL.Path, resp.Status)
}

// ceiling is the backoff cap before retry n (1-based): base × 2^(n−1),
// at most maxDelay.
func (t *transport) ceiling(n int) time.Duration {
	d := t.baseDelay
	for i := 1; i < n && d < t.maxDelay; i++ {
		d *= 2
	}
	return min(d, t.maxDelay)
}

// backoff is the "full jitter" wait after attempt (0-based): uniform in
// [0, ceiling], which spreads retries of many clients best.
func (t *transport) backoff(attempt int) time.Duration {
	c := t.ceiling(attempt + 1)
	if c <= 0 {
		return 0
	}
	return rand.N(c + 1)
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date.
func parseRetryAfter(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(min(s, 86400)) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(time.Until(at), 0), true
	}
	return 0, false
}

// pastDeadline reports whether waiting d would outlive ctx.
func pastDeadline(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return ok && time.Until(dl) < d
}

// roundUpSecond turns a wait into a whole-second, at-least-one-second hint,
// the granularity of the Retry-After header it ends up in.
func roundUpSecond(d time.Duration) time.Duration {
	return max(time.Second, (d+time.Second-1)/time.Second*time.Second)
}

// sleepContext waits d or until ctx is done.
func sleepContext(ctx context.Context, d time.Duration) error {
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

// cancelBody ends an attempt's context when the SDK has read the body, so
// the per-attempt timeout covers reading it too.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
