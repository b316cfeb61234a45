package httpapi_test

import (
	"sync/atomic"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/stripetest"
)

// TestOrderDetailRecordsEachCheck: an order past ORDER_STALE_AFTER is asked
// of Stripe once, and that check is recorded even when Stripe has nothing
// new, so the views after it cost no Stripe call until the order is stale
// again (CONTRACT §3). Time moves through the service's clock.
func TestOrderDetailRecordsEachCheck(t *testing.T) {
	h := newTestHarness(t)
	var offset atomic.Int64
	h.orders.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	a, tok := h.member("checks@example.com")
	id := "cs_test_checks_" + a[:10]
	h.stripe.AddSession(stripetest.NewSession(id, time.Now().Add(-time.Hour)).WithUserID(a).WithItem("Bangle", 1, 5200).Paid())
	view := func() int {
		t.Helper()
		before := h.stripe.Calls("/")
		if r := h.do("GET", "/dashboard/orders/"+id, tok, ""); r.status != 200 || r.body["order"].(map[string]any)["stale"] == true {
			t.Fatalf("detail = %d %s", r.status, r.raw)
		}
		return h.stripe.Calls("/") - before
	}
	if n := view(); n == 0 {
		t.Fatal("the first view of an unknown order made no Stripe call")
	}
	for _, age := range []time.Duration{13 * time.Hour, 26 * time.Hour} {
		offset.Store(int64(age))
		if n := view(); n == 0 {
			t.Errorf("%v later: a stale order was not checked with Stripe", age)
		}
		for i := range 3 {
			if n := view(); n != 0 {
				t.Errorf("%v later, warm view %d made %d Stripe calls, want 0", age, i+1, n)
			}
		}
	}
}

// TestFinalOrdersAreNeverFetchedAgain: expired, canceled and refunded
// orders cannot change, so however old their snapshot, a view is served
// from the store.
func TestFinalOrdersAreNeverFetchedAgain(t *testing.T) {
	h := newTestHarness(t)
	a, tok := h.member("final@example.com")
	for _, status := range []dashboard.OrderStatus{dashboard.OrderExpired, dashboard.OrderCanceled, dashboard.OrderRefunded} {
		o := snapshot(a, "cs_test_final_"+string(status)+"_"+a[:8], time.Now().Add(-90*24*time.Hour), status)
		o.UpdatedAt = time.Now().Add(-60 * 24 * time.Hour).UTC().Truncate(time.Millisecond)
		h.putOrder(o)
		before := h.stripe.Calls("/")
		if r := h.do("GET", "/dashboard/orders/"+o.OrderID, tok, ""); r.status != 200 {
			t.Fatalf("%s detail = %d %s", status, r.status, r.raw)
		}
		if n := h.stripe.Calls("/") - before; n != 0 {
			t.Errorf("a %s order made %d Stripe calls", status, n)
		}
	}
}

// TestOrderGoneFromStripeIsCheckedOnce: a cached order Stripe no longer
// knows is served from the store, and that check is recorded too.
func TestOrderGoneFromStripeIsCheckedOnce(t *testing.T) {
	h := newTestHarness(t)
	a, tok := h.member("gone@example.com")
	o := snapshot(a, "cs_test_gone_"+a[:8], time.Now().Add(-72*time.Hour), dashboard.OrderCompleted)
	o.UpdatedAt = time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Millisecond)
	h.putOrder(o)
	for i, want := range []int{1, 0, 0} {
		before := h.stripe.Calls("/")
		if r := h.do("GET", "/dashboard/orders/"+o.OrderID, tok, ""); r.status != 200 {
			t.Fatalf("view %d = %d %s", i+1, r.status, r.raw)
		}
		if n := h.stripe.Calls("/") - before; (n == 0) != (want == 0) {
			t.Errorf("view %d made %d Stripe calls, want %d", i+1, n, want)
		}
	}
}

// BenchmarkOrderDetailWarm measures the Stripe calls of warm detail views
// of an order that was checked with Stripe after it went stale (make
// bench's "Upstream economy"): the contract's budget is 0 per view.
func BenchmarkOrderDetailWarm(b *testing.B) {
	h := newTestHarness(b)
	var offset atomic.Int64
	h.orders.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	a, tok := h.member("bench-detail@example.com")
	id := "cs_test_benchdetail_" + a[:10]
	h.stripe.AddSession(stripetest.NewSession(id, time.Now().Add(-time.Hour)).WithUserID(a).WithItem("Bangle", 1, 5200).Paid())
	h.do("GET", "/dashboard/orders/"+id, tok, "")
	offset.Store(int64(13 * time.Hour)) // stale: the next view checks with Stripe once
	h.do("GET", "/dashboard/orders/"+id, tok, "")
	before := h.stripe.Calls("/")
	b.ResetTimer()
	for b.Loop() {
		if r := h.do("GET", "/dashboard/orders/"+id, tok, ""); r.status != 200 {
			b.Fatalf("detail = %d %s", r.status, r.raw)
		}
	}
	b.ReportMetric(float64(h.stripe.Calls("/")-before)/float64(b.N), "stripecalls/op")
}
