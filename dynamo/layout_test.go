package dynamo_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/dynamotest"
)

// The stored layout is shared with the earlier deployment: keys and
// attribute names must be exactly the contract's.
func TestOrderLayout(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	user := newID(t)
	created := time.Date(2025, 11, 26, 21, 28, 24, 0, time.UTC)
	snap := putOrder(t, s, user, "cs_test_a1B2", created)
	if snap.Version != 1 {
		t.Fatalf("version after first put = %d, want 1", snap.Version)
	}
	raw, err := s.RawItem(ctx, "USER#"+user, fmt.Sprintf("ORDER#%010d#cs_test_a1B2", created.Unix()))
	if err != nil || raw == nil {
		t.Fatalf("raw order: %v, %v", raw, err)
	}
	for k, want := range map[string]any{
		"GSI2PK": "ORDER#cs_test_a1B2", "userId": user, "orderId": "cs_test_a1B2", "status": "completed",
		"amount": 4200.0, "currency": "usd", "createdAt": "2025-11-26T21:28:24Z", "statusAt": "2025-11-26T21:28:24Z",
		"version": 1.0,
	} {
		if raw[k] != want {
			t.Errorf("%s = %#v, want %#v", k, raw[k], want)
		}
	}
	if items, _ := raw["items"].([]any); len(items) != 1 || items[0].(map[string]any)["unitPrice"] != 4000.0 {
		t.Errorf("items = %#v", raw["items"])
	}

	stale := *snap
	stale.Version = 0
	if err := s.PutOrder(ctx, &stale); dashboard.ErrorCode(err) != dashboard.EPRECONDITION {
		t.Errorf("put over an existing order with version 0: %v", err)
	}
	snap.Status = dashboard.OrderRefunded
	if err := s.PutOrder(ctx, snap); err != nil || snap.Version != 2 {
		t.Fatalf("put with the current version: %v (version %d)", err, snap.Version)
	}
	got, err := s.FindOrder(ctx, "cs_test_a1B2")
	if err != nil || got.UserID != user || got.Status != dashboard.OrderRefunded || got.Version != 2 {
		t.Fatalf("FindOrder = %+v, %v", got, err)
	}
	if _, err := s.GetOrder(ctx, user, "cs_test_a1B2", created.Add(time.Second)); dashboard.ErrorCode(err) != dashboard.ENOTFOUND {
		t.Errorf("GetOrder with another created time: %v, want not found", err)
	}
}

