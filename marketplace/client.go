package marketplace

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/time/rate"

	"github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/backoff"
)

// MaxResponseBytes caps one page's body. A page of 200 OpenSea or 100
// Alchemy NFTs is well under 2 MiB even with raw metadata; anything
// larger is refused rather than read into memory.
const MaxResponseBytes = 16 << 20

// Client-safe messages of the errors Holdings returns.
const (
	msgUnavailable = "The NFT marketplace is unavailable; try again later."
	msgTimeout     = "The NFT marketplace did not answer in time; try again later."
	msgKeyRefused  = "The NFT marketplace refused the API key."
	msgRefused     = "The NFT marketplace refused the request."
	msgUnreadable  = "The NFT marketplace sent an answer that could not be read."
)

// Retry timing: the backoff ceiling starts at baseDelay and doubles up to
// maxDelay; a Retry-After longer than maxWait is not slept in-process but
// handed back as the error's RetryAfter (at most maxHint), so the refresh
// queue retries later instead of holding a worker.
const (
	baseDelay = 500 * time.Millisecond
	maxDelay  = 8 * time.Second
	maxWait   = 30 * time.Second
	maxHint   = time.Hour
)

// client is the HTTP layer both providers share: rate limit, per-attempt
// timeout, bounded retries with backoff and full jitter, capped bodies.
// It is safe for concurrent use.
type client struct {
	hc         *http.Client
	limiter    *rate.Limiter
	maxRetries int
	timeout    time.Duration
	maxBody    int64
	sleep      func(ctx context.Context, d time.Duration) error
	provider   string
	log        *slog.Logger
}

func newClient(cfg Config, provider string, log *slog.Logger) *client {
	c := &client{
		limiter:    newLimiter(cfg.MaxRPS),
		maxRetries: cfg.MaxRetries,
		timeout:    cfg.Timeout,
		maxBody:    MaxResponseBytes,
		sleep:      cfg.Sleep,
		provider:   provider,
		log:        log,
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = DefaultMaxRetries
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.sleep == nil {
		c.sleep = backoff.Sleep
	}
	hc := http.Client{}
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	}
	hc.Timeout = 0
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.hc = &hc
	return c
}

// unavailable wraps cause in an EUNAVAILABLE dashboard.Error: msg is what
// a client may see, cause (for the log) stays reachable with errors.Is.
func unavailable(msg string, retryAfter time.Duration, cause error) error {
	return fmt.Errorf("marketplace: %w: %w", &dashboard.Error{
		Code: dashboard.EUNAVAILABLE, Message: msg, RetryAfter: retryAfter,
	}, cause)
}

// errPermanent marks failures that retrying cannot mend; errTooLarge is
// the one among them that makes the answer unreadable.
var (
	errPermanent = errors.New("not retryable")
	errTooLarge  = fmt.Errorf("body too large (%w)", errPermanent)
)

