package httpapi_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/stripetest"
)

// deliver posts a Stripe event signed now, as Stripe would.
func (h *harness) deliver(payload []byte) response {
	h.t.Helper()
	return h.deliverSigned(payload, stripetest.SignWebhook(webhookSecret, payload, time.Now()))
}

func (h *harness) deliverSigned(payload []byte, signature string) response {
	h.t.Helper()
	return h.do("POST", "/webhooks/stripe", "", string(payload), "Stripe-Signature", signature)
}

// memberOrders returns the member's stored orders.
func (h *harness) memberOrders(member string) []dashboard.OrderSnapshot {
	h.t.Helper()
	page, err := h.store.ListOrders(context.Background(), member, 100, "")
	if err != nil {
		h.t.Fatal(err)
	}
	return page.Orders
}

func (h *harness) eventRecorded(id string) bool {
	h.t.Helper()
	ok, err := h.store.EventProcessed(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return ok
}

func TestWebhookConcurrentDeliveriesWriteOneOrder(t *testing.T) {
	h := newTestHarness(t)
	a, _ := h.member("five@example.com")
	sess := stripetest.NewSession("cs_test_five_"+a[:8], time.Now().Add(-time.Minute)).WithUserID(a).WithItem("Hoops", 1, 8900).Paid()
	h.stripe.AddSession(sess)
	payload := stripetest.Event{ID: "evt_five_" + a[:8], Type: "checkout.session.completed", Object: sess}.Payload()
	var wg sync.WaitGroup
	statuses := make([]int, 5)
	for i := range statuses {
		wg.Add(1)
		go func() { defer wg.Done(); statuses[i] = h.deliver(payload).status }()
	}
	wg.Wait()
	for _, s := range statuses {
		if s != 200 {
			t.Fatalf("statuses = %v", statuses)
		}
	}
	got := h.memberOrders(a)
	if len(got) != 1 || got[0].Status != dashboard.OrderCompleted || got[0].Version != 1 {
		t.Fatalf("orders = %+v", got)
	}
	if !h.eventRecorded("evt_five_" + a[:8]) {
		t.Error("event not recorded")
	}

	// The same event a day later: 200, duplicate, nothing written.
	before := h.rawItem("USER#"+a, orderSK(got[0]))
	r := h.deliver(payload)
	if r.status != 200 || r.body["duplicate"] != true {
		t.Fatalf("replay = %d %s", r.status, r.raw)
	}
	if string(h.rawItem("USER#"+a, orderSK(got[0]))) != string(before) {
		t.Error("a replay rewrote the order")
	}
}

func orderSK(o dashboard.OrderSnapshot) string {
	return "ORDER#" + padEpoch(o.CreatedAt) + "#" + o.OrderID
}

func padEpoch(t time.Time) string {
	s := []byte("0000000000")
	u := t.Unix()
	for i := 9; i >= 0 && u > 0; i-- {
		s[i] = byte('0' + u%10)
		u /= 10
	}
	return string(s)
}

func TestWebhookStatusNeverMovesBack(t *testing.T) {
	h := newTestHarness(t)
	a, _ := h.member("late@example.com")
	created := time.Now().Add(-2 * time.Hour)
	sess := stripetest.NewSession("cs_test_late_"+a[:8], created).WithUserID(a).WithItem("Ring", 1, 7500).Paid()
	h.stripe.AddSession(sess)
	if r := h.deliver(stripetest.Event{Type: "checkout.session.completed", Object: sess, Created: created.Add(time.Minute)}.Payload()); r.status != 200 {
		t.Fatalf("completed = %d %s", r.status, r.raw)
	}
	for _, late := range []stripetest.Event{
		{Type: "checkout.session.async_payment_failed", Object: sess, Created: created.Add(30 * time.Second)},
		{Type: "checkout.session.expired", Object: sess, Created: created.Add(time.Hour)},
		{Type: "checkout.session.completed", Object: sess.Unpaid(), Created: created},
	} {
		if r := h.deliver(late.Payload()); r.status != 200 {
			t.Fatalf("%s = %d %s", late.Type, r.status, r.raw)
		}
		if got := h.memberOrders(a); len(got) != 1 || got[0].Status != dashboard.OrderCompleted {
			t.Fatalf("after a late %s: %+v", late.Type, got)
		}
	}
}

func TestWebhookPendingThenPaidIsOneOrder(t *testing.T) {
	h := newTestHarness(t)
	a, _ := h.member("async@example.com")
	created := time.Now().Add(-time.Hour)
	id := "cs_test_async_" + a[:8]
	sess := stripetest.NewSession(id, created).WithUserID(a).WithItem("Chain", 1, 12900).Unpaid()
	h.stripe.AddSession(sess)
	h.deliver(stripetest.Event{Type: "checkout.session.completed", Object: sess, Created: created}.Payload())
	got := h.memberOrders(a)
	if len(got) != 1 || got[0].Status != dashboard.OrderPending {
		t.Fatalf("unpaid completed: %+v", got)
	}
	h.stripe.UpdateSession(id, func(s *stripetest.Session) { *s = s.Paid() })
	h.deliver(stripetest.Event{Type: "checkout.session.async_payment_succeeded", Object: sess, Created: created.Add(time.Hour)}.Payload())
	got = h.memberOrders(a)
	if len(got) != 1 || got[0].Status != dashboard.OrderCompleted || got[0].OrderID != id || got[0].CompletedAt == nil {
		t.Fatalf("after async success: %+v", got)
	}
}

func TestWebhookRefunds(t *testing.T) {
	h := newTestHarness(t)
	a, _ := h.member("refund@example.com")
	id := "cs_test_refund_" + a[:8]
	sess := stripetest.NewSession(id, time.Now().Add(-3*time.Hour)).WithUserID(a).WithItem("Bracelet", 2, 5000).Paid()
	h.stripe.AddSession(sess)
	h.deliver(stripetest.EventPayload("checkout.session.completed", sess))
	stored, _ := h.stripe.Session(id)
	pi := stored.PaymentIntent
	h.stripe.UpdateSession(id, func(s *stripetest.Session) { *s = s.Refunded(4000) })
	h.deliver(stripetest.EventPayload("charge.refunded", stripetest.Charge{ID: pi.Charge.ID, PaymentIntentID: pi.ID, Amount: 10000, AmountRefunded: 4000}))
	if got := h.memberOrders(a); len(got) != 1 || got[0].Status != dashboard.OrderPartiallyRefunded || got[0].AmountRefunded != 4000 {
		t.Fatalf("partial refund: %+v", got)
	}
	h.stripe.UpdateSession(id, func(s *stripetest.Session) { *s = s.Refunded(10000) })
	h.deliver(stripetest.EventPayload("charge.refunded", stripetest.Charge{ID: pi.Charge.ID, PaymentIntentID: pi.ID, Amount: 10000, AmountRefunded: 10000}))
	if got := h.memberOrders(a); len(got) != 1 || got[0].Status != dashboard.OrderRefunded || got[0].AmountRefunded != 10000 {
		t.Fatalf("full refund: %+v", got)
	}
}

func TestWebhookRefusesBadSignaturesAndWritesNothing(t *testing.T) {
	h := newTestHarness(t)
	a, _ := h.member("forged@example.com")
	sess := stripetest.NewSession("cs_test_forged_"+a[:8], time.Now()).WithUserID(a).Paid()
	h.stripe.AddSession(sess)
	evtID := "evt_forged_" + a[:8]
	payload := stripetest.Event{ID: evtID, Type: "checkout.session.completed", Object: sess}.Payload()
	tampered := append([]byte(nil), payload...)
	tampered[len(tampered)/2] ^= 0x01
	for name, r := range map[string]response{
		"wrong secret":    h.deliverSigned(payload, stripetest.SignWebhook("whsec_wrong", payload, time.Now())),
		"stale timestamp": h.deliverSigned(payload, stripetest.SignWebhook(webhookSecret, payload, time.Now().Add(-10*time.Minute))),
		"tampered body":   h.deliverSigned(tampered, stripetest.SignWebhook(webhookSecret, payload, time.Now())),
		"no signature":    h.deliverSigned(payload, ""),
		"garbage header":  h.deliverSigned(payload, "t=abc,v1=zz"),
	} {
		if r.status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, r.status, r.raw)
		}
	}
	if len(h.memberOrders(a)) != 0 || h.eventRecorded(evtID) {
		t.Error("a refused delivery wrote something")
	}
	// Both paths answer; the alias behaves the same.
	r := h.do("POST", "/stripe/webhook", "", string(payload), "Stripe-Signature", stripetest.SignWebhook(webhookSecret, payload, time.Now()))
	if r.status != 200 || len(h.memberOrders(a)) != 1 {
		t.Errorf("alias = %d %s", r.status, r.raw)
	}
}