// With the marker, SYNC#NFT and PROFILE all in the first page's range and
// exactly limit orders, there is no empty trailing page.
func TestListOrdersNoEmptyTrailingPage(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	user := newID(t)
	if err := s.SaveProfile(ctx, dashboard.ProfileChange{
		Profile: &dashboard.Profile{UserID: user, DisplayName: "Ada"}, Fields: []string{dashboard.FieldDisplayName},
	}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, k := range []dashboard.SyncKind{dashboard.SyncStripe, dashboard.SyncNFT} {
		if err := s.MarkSynced(ctx, user, k, at); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 4 {
		putOrder(t, s, user, fmt.Sprintf("cs_%d", i), at.Add(time.Duration(i)*time.Minute))
	}
	page, err := s.ListOrders(ctx, user, 4, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Orders) != 4 || page.Next != "" || page.SyncedAt == nil || !page.SyncedAt.Equal(at) {
		t.Fatalf("page: %d orders, next %q, syncedAt %v", len(page.Orders), page.Next, page.SyncedAt)
	}
	if page.Orders[0].OrderID != "cs_3" || page.Orders[3].OrderID != "cs_0" {
		t.Errorf("order: %s … %s, want newest first", page.Orders[0].OrderID, page.Orders[3].OrderID)
	}
	var ids []string
	for after := ""; ; {
		p, err := s.ListOrders(ctx, user, 1, after)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range p.Orders {
			ids = append(ids, o.OrderID)
		}
		if p.Next == "" {
			break
		}
		after = p.Next
	}
	if fmt.Sprint(ids) != "[cs_3 cs_2 cs_1 cs_0]" {
		t.Errorf("paged one by one: %v", ids)
	}
	if _, err := s.ListOrders(ctx, user, 1, "NFT#x"); dashboard.ErrorCode(err) != dashboard.EINVALIDCURSOR {
		t.Errorf("after outside the order range: %v, want %s", err, dashboard.EINVALIDCURSOR)
	}
}

func TestHoldingsLayout(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	user := newID(t)
	at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	h := func(contract, token, coll string) dashboard.Holding {
		return dashboard.Holding{
			TokenID: token, ContractAddress: contract, CollectionID: coll, TokenName: "Babe #" + token,
			Metadata: map[string]any{"rarity": 7}, LastSyncedAt: at,
		}
	}
	set := []dashboard.Holding{
		h("0xABCdef", "1", "babes"), h("0xABCdef", "2", "babes"), h("0x0123", "9", "other"), h("0xABCdef", "3", "babes"),
	}
	diff, err := s.ReplaceHoldings(ctx, user, set, at)
	if err != nil || diff != (dashboard.HoldingDiff{Added: 4}) {
		t.Fatalf("first replace: %+v, %v", diff, err)
	}
	raw, _ := s.RawItem(ctx, "USER#"+user, "NFT#0xabcdef#1")
	// The collection index is sharded: FNV-1a("0xabcdef#1") % 16 is 14.
	if raw == nil || raw["GSI3PK"] != "COLLECTION#babes#14" || raw["contractAddress"] != "0xABCdef" || raw["userId"] != user {
		t.Errorf("raw holding = %v", raw)
	}
	// Same content, later sync: nothing counted; one changed, one gone.
	later := at.Add(time.Hour)
	next := []dashboard.Holding{h("0xABCdef", "1", "babes"), h("0xABCdef", "2", "babes"), h("0xABCdef", "3", "babes")}
	next[1].TokenName = "Renamed"
	for i := range next {
		next[i].LastSyncedAt = later
	}
	diff, err = s.ReplaceHoldings(ctx, user, next, later)
	if err != nil || diff != (dashboard.HoldingDiff{Updated: 1, Removed: 1}) {
		t.Fatalf("second replace: %+v, %v", diff, err)
	}
	if got, _ := s.SyncedAt(ctx, user, dashboard.SyncNFT); got == nil || !got.Equal(later) {
		t.Errorf("SYNC#NFT = %v, want %v", got, later)
	}
	page, err := s.ListHoldings(ctx, user, "babes", 2, "")
	if err != nil || len(page.Holdings) != 2 || page.Next != "NFT#0xabcdef#2" {
		t.Fatalf("first holdings page: %+v, %v", page, err)
	}
	// Token 1 did not change, so it was not written: it keeps the time it
	// was stored with (the marker has the later sync).
	if !page.Holdings[0].LastSyncedAt.Equal(at) || page.Holdings[0].Metadata["rarity"] != 7.0 {
		t.Errorf("holding read back: %+v", page.Holdings[0])
	}
	page, err = s.ListHoldings(ctx, user, "babes", 2, page.Next)
	if err != nil || len(page.Holdings) != 1 || page.Next != "" || page.Holdings[0].TokenID != "3" {
		t.Fatalf("second holdings page: %+v, %v", page, err)
	}
	if page, _ := s.ListHoldings(ctx, user, "other", 10, ""); len(page.Holdings) != 0 {
		t.Errorf("removed collection still listed: %+v", page)
	}
}

func TestSyncLayout(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	at := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	if err := s.MarkEventProcessed(ctx, "evt_1", at); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkEventProcessed(ctx, "evt_1", at); err != nil {
		t.Fatalf("marking an event twice: %v", err)
	}
	raw, _ := s.RawItem(ctx, "EVENT#evt_1", "METADATA")
	if raw["expiresAt"] != float64(at.Add(90*24*time.Hour).Unix()) {
		t.Errorf("expiresAt = %#v", raw["expiresAt"])
	}
	if ok, err := s.EventProcessed(ctx, "evt_1"); !ok || err != nil {
		t.Errorf("EventProcessed(evt_1) = %v, %v", ok, err)
	}
	if ok, err := s.EventProcessed(ctx, "evt_2"); ok || err != nil {
		t.Errorf("EventProcessed(evt_2) = %v, %v", ok, err)
	}
	if w, err := s.Watermark(ctx, "STRIPE_ORDER_SYNC"); err != nil || !w.IsZero() {
		t.Errorf("unset watermark = %v, %v", w, err)
	}
	if err := s.SetWatermark(ctx, "STRIPE_ORDER_SYNC", at); err != nil {
		t.Fatal(err)
	}
	raw, _ = s.RawItem(ctx, "SYSTEM", "STRIPE_ORDER_SYNC")
	if raw["watermark"] != "2025-03-04T05:06:07Z" {
		t.Errorf("watermark item = %v", raw)
	}
}

// The checkout email items are read by other tooling: keys and attribute
// names must be exactly CONTRACT §6's and issue 12's.
func TestCheckoutEmailLayout(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	user := newID(t)
	email := "Guest." + user[:8] + "@Example.com"
	lowered := "guest." + user[:8] + "@example.com"
	added := time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC)
	if err := s.AddCheckoutEmail(ctx, dashboard.CheckoutEmail{UserID: user, Email: email, AddedAt: added}); err != nil {
		t.Fatal(err)
	}
	member, err := s.RawItem(ctx, "USER#"+user, "CHECKOUTEMAIL#"+lowered)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"PK": "USER#" + user, "SK": "CHECKOUTEMAIL#" + lowered, "userId": user, "email": email,
		"addedAt": "2025-05-06T07:08:09Z",
	}
	if !reflect.DeepEqual(member, want) {
		t.Errorf("pending member item = %v, want %v", member, want)
	}

	verified := added.Add(90 * time.Second)
	if err := s.VerifyCheckoutEmail(ctx, user, lowered, verified); err != nil {
		t.Fatal(err)
	}
	member, _ = s.RawItem(ctx, "USER#"+user, "CHECKOUTEMAIL#"+lowered)
	want["verifiedAt"] = "2025-05-06T07:09:39Z"
	if !reflect.DeepEqual(member, want) {
		t.Errorf("verified member item = %v, want %v", member, want)
	}
	lookup, _ := s.RawItem(ctx, "CHECKOUTEMAIL#"+lowered, "LOOKUP")
	wantLookup := map[string]any{
		"PK": "CHECKOUTEMAIL#" + lowered, "SK": "LOOKUP", "userId": user, "email": email,
		"verifiedAt": "2025-05-06T07:09:39Z",
	}
	if !reflect.DeepEqual(lookup, wantLookup) {
		t.Errorf("lookup item = %v, want %v", lookup, wantLookup)
	}
}

