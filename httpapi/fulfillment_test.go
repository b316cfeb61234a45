package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/apitest"
	"github.com/thebabesclub/dashboard/internal/mailpittest"
	"github.com/thebabesclub/dashboard/internal/stripetest"
)

// fulfil posts a fulfilment event as the club's tooling does.
func (h *harness) fulfil(orderID, body string) response {
	h.t.Helper()
	return h.do("POST", "/internal/orders/"+orderID+"/fulfillment", "", body, "X-Internal-Token", apitest.StackInternalToken)
}

// timeline returns an order's stored fulfilment as "status,status,…|carrier|url".
func (h *harness) timeline(t *testing.T, orderID string) string {
	t.Helper()
	o, err := h.store.FindOrder(t.Context(), orderID)
	if err != nil {
		t.Fatal(err)
	}
	if o.Fulfillment == nil {
		return ""
	}
	var steps []string
	for _, e := range o.Fulfillment.Events {
		steps = append(steps, string(e.Status))
	}
	val := func(p *string) string {
		if p == nil {
			return "-"
		}
		return *p
	}
	return fmt.Sprintf("%s|%s|%s|%s", strings.Join(steps, ","), val(o.Fulfillment.Carrier), val(o.Fulfillment.TrackingURL), *o.FulfillmentStatus)
}

// TestFulfilmentTimeline follows one order from paid to delivered through
// the internal route: each step is stored once, moves only forward, shows
// in the list and the detail, survives a Stripe sync, and shipped and
// delivered mail the member with the tracking link.
func TestFulfilmentTimeline(t *testing.T) {
	h := newTestHarness(t).withMailpit(t)
	id, token, email := h.memberWithEmail(t)
	sess := stripetest.NewSession("cs_test_parcel_"+id[:8], time.Now().Add(-time.Hour)).WithUserID(id).WithItem("Hoops", 1, 8900).Paid()
	h.stripe.AddSession(sess)
	if r := h.deliver(stripetest.EventPayload("checkout.session.completed", sess)); r.status != 200 {
		t.Fatalf("webhook = %d %s", r.status, r.raw)
	}

	if r := h.fulfil(sess.ID, `{"status": "processing", "note": "Packed with care"}`); r.status != 200 {
		t.Fatalf("processing = %d %s", r.status, r.raw)
	}
	const url = "https://www.ups.com/track?tracknum=1Z999AA10123456784"
	r := h.fulfil(sess.ID, `{"status": "shipped", "carrier": "UPS", "trackingNumber": "1Z999AA10123456784", "trackingUrl": "`+url+`"}`)
	if r.status != 200 {
		t.Fatalf("shipped = %d %s", r.status, r.raw)
	}
	if got := h.timeline(t, sess.ID); got != "processing,shipped|UPS|"+url+"|shipped" {
		t.Fatalf("timeline = %s", got)
	}
	shipped := mailpittest.Wait(t, email)
	if !strings.Contains(shipped.Subject, "shipped") || !strings.Contains(shipped.Text, url) || !strings.Contains(shipped.Text, "UPS") {
		t.Fatalf("shipped mail = %q %q", shipped.Subject, shipped.Text)
	}

	// The same event again is stored once; an earlier status is refused and
	// changes nothing; an http tracking link is refused and changes nothing.
	before := storedOrder(t, h, sess.ID)
	h.fulfil(sess.ID, `{"status": "shipped", "carrier": "UPS", "trackingNumber": "1Z999AA10123456784", "trackingUrl": "`+url+`"}`)
	h.fulfil(sess.ID, `{"status": "processing"}`).wantError(t, 409, "conflict")
	h.fulfil(sess.ID, `{"status": "shipped", "trackingUrl": "http://tracking.example.com/1"}`).wantError(t, 400, "validation_failed")
	h.fulfil(sess.ID, `{"status": "lost"}`).wantError(t, 400, "validation_failed")
	h.fulfil(sess.ID, `{"status": "shipped", "note": "`+strings.Repeat("x", 201)+`"}`).wantError(t, 400, "validation_failed")
	if after := storedOrder(t, h, sess.ID); string(after) != string(before) {
		t.Fatalf("refused or repeated events changed the order:\nbefore %s\nafter  %s", before, after)
	}

	// The list shows the status; the detail the timeline.
	list := h.do("GET", "/dashboard/orders", token, "")
	if o := list.body["orders"].([]any)[0].(map[string]any); o["fulfillmentStatus"] != "shipped" {
		t.Fatalf("list item = %v", o)
	}
	detail := h.do("GET", "/dashboard/orders/"+sess.ID, token, "")
	f := detail.body["order"].(map[string]any)["fulfillment"].(map[string]any)
	if f["status"] != "shipped" || f["carrier"] != "UPS" || f["trackingUrl"] != url || len(f["events"].([]any)) != 2 {
		t.Fatalf("detail fulfillment = %v", f)
	}

	// A Stripe update of the order keeps the timeline.
	refunded := sess.WithCharge(stripetest.Charge{ID: "ch_parcel_" + id[:8], Amount: 8900, AmountRefunded: 1000})
	h.stripe.AddSession(refunded)
	h.deliver(stripetest.EventPayload("checkout.session.completed", refunded))
	if got := h.timeline(t, sess.ID); got != "processing,shipped|UPS|"+url+"|shipped" {
		t.Fatalf("timeline after a Stripe update = %s", got)
	}

	if r := h.fulfil(sess.ID, `{"status": "delivered", "at": "`+time.Now().UTC().Format(time.RFC3339)+`"}`); r.status != 200 {
		t.Fatalf("delivered = %d %s", r.status, r.raw)
	}
	msgs := mailpittest.WaitN(t, email, 2)
	if !strings.Contains(msgs[0].Subject, "delivered") {
		t.Fatalf("newest mail = %q, want the delivered notice", msgs[0].Subject)
	}
}

