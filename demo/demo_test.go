package demo_test

import (
	"context"
	"path/filepath"
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