func TestWebhookOwnership(t *testing.T) {
	h := newTestHarness(t)
	byCustomer, tokCustomer := h.member("by-customer@example.com")
	h.putIdentityProfile(byCustomer, "by-customer@example.com")
	setCustomer(t, h, byCustomer, "cus_owner"+byCustomer[:6])
	byEmail, _ := h.member("by-email@example.com")
	h.putIdentityProfile(byEmail, "By-Email@example.com")

	s1 := stripetest.NewSession("cs_test_cus_"+byCustomer[:8], time.Now()).WithCustomer("cus_owner" + byCustomer[:6]).Paid()
	s2 := stripetest.NewSession("cs_test_mail_"+byEmail[:8], time.Now()).WithEmail("by-email@EXAMPLE.com").WithCustomer("cus_new" + byEmail[:6]).Paid()
	s3 := stripetest.NewSession("cs_test_nobody_"+byEmail[:8], time.Now()).WithEmail("stranger@example.com").Paid()
	h.stripe.AddSession(s1, s2, s3)
	for _, s := range []stripetest.Session{s1, s2, s3} {
		if r := h.deliver(stripetest.EventPayload("checkout.session.completed", s)); r.status != 200 {
			t.Fatalf("%s = %d %s", s.ID, r.status, r.raw)
		}
	}
	if got := h.memberOrders(byCustomer); len(got) != 1 || got[0].OrderID != s1.ID {
		t.Errorf("by customer: %+v", got)
	}
	if got := h.memberOrders(byEmail); len(got) != 1 || got[0].OrderID != s2.ID {
		t.Errorf("by email: %+v", got)
	}
	// The email match linked the customer for next time.
	if id, err := h.store.UserIDByStripeCustomer(t.Context(), "cus_new"+byEmail[:6]); err != nil || id != byEmail {
		t.Errorf("customer not linked: %q %v", id, err)
	}
	// The stranger's session is nobody's: not stored, not readable.
	if _, err := h.store.FindOrder(t.Context(), s3.ID); dashboard.ErrorCode(err) != dashboard.ENOTFOUND {
		t.Errorf("unresolved session stored: %v", err)
	}
	h.do("GET", "/dashboard/orders/"+s3.ID, tokCustomer, "").wantError(t, 404, "not_found")
}