func TestOrderFulfillmentLayout(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	user := newID(t)
	created := time.Date(2025, 11, 26, 21, 28, 24, 0, time.UTC)
	snap := putOrder(t, s, user, "cs_test_f1", created)
	shipped := dashboard.FulfillmentShipped
	snap.FulfillmentStatus = &shipped
	carrier, tracking, url := "UPS", "1Z999", "https://track.example/1Z999"
	snap.Fulfillment = &dashboard.Fulfillment{
		Status: shipped, Carrier: &carrier, TrackingNumber: &tracking, TrackingURL: &url,
		Events: []dashboard.FulfillmentStep{
			{Status: dashboard.FulfillmentProcessing, At: created.Add(time.Hour), Note: "Packed"},
			{Status: shipped, At: created.Add(25*time.Hour + 1500*time.Microsecond)},
		},
	}
	if err := s.PutOrder(ctx, snap); err != nil {
		t.Fatal(err)
	}
	raw, err := s.RawItem(ctx, "USER#"+user, fmt.Sprintf("ORDER#%010d#cs_test_f1", created.Unix()))
	if err != nil {
		t.Fatal(err)
	}
	if raw["fulfillmentStatus"] != "shipped" {
		t.Errorf("fulfillmentStatus = %#v", raw["fulfillmentStatus"])
	}
	want := map[string]any{
		"status": "shipped", "carrier": "UPS", "trackingNumber": "1Z999", "trackingUrl": "https://track.example/1Z999",
		"events": []any{
			map[string]any{"status": "processing", "at": "2025-11-26T22:28:24Z", "note": "Packed"},
			map[string]any{"status": "shipped", "at": "2025-11-27T22:28:24.001Z"},
		},
	}
	if !reflect.DeepEqual(raw["fulfillment"], want) {
		t.Errorf("fulfillment = %#v\nwant %#v", raw["fulfillment"], want)
	}
}