// get fetches u and returns its body, retrying as the package
// documentation describes. what names the request in errors and logs
// ("opensea page 2"); u itself never appears in either.
func (c *client) get(ctx context.Context, u string, hdr http.Header, what string) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		if err := c.limiter.Wait(ctx); err != nil {
			if ctx.Err() != nil {
				return nil, ctxError(ctx, what)
			}
			// Waiting for the limiter would outlast ctx's deadline.
			return nil, unavailable(msgUnavailable, time.Second, fmt.Errorf("%s: %w", what, err))
		}
		body, status, hinted, err := c.attempt(ctx, u, hdr)
		if ctx.Err() != nil {
			return nil, ctxError(ctx, what)
		}
		var cause error
		switch {
		case errors.Is(err, errTooLarge):
			return nil, unavailable(msgUnreadable, time.Minute, fmt.Errorf("%s: %w", what, err))
		case errors.Is(err, errPermanent):
			return nil, unavailable(msgUnavailable, time.Minute, fmt.Errorf("%s: %w", what, err))
		case err != nil:
			cause = fmt.Errorf("%s: %w", what, err)
		case status >= 200 && status < 300:
			return body, nil
		case status == http.StatusUnauthorized || status == http.StatusForbidden:
			c.log.ErrorContext(ctx, "marketplace refused the API key; check NFT_API_KEY",
				slog.String("provider", c.provider), slog.Int("status", status))
			return nil, unavailable(msgKeyRefused, time.Hour, fmt.Errorf("%s: API key refused (HTTP %d)", what, status))
		case status == http.StatusTooManyRequests || status >= 500:
			cause = fmt.Errorf("%s: HTTP %d", what, status)
		default:
			return nil, unavailable(msgRefused, time.Minute, fmt.Errorf("%s: HTTP %d", what, status))
		}
		wait := hinted
		if wait < 0 {
			wait = retryPolicy.Jitter(attempt)
		}
		if attempt >= c.maxRetries || wait > maxWait || backoff.PastDeadline(ctx, wait) {
			hint := hinted
			if hint < 0 {
				hint = retryPolicy.Ceiling(attempt + 1)
			}
			msg := msgUnavailable
			if isTimeout(cause) {
				msg = msgTimeout
			}
			return nil, unavailable(msg, backoff.RoundUpSecond(min(hint, maxHint)), cause)
		}
		c.log.DebugContext(ctx, "marketplace request failed; retrying",
			slog.String("provider", c.provider), slog.String("request", what),
			slog.Int("attempt", attempt+1), slog.Duration("wait", wait), slog.String("cause", cause.Error()))
		if err := c.sleep(ctx, wait); err != nil {
			return nil, ctxError(ctx, what)
		}
	}
}

// attempt makes one request. It returns the body of a 2xx answer, the
// status, the Retry-After of a 429 or 5xx (negative when absent), and a
// transport error stripped of the URL.
func (c *client) attempt(ctx context.Context, u string, hdr http.Header) (body []byte, status int, hinted time.Duration, err error) {
	hinted = -1
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, hinted, fmt.Errorf("building the request: %w (%w)", stripURL(err), errPermanent)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "babesclub-dashboard")
	resp, err := c.hc.Do(req)
	if err != nil {
		err = stripURL(err)
		var unknownCA x509.UnknownAuthorityError
		var certErr *tls.CertificateVerificationError
		switch {
		case errors.As(err, &unknownCA) || errors.As(err, &certErr):
			err = fmt.Errorf("%w (%w)", err, errPermanent)
		case isTimeout(err):
			err = fmt.Errorf("no answer within %s: %w", c.timeout, err)
		}
		return nil, 0, hinted, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
			if d, ok := backoff.RetryAfter(resp.Header.Get("Retry-After"), maxHint); ok {
				hinted = d
			}
		}
		return nil, resp.StatusCode, hinted, nil
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		err = stripURL(err)
		if isTimeout(err) {
			return nil, 0, hinted, fmt.Errorf("body not read within %s: %w", c.timeout, err)
		}
		return nil, 0, hinted, fmt.Errorf("reading the body: %w", err)
	}
	if int64(len(body)) > c.maxBody {
		return nil, 0, hinted, fmt.Errorf("%w: more than %d bytes", errTooLarge, c.maxBody)
	}
	return body, resp.StatusCode, hinted, nil
}

// stripURL drops the request URL from a transport error: the Alchemy URL
// carries the API key and both carry the wallet address.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// isTimeout reports whether err is an attempt running out of time.
func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// ctxError describes the end of ctx: an expired deadline is the upstream
// being too slow for the caller (EUNAVAILABLE); a cancellation is the
// caller's own doing and passes through.
func ctxError(ctx context.Context, what string) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return unavailable(msgTimeout, time.Second, fmt.Errorf("%s: %w", what, ctx.Err()))
	}
	return fmt.Errorf("marketplace: %s: %w", what, ctx.Err())
}

// retryPolicy is the backoff between attempts.
var retryPolicy = backoff.Policy{Base: baseDelay, Max: maxDelay}