func TestInternalStripeSync(t *testing.T) {
	h := newTestHarness(t)
	a, tok := h.member("internal@example.com")
	h.putIdentityProfile(a, "internal@example.com")
	cus := "cus_int" + a[:6]
	setCustomer(t, h, a, cus)
	for i := range 3 {
		h.stripe.AddSession(stripetest.NewSession("cs_test_int"+string(rune('a'+i))+"_"+a[:8], time.Now().Add(-time.Duration(i)*time.Hour)).WithCustomer(cus).Paid())
	}
	const internal = "internal-token-0123456789abcdef0123456789"
	h.do("POST", "/internal/sync/stripe", tok, `{"userId": "`+a+`"}`).wantError(t, 401, "unauthorized")
	h.do("POST", "/internal/sync/stripe", "", `{"userId": "`+a+`"}`, "X-Internal-Token", internal+"x").wantError(t, 401, "unauthorized")
	h.do("POST", "/internal/sync/stripe", "", `{"userId": "`+a+`", "extra": 1}`, "X-Internal-Token", internal).wantError(t, 400, "invalid_request")
	h.do("POST", "/internal/sync/stripe", "", `{}`, "X-Internal-Token", internal).wantError(t, 400, "validation_failed")
	h.do("POST", "/internal/sync/stripe", "", `{"userId": "`+newMemberID()+`"}`, "X-Internal-Token", internal).wantError(t, 404, "not_found")
	if n := len(h.memberOrders(a)); n != 0 {
		t.Fatalf("refused requests synced %d orders", n)
	}
	r := h.do("POST", "/internal/sync/stripe", "", `{"stripeCustomerId": "`+cus+`"}`, "X-Internal-Token", internal)
	if r.status != 200 || r.body["synced"] != float64(3) || r.body["created"] != float64(3) {
		t.Fatalf("sync = %d %s", r.status, r.raw)
	}
	r = h.do("POST", "/internal/sync/stripe", "", `{"userId": "`+a+`"}`, "X-Internal-Token", internal)
	if r.status != 200 || r.body["created"] != float64(0) || r.body["skipped"] != float64(3) {
		t.Fatalf("second sync = %d %s", r.status, r.raw)
	}
	// Without a configured token, internal routes do not exist.
	h.server.InternalToken = ""
	h.do("POST", "/internal/sync/stripe", "", `{"userId": "`+a+`"}`, "X-Internal-Token", internal).wantError(t, 404, "not_found")
	h.do("POST", "/internal/sync/stripe", "", `{"userId": "`+a+`"}`).wantError(t, 404, "not_found")
}
