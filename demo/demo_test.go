package demo_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/bolt"
	"github.com/thebabesclub/dashboard/demo"
)

func TestSeedIsCompleteAndKeepsVisitorChanges(t *testing.T) {
	ctx := context.Background()
	s, err := bolt.Open(filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	if err := demo.Seed(ctx, s, now); err != nil {
		t.Fatal(err)
	}
	p, err := s.GetProfile(ctx, demo.Member.UserID)
	if err != nil || p.ShippingAddress == nil || p.BillingAddress == nil || p.PreferredWallet == nil || *p.PreferredWallet != demo.Wallet {
		t.Fatalf("profile = %+v, %v", p, err)
	}
	page, err := s.ListOrders(ctx, demo.Member.UserID, 100, "")
	if err != nil || len(page.Orders) != 12 || page.SyncedAt == nil {
		t.Fatalf("orders = %d synced %v, %v", len(page.Orders), page.SyncedAt, err)
	}
	seen := map[dashboard.OrderStatus]bool{}
	for i, o := range page.Orders {
		seen[o.Status] = true
		if o.OrderNumber != dashboard.OrderNumber(o.OrderID) || o.Amount <= 0 || len(o.Items) == 0 {
			t.Errorf("order %d = %+v", i, o.Order)
		}
		if i > 0 && o.CreatedAt.After(page.Orders[i-1].CreatedAt) {
			t.Error("orders not newest first")
		}
	}
	if len(seen) < 5 {
		t.Errorf("demo orders show only statuses %v", seen)
	}
	// The newest order is on its way with a UPS tracking link, the one
	// before was delivered; the list carries their status, the detail the
	// whole timeline.
	for i, want := range []struct {
		status  dashboard.FulfillmentStatus
		carrier string
		steps   int
	}{{dashboard.FulfillmentShipped, demo.ShippedCarrier, 2}, {dashboard.FulfillmentDelivered, demo.DeliveredCarrier, 3}} {
		o, err := s.FindOrder(ctx, page.Orders[i].OrderID)
		if err != nil {
			t.Fatal(err)
		}
		f := o.Fulfillment
		switch {
		case page.Orders[i].FulfillmentStatus == nil || *page.Orders[i].FulfillmentStatus != want.status:
			t.Errorf("order %d lists fulfilment %v, want %s", i, page.Orders[i].FulfillmentStatus, want.status)
		case o.Status != dashboard.OrderCompleted || f == nil || f.Status != want.status || len(f.Events) != want.steps:
			t.Errorf("order %d: %s with fulfilment %+v, want a completed order %s in %d steps", i, o.Status, f, want.status, want.steps)
		case f.Carrier == nil || *f.Carrier != want.carrier || f.TrackingNumber == nil || f.TrackingURL == nil ||
			!strings.HasPrefix(*f.TrackingURL, "https://") || !strings.Contains(*f.TrackingURL, *f.TrackingNumber):
			t.Errorf("order %d's parcel: %+v", i, f)
		}
		for j, e := range f.Events {
			if e.Status.Rank() != j+1 || e.At.After(now) || e.At.Before(o.CreatedAt) {
				t.Errorf("order %d step %d = %+v: steps go forward, after the order and before now", i, j, e)
			}
		}
	}
	for _, o := range page.Orders[2:] {
		if o.FulfillmentStatus != nil {
			t.Errorf("%s has fulfilment %s; only the two newest orders do", o.OrderID, *o.FulfillmentStatus)
		}
	}
	emails, err := s.CheckoutEmails(ctx, demo.Member.UserID)
	if err != nil || len(emails) != 1 || emails[0].Email != demo.PendingCheckoutEmail || emails[0].VerifiedAt != nil {
		t.Fatalf("checkout emails = %+v, %v; want %s pending", emails, err, demo.PendingCheckoutEmail)
	}
	if _, err := s.UserIDByCheckoutEmail(ctx, demo.PendingCheckoutEmail); dashboard.ErrorCode(err) != dashboard.ENOTFOUND {
		t.Errorf("the pending checkout email claims orders: %v", err)
	}

	// A visitor renames the member; a second seed (a restart) keeps it.
	name := p.DisplayName + " (edited)"
	p.DisplayName = name
	if err := s.SaveProfile(ctx, dashboard.ProfileChange{Profile: p, Fields: []string{dashboard.FieldDisplayName}, ExpectUpdatedAt: p.UpdatedAt}); err != nil {
		t.Fatal(err)
	}
	if err := demo.Seed(ctx, s, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if p, _ = s.GetProfile(ctx, demo.Member.UserID); p.DisplayName != name {
		t.Errorf("reseed overwrote the visitor's change: %q", p.DisplayName)
	}
	// A visitor who deleted the pending checkout email does not get it
	// back on a restart.
	if err := s.DeleteCheckoutEmail(ctx, demo.Member.UserID, demo.PendingCheckoutEmail); err != nil {
		t.Fatal(err)
	}
	if err := demo.Seed(ctx, s, now.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if emails, err := s.CheckoutEmails(ctx, demo.Member.UserID); err != nil || len(emails) != 0 {
		t.Errorf("reseed brought back the deleted checkout email: %+v, %v", emails, err)
	}
}

func TestOrderNumber(t *testing.T) {
	for in, want := range map[string]string{
		"cs_test_a1b2c3d4e5f6g7h8": "BC-E5F6G7H8",
		"cs_live_abc_d-ef":         "BC-ABCDEF",
		"cs_1":                     "BC-CS1",
	} {
		if got := dashboard.OrderNumber(in); got != want {
			t.Errorf("OrderNumber(%q) = %q, want %q", in, got, want)
		}
	}
}
