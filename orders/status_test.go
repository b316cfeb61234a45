package orders

import (
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

func TestStatusOfEvent(t *testing.T) {
	paid := &dashboard.CheckoutSession{PaymentStatus: "paid"}
	free := &dashboard.CheckoutSession{PaymentStatus: "no_payment_required"}
	unpaid := &dashboard.CheckoutSession{PaymentStatus: "unpaid"}
	for _, c := range []struct {
		event string
		sess  *dashboard.CheckoutSession
		want  dashboard.OrderStatus
	}{
		{EventSessionCompleted, paid, dashboard.OrderCompleted},
		{EventSessionCompleted, free, dashboard.OrderCompleted},
		{EventSessionCompleted, unpaid, dashboard.OrderPending},
		{EventAsyncPaymentSucceeded, unpaid, dashboard.OrderCompleted},
		{EventAsyncPaymentFailed, unpaid, dashboard.OrderFailed},
		{EventSessionExpired, unpaid, dashboard.OrderExpired},
		{"customer.created", paid, ""},
	} {
		if got := StatusOfEvent(c.event, c.sess); got != c.want {
			t.Errorf("%s/%s = %q, want %q", c.event, c.sess.PaymentStatus, got, c.want)
		}
	}
}

func TestStatusOfSession(t *testing.T) {
	for _, c := range []struct {
		name string
		sess dashboard.CheckoutSession
		want dashboard.OrderStatus
	}{
		{"open", dashboard.CheckoutSession{Status: "open", PaymentStatus: "unpaid"}, dashboard.OrderPending},
		{"paid", dashboard.CheckoutSession{Status: "complete", PaymentStatus: "paid"}, dashboard.OrderCompleted},
		{"unpaid", dashboard.CheckoutSession{Status: "complete", PaymentStatus: "unpaid"}, dashboard.OrderPending},
		{"expired", dashboard.CheckoutSession{Status: "expired"}, dashboard.OrderExpired},
		{"canceled intent", dashboard.CheckoutSession{Status: "complete", PaymentIntentStatus: "canceled"}, dashboard.OrderCanceled},
		{"part refund", dashboard.CheckoutSession{Status: "complete", PaymentStatus: "paid",
			Order: dashboard.OrderDetail{Order: dashboard.Order{Amount: 100}, AmountRefunded: 40}}, dashboard.OrderPartiallyRefunded},
		{"full refund", dashboard.CheckoutSession{Status: "complete", PaymentStatus: "paid",
			Order: dashboard.OrderDetail{Order: dashboard.Order{Amount: 100}, AmountRefunded: 100}}, dashboard.OrderRefunded},
	} {
		if got := StatusOfSession(&c.sess); got != c.want {
			t.Errorf("%s = %q, want %q", c.name, got, c.want)
		}
	}
}

// TestStatusOnlyMovesForward checks every pair of statuses: a claim
// replaces the stored status only when it is further along, or equally far
// along, different and newer.
func TestStatusOnlyMovesForward(t *testing.T) {
	t0 := time.Date(2025, 11, 26, 12, 0, 0, 0, time.UTC)
	older, newer := t0.Add(-time.Hour), t0.Add(time.Hour)
	for cur := range rank {
		for next := range rank {
			for _, at := range []time.Time{older, newer} {
				got := evidence{next, at}.supersedes(evidence{cur, t0})
				want := rank[next] > rank[cur] || (rank[next] == rank[cur] && next != cur && at.After(t0))
				if got != want {
					t.Errorf("%s over %s (at %v): %v, want %v", next, cur, at == newer, got, want)
				}
			}
		}
	}
	// The cases the contract names.
	if (evidence{dashboard.OrderFailed, newer}).supersedes(evidence{dashboard.OrderCompleted, t0}) ||
		(evidence{dashboard.OrderExpired, newer}).supersedes(evidence{dashboard.OrderCompleted, t0}) ||
		(evidence{dashboard.OrderPending, newer}).supersedes(evidence{dashboard.OrderCompleted, t0}) {
		t.Error("a completed order moved back")
	}
	if !(evidence{dashboard.OrderCompleted, newer}).supersedes(evidence{dashboard.OrderPending, t0}) {
		t.Error("pending did not move to completed")
	}
}

func TestMergeKeepsRefundsAndOwner(t *testing.T) {
	now := time.Now().UTC()
	cur := &dashboard.OrderSnapshot{UserID: "owner", Version: 3, StatusAt: now.Add(-time.Hour),
		OrderDetail: dashboard.OrderDetail{Order: dashboard.Order{OrderID: "cs_1", Status: dashboard.OrderPartiallyRefunded}, AmountRefunded: 500}}
	sess := &dashboard.CheckoutSession{ID: "cs_1", Created: now.Add(-2 * time.Hour), Status: "complete", PaymentStatus: "paid",
		Order: dashboard.OrderDetail{Order: dashboard.Order{Amount: 1000}}}
	next := merge(cur, "someone-else", sess, evidence{dashboard.OrderCompleted, now}, now)
	if next.UserID != "owner" || next.Version != 3 || next.Status != dashboard.OrderPartiallyRefunded || next.AmountRefunded != 500 {
		t.Errorf("merge = %+v", next)
	}
	if next.Items == nil || next.Discounts == nil || next.OrderNumber != "BC-CS1" {
		t.Errorf("merge left nil slices or no order number: %+v", next)
	}
}
