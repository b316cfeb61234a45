package stripe_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/stripetest"
	"github.com/thebabesclub/dashboard/stripe"
)

var t0 = time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)

// addSessions adds n paid sessions, one a minute from t0, in random order.
func addSessions(f *stripetest.Server, n int) {
	ss := make([]stripetest.Session, n)
	for i := range ss {
		ss[i] = stripetest.NewSession(fmt.Sprintf("cs_test_%06d", i), t0.Add(time.Duration(i)*time.Minute)).
			WithUserID(fmt.Sprintf("user%04d", i%50)).WithCustomer(fmt.Sprintf("cus_%d", i%7)).
			WithItem("Tee", 2, 2500).WithItem("Pin", 1, 500).Paid()
	}
	rand.Shuffle(len(ss), func(i, j int) { ss[i], ss[j] = ss[j], ss[i] })
	f.AddSession(ss...)
}

func TestListSessionsThousand(t *testing.T) {
	f := stripetest.New(t)
	addSessions(f, 1000)
	c, _ := newClient(t, f.URL())
	seen := map[string]bool{}
	var last time.Time
	err := c.ListSessions(t.Context(), dashboard.SessionQuery{}, func(s *dashboard.CheckoutSession) error {
		if seen[s.ID] {
			t.Fatalf("%s listed twice", s.ID)
		}
		seen[s.ID] = true
		if !last.IsZero() && !s.Created.Before(last) {
			t.Fatalf("%s (%v) not older than the one before (%v)", s.ID, s.Created, last)
		}
		last = s.Created
		o := s.Order
		if !s.LineItemsComplete || len(o.Items) != 2 || o.ItemCount != 3 || o.Amount != 5500 {
			t.Fatalf("%s: complete=%v items=%d count=%d amount=%d", s.ID, s.LineItemsComplete, len(o.Items), o.ItemCount, o.Amount)
		}
		if s.PaymentIntentStatus != "succeeded" || o.ReceiptURL == nil || o.CompletedAt == nil {
			t.Fatalf("%s: payment intent / latest charge not expanded: %q %v %v", s.ID, s.PaymentIntentStatus, o.ReceiptURL, o.CompletedAt)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1000 {
		t.Errorf("listed %d sessions, want 1000", len(seen))
	}
	if n := f.Calls("/v1/checkout/sessions"); n != 10 {
		t.Errorf("%d list calls, want 10", n)
	}
	if n := f.Calls("/v1/checkout/sessions/"); n != 0 {
		t.Errorf("%d per-session calls, want 0", n)
	}
}

func TestListSessionsFilters(t *testing.T) {
	f := stripetest.New(t)
	addSessions(f, 250)
	c, _ := newClient(t, f.URL())
	count := func(q dashboard.SessionQuery) int {
		n := 0
		if err := c.ListSessions(t.Context(), q, func(*dashboard.CheckoutSession) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(dashboard.SessionQuery{CreatedFrom: t0.Add(200 * time.Minute)}); n != 50 {
		t.Errorf("created >= t0+200m: %d, want 50", n)
	}
	if n := count(dashboard.SessionQuery{CustomerID: "cus_3"}); n != 36 {
		t.Errorf("customer cus_3: %d, want 36", n)
	}
	s, _ := f.Session("cs_test_000042")
	if n := count(dashboard.SessionQuery{PaymentIntentID: s.PaymentIntent.ID}); n != 1 {
		t.Errorf("payment intent: %d, want 1", n)
	}
	if n := count(dashboard.SessionQuery{CustomerID: "cus_none"}); n != 0 {
		t.Errorf("unknown customer: %d, want 0", n)
	}
}

// A checkout email's listing (CONTRACT §9) sends customer_details[email]
// and gets only the sessions whose customer_details.email is exactly that
// address, every page of them, through the same retrying transport as any
// listing.
func TestListSessionsByCustomerEmail(t *testing.T) {
	f := stripetest.New(t)
	addSessions(f, 150) // other people's, without an email
	const guest = "ruby.guest@example.com"
	want := map[string]bool{}
	for i := range 230 {
		id := fmt.Sprintf("cs_test_guest%04d", i)
		f.AddSession(stripetest.NewSession(id, t0.Add(time.Duration(i)*time.Second)).WithEmail(guest).WithItem("Tee", 1, 2500).Paid())
		want[id] = true
	}
	f.AddSession(
		// Another spelling, the address only prefilled, another address:
		// Stripe's filter matches none of them.
		stripetest.NewSession("cs_test_upper", t0).WithEmail("Ruby.Guest@Example.com").Paid(),
		stripetest.NewSession("cs_test_prefilled", t0).WithPrefilledEmail(guest).Paid(),
		stripetest.NewSession("cs_test_other", t0).WithEmail("other@example.com").Paid(),
	)
	f.SetRetryAfter(3 * time.Second)
	f.Fail("/v1/checkout/sessions", 429) // the first page is rate-limited once
	c, sl := newClient(t, f.URL())
	got := map[string]bool{}
	err := c.ListSessions(t.Context(), dashboard.SessionQuery{CustomerEmail: guest}, func(s *dashboard.CheckoutSession) error {
		if got[s.ID] {
			t.Errorf("%s listed twice", s.ID)
		}
		got[s.ID] = true
		if s.CustomerEmail != guest {
			t.Errorf("%s: customer email %q", s.ID, s.CustomerEmail)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("listed %d sessions, want the %d of %s", len(got), len(want), guest)
	}
	for id := range got {
		if !want[id] {
			t.Errorf("%s listed, but it is not %s's", id, guest)
		}
	}
	// Three pages of 100, one of them retried after Retry-After.
	if n, sleeps := f.Calls("/v1/checkout/sessions"), sl.All(); n != 4 || len(sleeps) != 1 || sleeps[0] != 3*time.Second {
		t.Errorf("%d list calls and sleeps %v, want 4 and [3s]", n, sleeps)
	}
	// An address nobody used lists nothing, in one request.
	f.ResetCalls()
	if err := c.ListSessions(t.Context(), dashboard.SessionQuery{CustomerEmail: "nobody@example.com"}, func(s *dashboard.CheckoutSession) error {
		t.Errorf("listed %s for an unused address", s.ID)
		return nil
	}); err != nil || f.Calls("/v1/checkout/sessions") != 1 {
		t.Errorf("unused address: %v, %d calls", err, f.Calls("/v1/checkout/sessions"))
	}
	// The filter combines with the others (Stripe ANDs them).
	n := 0
	q := dashboard.SessionQuery{CustomerEmail: guest, CreatedFrom: t0.Add(200 * time.Second)}
	if err := c.ListSessions(t.Context(), q, func(*dashboard.CheckoutSession) error { n++; return nil }); err != nil || n != 30 {
		t.Errorf("email and created >= t0+200s: %d sessions (%v), want 30", n, err)
	}
}

// The email listing waits for the Client's rate limiter like every other
// request: three pages at 2 requests a second (a burst of 2) cannot take
// less than half a second.
func TestListSessionsByCustomerEmailIsRateLimited(t *testing.T) {
	f := stripetest.New(t)
	for i := range 250 {
		f.AddSession(stripetest.NewSession(fmt.Sprintf("cs_test_rl%04d", i), t0.Add(time.Duration(i)*time.Second)).WithEmail("a@example.com").Paid())
	}
	c, _ := newClient(t, f.URL(), func(c *stripe.Config) { c.MaxRPS = 2 })
	start := time.Now()
	n := 0
	if err := c.ListSessions(t.Context(), dashboard.SessionQuery{CustomerEmail: "a@example.com"}, func(*dashboard.CheckoutSession) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); n != 250 || el < 400*time.Millisecond {
		t.Errorf("listed %d in %v; want 250, and the third page held back by the limiter", n, el)
	}
}

func TestListSessionsEachErrorStops(t *testing.T) {
	f := stripetest.New(t)
	addSessions(f, 300)
	c, _ := newClient(t, f.URL())
	stop := errors.New("stop")
	n := 0
	err := c.ListSessions(t.Context(), dashboard.SessionQuery{}, func(*dashboard.CheckoutSession) error {
		n++
		if n == 150 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || dashboard.ErrorCode(err) != dashboard.EINTERNAL {
		t.Errorf("err = %v, want the callback's error as is", err)
	}
	if calls := f.Calls("/v1/checkout/sessions"); calls != 2 {
		t.Errorf("%d list calls, want 2 (stopped on the second page)", calls)
	}
}

// A failure on the third page is retried for that page alone: every
// session is still listed exactly once.
func TestListSessionsRetriesAPageMidway(t *testing.T) {
	f := stripetest.New(t)
	addSessions(f, 300)
	c, sl := newClient(t, f.URL())
	seen := map[string]int{}
	err := c.ListSessions(t.Context(), dashboard.SessionQuery{}, func(s *dashboard.CheckoutSession) error {
		seen[s.ID]++
		if len(seen) == 200 {
			f.Fail("/v1/checkout/sessions", 503)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s listed %d times", id, n)
		}
	}
	if len(seen) != 300 || f.Calls("/v1/checkout/sessions") != 4 || len(sl.All()) != 1 {
		t.Errorf("listed %d, %d calls, %d sleeps; want 300, 4, 1", len(seen), f.Calls("/v1/checkout/sessions"), len(sl.All()))
	}
}

// Stripe embeds ten line items in a listed session: the rest makes it
// incomplete rather than costing a call per session.
func TestListSessionsMarksTruncatedLineItems(t *testing.T) {
	f := stripetest.New(t)
	s := stripetest.NewSession("cs_test_big", t0).Paid()
	for i := range 15 {
		s = s.WithItem(fmt.Sprintf("Item %d", i), 1, 100)
	}
	f.AddSession(s)
	c, _ := newClient(t, f.URL())
	var got *dashboard.CheckoutSession
	if err := c.ListSessions(t.Context(), dashboard.SessionQuery{}, func(s *dashboard.CheckoutSession) error { got = s; return nil }); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.LineItemsComplete || len(got.Order.Items) != stripetest.EmbeddedLineItems {
		t.Fatalf("got %+v, want 10 items and LineItemsComplete false", got)
	}
}

func TestSessionPagesLineItems(t *testing.T) {
	f := stripetest.New(t)
	s := stripetest.NewSession("cs_test_huge", t0).WithEmail("a@example.com").Paid()
	for i := range 250 {
		s = s.WithLineItem(stripetest.LineItem{Name: fmt.Sprintf("Item %03d", i), Quantity: 1, UnitAmount: 100,
			Images: []string{fmt.Sprintf("https://img.example/%d.png", i)}, SKU: fmt.Sprintf("SKU-%03d", i)})
	}
	f.AddSession(s)
	c, _ := newClient(t, f.URL())
	got, err := c.Session(t.Context(), "cs_test_huge")
	if err != nil {
		t.Fatal(err)
	}
	if !got.LineItemsComplete || len(got.Order.Items) != 250 || got.Order.ItemCount != 250 {
		t.Fatalf("complete=%v items=%d count=%d, want all 250", got.LineItemsComplete, len(got.Order.Items), got.Order.ItemCount)
	}
	for i, it := range got.Order.Items {
		if it.Name != fmt.Sprintf("Item %03d", i) || it.SKU != fmt.Sprintf("SKU-%03d", i) || it.ImageURL == "" {
			t.Fatalf("item %d = %+v, want it in order with its product's sku and image", i, it)
		}
	}
	// One retrieve, then 240 further items at 100 a page.
	if r, li := f.Calls("/v1/checkout/sessions/cs_test_huge"), f.Calls("/v1/checkout/sessions/cs_test_huge/line_items"); r != 1 || li != 3 {
		t.Errorf("%d retrieves and %d line-item pages, want 1 and 3", r, li)
	}
}

func TestSessionExpandsEverything(t *testing.T) {
	f := stripetest.New(t)
	f.AddSession(stripetest.NewSession("cs_test_full", t0).WithUserID("u1").WithCustomer("cus_1").
		WithEmail("a@example.com").WithPhone("+1 555").
		WithLineItem(stripetest.LineItem{Name: "Tee", Quantity: 2, UnitAmount: 2500, Images: []string{"https://img/tee.png"}, SKU: "TEE"}).
		WithDiscount(stripetest.Discount{Amount: 500, CouponName: "Members", PromotionCode: "BABES5"}).
		WithShipping(stripetest.Address{Name: "A", Line1: "1 St", City: "X", State: "TX", PostalCode: "1", Country: "us"}).
		Refunded(1000))
	c, _ := newClient(t, f.URL())
	s, err := c.Session(t.Context(), "cs_test_full")
	if err != nil {
		t.Fatal(err)
	}
	o := s.Order
	switch {
	case s.MetadataUserID != "u1" || s.CustomerID != "cus_1" || s.CustomerEmail != "a@example.com":
		t.Errorf("ownership facts: %+v", s)
	case o.Amount != 4500 || o.AmountSubtotal != 5000 || o.AmountRefunded != 1000 || o.ReceiptURL == nil:
		t.Errorf("amounts: %+v", o)
	case len(o.Discounts) != 1 || o.Discounts[0] != (dashboard.Discount{Code: "BABES5", Name: "Members", Amount: 500}):
		t.Errorf("discounts: %+v", o.Discounts)
	case o.ShippingAddress == nil || o.ShippingAddress.Country != "US" || o.CustomerPhone == nil:
		t.Errorf("shipping/phone: %+v %v", o.ShippingAddress, o.CustomerPhone)
	case o.Items[0].SKU != "TEE" || o.Items[0].ImageURL != "https://img/tee.png" || o.OrderNumber != "BC-ESTFULL":
		t.Errorf("items/number: %+v %s", o.Items, o.OrderNumber)
	}
}

func TestSessionNotFound(t *testing.T) {
	f := stripetest.New(t)
	c, sl := newClient(t, f.URL())
	_, err := c.Session(t.Context(), "cs_test_missing")
	if dashboard.ErrorCode(err) != dashboard.ENOTFOUND {
		t.Fatalf("err = %v, want ENOTFOUND", err)
	}
	if len(sl.All()) != 0 || f.Calls("/") != 1 {
		t.Errorf("a 404 is not retried: %d sleeps, %d calls", len(sl.All()), f.Calls("/"))
	}
}
