package stripe_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/stripetest"
	"github.com/thebabesclub/dashboard/stripe"
)

func TestMain(m *testing.M) { stripetest.Main(m) }

// countingTransport counts the requests that reach the network.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

func wireClient(t *testing.T) (*stripe.Client, *countingTransport) {
	t.Helper()
	ct := &countingTransport{}
	c, _ := newClient(t, stripetest.MockURL(t), func(c *stripe.Config) {
		c.HTTPClient = &http.Client{Transport: ct}
		c.MaxRetries = -1 // stripe-mock never fails transiently; a failure is a bug
	})
	return c, ct
}

// checkWireOrder checks what any Stripe-generated session must normalise to.
func checkWireOrder(t *testing.T, s *dashboard.CheckoutSession) {
	t.Helper()
	o := s.Order
	switch {
	case s.ID == "" || o.OrderID != s.ID:
		t.Errorf("ids: session %q order %q", s.ID, o.OrderID)
	case !strings.HasPrefix(o.OrderNumber, "BC-") || len(o.OrderNumber) < 4:
		t.Errorf("order number %q", o.OrderNumber)
	case o.Currency != strings.ToLower(o.Currency):
		t.Errorf("currency %q not lower-case", o.Currency)
	case o.Items == nil || o.Discounts == nil:
		t.Errorf("nil slices: items %v discounts %v", o.Items, o.Discounts)
	case o.CreatedAt.IsZero() || o.CreatedAt.Location() != time.UTC:
		t.Errorf("createdAt %v", o.CreatedAt)
	}
	for _, it := range o.Items {
		if it.Currency != strings.ToLower(it.Currency) || it.Quantity < 0 {
			t.Errorf("item %+v", it)
		}
	}
}

// Session's expansions are accepted by Stripe's spec and its JSON decodes.
func TestWireSession(t *testing.T) {
	c, ct := wireClient(t)
	s, err := c.Session(t.Context(), "cs_test_a1YS1URlnyQCN5fUUduORoQ7Pw41PJqDWkIVQCpJPqkfIhd6tVY8XB1OLY")
	if err != nil {
		t.Fatal(err)
	}
	checkWireOrder(t, s)
	if len(s.Order.Items) == 0 || s.Order.StripePaymentIntentID == nil {
		t.Errorf("expansions missing: items %v, payment intent %v", s.Order.Items, s.Order.StripePaymentIntentID)
	}
	if ct.n.Load() < 1 {
		t.Error("no request reached stripe-mock")
	}
}

// ListSessions' filters and expansions are accepted, and one page is one
// request.
func TestWireListSessions(t *testing.T) {
	c, ct := wireClient(t)
	n := 0
	q := dashboard.SessionQuery{CreatedFrom: time.Unix(1_600_000_000, 0), CustomerID: "cus_123", PaymentIntentID: "pi_123",
		CustomerEmail: "ruby.guest@example.com"}
	err := c.ListSessions(t.Context(), q, func(s *dashboard.CheckoutSession) error {
		n++
		checkWireOrder(t, s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 || ct.n.Load() != 1 {
		t.Errorf("%d sessions in %d requests, want some in 1", n, ct.n.Load())
	}
}
