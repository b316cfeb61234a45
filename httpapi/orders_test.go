package httpapi_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/stripetest"
)

// snapshot builds a stored order of member created at t.
func snapshot(member, id string, t time.Time, status dashboard.OrderStatus) *dashboard.OrderSnapshot {
	t = t.UTC().Truncate(time.Millisecond)
	return &dashboard.OrderSnapshot{
		UserID: member, StatusAt: t,
		OrderDetail: dashboard.OrderDetail{
			Order: dashboard.Order{
				OrderID: id, OrderNumber: dashboard.OrderNumber(id), Status: status, Amount: 8900, AmountSubtotal: 8900,
				Currency: "usd", CreatedAt: t.Truncate(time.Second), ItemCount: 1,
				Items: []dashboard.LineItem{{Name: "Hoops", Quantity: 1, UnitPrice: 8900, AmountTotal: 8900, Currency: "usd"}},
			},
			StripePaymentStatus: "paid", Discounts: []dashboard.Discount{}, UpdatedAt: time.Now().UTC().Truncate(time.Millisecond),
		},
	}
}

func (h *harness) putOrder(o *dashboard.OrderSnapshot) {
	h.t.Helper()
	if err := h.store.PutOrder(context.Background(), o); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) markSynced(member string, at time.Time) {
	h.t.Helper()
	if err := h.store.MarkSynced(context.Background(), member, dashboard.SyncStripe, at); err != nil {
		h.t.Fatal(err)
	}
}

func orderIDs(t *testing.T, r response) []string {
	t.Helper()
	list, ok := r.body["orders"].([]any)
	if !ok {
		t.Fatalf("no orders in %d %s", r.status, r.raw)
	}
	ids := make([]string, len(list))
	for i, o := range list {
		ids[i] = o.(map[string]any)["orderId"].(string)
	}
	return ids
}

func TestOrdersPaginateNewestFirst(t *testing.T) {
	h := newTestHarness(t)
	a, tok := h.member("pages@example.com")
	base := time.Now().Add(-100 * 24 * time.Hour)
	want := make([]string, 45)
	for i := range 45 {
		id := fmt.Sprintf("cs_test_page%02d_%s", i, a[:6])
		h.putOrder(snapshot(a, id, base.Add(time.Duration(i)*time.Hour), dashboard.OrderCompleted))
		want[44-i] = id
	}
	h.markSynced(a, time.Now())
	var got []string
	cur, pages := "", 0
	for {
		path := "/dashboard/orders?limit=20"
		if cur != "" {
			path += "&cursor=" + url.QueryEscape(cur)
		}
		r := h.do("GET", path, tok, "")
		if r.status != 200 {
			t.Fatalf("page %d = %d %s", pages, r.status, r.raw)
		}
		pages++
		got = append(got, orderIDs(t, r)...)
		if r.body["hasOrders"] != true || r.body["refreshing"] != false || r.body["syncedAt"] == nil {
			t.Errorf("page %d flags = %v %v %v", pages, r.body["hasOrders"], r.body["refreshing"], r.body["syncedAt"])
		}
		next, _ := r.body["nextCursor"].(string)
		if next == "" {
			break
		}
		cur = next
	}
	if pages != 3 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("%d pages, orders %v, want 3 pages of %v", pages, got, want)
	}
}

func TestOrderListLimitsAndEmptyState(t *testing.T) {
	h := newTestHarness(t)
	_, tok := h.member("empty@example.com")
	for _, bad := range []string{"0", "101", "-1", "abc", "1.5", "99999999999"} {
		h.do("GET", "/dashboard/orders?limit="+bad, tok, "").wantError(t, 400, "validation_failed")
	}
	r := h.do("GET", "/dashboard/orders", tok, "")
	if r.status != 200 || r.body["hasOrders"] != false || r.body["message"] == nil || r.body["nextCursor"] != nil {
		t.Fatalf("empty list = %d %s", r.status, r.raw)
	}
	if len(orderIDs(t, r)) != 0 {
		t.Error("orders for a member without any")
	}
}

func TestOrderIsolationAndCursors(t *testing.T) {
	h := newTestHarness(t)
	a, tokA := h.member("iso-orders-a@example.com")
	_, tokB := h.member("iso-orders-b@example.com")
	for i := range 3 {
		h.putOrder(snapshot(a, fmt.Sprintf("cs_test_iso%d_%s", i, a[:8]), time.Now().Add(-time.Duration(i)*time.Hour), dashboard.OrderCompleted))
	}
	h.markSynced(a, time.Now())
	first := h.do("GET", "/dashboard/orders?limit=1", tokA, "")
	cur, _ := first.body["nextCursor"].(string)
	if cur == "" {
		t.Fatalf("no cursor: %s", first.raw)
	}
	// B reads nothing of A's: not the order, not the list, not through A's cursor.
	h.do("GET", "/dashboard/orders/cs_test_iso0_"+a[:8], tokB, "").wantError(t, 404, "not_found")
	h.do("GET", "/dashboard/orders?cursor="+url.QueryEscape(cur), tokB, "").wantError(t, 400, "invalid_cursor")
	if ids := orderIDs(t, h.do("GET", "/dashboard/orders", tokB, "")); len(ids) != 0 {
		t.Errorf("B sees %v", ids)
	}
	// A tampered cursor is refused too, even for its owner.
	tampered := []byte(cur)
	tampered[2] ^= 1
	h.do("GET", "/dashboard/orders?cursor="+url.QueryEscape(string(tampered)), tokA, "").wantError(t, 400, "invalid_cursor")
	h.do("GET", "/dashboard/orders?cursor=garbage", tokA, "").wantError(t, 400, "invalid_cursor")
	// And the genuine cursor works for A.
	if r := h.do("GET", "/dashboard/orders?limit=1&cursor="+url.QueryEscape(cur), tokA, ""); r.status != 200 || len(orderIDs(t, r)) != 1 {
		t.Errorf("A's own cursor = %d %s", r.status, r.raw)
	}
}

