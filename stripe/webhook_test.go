package stripe_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/stripetest"
	"github.com/thebabesclub/dashboard/stripe"
)

// webhookClient returns a Client whose clock reads now.
func webhookClient(t testing.TB, now time.Time) *stripe.Client {
	c, _ := newClient(t, "http://127.0.0.1:1", func(c *stripe.Config) { c.Now = func() time.Time { return now } })
	return c
}

func TestParseWebhookCheckoutSession(t *testing.T) {
	now := time.Now()
	created := now.Add(-time.Minute).Truncate(time.Second)
	payload := stripetest.Event{ID: "evt_1", Type: "checkout.session.completed", Created: created,
		Object: stripetest.NewSession("cs_test_wh", created).WithItem("Tee", 1, 100).Paid()}.Payload()
	ev, err := webhookClient(t, now).ParseWebhook(payload, stripetest.SignWebhook(testWebhookSecret, payload, now))
	if err != nil {
		t.Fatal(err)
	}
	want := dashboard.StripeEvent{ID: "evt_1", Type: "checkout.session.completed", Created: created.UTC(), SessionID: "cs_test_wh"}
	if *ev != want {
		t.Errorf("event = %+v, want %+v", *ev, want)
	}
}

func TestParseWebhookCharge(t *testing.T) {
	now := time.Now()
	at := now.Add(-time.Hour).Truncate(time.Second)
	payload := stripetest.EventPayload("charge.refunded", stripetest.Charge{ID: "ch_1", PaymentIntentID: "pi_1",
		Amount: 5000, AmountRefunded: 5000, ReceiptURL: "https://pay.stripe.com/r/1", Created: at})
	ev, err := webhookClient(t, now).ParseWebhook(payload, stripetest.SignWebhook(testWebhookSecret, payload, now))
	if err != nil {
		t.Fatal(err)
	}
	want := dashboard.StripeCharge{ID: "ch_1", PaymentIntentID: "pi_1", Amount: 5000, AmountRefunded: 5000,
		Refunded: true, ReceiptURL: "https://pay.stripe.com/r/1", Created: at.UTC()}
	if ev.Charge == nil || *ev.Charge != want || ev.SessionID != "" {
		t.Errorf("charge = %+v, want %+v", ev.Charge, want)
	}
}

// Events of other types verify and decode without a session or charge, so
// the route can acknowledge them; a dispute is not a charge.
func TestParseWebhookOtherEvents(t *testing.T) {
	now := time.Now()
	c := webhookClient(t, now)
	for typ, obj := range map[string]any{
		"charge.dispute.created": map[string]any{"id": "dp_1", "object": "dispute", "charge": "ch_1"},
		"customer.updated":       map[string]any{"id": "cus_1", "object": "customer"},
	} {
		payload := stripetest.EventPayload(typ, obj)
		ev, err := c.ParseWebhook(payload, stripetest.SignWebhook(testWebhookSecret, payload, now))
		if err != nil || ev.Type != typ || ev.Charge != nil || ev.SessionID != "" {
			t.Errorf("%s: %+v, %v", typ, ev, err)
		}
	}
}

// An event from an account on another API version is still accepted: the
// SDK's version check is off (see ParseWebhook).
func TestParseWebhookIgnoresAPIVersion(t *testing.T) {
	now := time.Now()
	payload := stripetest.Event{Type: "checkout.session.expired", APIVersion: "2020-08-27",
		Object: stripetest.NewSession("cs_test_old", now).Expired()}.Payload()
	ev, err := webhookClient(t, now).ParseWebhook(payload, stripetest.SignWebhook(testWebhookSecret, payload, now))
	if err != nil || ev.SessionID != "cs_test_old" {
		t.Errorf("old API version: %+v, %v", ev, err)
	}
}