// storedOrder returns the raw stored item of one of the harness's orders.
func storedOrder(t *testing.T, h *harness, orderID string) []byte {
	t.Helper()
	o, err := h.store.FindOrder(t.Context(), orderID)
	if err != nil {
		t.Fatal(err)
	}
	return h.rawItem("USER#"+o.UserID, orderSK(*o))
}

// TestFulfilmentRefusesUnknownAndUnpaidOrders: an unknown order is 404, one
// never paid 409, and neither is written.
func TestFulfilmentRefusesUnknownAndUnpaidOrders(t *testing.T) {
	h := newTestHarness(t)
	a, _ := h.member("unpaid@example.com")
	h.fulfil("cs_test_nobody_knows", `{"status": "shipped"}`).wantError(t, 404, "not_found")
	h.fulfil("not-a-session", `{"status": "shipped"}`).wantError(t, 400, "validation_failed")
	pending := snapshot(a, "cs_test_unpaid_"+a[:8], time.Now().Add(-time.Hour), dashboard.OrderPending)
	h.putOrder(pending)
	before := storedOrder(t, h, pending.OrderID)
	h.fulfil(pending.OrderID, `{"status": "shipped"}`).wantError(t, 409, "conflict")
	if after := storedOrder(t, h, pending.OrderID); string(after) != string(before) {
		t.Fatal("a refused event changed the unpaid order")
	}
	if r := h.do("POST", "/internal/orders/"+pending.OrderID+"/fulfillment", "", `{"status": "shipped"}`); r.status != 401 {
		t.Fatalf("without the internal token = %d %s", r.status, r.raw)
	}
}

// TestFulfilmentMailFollowsTheSetting: with emailNotifications off,
// shipped mails nothing; turned on, delivered mails — so the one mail that
// arrives is the delivered notice.
func TestFulfilmentMailFollowsTheSetting(t *testing.T) {
	h := newTestHarness(t).withMailpit(t)
	id, token, email := h.memberWithEmail(t)
	if r := h.do("PUT", "/dashboard/profile", token, `{"dashboardSettings": {"emailNotifications": false}}`); r.status != 200 {
		t.Fatalf("settings = %d %s", r.status, r.raw)
	}
	o := snapshot(id, "cs_test_quiet_"+id[:8], time.Now().Add(-time.Hour), dashboard.OrderCompleted)
	h.putOrder(o)
	if r := h.fulfil(o.OrderID, `{"status": "shipped", "trackingUrl": "https://tracking.example.com/quiet"}`); r.status != 200 {
		t.Fatalf("shipped = %d %s", r.status, r.raw)
	}
	if r := h.do("PUT", "/dashboard/profile", token, `{"dashboardSettings": {"emailNotifications": true}}`); r.status != 200 {
		t.Fatalf("settings = %d %s", r.status, r.raw)
	}
	if r := h.fulfil(o.OrderID, `{"status": "delivered"}`); r.status != 200 {
		t.Fatalf("delivered = %d %s", r.status, r.raw)
	}
	msgs := mailpittest.WaitN(t, email, 1)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Subject, "delivered") {
		t.Fatalf("mails = %v, want only the delivered notice", msgs)
	}
}
