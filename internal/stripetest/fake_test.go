package stripetest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	stripego "github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/thebabesclub/dashboard/internal/stripetest"
)

var t0 = time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)

// get sends an authenticated GET and returns the status, body and header.
func get(t *testing.T, f *stripetest.Server, path string) (int, []byte, http.Header) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, f.URL()+path, nil)
	req.Header.Set("Authorization", "Bearer sk_test_x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body, resp.Header
}

// The fake's JSON decodes into the SDK's types with the expansions applied.
func TestSDKDecodesFakeSessions(t *testing.T) {
	f := stripetest.New(t)
	f.AddSession(stripetest.NewSession("cs_test_1", t0).WithCustomer("cus_1").
		WithLineItem(stripetest.LineItem{Name: "Tee", Quantity: 2, UnitAmount: 100, SKU: "T"}).
		WithDiscount(stripetest.Discount{Amount: 50, CouponName: "C", PromotionCode: "CODE"}).Refunded(150))
	sc := stripego.NewClient("sk_test_x", stripego.WithBackends(stripego.NewBackendsWithConfig(&stripego.BackendConfig{
		URL: stripego.String(f.URL()), LeveledLogger: &stripego.LeveledLogger{Level: stripego.LevelNull},
	})))
	p := &stripego.CheckoutSessionRetrieveParams{}
	for _, e := range []string{"line_items.data.price.product", "payment_intent.latest_charge", "total_details.breakdown", "discounts.promotion_code"} {
		p.AddExpand(e)
	}
	s, err := sc.V1CheckoutSessions.Retrieve(t.Context(), "cs_test_1", p)
	if err != nil {
		t.Fatal(err)
	}
	li := s.LineItems.Data[0]
	ch := s.PaymentIntent.LatestCharge
	switch {
	case s.Customer.ID != "cus_1" || s.AmountTotal != 150 || s.AmountSubtotal != 200:
		t.Errorf("session: %+v", s)
	case li.Price.Product.Metadata["sku"] != "T" || li.Price.UnitAmount != 100 || li.Quantity != 2:
		t.Errorf("line item: %+v / %+v", li, li.Price.Product)
	case ch.AmountRefunded != 150 || !ch.Refunded || ch.ReceiptURL == "":
		t.Errorf("charge: %+v", ch)
	case s.Discounts[0].PromotionCode.Code != "CODE" || s.TotalDetails.Breakdown.Discounts[0].Discount.Source.Coupon.Name != "C":
		t.Errorf("discounts: %+v", s.Discounts[0])
	}
}

func TestListPaginatesAndFilters(t *testing.T) {
	f := stripetest.New(t)
	for i := range 25 {
		f.AddSession(stripetest.NewSession(fmt.Sprintf("cs_test_%02d", i), t0.Add(time.Duration(i)*time.Hour)).WithCustomer(fmt.Sprintf("cus_%d", i%2)))
	}
	var ids []string
	after := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		_, body, _ := get(t, f, "/v1/checkout/sessions?limit=10&customer=cus_0&created%5Bgte%5D="+fmt.Sprint(t0.Add(2*time.Hour).Unix())+after)
		var page struct {
			Object  string `json:"object"`
			HasMore bool   `json:"has_more"`
			Data    []struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &page); err != nil || page.Object != "list" {
			t.Fatalf("page: %s (%v)", body, err)
		}
		for _, d := range page.Data {
			ids = append(ids, d.ID)
		}
		if !page.HasMore {
			break
		}
		after = "&starting_after=" + page.Data[len(page.Data)-1].ID
	}
	// Even indices 2..24, newest first.
	if len(ids) != 12 || ids[0] != "cs_test_24" || ids[11] != "cs_test_02" {
		t.Errorf("ids = %v", ids)
	}
}

