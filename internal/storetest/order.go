package storetest

import (
	"fmt"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

var orderTests = []namedTest{
	{"PutCreatesAndVersions", testPutOrderVersions},
	{"GetAndFind", testGetAndFindOrder},
	{"ListPaginates", testListOrdersPaginates},
	{"ListEmpty", testListOrdersEmpty},
	{"FulfillmentRoundTrip", testOrderFulfillment},
}

// newOrder returns a complete order snapshot of userID created at created.
func newOrder(t *testing.T, userID string, created time.Time) *dashboard.OrderSnapshot {
	id := "cs_test_" + newID(t)
	completed := created.Add(90 * time.Second)
	return &dashboard.OrderSnapshot{
		UserID: userID,
		OrderDetail: dashboard.OrderDetail{
			Order: dashboard.Order{
				OrderID: id, OrderNumber: dashboard.OrderNumber(id), Status: dashboard.OrderCompleted,
				Amount: 15400, AmountSubtotal: 14400, Currency: "usd", CreatedAt: created, CompletedAt: &completed,
				ItemCount: 2,
				Items: []dashboard.LineItem{
					{Name: "Pearl Drop Earrings", Quantity: 1, UnitPrice: 6400, AmountTotal: 6400, Currency: "usd", SKU: "BC-PEARL-01", StripePriceID: "price_1"},
					{Name: "Charm Anklet", Quantity: 2, UnitPrice: 4000, AmountTotal: 8000, Currency: "usd", ImageURL: "https://img.example/a.png"},
				},
				CustomerEmail: ptr("ann@example.com"),
				ShippingAddress: &dashboard.Address{Name: "Ann", Line1: "1 Sparkle Street", City: "Los Angeles",
					State: "CA", PostalCode: "90001", Country: "US"},
			},
			StripePaymentIntentID: ptr("pi_" + newID(t)[:16]), StripePaymentStatus: "paid",
			Discounts:      []dashboard.Discount{{Code: "WELCOME", Name: "Welcome", Amount: 1000}},
			AmountRefunded: 0, ReceiptURL: ptr("https://pay.stripe.com/receipts/x"), UpdatedAt: created.Add(time.Hour),
		},
		StatusAt: completed,
	}
}

// normOrder is snap as a store returns it: times in UTC milliseconds
// (the fulfilment steps' too), empty lists as nil, no stale flag.
func normOrder(snap dashboard.OrderSnapshot) dashboard.OrderSnapshot {
	snap.CreatedAt, snap.UpdatedAt, snap.StatusAt = ms(snap.CreatedAt), ms(snap.UpdatedAt), ms(snap.StatusAt)
	snap.CompletedAt = msPtr(snap.CompletedAt)
	if len(snap.Items) == 0 {
		snap.Items = nil
	}
	if len(snap.Discounts) == 0 {
		snap.Discounts = nil
	}
	snap.Stale = false
	if f := snap.Fulfillment; f != nil {
		c := *f
		c.Events = make([]dashboard.FulfillmentStep, len(f.Events))
		for i, e := range f.Events {
			e.At = ms(e.At)
			c.Events[i] = e
		}
		snap.Fulfillment = &c
	}
	return snap
}

// orderSK is the contract's sort key of an order.
func orderSK(o *dashboard.OrderSnapshot) string {
	return fmt.Sprintf("ORDER#%010d#%s", o.CreatedAt.Unix(), o.OrderID)
}

// putOrder stores o, failing the test on error.
func putOrder(t *testing.T, s RawStore, o *dashboard.OrderSnapshot) {
	t.Helper()
	must(t, s.PutOrder(t.Context(), o), "PutOrder "+o.OrderID)
}

func testPutOrderVersions(t *testing.T, s RawStore) {
	user := newID(t)
	o := newOrder(t, user, baseTime)
	putOrder(t, s, o)
	if o.Version != 1 {
		t.Fatalf("Version after the first PutOrder = %d, want 1", o.Version)
	}
	pk, sk := "USER#"+user, orderSK(o)
	item := raw(t, s, pk, sk)
	if item == nil {
		t.Fatalf("no item at %s/%s", pk, sk)
	}
	if item["GSI2PK"] != "ORDER#"+o.OrderID || item["userId"] != user || item["version"] != float64(1) ||
		item["orderId"] != o.OrderID || item["status"] != "completed" || item["amount"] != float64(15400) {
		t.Errorf("stored order = %v", item)
	}
	checkStoredTime(t, item, "createdAt", baseTime)
	checkStoredTime(t, item, "statusAt", *o.CompletedAt)

	// Creating it again, or writing from a stale read, changes nothing.
	before := item
	stale := *o
	stale.Version = 0
	stale.Status = dashboard.OrderExpired
	wantCode(t, s.PutOrder(t.Context(), &stale), dashboard.EPRECONDITION, "PutOrder version 0 over a stored order")
	unchanged(t, s, pk, sk, before, "a PutOrder that lost")
	if stale.Version != 0 {
		t.Errorf("a failed PutOrder changed Version to %d", stale.Version)
	}

	next := *o
	next.Status, next.StatusAt, next.AmountRefunded = dashboard.OrderRefunded, baseTime.Add(48*time.Hour), 15400
	putOrder(t, s, &next)
	if next.Version != 2 {
		t.Errorf("Version after the second PutOrder = %d, want 2", next.Version)
	}
	before = raw(t, s, pk, sk)
	stale = *o // still Version 1
	stale.Status = dashboard.OrderPending
	wantCode(t, s.PutOrder(t.Context(), &stale), dashboard.EPRECONDITION, "PutOrder with a stale Version")
	unchanged(t, s, pk, sk, before, "a PutOrder with a stale Version")
	ahead := next
	ahead.Version = 5
	wantCode(t, s.PutOrder(t.Context(), &ahead), dashboard.EPRECONDITION, "PutOrder with a Version ahead of the store")

	got, err := s.GetOrder(t.Context(), user, o.OrderID, o.CreatedAt)
	must(t, err, "GetOrder")
	jsonEqual(t, "order after two writes", normOrder(*got), normOrder(next))
}

func testGetAndFindOrder(t *testing.T, s RawStore) {
	user := newID(t)
	o := newOrder(t, user, baseTime)
	o.CompletedAt, o.CustomerEmail, o.ShippingAddress, o.StripePaymentIntentID, o.ReceiptURL = nil, nil, nil, nil, nil
	o.Status = dashboard.OrderPending
	putOrder(t, s, o)

	got, err := s.GetOrder(t.Context(), user, o.OrderID, o.CreatedAt)
	must(t, err, "GetOrder")
	jsonEqual(t, "GetOrder", normOrder(*got), normOrder(*o))
	checkTime(t, "createdAt", &got.CreatedAt, baseTime)

	found, err := s.FindOrder(t.Context(), o.OrderID)
	must(t, err, "FindOrder")
	if found.UserID != user {
		t.Errorf("FindOrder owner = %q, want %q", found.UserID, user)
	}
	jsonEqual(t, "FindOrder", normOrder(*found), normOrder(*o))

	_, err = s.GetOrder(t.Context(), newID(t), o.OrderID, o.CreatedAt)
	wantCode(t, err, dashboard.ENOTFOUND, "GetOrder as another member")
	_, err = s.GetOrder(t.Context(), user, o.OrderID, o.CreatedAt.Add(time.Hour))
	wantCode(t, err, dashboard.ENOTFOUND, "GetOrder with another created time")
	_, err = s.GetOrder(t.Context(), user, "cs_test_"+newID(t), o.CreatedAt)
	wantCode(t, err, dashboard.ENOTFOUND, "GetOrder(unknown)")
	_, err = s.FindOrder(t.Context(), "cs_test_"+newID(t))
	wantCode(t, err, dashboard.ENOTFOUND, "FindOrder(unknown)")
}

func testListOrdersPaginates(t *testing.T, s RawStore) {
	const total, limit = 45, 20
	user, stranger := newID(t), newID(t)
	want := map[string]bool{}
	for i := range total {
		o := newOrder(t, user, baseTime.Add(-time.Duration(i)*97*time.Minute))
		putOrder(t, s, o)
		want[o.OrderID] = true
	}
	for i := range 3 {
		putOrder(t, s, newOrder(t, stranger, baseTime.Add(time.Duration(i)*time.Minute)))
	}
	synced := baseTime.Add(5 * time.Minute)
	must(t, s.MarkSynced(t.Context(), user, dashboard.SyncStripe, synced), "MarkSynced")

	seen := map[string]bool{}
	var last time.Time
	after := ""
	for page := 1; ; page++ {
		if page > 3 {
			t.Fatalf("more than 3 pages of %d orders at limit %d", total, limit)
		}
		got, err := s.ListOrders(t.Context(), user, limit, after)
		must(t, err, fmt.Sprintf("ListOrders page %d", page))
		wantLen := limit
		if page == 3 {
			wantLen = total - 2*limit
		}
		if len(got.Orders) != wantLen {
			t.Errorf("page %d has %d orders, want %d", page, len(got.Orders), wantLen)
		}
		if page == 1 {
			checkTime(t, "SyncedAt on the first page", got.SyncedAt, synced)
		} else if got.SyncedAt != nil {
			t.Errorf("page %d SyncedAt = %v, want nil after the first page", page, got.SyncedAt)
		}
		for _, o := range got.Orders {
			if o.UserID != user || !want[o.OrderID] {
				t.Fatalf("page %d lists order %s of %q", page, o.OrderID, o.UserID)
			}
			if seen[o.OrderID] {
				t.Errorf("order %s listed twice", o.OrderID)
			}
			seen[o.OrderID] = true
			if !last.IsZero() && o.CreatedAt.After(last) {
				t.Errorf("order %s (%s) after an older one: not newest first", o.OrderID, o.CreatedAt)
			}
			last = o.CreatedAt
		}
		if got.Next == "" {
			if page != 3 {
				t.Errorf("listing ended after page %d, want 3", page)
			}
			break
		}
		after = got.Next
	}
	if len(seen) != total {
		t.Errorf("listed %d orders, want %d", len(seen), total)
	}
}

func testListOrdersEmpty(t *testing.T, s RawStore) {
	user := newID(t)
	putOrder(t, s, newOrder(t, newID(t), baseTime))
	got, err := s.ListOrders(t.Context(), user, 20, "")
	must(t, err, "ListOrders")
	if len(got.Orders) != 0 || got.Next != "" || got.SyncedAt != nil {
		t.Errorf("ListOrders of a member without orders = %+v", got)
	}
}

// withFulfillment returns a copy of o shipped with a two-step timeline
// whose times are in another zone with sub-millisecond digits.
func withFulfillment(o dashboard.OrderSnapshot) *dashboard.OrderSnapshot {
	shipped := dashboard.FulfillmentShipped
	o.FulfillmentStatus = &shipped
	o.Fulfillment = &dashboard.Fulfillment{
		Status: shipped, Carrier: ptr("UPS"), TrackingNumber: ptr("1Z999AA10123456784"),
		TrackingURL: ptr("https://www.ups.com/track?tracknum=1Z999AA10123456784"),
		Events: []dashboard.FulfillmentStep{
			{Status: dashboard.FulfillmentProcessing, At: baseTime.Add(2 * time.Hour), Note: "Packed with care"},
			{Status: shipped, At: baseTime.Add(26 * time.Hour)},
		},
	}
	return &o
}

func testOrderFulfillment(t *testing.T, s RawStore) {
	user := newID(t)
	o := newOrder(t, user, baseTime)
	putOrder(t, s, o)
	pk, sk := "USER#"+user, orderSK(o)
	item := raw(t, s, pk, sk)
	for _, attr := range []string{"fulfillment", "fulfillmentStatus"} {
		if v, ok := item[attr]; ok {
			t.Errorf("an order without fulfilment stores %s = %v, want no attribute", attr, v)
		}
	}
	got, err := s.GetOrder(t.Context(), user, o.OrderID, o.CreatedAt)
	must(t, err, "GetOrder")
	if got.Fulfillment != nil || got.FulfillmentStatus != nil {
		t.Errorf("order without fulfilment reads back %v / %v", got.Fulfillment, got.FulfillmentStatus)
	}

	next := withFulfillment(*o)
	putOrder(t, s, next)
	want := normOrder(*next)
	got, err = s.GetOrder(t.Context(), user, o.OrderID, o.CreatedAt)
	must(t, err, "GetOrder")
	jsonEqual(t, "GetOrder with fulfilment", normOrder(*got), want)
	checkTime(t, "first step at", &got.Fulfillment.Events[0].At, baseTime.Add(2*time.Hour))
	found, err := s.FindOrder(t.Context(), o.OrderID)
	must(t, err, "FindOrder")
	jsonEqual(t, "FindOrder with fulfilment", normOrder(*found), want)
	page, err := s.ListOrders(t.Context(), user, 10, "")
	must(t, err, "ListOrders")
	if len(page.Orders) != 1 {
		t.Fatalf("ListOrders = %d orders, want 1", len(page.Orders))
	}
	jsonEqual(t, "ListOrders with fulfilment", normOrder(page.Orders[0]), want)

	// What a reader does with the returned order never reaches the store.
	found.Fulfillment.Events[0].Note = "changed by a caller"
	*found.Fulfillment.Carrier = "changed"
	*found.FulfillmentStatus = dashboard.FulfillmentReturned
	again, err := s.FindOrder(t.Context(), o.OrderID)
	must(t, err, "FindOrder again")
	jsonEqual(t, "FindOrder after a caller changed its copy", normOrder(*again), want)

	// The stored layout: a map with the contract's names, times as
	// RFC 3339 strings in UTC, absent optional values absent.
	item = raw(t, s, pk, sk)
	if item["fulfillmentStatus"] != "shipped" {
		t.Errorf("stored fulfillmentStatus = %#v, want \"shipped\"", item["fulfillmentStatus"])
	}
	f, _ := item["fulfillment"].(map[string]any)
	if f["status"] != "shipped" || f["carrier"] != "UPS" || f["trackingNumber"] != "1Z999AA10123456784" ||
		f["trackingUrl"] != "https://www.ups.com/track?tracknum=1Z999AA10123456784" {
		t.Errorf("stored fulfillment = %#v", item["fulfillment"])
	}
	events, _ := f["events"].([]any)
	if len(events) != 2 {
		t.Fatalf("stored events = %#v, want 2", f["events"])
	}
	first, _ := events[0].(map[string]any)
	second, _ := events[1].(map[string]any)
	if first["status"] != "processing" || first["note"] != "Packed with care" || second["status"] != "shipped" {
		t.Errorf("stored events = %#v", events)
	}
	if _, ok := second["note"]; ok {
		t.Errorf("a step without a note stores note = %#v", second["note"])
	}
	checkStoredTime(t, first, "at", baseTime.Add(2*time.Hour))
	checkStoredTime(t, second, "at", baseTime.Add(26*time.Hour))

	// Only a status, no carrier or tracking yet: they read back nil.
	bare := *got
	processing := dashboard.FulfillmentProcessing
	bare.FulfillmentStatus = &processing
	bare.Fulfillment = &dashboard.Fulfillment{Status: processing,
		Events: []dashboard.FulfillmentStep{{Status: processing, At: baseTime.Add(time.Hour)}}}
	putOrder(t, s, &bare)
	got, err = s.GetOrder(t.Context(), user, o.OrderID, o.CreatedAt)
	must(t, err, "GetOrder")
	jsonEqual(t, "GetOrder with a bare timeline", normOrder(*got), normOrder(bare))
	f, _ = raw(t, s, pk, sk)["fulfillment"].(map[string]any)
	for _, attr := range []string{"carrier", "trackingNumber", "trackingUrl"} {
		if v, ok := f[attr]; ok {
			t.Errorf("stored fulfillment carries %s = %#v, want no attribute", attr, v)
		}
	}

	// Writing it without fulfilment removes both attributes.
	cleared := *got
	cleared.Fulfillment, cleared.FulfillmentStatus = nil, nil
	putOrder(t, s, &cleared)
	item = raw(t, s, pk, sk)
	for _, attr := range []string{"fulfillment", "fulfillmentStatus"} {
		if v, ok := item[attr]; ok {
			t.Errorf("after clearing, the order stores %s = %v", attr, v)
		}
	}
}
