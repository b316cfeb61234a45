package stripe_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	stripego "github.com/stripe/stripe-go/v85"

	"github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/stripe"
)

// fixture decodes testdata/<name>.json the way the SDK decodes a response.
func fixture(t testing.TB, name string) *stripego.CheckoutSession {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var s stripego.CheckoutSession
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return &s
}

func ptr[T any](v T) *T { return &v }

func TestNormalizePaidSessionInFull(t *testing.T) {
	created := time.Date(2025, 11, 26, 21, 28, 24, 0, time.UTC)
	charged := created.Add(57 * time.Second)
	want := &dashboard.CheckoutSession{
		ID:                  "cs_test_a1b2c3d4e5f6g7h8i9j0KLmnOPqr",
		Created:             created,
		Status:              "complete",
		PaymentStatus:       "paid",
		MetadataUserID:      "0123456789abcdef0123456789abcdef",
		CustomerID:          "cus_Q1w2e3r4t5",
		CustomerEmail:       "jane@example.com",
		PaymentIntentStatus: "succeeded",
		LineItemsComplete:   true,
		Order: dashboard.OrderDetail{
			Order: dashboard.Order{
				OrderID:        "cs_test_a1b2c3d4e5f6g7h8i9j0KLmnOPqr",
				OrderNumber:    "BC-KLMNOPQR",
				Amount:         6750,
				AmountSubtotal: 7500,
				Currency:       "usd",
				CreatedAt:      created,
				CompletedAt:    &charged,
				ItemCount:      3,
				Items: []dashboard.LineItem{
					{Name: "Babes Club Tee", Quantity: 2, UnitPrice: 2500, AmountTotal: 4500, Currency: "usd", SKU: "TEE-BLK-M",
						ImageURL: "https://files.stripe.com/tee.png", StripePriceID: "price_tee", StripeProductID: "prod_tee"},
					{Name: "Sticker Pack", Quantity: 1, UnitPrice: 2500, AmountTotal: 2250, Currency: "usd",
						StripePriceID: "price_stk", StripeProductID: "prod_stk"},
				},
				CustomerEmail: ptr("jane@example.com"),
				ShippingAddress: &dashboard.Address{Name: "Jane Doe", Line1: "1 Main St", Line2: "Apt 2", City: "Austin",
					State: "TX", PostalCode: "78701", Country: "US"},
			},
			StripePaymentIntentID: ptr("pi_3PaId"),
			StripePaymentStatus:   "paid",
			CustomerPhone:         ptr("+15125550100"),
			Discounts:             []dashboard.Discount{{Code: "BABES10", Name: "Members 10%", Amount: 750}},
			ReceiptURL:            ptr("https://pay.stripe.com/receipts/payment/CAcaFwoV"),
		},
	}
	got := stripe.NormalizeSession(fixture(t, "session_paid"))
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("NormalizeSession:\n got %s\nwant %s", g, w)
	}
}