// The wallet items (CONTRACT §6, §10) are read by other tooling: keys and
// attribute names must be exactly the contract's.
func TestMemberWalletLayout(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	user := newID(t)
	const wallet = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
	const lowered = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"
	added := time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC)
	if err := s.AddWallet(ctx, dashboard.MemberWallet{UserID: user, Address: wallet, AddedAt: added}); err != nil {
		t.Fatal(err)
	}
	if err := s.VerifyWallet(ctx, user, lowered, dashboard.WalletContract, added.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		pk, sk string
		want   map[string]any
	}{
		{"USER#" + user, "WALLET#" + lowered, map[string]any{
			"PK": "USER#" + user, "SK": "WALLET#" + lowered, "userId": user, "address": wallet, "kind": "contract",
			"addedAt": "2025-05-06T07:08:09Z", "verifiedAt": "2025-05-06T07:09:09Z",
		}},
		{"WALLET#" + lowered, "USER#" + user, map[string]any{
			"PK": "WALLET#" + lowered, "SK": "USER#" + user, "userId": user, "address": wallet,
			"verifiedAt": "2025-05-06T07:09:09Z", "GSI1PK": "WALLETS#d", // the address's last digit
		}},
		{"WALLET#" + lowered, "VERIFIED", map[string]any{
			"PK": "WALLET#" + lowered, "SK": "VERIFIED", "userId": user, "verifiedAt": "2025-05-06T07:09:09Z",
		}},
	} {
		got, err := s.RawItem(ctx, c.pk, c.sk)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s/%s = %v\nwant %v", c.pk, c.sk, got, c.want)
		}
	}
}