func TestOrderDetail(t *testing.T) {
	h := newTestHarness(t)
	a, tok := h.member("detail@example.com")
	// Bad ids are refused before anything is read.
	for _, bad := range []string{"pi_123", "cs_", "cs_" + strings.Repeat("a", 300), "cs_abc$def"} {
		h.do("GET", "/dashboard/orders/"+url.PathEscape(bad), tok, "").wantError(t, 400, "validation_failed")
	}
	// Not cached: fetched from Stripe, checked, written back.
	id := "cs_test_detail_" + a[:10]
	h.stripe.AddSession(stripetest.NewSession(id, time.Now().Add(-time.Hour)).WithUserID(a).
		WithItem("Pearl Drop Earrings", 2, 6400).Paid().WithPhone("+1 555 0100"))
	r := h.do("GET", "/dashboard/orders/"+id, tok, "")
	if r.status != 200 {
		t.Fatalf("detail = %d %s", r.status, r.raw)
	}
	o := r.body["order"].(map[string]any)
	if o["orderId"] != id || o["status"] != "completed" || o["amount"] != float64(12800) || o["itemCount"] != float64(2) {
		t.Errorf("order = %v", o)
	}
	calls := h.stripe.Calls("/")
	// Now cached and fresh: no Stripe call.
	if r := h.do("GET", "/dashboard/orders/"+id, tok, ""); r.status != 200 || h.stripe.Calls("/") != calls {
		t.Errorf("cached read = %d, Stripe calls %d → %d", r.status, calls, h.stripe.Calls("/"))
	}
	// Unknown everywhere → 404.
	h.do("GET", "/dashboard/orders/cs_test_nowhere", tok, "").wantError(t, 404, "not_found")
	// Someone else's session in Stripe → 404, and it is not stored.
	other := "cs_test_other_" + a[:10]
	h.stripe.AddSession(stripetest.NewSession(other, time.Now()).WithUserID(newMemberID()).Paid())
	h.do("GET", "/dashboard/orders/"+other, tok, "").wantError(t, 404, "not_found")
	if _, err := h.store.FindOrder(t.Context(), other); dashboard.ErrorCode(err) != dashboard.ENOTFOUND {
		t.Errorf("someone else's order was stored: %v", err)
	}
}

func TestOrderDetailWhenStripeFails(t *testing.T) {
	h := newTestHarness(t)
	a, tok := h.member("stale@example.com")
	stale := snapshot(a, "cs_test_stale_"+a[:8], time.Now().Add(-48*time.Hour), dashboard.OrderCompleted)
	stale.UpdatedAt = time.Now().Add(-24 * time.Hour).UTC().Truncate(time.Millisecond)
	h.putOrder(stale)
	h.stripe.Fail("/v1/checkout/sessions/", 500, 500, 500, 500, 500, 500)
	r := h.do("GET", "/dashboard/orders/"+stale.OrderID, tok, "")
	if r.status != 200 || r.body["order"].(map[string]any)["stale"] != true {
		t.Fatalf("stale cached answer = %d %s", r.status, r.raw)
	}
	h.stripe.Fail("/v1/checkout/sessions/", 503, 503, 503, 503, 503, 503)
	r = h.do("GET", "/dashboard/orders/cs_test_uncached_"+a[:8], tok, "")
	r.wantError(t, 503, "upstream_unavailable")
	if r.header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
}

// TestStaleListQueuesRefresh checks the list answers at once with
// refreshing: true, and the queued refresh then brings the member's Stripe
// sessions in.
func TestStaleListQueuesRefresh(t *testing.T) {
	h := newTestHarness(t)
	a, tok := h.member("refresh@example.com")
	h.putIdentityProfile(a, "refresh@example.com")
	setCustomer(t, h, a, "cus_refresh"+a[:6])
	h.stripe.AddSession(stripetest.NewSession("cs_test_fresh_"+a[:8], time.Now().Add(-time.Hour)).WithCustomer("cus_refresh"+a[:6]).WithItem("Ring", 1, 7500).Paid())
	r := h.do("GET", "/dashboard/orders", tok, "")
	if r.status != 200 || r.body["refreshing"] != true || r.body["syncedAt"] != nil {
		t.Fatalf("stale list = %d %s", r.status, r.raw)
	}
	if err := h.queue.Idle(t.Context()); err != nil {
		t.Fatal(err)
	}
	r = h.do("GET", "/dashboard/orders", tok, "")
	if ids := orderIDs(t, r); len(ids) != 1 || r.body["refreshing"] != false || r.body["syncedAt"] == nil {
		t.Fatalf("after refresh = %s", r.raw)
	}
}

func setCustomer(t *testing.T, h *harness, member, customer string) {
	t.Helper()
	p, err := h.store.GetProfile(t.Context(), member)
	if err != nil {
		t.Fatal(err)
	}
	p.StripeCustomerID = &customer
	now := time.Now().UTC().Truncate(time.Millisecond)
	expect := p.UpdatedAt
	p.UpdatedAt = &now
	if err := h.store.SaveProfile(t.Context(), dashboard.ProfileChange{Profile: p, Fields: []string{dashboard.FieldStripeCustomerID}, ExpectUpdatedAt: expect, PreviousEmail: p.Email}); err != nil {
		t.Fatal(err)
	}
}
