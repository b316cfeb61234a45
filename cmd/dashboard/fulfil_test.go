package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/bolt"
)

// fulfilStore makes an embedded store in a temp folder holding one paid
// order of a member who wants order mails, and one pending order.
func fulfilStore(t *testing.T) (dir string) {
	t.Helper()
	dir = t.TempDir()
	ctx := context.Background()
	s, err := bolt.Open(filepath.Join(dir, "dashboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now().UTC().Truncate(time.Millisecond)
	err = s.SaveProfile(ctx, dashboard.ProfileChange{
		Profile: &dashboard.Profile{UserID: fulfilMember, Email: "parcel@example.com", DisplayName: "Parcel",
			Settings: map[string]bool{dashboard.SettingEmailNotifications: true}, CreatedAt: &now, UpdatedAt: &now},
		Fields: []string{dashboard.FieldEmail, dashboard.FieldDisplayName, dashboard.FieldDashboardSetting},
	})
	if err != nil {
		t.Fatal(err)
	}
	for id, status := range map[string]dashboard.OrderStatus{fulfilOrder: dashboard.OrderCompleted, fulfilPending: dashboard.OrderPending} {
		created := now.Add(-48 * time.Hour).Truncate(time.Second)
		o := &dashboard.OrderSnapshot{UserID: fulfilMember, StatusAt: created, OrderDetail: dashboard.OrderDetail{
			Order: dashboard.Order{OrderID: id, OrderNumber: dashboard.OrderNumber(id), Status: status, Amount: 8900,
				AmountSubtotal: 8900, Currency: "usd", CreatedAt: created, ItemCount: 1,
				Items: []dashboard.LineItem{{Name: "Hoops", Quantity: 1, UnitPrice: 8900, AmountTotal: 8900, Currency: "usd"}}},
			StripePaymentStatus: "paid", Discounts: []dashboard.Discount{}, UpdatedAt: now,
		}}
		if err := s.PutOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const (
	fulfilMember  = "0123456789abcdef0123456789abcdf0"
	fulfilOrder   = "cs_test_fulfilcli0001"
	fulfilPending = "cs_test_fulfilcli0002"
)

// storedOrder reads an order back from the store the command wrote.
func storedOrder(t *testing.T, dir, id string) *dashboard.OrderSnapshot {
	t.Helper()
	s, err := bolt.Open(filepath.Join(dir, "dashboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	o, err := s.FindOrder(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// outbox returns the mails the local outbox holds.
func outbox(t *testing.T, dir string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "outbox", "*.eml"))
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// TestFulfilCommand records a parcel's journey as the club's tooling would,
// and checks what the order and the member's outbox hold after each step.
func TestFulfilCommand(t *testing.T) {
	dir := fulfilStore(t)
	getenv := env(map[string]string{"JWT_SECRET": "cli"})
	fulfil := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append([]string{"fulfil"}, append(args, "--data", dir)...), getenv, &out, &errOut)
		return out.String(), err
	}

	// The order id first, as the contract writes it.
	out, err := fulfil(fulfilOrder, "--status", "processing", "--at", "2026-11-20T10:00:00Z", "--note", "Packed with care")
	if err != nil {
		t.Fatalf("processing: %v", err)
	}
	if want := dashboard.OrderNumber(fulfilOrder) + " (" + fulfilOrder + "): processing\n"; out != want {
		t.Errorf("processing printed %q, want %q", out, want)
	}
	if n := len(outbox(t, dir)); n != 0 {
		t.Errorf("processing mailed the member (%d mails); only shipped and delivered do", n)
	}

	// Flags first works too.
	const url = "https://www.ups.com/track?tracknum=1Z999AA10123456784"
	out, err = fulfil("--status", "shipped", "--carrier", "UPS", "--tracking", "1Z999AA10123456784", "--tracking-url", url, fulfilOrder)
	if err != nil {
		t.Fatalf("shipped: %v", err)
	}
	for _, want := range []string{": shipped\n", "carrier UPS, tracking 1Z999AA10123456784\n", url + "\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("shipped printed %q, missing %q", out, want)
		}
	}
	o := storedOrder(t, dir, fulfilOrder)
	f := o.Fulfillment
	switch {
	case f == nil || f.Status != dashboard.FulfillmentShipped || o.FulfillmentStatus == nil || *o.FulfillmentStatus != dashboard.FulfillmentShipped:
		t.Fatalf("stored fulfilment %+v, status %v", f, o.FulfillmentStatus)
	case f.Carrier == nil || *f.Carrier != "UPS" || f.TrackingNumber == nil || *f.TrackingNumber != "1Z999AA10123456784" || f.TrackingURL == nil || *f.TrackingURL != url:
		t.Errorf("stored parcel %+v", f)
	case len(f.Events) != 2 || f.Events[0].Status != dashboard.FulfillmentProcessing || f.Events[0].Note != "Packed with care" ||
		!f.Events[0].At.Equal(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)) || f.Events[1].Status != dashboard.FulfillmentShipped:
		t.Errorf("stored timeline %+v", f.Events)
	}
	mails := outbox(t, dir)
	if len(mails) != 1 || !strings.Contains(mails[0], "has shipped") || !strings.Contains(mails[0], "parcel@example.com") {
		t.Errorf("outbox after shipped: %d mails %q", len(mails), mails)
	}

	// Refused events print the reason, exit non-zero and change nothing:
	// not the order, not the outbox.
	before := storedOrder(t, dir, fulfilOrder)
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"http tracking link": {[]string{fulfilOrder, "--status", "delivered", "--tracking-url", "http://www.ups.com/track?tracknum=1"}, "trackingUrl: Must be an https URL"},
		"backwards":          {[]string{fulfilOrder, "--status", "processing"}, "already shipped"},
		"unknown status":     {[]string{fulfilOrder, "--status", "lost"}, "status: Must be processing, shipped, delivered or returned"},
		"unknown order":      {[]string{"cs_test_nosuchorder", "--status", "shipped"}, "cs_test_nosuchorder: No such order"},
		"not an order id":    {[]string{"pi_123", "--status", "shipped"}, "orderId"},
		"unpaid order":       {[]string{fulfilPending, "--status", "shipped"}, "never paid"},
	} {
		out, err := fulfil(tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || out != "" {
			t.Errorf("%s: err %v, printed %q; want an error saying %q and nothing printed", name, err, out, tc.want)
		}
	}
	if after := storedOrder(t, dir, fulfilOrder); !reflect.DeepEqual(after, before) {
		t.Errorf("a refused event changed the order:\n before %+v\n after  %+v", before.Fulfillment, after.Fulfillment)
	}
	if p := storedOrder(t, dir, fulfilPending); p.Fulfillment != nil || p.FulfillmentStatus != nil {
		t.Errorf("the unpaid order got a fulfilment: %+v", p.Fulfillment)
	}
	if n := len(outbox(t, dir)); n != 1 {
		t.Errorf("refused events mailed the member: %d mails, want still 1", n)
	}

	// The same event again is stored once and mails nobody.
	if _, err := fulfil(fulfilOrder, "--status", "shipped", "--carrier", "UPS"); err != nil {
		t.Fatalf("shipped again: %v", err)
	}
	if o := storedOrder(t, dir, fulfilOrder); len(o.Fulfillment.Events) != 2 || o.Version != before.Version {
		t.Errorf("a repeated event was stored: %d events, version %d (was %d)", len(o.Fulfillment.Events), o.Version, before.Version)
	}
	if n := len(outbox(t, dir)); n != 1 {
		t.Errorf("a repeated event mailed the member: %d mails", n)
	}
}

func TestFulfilCommandUsage(t *testing.T) {
	dir := fulfilStore(t)
	getenv := env(map[string]string{"JWT_SECRET": "cli"})
	for name, args := range map[string][]string{
		"no order":   {"fulfil", "--status", "shipped"},
		"no status":  {"fulfil", fulfilOrder},
		"two orders": {"fulfil", fulfilOrder, "--status", "shipped", fulfilPending},
		"bad --at":   {"fulfil", fulfilOrder, "--status", "shipped", "--at", "yesterday"},
		"bad flag":   {"fulfil", fulfilOrder, "--status", "shipped", "--colour", "red"},
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append(args, "--data", dir), getenv, &out, &errOut)
		if err != errUsage || out.Len() != 0 || errOut.Len() == 0 {
			t.Errorf("%s: err %v, stdout %q, stderr %q; want the usage on stderr", name, err, out.String(), errOut.String())
		}
	}
	if o := storedOrder(t, dir, fulfilOrder); o.Fulfillment != nil {
		t.Errorf("a usage error changed the order: %+v", o.Fulfillment)
	}
}