// customer_details[email] matches customer_details.email exactly, case
// included, never the prefilled customer_email; an empty value is refused
// as Stripe refuses empty strings.
func TestListFiltersByCustomerEmail(t *testing.T) {
	f := stripetest.New(t)
	f.AddSession(
		stripetest.NewSession("cs_test_a", t0).WithEmail("ruby@example.com"),
		stripetest.NewSession("cs_test_b", t0.Add(time.Hour)).WithEmail("ruby@example.com").WithCustomer("cus_1"),
		stripetest.NewSession("cs_test_upper", t0).WithEmail("Ruby@Example.com"),
		stripetest.NewSession("cs_test_prefilled", t0).WithPrefilledEmail("ruby@example.com"),
		stripetest.NewSession("cs_test_none", t0),
	)
	ids := func(query string) []string {
		t.Helper()
		st, body, _ := get(t, f, "/v1/checkout/sessions?"+query)
		var page struct {
			Data []struct {
				ID              string `json:"id"`
				CustomerDetails struct {
					Email string `json:"email"`
				} `json:"customer_details"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &page); st != 200 || err != nil {
			t.Fatalf("%s: %d %s", query, st, body)
		}
		var out []string
		for _, d := range page.Data {
			out = append(out, d.ID)
		}
		return out
	}
	for query, want := range map[string]string{
		"customer_details%5Bemail%5D=ruby%40example.com":                "cs_test_b cs_test_a",
		"customer_details%5Bemail%5D=Ruby%40Example.com":                "cs_test_upper",
		"customer_details%5Bemail%5D=ruby%40example.com&customer=cus_1": "cs_test_b",
		"customer_details%5Bemail%5D=nobody%40example.com":              "",
		"limit=100": "cs_test_b cs_test_upper cs_test_prefilled cs_test_none cs_test_a",
	} {
		if got := strings.Join(ids(query), " "); got != want {
			t.Errorf("%s: %q, want %q", query, got, want)
		}
	}
	if st, body, _ := get(t, f, "/v1/checkout/sessions?customer_details%5Bemail%5D="); st != 400 || !strings.Contains(string(body), "empty string") {
		t.Errorf("empty email: %d %s, want Stripe's 400", st, body)
	}
}

func TestErrorsFailuresAndCalls(t *testing.T) {
	f := stripetest.New(t)
	f.AddSession(stripetest.NewSession("cs_test_1", t0))
	if st, body, _ := get(t, f, "/v1/checkout/sessions/cs_test_nope"); st != 404 || !strings.Contains(string(body), `"resource_missing"`) {
		t.Errorf("missing session: %d %s", st, body)
	}
	if st, _, _ := get(t, f, "/v1/checkout/sessions?expand%5B0%5D=data.line_items.data.price.product"); st != 400 {
		t.Errorf("five-level expansion: %d, want 400", st)
	}
	if st, _, _ := get(t, f, "/v1/charges"); st != 404 {
		t.Errorf("unserved path: %d, want 404", st)
	}
	f.SetRetryAfter(3 * time.Second)
	f.Fail("/v1/checkout/sessions/", 429, 500)
	if st, _, h := get(t, f, "/v1/checkout/sessions/cs_test_1"); st != 429 || h.Get("Retry-After") != "3" {
		t.Errorf("first injected: %d Retry-After=%q", st, h.Get("Retry-After"))
	}
	if st, _, _ := get(t, f, "/v1/checkout/sessions/cs_test_1/line_items"); st != 500 {
		t.Errorf("second injected: %d", st)
	}
	if st, _, _ := get(t, f, "/v1/checkout/sessions/cs_test_1"); st != 200 {
		t.Errorf("after the failures: %d", st)
	}
	if a, b, c, d := f.Calls("/"), f.Calls("/v1/checkout/sessions"), f.Calls("/v1/checkout/sessions/"), f.Calls("/v1/checkout/sessions/cs_test_1"); a != 6 || b != 1 || c != 4 || d != 2 {
		t.Errorf("calls all=%d list=%d below=%d one=%d, want 6 1 4 2", a, b, c, d)
	}
	f.ResetCalls()
	if f.Calls("/") != 0 {
		t.Error("ResetCalls")
	}
	for name, set := range map[string]func(*http.Request){
		"no API key":            func(*http.Request) {},
		"a publishable key":     func(r *http.Request) { r.Header.Set("Authorization", "Bearer pk_test_x") },
		"Basic without sk_ key": func(r *http.Request) { r.SetBasicAuth("pk_test_x", "") },
	} {
		req, _ := http.NewRequest(http.MethodGet, f.URL()+"/v1/checkout/sessions", nil)
		set(req)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("%s: %d, want 401", name, resp.StatusCode)
		}
	}
	// The secret key as Basic authentication's user name, as curl -u
	// sends it, is accepted like Stripe does.
	req, _ := http.NewRequest(http.MethodGet, f.URL()+"/v1/checkout/sessions", nil)
	req.SetBasicAuth("sk_test_x", "")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("Basic sk_ key: %d, want 200", resp.StatusCode)
	}
}

func TestUpdateSession(t *testing.T) {
	f := stripetest.New(t)
	f.AddSession(stripetest.NewSession("cs_test_1", t0).WithItem("A", 1, 1000).Paid())
	if !f.UpdateSession("cs_test_1", func(s *stripetest.Session) { s.PaymentIntent.Charge.AmountRefunded = 400 }) {
		t.Fatal("UpdateSession: not found")
	}
	s, _ := f.Session("cs_test_1")
	if c := s.PaymentIntent.Charge; c.AmountRefunded != 400 || c.Refunded || c.Amount != 1000 {
		t.Errorf("charge after update: %+v", c)
	}
	if f.UpdateSession("cs_test_missing", func(*stripetest.Session) {}) {
		t.Error("UpdateSession of a missing session reported true")
	}
}

// SignWebhook and EventPayload produce what the SDK's verifier accepts.
func TestSignedEventVerifies(t *testing.T) {
	payload := stripetest.EventPayload("charge.refunded", stripetest.Charge{ID: "ch_1", Amount: 10, AmountRefunded: 10})
	sig := stripetest.SignWebhook("whsec_x", payload, time.Now())
	ev, err := webhook.ConstructEvent(payload, sig, "whsec_x")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ev.ID, "evt_") || ev.Type != "charge.refunded" || ev.GetObjectValue("id") != "ch_1" || ev.GetObjectValue("refunded") != "true" {
		t.Errorf("event: %+v %v", ev, ev.Data.Object)
	}
}

// Listing 10,000 sessions page by page stays fast enough for scenario
// tests (sorted once, rendered per page).
func BenchmarkList10000(b *testing.B) {
	f := stripetest.New(b)
	for i := range 10_000 {
		f.AddSession(stripetest.NewSession(fmt.Sprintf("cs_test_%05d", i), t0.Add(time.Duration(i)*time.Second)).WithItem("A", 1, 100).Paid())
	}
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodGet, f.URL()+"/v1/checkout/sessions?limit=100&starting_after=cs_test_05000&expand%5B0%5D=data.line_items&expand%5B1%5D=data.payment_intent.latest_charge", nil)
		req.Header.Set("Authorization", "Bearer sk_test_x")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
