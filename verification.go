package dashboard

import (
	"context"
	"time"
)

// CodePurpose names what a mailed verification code proves (CONTRACT §9).
type CodePurpose string

// Code purposes. Each has its own sort key prefix, CODE#<purpose>#<target>.
const (
	// CodeProfileEmail proves a new profile email; a member has at most one
	// pending at a time, so its target is always CodeTargetProfile.
	CodeProfileEmail CodePurpose = "EMAIL"
	// CodeCheckoutEmail proves a checkout email; its target is the
	// lower-cased address.
	CodeCheckoutEmail CodePurpose = "CHECKOUT"
)

// CodeTargetProfile is the target of the one pending profile-email code.
const CodeTargetProfile = "PROFILE"

// Verification rules of CONTRACT §9.
const (
	// CodeTTL is how long a mailed code (and a pending email change) lives.
	CodeTTL = 15 * time.Minute
	// MaxCodeAttempts is how many codes may be tried against one mailed
	// code; the last failed try voids it.
	MaxCodeAttempts = 5
	// VerificationMailsPerHour bounds the verification mails one member
	// can cause in any rolling hour.
	VerificationMailsPerHour = 5
)

// VerificationCode is a code mailed to an address. Only a keyed hash of the
// code is kept, so the table alone never reveals a code.
type VerificationCode struct {
	UserID  string
	Purpose CodePurpose
	Target  string
	// Email is the address the code was mailed to, as entered.
	Email string
	// Hash is the keyed hash of the code (hex), bound to the member,
	// purpose, target and address.
	Hash string
	// Attempts counts the tries made against this code so far.
	Attempts  int
	CreatedAt time.Time
	ExpiresAt time.Time
}

// CodeStore keeps verification codes as USER#<userId> / CODE#<purpose>#<target>
// items with a TTL (expiresAt).
type CodeStore interface {
	// SaveCode stores c, replacing any code of the same member, purpose and
	// target (a new request voids the previous code).
	SaveCode(ctx context.Context, c VerificationCode) error
	// GetCode returns the stored code (ENOTFOUND when absent or expired at now).
	GetCode(ctx context.Context, userID string, purpose CodePurpose, target string, now time.Time) (*VerificationCode, error)
	// TakeCodeAttempt atomically counts one try against the code whose hash
	// is hash and returns the tries made so far, this one included. It fails
	// with ENOTFOUND when that code is gone, was replaced, or has already had
	// MaxCodeAttempts tries, so no code can be tried more often than that,
	// however many requests race.
	TakeCodeAttempt(ctx context.Context, userID string, purpose CodePurpose, target, hash string) (int, error)
	// DeleteCode removes the code (no error when it is absent).
	DeleteCode(ctx context.Context, userID string, purpose CodePurpose, target string) error
}

// RateStore keeps per-member sliding-window rate limits as
// USER#<userId> / LIMIT#<name> items.
type RateStore interface {
	// TakeRate records one event called name for the member at now if fewer
	// than limit were recorded in the window before now. Otherwise it
	// records nothing and fails with ERATELIMITED, RetryAfter set to when
	// the oldest recorded event leaves the window.
	TakeRate(ctx context.Context, userID, name string, limit int, window time.Duration, now time.Time) error
}

// SlideWindow applies a sliding-window limit to the event times (Unix
// milliseconds) stored for one limit: it drops the events older than
// window, and either appends now (retryAfter 0) or, when limit events are
// still inside the window, leaves them as they are and returns how long
// until the oldest one leaves it. Both stores use it, so they count alike.
func SlideWindow(events []int64, limit int, window time.Duration, now time.Time) (kept []int64, retryAfter time.Duration) {
	cutoff := now.Add(-window).UnixMilli()
	for _, e := range events {
		if e > cutoff {
			kept = append(kept, e)
		}
	}
	if len(kept) >= limit {
		oldest := kept[0]
		for _, e := range kept {
			oldest = min(oldest, e)
		}
		// Whole seconds, rounded up, as Retry-After speaks them.
		retryAfter = max(time.Second, time.UnixMilli(oldest).Add(window).Sub(now).Truncate(time.Second))
		if time.UnixMilli(oldest).Add(window).Sub(now) > retryAfter {
			retryAfter += time.Second
		}
		return events, retryAfter
	}
	return append(kept, now.UnixMilli()), 0
}
