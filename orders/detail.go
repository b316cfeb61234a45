package orders

import (
	"context"
	"log/slog"
	"strings"

	dashboard "github.com/thebabesclub/dashboard"
)

// maxOrderIDLen is the longest Checkout Session id accepted: "cs_" and at
// most 252 more characters.
const maxOrderIDLen = 255

// ValidOrderID reports whether id looks like a Checkout Session id: "cs_"
// followed by 1 to 252 ASCII letters, digits or underscores. It is the
// check of every order detail request, written out instead of a regular
// expression, which cost the route a twentieth of its time.
func ValidOrderID(id string) bool {
	rest, ok := strings.CutPrefix(id, "cs_")
	if !ok || rest == "" || len(id) > maxOrderIDLen {
		return false
	}
	for i := 0; i < len(rest); i++ {
		switch c := rest[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_':
		default:
			return false
		}
	}
	return true
}

// final statuses cannot change any more, so a cached copy never goes stale.
var final = map[dashboard.OrderStatus]bool{
	dashboard.OrderRefunded: true, dashboard.OrderExpired: true,
	dashboard.OrderFailed: true, dashboard.OrderCanceled: true,
}

func notFound() error {
	return dashboard.Errorf(dashboard.ENOTFOUND, "No such order.")
}

// Detail returns one of m's orders. A fresh cached copy is served with one
// store read and no Stripe call. A missing or stale one is fetched from
// Stripe, checked for ownership, written back and returned. Anything not
// m's — whoever it belongs to, or nobody — is "not found", never
// "forbidden", so existence does not leak. When Stripe fails, a cached copy
// is served marked stale; without one the error is EUNAVAILABLE.
func (s *Service) Detail(ctx context.Context, m dashboard.Member, orderID string) (*dashboard.OrderDetail, error) {
	if !ValidOrderID(orderID) {
		return nil, &dashboard.Error{Code: dashboard.EVALIDATION, Message: "orderId must be a Checkout Session id (cs_…).",
			Fields: map[string]string{"orderId": "Must look like cs_… (at most 255 characters)."}}
	}
	cached, err := s.Store.FindOrder(ctx, orderID)
	switch dashboard.ErrorCode(err) {
	case "":
		if cached.UserID != m.UserID {
			return nil, notFound()
		}
		if final[cached.Status] || s.now().Sub(cached.UpdatedAt) <= s.staleAfter() || s.Payments == nil {
			return &cached.OrderDetail, nil
		}
	case dashboard.ENOTFOUND:
		cached = nil
		if s.Payments == nil {
			return nil, notFound()
		}
	default:
		return nil, err
	}

	sess, err := s.Payments.Session(ctx, orderID)
	switch code := dashboard.ErrorCode(err); {
	case code == dashboard.ENOTFOUND:
		if cached != nil {
			// Stripe no longer has it (test data, a deleted account):
			// record the check so the next view is served from the store.
			return s.recordCheck(ctx, cached), nil
		}
		return nil, notFound()
	case err != nil && cached != nil:
		s.logger().WarnContext(ctx, "serving a stale order: Stripe failed", slog.String("orderId", orderID), slog.Any("error", err))
		d := cached.OrderDetail
		d.Stale = true
		return &d, nil
	case err != nil && code == dashboard.EUNAVAILABLE:
		return nil, err
	case err != nil:
		return nil, &dashboard.Error{Code: dashboard.EUNAVAILABLE, Message: "Stripe is unavailable; try again shortly.", RetryAfter: retryAfterDefault}
	}
	owner := ""
	if cached != nil {
		owner = cached.UserID // a stored order never changes hands
	} else if owner, err = s.newResolver().owner(ctx, sess); err != nil {
		return nil, err
	}
	if owner != m.UserID {
		return nil, notFound()
	}
	if _, err := s.upsertChecked(ctx, owner, sess, evidence{StatusOfSession(sess), s.now()}); err != nil {
		return nil, err
	}
	snap, err := s.Store.GetOrder(ctx, owner, sess.ID, sess.Created)
	if err != nil {
		return nil, err
	}
	return &snap.OrderDetail, nil
}

// recordCheck moves the cached order's updatedAt to now without changing
// its facts. A failure only costs another Stripe call on the next view, so
// it is logged and the cached copy is served.
func (s *Service) recordCheck(ctx context.Context, cached *dashboard.OrderSnapshot) *dashboard.OrderDetail {
	snap := *cached
	snap.UpdatedAt = s.now()
	if err := s.Store.PutOrder(ctx, &snap); err != nil {
		s.logger().WarnContext(ctx, "order check not recorded", slog.String("orderId", cached.OrderID), slog.Any("error", err))
		return &cached.OrderDetail
	}
	return &snap.OrderDetail
}