// A member's WALLET# items sort after SYNC#STRIPE, so they stay out of the
// orders' first-page range (ORDER#..SYNC#STRIPE) and of the holdings'
// (NFT#), and their range stays clear of the WALLET_CHALLENGE# items.
func TestWalletKeysStayInTheirRange(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	user := newID(t)
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := s.SaveProfile(ctx, dashboard.ProfileChange{
		Profile: &dashboard.Profile{UserID: user, DisplayName: "Ada"}, Fields: []string{dashboard.FieldDisplayName},
	}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []dashboard.SyncKind{dashboard.SyncStripe, dashboard.SyncNFT} {
		if err := s.MarkSynced(ctx, user, k, at); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 4 {
		putOrder(t, s, user, fmt.Sprintf("cs_w%d", i), at.Add(time.Duration(i)*time.Minute))
	}
	for i := range dashboard.MaxWallets {
		w := fmt.Sprintf("0x%040x", i+1)
		if err := s.AddWallet(ctx, dashboard.MemberWallet{UserID: user, Address: w, AddedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveWalletChallenge(ctx, dashboard.WalletChallenge{
		UserID: user, Nonce: "n1", Wallet: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", IssuedAt: at, ExpiresAt: at.Add(10 * time.Minute),
	}); err != nil {
		t.Fatal(err)
	}
	page, err := s.ListOrders(ctx, user, 4, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Orders) != 4 || page.Next != "" || page.SyncedAt == nil {
		t.Errorf("orders page beside wallets = %d orders, next %q, syncedAt %v; want 4, none, set", len(page.Orders), page.Next, page.SyncedAt)
	}
	if h, err := s.ListHoldings(ctx, user, "", 10, ""); err != nil || len(h.Holdings) != 0 {
		t.Errorf("holdings beside wallets = %+v, %v", h, err)
	}
	ws, err := s.Wallets(ctx, user)
	if err != nil || len(ws) != dashboard.MaxWallets {
		t.Fatalf("Wallets = %+v, %v; want %d", ws, err, dashboard.MaxWallets)
	}
	for _, w := range ws {
		if !strings.HasPrefix(w.Address, "0x000") {
			t.Errorf("listed as a wallet: %+v", w)
		}
	}
}

// TestWalletIndexNeverScans holds the wallet paths to Queries and
// transactions (CONTRACT §10: no request, webhook or job scans the
// table): WalletMembers is exactly one Query, and none of the wallet
// methods, RemoveWallet's holdings included, ever Scans.
func TestWalletIndexNeverScans(t *testing.T) {
	var calls dynamotest.Counter
	s := newStore(t, calls.Option())
	ctx := t.Context()
	a, b := newID(t), newID(t)
	const wallet = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
	const other = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, id := range []string{a, b} {
		if err := s.SaveProfile(ctx, dashboard.ProfileChange{
			Profile: &dashboard.Profile{UserID: id, DisplayName: "Ada"}, Fields: []string{dashboard.FieldDisplayName},
		}); err != nil {
			t.Fatal(err)
		}
	}
	var holdings []dashboard.Holding
	for i := range 30 {
		w := wallet
		if i%3 == 0 {
			w = other
		}
		holdings = append(holdings, dashboard.Holding{
			TokenID: fmt.Sprint(i), ContractAddress: "0xABCdef", CollectionID: "babes", LastSyncedAt: at, Wallet: w,
		})
	}
	if _, err := s.ReplaceHoldings(ctx, a, holdings, at); err != nil {
		t.Fatal(err)
	}

	calls.Reset()
	for _, id := range []string{a, b} {
		for _, w := range []string{wallet, other} {
			if err := s.AddWallet(ctx, dashboard.MemberWallet{UserID: id, Address: w, AddedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.VerifyWallet(ctx, a, wallet, dashboard.WalletEOA, at); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Wallets(ctx, a); err != nil {
		t.Fatal(err)
	}
	if n := calls.Count("Scan"); n != 0 {
		t.Errorf("AddWallet, VerifyWallet and Wallets made %d Scans (calls %v)", n, calls.Calls())
	}
	calls.Reset()
	ids, err := s.WalletMembers(ctx, wallet)
	if err != nil || len(ids) != 2 {
		t.Fatalf("WalletMembers = %v, %v", ids, err)
	}
	if got := calls.Calls(); fmt.Sprint(got) != "map[Query:1]" {
		t.Errorf("WalletMembers made %v, want one Query", got)
	}
	calls.Reset()
	if err := s.RemoveWallet(ctx, a, wallet); err != nil {
		t.Fatal(err)
	}
	if n := calls.Count("Scan"); n != 0 {
		t.Errorf("RemoveWallet made %d Scans (calls %v)", n, calls.Calls())
	}
	if calls.Count("Query") != 1 || calls.Count("BatchWriteItem") != 1 {
		t.Errorf("RemoveWallet made %v, want one Query of the holdings and one batch of 20 deletes", calls.Calls())
	}
	page, err := s.ListHoldings(ctx, a, "", 100, "")
	if err != nil || len(page.Holdings) != 10 {
		t.Fatalf("holdings left = %d, %v; want the other wallet's 10", len(page.Holdings), err)
	}

	// The counter does see a Scan: the one-off migrations' EachProfile.
	calls.Reset()
	if err := s.EachProfile(ctx, func(*dashboard.Profile) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if calls.Count("Scan") == 0 {
		t.Fatal("the counter saw no Scan from EachProfile: it cannot catch one")
	}
}
