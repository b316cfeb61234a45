package bolt_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/bolt"
	"github.com/thebabesclub/dashboard/internal/storetest"
)

// open opens a fresh store in the test's temporary folder.
func open(tb testing.TB) *bolt.Store {
	tb.Helper()
	s, err := bolt.Open(filepath.Join(tb.TempDir(), "dashboard.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.RawStore { return open(t) })
}

func TestOpenFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dashboard.db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("file mode = %o, want 600", mode)
	}
}

func TestSecondOpenFailsQuickly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dashboard.db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Without a lock timeout the second Open would wait for ever; the bound
	// here only turns that hang into a failure (the store gives up after
	// about a second), so it is far above what a slow machine needs.
	type opened struct {
		s   *bolt.Store
		err error
	}
	done := make(chan opened, 1)
	go func() {
		second, err := bolt.Open(path)
		done <- opened{second, err}
	}()
	var o opened
	select {
	case o = <-done:
	case <-time.After(time.Minute):
		t.Fatal("a second Open of a file in use is still waiting after a minute")
	}
	if o.err == nil {
		o.s.Close()
		t.Fatal("a second Open of a file in use succeeded")
	}
	if !strings.Contains(o.err.Error(), "in use") {
		t.Errorf("error = %v, want one that says the file is in use", o.err)
	}
}

func TestWritesSurviveReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dashboard.db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := s.SetWatermark(ctx, "STRIPE_ORDER_SYNC", now); err != nil {
		t.Fatal(err)
	}
	// An event processed long ago has expired: reopening drops it, as
	// DynamoDB's TTL would.
	if err := s.MarkEventProcessed(ctx, "evt_old", now.Add(-100*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkEventProcessed(ctx, "evt_new", now); err != nil {
		t.Fatal(err)
	}
	// So has a reconciliation checkpoint written longer than its retention
	// ago; one written now stays.
	oldWindow := now.Add(-dashboard.ReconcileRetention - 48*time.Hour).Truncate(time.Hour)
	for _, c := range []dashboard.ReconcileCheckpoint{
		{ReconcileWindow: dashboard.ReconcileWindow{RunID: "run-old", From: oldWindow, To: oldWindow.Add(time.Hour)},
			Done: true, UpdatedAt: oldWindow.Add(2 * time.Hour)},
		{ReconcileWindow: dashboard.ReconcileWindow{RunID: "run-new", From: now.Truncate(time.Hour), To: now.Truncate(time.Hour).Add(time.Hour)},
			UpdatedAt: now},
	} {
		if err := s.SaveReconcileCheckpoint(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if wm, err := s.Watermark(ctx, "STRIPE_ORDER_SYNC"); err != nil || !wm.Equal(now.UTC().Truncate(time.Millisecond)) {
		t.Errorf("watermark after reopen = %v, %v; want %v", wm, err, now)
	}
	if ok, _ := s.EventProcessed(ctx, "evt_old"); ok {
		t.Error("an expired event survived reopening")
	}
	if ok, _ := s.EventProcessed(ctx, "evt_new"); !ok {
		t.Error("a live event was lost on reopening")
	}
	if cs, err := s.ReconcileCheckpoints(ctx, "run-old"); err != nil || len(cs) != 0 {
		t.Errorf("an expired reconciliation checkpoint survived reopening: %+v, %v", cs, err)
	}
	if cs, err := s.ReconcileCheckpoints(ctx, "run-new"); err != nil || len(cs) != 1 {
		t.Errorf("a live reconciliation checkpoint after reopening: %+v, %v", cs, err)
	}
}

func BenchmarkGetProfile(b *testing.B) {
	ctx := context.Background()
	s := open(b)
	now := time.Now()
	phone, wallet := "+1 555 0100", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
	p := &dashboard.Profile{
		UserID: "0123456789abcdef0123456789abcdef", Email: "bench@example.com", DisplayName: "Bench",
		Phone: &phone, PreferredWallet: &wallet,
		ShippingAddress: &dashboard.Address{Line1: "1 Main St", City: "Austin", State: "TX", PostalCode: "73301", Country: "US"},
		Settings:        map[string]bool{dashboard.SettingShowNftHoldings: false},
		CreatedAt:       &now, UpdatedAt: &now,
	}
	err := s.SaveProfile(ctx, dashboard.ProfileChange{Profile: p, Fields: []string{
		dashboard.FieldEmail, dashboard.FieldDisplayName, dashboard.FieldPhone, dashboard.FieldPreferredWallet,
		dashboard.FieldShippingAddress, dashboard.FieldDashboardSetting,
	}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.GetProfile(ctx, p.UserID); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkListOrders(b *testing.B) {
	ctx := context.Background()
	s := open(b)
	user := "0123456789abcdef0123456789abcdef"
	created := time.Now().Add(-1000 * time.Hour)
	for i := range 100 {
		id := fmt.Sprintf("cs_test_%08d", i)
		o := &dashboard.OrderSnapshot{UserID: user, OrderDetail: dashboard.OrderDetail{Order: dashboard.Order{
			OrderID: id, OrderNumber: dashboard.OrderNumber(id), Status: dashboard.OrderCompleted,
			Amount: 8900, AmountSubtotal: 8900, Currency: "usd", CreatedAt: created.Add(time.Duration(i) * time.Hour), ItemCount: 1,
			Items: []dashboard.LineItem{{Name: "Signature Hoops", Quantity: 1, UnitPrice: 8900, AmountTotal: 8900, Currency: "usd"}},
		}}}
		if err := s.PutOrder(ctx, o); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.MarkSynced(ctx, user, dashboard.SyncStripe, time.Now()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		page, err := s.ListOrders(ctx, user, 20, "")
		if err != nil || len(page.Orders) != 20 {
			b.Fatal(len(page.Orders), err)
		}
	}
}