func TestNormalizeTable(t *testing.T) {
	tests := []struct {
		fixture string
		check   func(t *testing.T, s *dashboard.CheckoutSession)
	}{
		{"session_unpaid", func(t *testing.T, s *dashboard.CheckoutSession) {
			o := s.Order
			eq(t, "payment status", s.PaymentStatus, "unpaid")
			eq(t, "pi status", s.PaymentIntentStatus, "processing")
			eq(t, "client reference", s.ClientReferenceID, "0123456789abcdef0123456789abcdef")
			eq(t, "customer", s.CustomerID, "")
			eq(t, "item count", o.ItemCount, int64(3))
			eq(t, "unit price", o.Items[0].UnitPrice, int64(400))
			if o.CompletedAt != nil || o.ReceiptURL != nil || o.AmountRefunded != 0 {
				t.Errorf("no charge yet, got completedAt=%v receipt=%v refunded=%d", o.CompletedAt, o.ReceiptURL, o.AmountRefunded)
			}
			if o.ShippingAddress != nil || o.CustomerPhone != nil {
				t.Errorf("no shipping/phone, got %+v %v", o.ShippingAddress, o.CustomerPhone)
			}
			eq(t, "pi id", *o.StripePaymentIntentID, "pi_ach")
		}},
		{"session_free", func(t *testing.T, s *dashboard.CheckoutSession) {
			o := s.Order
			eq(t, "payment status", o.StripePaymentStatus, "no_payment_required")
			eq(t, "pi status", s.PaymentIntentStatus, "")
			eq(t, "email (customer_details wins)", s.CustomerEmail, "free@example.com")
			if o.StripePaymentIntentID != nil || o.CompletedAt != nil {
				t.Errorf("no payment intent: got %v, completedAt %v", o.StripePaymentIntentID, o.CompletedAt)
			}
			if o.Discounts == nil || len(o.Discounts) != 0 {
				t.Errorf("discounts = %#v, want an empty slice (breakdown not expanded)", o.Discounts)
			}
		}},
		{"session_expired", func(t *testing.T, s *dashboard.CheckoutSession) {
			o := s.Order
			eq(t, "status", s.Status, "expired")
			eq(t, "email falls back to customer_email", s.CustomerEmail, "prefill@example.com")
			eq(t, "order email", *o.CustomerEmail, "prefill@example.com")
			eq(t, "line items complete", s.LineItemsComplete, false)
			if o.ShippingAddress != nil || o.CompletedAt != nil {
				t.Errorf("expired: shipping %+v completedAt %v", o.ShippingAddress, o.CompletedAt)
			}
		}},
		{"session_refunded", func(t *testing.T, s *dashboard.CheckoutSession) {
			eq(t, "refunded", s.Order.AmountRefunded, int64(6750))
			eq(t, "receipt", *s.Order.ReceiptURL, "https://pay.stripe.com/receipts/payment/CAcaFwoV")
		}},
		{"session_partially_refunded", func(t *testing.T, s *dashboard.CheckoutSession) {
			eq(t, "refunded", s.Order.AmountRefunded, int64(2000))
			eq(t, "amount", s.Order.Amount, int64(6750))
		}},
		{"session_customer_object", func(t *testing.T, s *dashboard.CheckoutSession) {
			o := s.Order
			eq(t, "customer id from object", s.CustomerID, "cus_obj")
			eq(t, "currency lower-cased", o.Currency, "eur")
			eq(t, "item currency lower-cased", o.Items[0].Currency, "eur")
			eq(t, "name from product", o.Items[0].Name, "Mystery Box")
			eq(t, "unit price from subtotal", o.Items[0].UnitPrice, int64(1999))
			eq(t, "image", o.Items[0].ImageURL, "")
			eq(t, "order number", o.OrderNumber, "BC-OBJ0006")
			eq(t, "pi id (unexpanded)", *o.StripePaymentIntentID, "pi_unexpanded")
			eq(t, "pi status unknown", s.PaymentIntentStatus, "")
			eq(t, "metadata user", s.MetadataUserID, "")
			if o.ShippingAddress != nil {
				t.Errorf("an all-null address is no address, got %+v", o.ShippingAddress)
			}
			if o.CompletedAt != nil || o.ReceiptURL != nil {
				t.Errorf("charge unknown: completedAt %v receipt %v", o.CompletedAt, o.ReceiptURL)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			s := stripe.NormalizeSession(fixture(t, tt.fixture))
			if s.Order.Items == nil || s.Order.Discounts == nil {
				t.Fatalf("nil slices: items %v discounts %v", s.Order.Items, s.Order.Discounts)
			}
			if s.Order.OrderID != s.ID || s.Order.CreatedAt != s.Created || s.Created.Location() != time.UTC {
				t.Errorf("order id/created = %q/%v, session %q/%v (UTC)", s.Order.OrderID, s.Order.CreatedAt, s.ID, s.Created)
			}
			if s.Order.Status != "" || !s.Order.UpdatedAt.IsZero() {
				t.Errorf("status/updatedAt are the service's: %q %v", s.Order.Status, s.Order.UpdatedAt)
			}
			tt.check(t, s)
		})
	}
}

// An empty session (what a bare id decodes to) normalises without panicking
// and with non-nil slices.
func TestNormalizeBareSession(t *testing.T) {
	s := stripe.NormalizeSession(&stripego.CheckoutSession{ID: "cs_x"})
	if s.Order.Items == nil || s.Order.Discounts == nil || s.LineItemsComplete {
		t.Errorf("bare session: %+v", s)
	}
	if s.Order.OrderNumber != "BC-CSX" {
		t.Errorf("order number = %q", s.Order.OrderNumber)
	}
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func BenchmarkNormalizeSession(b *testing.B) {
	s := fixture(b, "session_paid")
	b.ReportAllocs()
	for b.Loop() {
		_ = stripe.NormalizeSession(s)
	}
}
