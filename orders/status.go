package orders

import (
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// Stripe event types the service acts on.
const (
	EventSessionCompleted      = "checkout.session.completed"
	EventAsyncPaymentSucceeded = "checkout.session.async_payment_succeeded"
	EventAsyncPaymentFailed    = "checkout.session.async_payment_failed"
	EventSessionExpired        = "checkout.session.expired"
	EventChargeRefunded        = "charge.refunded"
)

// rank orders statuses along an order's life. A status may only be replaced
// by one of higher rank, or — within the same rank — by newer evidence, so a
// late or replayed event can never move an order backwards (a completed
// order stays completed when an old "expired" arrives).
var rank = map[dashboard.OrderStatus]int{
	dashboard.OrderPending:           0,
	dashboard.OrderFailed:            1,
	dashboard.OrderExpired:           1,
	dashboard.OrderCanceled:          1,
	dashboard.OrderCompleted:         2,
	dashboard.OrderPartiallyRefunded: 3,
	dashboard.OrderRefunded:          4,
}

// paid reports whether a session's payment status counts as paid.
func paid(paymentStatus string) bool {
	return paymentStatus == "paid" || paymentStatus == "no_payment_required"
}

// refundStatus turns a refund amount into a status, or "" for no refund.
func refundStatus(amount, refunded int64) dashboard.OrderStatus {
	switch {
	case refunded <= 0:
		return ""
	case refunded >= amount:
		return dashboard.OrderRefunded
	default:
		return dashboard.OrderPartiallyRefunded
	}
}

// StatusOfSession is the status a session's current state implies, used when
// the session is read from Stripe rather than announced by an event.
func StatusOfSession(s *dashboard.CheckoutSession) dashboard.OrderStatus {
	switch {
	case s.Status == "expired":
		return dashboard.OrderExpired
	case s.PaymentIntentStatus == "canceled":
		return dashboard.OrderCanceled
	case s.Status == "complete" && paid(s.PaymentStatus):
		if r := refundStatus(s.Order.Amount, s.Order.AmountRefunded); r != "" {
			return r
		}
		return dashboard.OrderCompleted
	default:
		return dashboard.OrderPending
	}
}

// StatusOfEvent is the status an event announces for its session (CONTRACT
// §4), and "" for event types that do not set one.
func StatusOfEvent(eventType string, s *dashboard.CheckoutSession) dashboard.OrderStatus {
	switch eventType {
	case EventSessionCompleted:
		if paid(s.PaymentStatus) {
			return dashboard.OrderCompleted
		}
		return dashboard.OrderPending
	case EventAsyncPaymentSucceeded:
		return dashboard.OrderCompleted
	case EventAsyncPaymentFailed:
		return dashboard.OrderFailed
	case EventSessionExpired:
		return dashboard.OrderExpired
	}
	return ""
}

// evidence is a status and when Stripe established it.
type evidence struct {
	status dashboard.OrderStatus
	at     time.Time
}

// supersedes reports whether next may replace the stored status cur.
func (next evidence) supersedes(cur evidence) bool {
	if next.status == "" {
		return false
	}
	rn, rc := rank[next.status], rank[cur.status]
	return rn > rc || (rn == rc && next.status != cur.status && next.at.After(cur.at))
}

// merge returns the snapshot that results from laying session data and a
// status claim over the stored snapshot cur (nil when new). Order data
// (items, amounts, addresses) always takes the session's current values;
// the status only moves forward; refunds never shrink; completedAt, once
// known, stays.
func merge(cur *dashboard.OrderSnapshot, owner string, s *dashboard.CheckoutSession, claim evidence, now time.Time) *dashboard.OrderSnapshot {
	next := &dashboard.OrderSnapshot{UserID: owner, OrderDetail: s.Order}
	next.OrderID, next.CreatedAt = s.ID, s.Created
	next.OrderNumber = dashboard.OrderNumber(s.ID)
	next.UpdatedAt = now
	if next.Items == nil {
		next.Items = []dashboard.LineItem{}
	}
	if next.Discounts == nil {
		next.Discounts = []dashboard.Discount{}
	}
	if cur == nil {
		next.Status, next.StatusAt = claim.status, claim.at
		if next.Status == "" {
			next.Status = dashboard.OrderPending
		}
		return finish(next)
	}
	next.UserID = cur.UserID // an order never changes hands
	next.Version = cur.Version
	// Stripe knows nothing of the parcel: the fulfilment tooling's timeline
	// is kept as it is (CONTRACT §11).
	next.Fulfillment, next.FulfillmentStatus = cur.Fulfillment, cur.FulfillmentStatus
	next.Status, next.StatusAt = cur.Status, cur.StatusAt
	if claim.supersedes(evidence{cur.Status, cur.StatusAt}) {
		next.Status, next.StatusAt = claim.status, claim.at
	}
	if cur.AmountRefunded > next.AmountRefunded {
		next.AmountRefunded = cur.AmountRefunded
	}
	if next.ReceiptURL == nil {
		next.ReceiptURL = cur.ReceiptURL
	}
	if next.CompletedAt == nil {
		next.CompletedAt = cur.CompletedAt
	}
	if !s.LineItemsComplete && len(cur.Items) > len(next.Items) {
		next.Items, next.ItemCount = cur.Items, cur.ItemCount
	}
	return finish(next)
}

// finish derives the fields that follow from the status.
func finish(o *dashboard.OrderSnapshot) *dashboard.OrderSnapshot {
	if o.CompletedAt == nil && rank[o.Status] >= rank[dashboard.OrderCompleted] {
		t := o.StatusAt
		o.CompletedAt = &t
	}
	if o.ItemCount == 0 {
		for _, it := range o.Items {
			o.ItemCount += it.Quantity
		}
	}
	return o
}

// sameOrder reports whether two snapshots hold the same facts (ignoring the
// bookkeeping fields), so an unchanged order is not written again.
func sameOrder(a, b *dashboard.OrderSnapshot) bool {
	x, y := *a, *b
	x.UpdatedAt, y.UpdatedAt = time.Time{}, time.Time{}
	x.Version, y.Version = 0, 0
	x.Stale, y.Stale = false, false
	return equalJSON(x, y)
}
