package stripe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/thebabesclub/dashboard/backoff"
)

// transport rate-limits and retries every request of a Client. It sits
// under the SDK (whose own retries are off) rather than around SDK calls,
// so a retry of the tenth page of a listing repeats that page only, and the
// SDK's iterator never sees a transient failure.
type transport struct {
	next       http.RoundTripper
	budget     *Budget
	maxRetries int
	timeout    time.Duration  // per attempt
	policy     backoff.Policy // backoff between attempts
	maxWait    time.Duration  // longest Retry-After worth waiting for in-process
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
		if err := t.budget.Wait(ctx); err != nil {
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
			wait = t.policy.Jitter(attempt)
		}
		if attempt >= t.maxRetries || wait > t.maxWait || backoff.PastDeadline(ctx, wait) {
			hint := hinted
			if hint < 0 {
				hint = t.policy.Ceiling(attempt + 1)
			}
			return nil, &unavailableError{retryAfter: backoff.RoundUpSecond(hint), cause: cause}
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
	if d, ok := backoff.RetryAfter(resp.Header.Get("Retry-After"), 24*time.Hour); ok {
		hinted = d
	}
	return true, hinted, fmt.Errorf("%s %s answered %s", req.Method, req.URL.Path, resp.Status)
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