func TestParseWebhookRejects(t *testing.T) {
	now := time.Now()
	payload := stripetest.EventPayload("checkout.session.completed", stripetest.NewSession("cs_test_x", now).Paid())
	good := stripetest.SignWebhook(testWebhookSecret, payload, now)
	tampered := bytes.Replace(payload, []byte("cs_test_x"), []byte("cs_test_y"), 1)
	notEvent := []byte(`{"id":"cs_1","object":"checkout.session"}`)
	noSession := stripetest.EventPayload("checkout.session.completed", map[string]any{"object": "checkout.session"})
	chargeNoCharge := stripetest.EventPayload("charge.refunded", map[string]any{"id": "re_1", "object": "refund"})
	tests := []struct {
		name    string
		client  *stripe.Client
		payload []byte
		sig     string
	}{
		{"bad signature", webhookClient(t, now), payload, stripetest.SignWebhook("whsec_other", payload, now)},
		{"tampered body", webhookClient(t, now), tampered, good},
		{"stale timestamp", webhookClient(t, now.Add(301*time.Second)), payload, good},
		{"missing header", webhookClient(t, now), payload, ""},
		{"garbage header", webhookClient(t, now), payload, "t=abc,v1=zz"},
		{"header without v1", webhookClient(t, now), payload, strings.Split(good, ",")[0]},
		{"not an event", webhookClient(t, now), notEvent, stripetest.SignWebhook(testWebhookSecret, notEvent, now)},
		{"session event without id", webhookClient(t, now), noSession, stripetest.SignWebhook(testWebhookSecret, noSession, now)},
		{"charge event without a charge", webhookClient(t, now), chargeNoCharge, stripetest.SignWebhook(testWebhookSecret, chargeNoCharge, now)},
		{"no webhook secret configured", noSecretClient(t), payload, stripetest.SignWebhook("", payload, now)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := tt.client.ParseWebhook(tt.payload, tt.sig)
			if ev != nil || dashboard.ErrorCode(err) != dashboard.EINVALIDREQUEST {
				t.Fatalf("got %+v, %v; want EINVALIDREQUEST", ev, err)
			}
			if msg := err.Error(); strings.Contains(msg, "cs_test") || strings.Contains(msg, "{") {
				t.Errorf("error echoes the payload: %q", msg)
			}
		})
	}
}

// Exactly 300 s old is still within the tolerance.
func TestParseWebhookToleranceEdge(t *testing.T) {
	now := time.Now().Truncate(time.Second) // the header speaks whole seconds
	payload := stripetest.EventPayload("checkout.session.completed", stripetest.NewSession("cs_test_edge", now).Paid())
	sig := stripetest.SignWebhook(testWebhookSecret, payload, now)
	if _, err := webhookClient(t, now.Add(stripe.WebhookTolerance)).ParseWebhook(payload, sig); err != nil {
		t.Errorf("300 s old: %v", err)
	}
}

func noSecretClient(t testing.TB) *stripe.Client {
	c, _ := newClient(t, "http://127.0.0.1:1", func(c *stripe.Config) { c.WebhookSecret = "" })
	return c
}

// FuzzParseWebhook signs arbitrary payloads correctly, so the fuzzer
// reaches the decoding behind the signature check: it must never panic,
// and must either fail with EINVALIDREQUEST or return a complete event.
func FuzzParseWebhook(f *testing.F) {
	now := time.Unix(1_764_192_504, 0)
	f.Add(stripetest.EventPayload("checkout.session.completed", stripetest.NewSession("cs_test_f", now).Paid()), int64(0))
	f.Add(stripetest.EventPayload("charge.refunded", stripetest.Charge{ID: "ch_f", Amount: 1}), int64(10))
	f.Add([]byte(`{"object":"event","id":"evt_1","type":"charge.x","data":{"object":{"object":"charge","id":5}}}`), int64(0))
	f.Add([]byte(`{"object":"event","data":null}`), int64(-400))
	f.Add([]byte(`not json`), int64(0))
	c := webhookClient(f, now)
	f.Fuzz(func(t *testing.T, payload []byte, age int64) {
		sig := stripetest.SignWebhook(testWebhookSecret, payload, now.Add(-time.Duration(age)*time.Second))
		ev, err := c.ParseWebhook(payload, sig)
		if err != nil {
			if ev != nil || dashboard.ErrorCode(err) != dashboard.EINVALIDREQUEST {
				t.Fatalf("failure must be EINVALIDREQUEST alone: %+v, %v", ev, err)
			}
			return
		}
		if ev.ID == "" || ev.Type == "" || age > 300 {
			t.Fatalf("accepted an incomplete or stale event: %+v (age %d)", ev, age)
		}
		if strings.HasPrefix(ev.Type, "checkout.session.") && ev.SessionID == "" {
			t.Fatalf("session event without a session id: %+v", ev)
		}
	})
}
