// Package orders holds the order rules: who owns a Stripe Checkout Session,
// what status it has and how that status may change, how a member's orders
// are listed and read, and how webhooks, refreshes and the nightly
// reconciliation keep the stored snapshots in step with Stripe without ever
// writing one twice.
package orders

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/cursor"
)

// Defaults of the contract.
const (
	DefaultStaleAfter = 12 * time.Hour
	DefaultPageSize   = 20
	MaxPageSize       = 100
	// WatermarkName is the reconciliation watermark's key (SYSTEM / STRIPE_ORDER_SYNC).
	WatermarkName = "STRIPE_ORDER_SYNC"
	// ReconcileOverlap is how far before the watermark a reconciliation
	// starts, so sessions created while the last run was listing are seen.
	ReconcileOverlap = time.Hour
	// refreshCollapse is how recently a member must have been synced for a
	// refresh to be skipped: refreshes queued by several reads in a row
	// collapse into one sync.
	refreshCollapse = time.Minute
	// maxWriteAttempts bounds re-read-and-merge rounds of a contended write.
	maxWriteAttempts = 8
	// retryAfterDefault is the Retry-After of an upstream failure that did
	// not say when to come back.
	retryAfterDefault = 30 * time.Second
)

// Store is what the orders service keeps and reads.
type Store interface {
	dashboard.OrderStore
	dashboard.SyncStore
	dashboard.ReconcileStore
	GetProfile(ctx context.Context, userID string) (*dashboard.Profile, error)
	SaveProfile(ctx context.Context, change dashboard.ProfileChange) error
	UserIDByEmail(ctx context.Context, email string) (string, error)
	UserIDByStripeCustomer(ctx context.Context, customerID string) (string, error)
	UserIDByCheckoutEmail(ctx context.Context, email string) (string, error)
	CheckoutEmails(ctx context.Context, userID string) ([]dashboard.CheckoutEmail, error)
}

// Service implements the order routes and jobs.
type Service struct {
	Store Store
	// Payments is Stripe; nil means Stripe is not configured (reads serve
	// the cache, syncs do nothing).
	Payments dashboard.Payments
	// StripeEnabled says Stripe is configured for the deployment even when
	// this process holds no client (STRIPE_ENABLED): List then still says
	// "refreshing" and queues the refresh another function performs.
	StripeEnabled bool
	Cursors       *cursor.Signer
	// StaleAfter is ORDER_STALE_AFTER (default 12 h).
	StaleAfter time.Duration
	Logger     *slog.Logger
	Now        func() time.Time
	// TimeLeft is how long remains before a context's deadline
	// (time.Until when nil). A deadline is wall-clock time while Now may be
	// shifted (the scale harness's club lives in the future), so the two
	// are never compared; a test that moves time by hand sets both.
	TimeLeft func(deadline time.Time) time.Duration
	// Mailer sends the shipped and delivered notices (CONTRACT §11); nil
	// sends none.
	Mailer dashboard.Mailer
	// SiteOrigin, when set, is the dashboard's address named in mails.
	SiteOrigin string
	// Reconciliation sizes the reconciliation's windows (zero: defaults).
	Reconciliation ReconcileOptions
	// Continuations takes a queued window that runs out of time
	// (ReconcileWindow): the refresh queue on AWS, so a window of any
	// size completes over several invocations. Nil makes running out of
	// time an error, so the queue delivers the window again.
	Continuations dashboard.RefreshQueue
}

func (s *Service) timeLeft(deadline time.Time) time.Duration {
	if s.TimeLeft != nil {
		return s.TimeLeft(deadline)
	}
	return time.Until(deadline)
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Millisecond)
	}
	return time.Now().UTC().Truncate(time.Millisecond)
}

func (s *Service) staleAfter() time.Duration {
	if s.StaleAfter > 0 {
		return s.StaleAfter
	}
	return DefaultStaleAfter
}

func (s *Service) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// upsertResult says what an upsert did.
type upsertResult int

const (
	unchanged upsertResult = iota
	created
	updated
)

// upsert merges session data and a status claim into the stored snapshot of
// owner's order and writes it if anything changed. Concurrent writers of
// the same order (five deliveries of one webhook, a webhook racing a
// reconciliation) each re-read and re-merge until one write stands; the
// others then find nothing left to change.
func (s *Service) upsert(ctx context.Context, owner string, sess *dashboard.CheckoutSession, claim evidence) (upsertResult, error) {
	return s.write(ctx, owner, sess, claim, false)
}

// upsertChecked is upsert for a read of the session that the order detail
// made: an unchanged snapshot is still written, with updatedAt moved to
// now, so that the check is recorded and the order is not asked of Stripe
// again until it is ORDER_STALE_AFTER old (CONTRACT §3).
func (s *Service) upsertChecked(ctx context.Context, owner string, sess *dashboard.CheckoutSession, claim evidence) (upsertResult, error) {
	return s.write(ctx, owner, sess, claim, true)
}

func (s *Service) write(ctx context.Context, owner string, sess *dashboard.CheckoutSession, claim evidence, recordCheck bool) (upsertResult, error) {
	for attempt := 1; ; attempt++ {
		cur, err := s.Store.GetOrder(ctx, owner, sess.ID, sess.Created)
		switch dashboard.ErrorCode(err) {
		case "":
		case dashboard.ENOTFOUND:
			cur = nil
			// An order filed under someone else (resolved differently
			// before) stays where it is: never two copies of one session.
			if other, err := s.Store.FindOrder(ctx, sess.ID); err == nil && other.UserID != owner {
				s.logger().WarnContext(ctx, "order already filed under another member",
					slog.String("orderId", sess.ID), slog.String("ownerId", other.UserID))
				owner = other.UserID
				continue
			}
		default:
			return unchanged, fmt.Errorf("orders: read order: %w", err)
		}
		next := merge(cur, owner, sess, claim, s.now())
		same := cur != nil && sameOrder(cur, next)
		if same && !recordCheck {
			return unchanged, nil
		}
		err = s.Store.PutOrder(ctx, next)
		switch {
		case err == nil && cur == nil:
			return created, nil
		case err == nil && same:
			return unchanged, nil
		case err == nil:
			return updated, nil
		case dashboard.ErrorCode(err) == dashboard.EPRECONDITION && attempt < maxWriteAttempts:
			continue
		default:
			return unchanged, fmt.Errorf("orders: write order: %w", err)
		}
	}
}

func equalJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
