package storetest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// SeedStore is a store with a bulk load, as `dashboard seed` uses it.
type SeedStore interface {
	RawStore
	dashboard.Seeder
}

// SeedLayout holds a store's bulk load (dashboard.Seeder) to the layout of
// its own writes: one member written through the product's methods into
// written (SaveProfile, AddWallet, VerifyWallet, PutOrder, ReplaceHoldings,
// MarkSynced) and the same member bulk-loaded into seeded must leave the
// same items, attribute for attribute, and the same answers from every
// index (email lookup, Stripe customer, order id, collection, wallet
// shards). Both stores must be fresh.
func SeedLayout(t *testing.T, written RawStore, seeded SeedStore) {
	ctx := context.Background()
	const id = "5eed5eed5eed5eed5eed5eed5eed5eed"
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	created, updated := at("2024-02-03T04:05:06.789Z"), at("2025-06-07T08:09:10.111Z")
	primary, second, third := "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB"
	verified, proved := at("2025-01-02T03:04:05.006Z"), at("2025-03-04T05:06:07.008Z")
	addr := &dashboard.Address{Name: "Ann Seed", Line1: "1 Rose Ave", Line2: "Apt 2", City: "Austin", State: "TX", PostalCode: "78701", Country: "US"}
	p := dashboard.Profile{
		UserID: id, Email: "Ann.Seed@Example.com", DisplayName: "Ann Seed", Phone: ptr("+15550100"),
		ShippingAddress: addr, BillingAddress: &dashboard.Address{Line1: "2 Main St", City: "Austin", State: "TX", PostalCode: "78702", Country: "US"},
		PreferredWallet: ptr(primary), AvatarURL: ptr("https://cdn.example/a.jpg"), StripeCustomerID: ptr("cus_seedlayout01"),
		Settings: map[string]bool{dashboard.SettingEmailNotifications: false}, WalletVerifiedAt: &verified,
		CreatedAt: &created, UpdatedAt: &updated,
	}
	wallets := []dashboard.MemberWallet{
		{UserID: id, Address: primary, Kind: dashboard.WalletEOA, AddedAt: created.Add(time.Hour), VerifiedAt: &verified},
		{UserID: id, Address: second, Kind: dashboard.WalletContract, AddedAt: created.Add(2 * time.Hour), VerifiedAt: &proved},
		{UserID: id, Address: third, Kind: dashboard.WalletEOA, AddedAt: created.Add(3 * time.Hour)},
	}
	placed, paid := at("2025-04-05T06:07:08Z"), at("2025-04-05T06:09:00Z")
	shipped := at("2025-04-06T10:00:00Z")
	order := dashboard.OrderSnapshot{UserID: id, StatusAt: paid, OrderDetail: dashboard.OrderDetail{
		Order: dashboard.Order{
			OrderID: "cs_live_seedlayout0000000000001", OrderNumber: "BC-00000001", Status: dashboard.OrderCompleted,
			Amount: 6399, AmountSubtotal: 7000, Currency: "usd", CreatedAt: placed, CompletedAt: &paid, ItemCount: 2,
			Items:         []dashboard.LineItem{{Name: "Tee", Quantity: 2, UnitPrice: 3500, AmountTotal: 7000, Currency: "usd", SKU: "TEE", ImageURL: "https://cdn.example/t.jpg", StripePriceID: "price_1", StripeProductID: "prod_1"}},
			CustomerEmail: ptr(p.Email), ShippingAddress: addr, FulfillmentStatus: ptr(dashboard.FulfillmentShipped),
		},
		StripePaymentIntentID: ptr("pi_seed"), StripePaymentStatus: "paid", CustomerPhone: ptr("+15550100"),
		Discounts: []dashboard.Discount{{Code: "BABES10", Name: "10% off", Amount: 700}}, ReceiptURL: ptr("https://pay.stripe.com/r/1"),
		UpdatedAt:   paid,
		Fulfillment: &dashboard.Fulfillment{Status: dashboard.FulfillmentShipped, Carrier: ptr("UPS"), TrackingNumber: ptr("1Z"), TrackingURL: ptr("https://track.example/1Z"), Events: []dashboard.FulfillmentStep{{Status: dashboard.FulfillmentShipped, At: shipped}}},
	}}
	synced := at("2025-06-07T00:00:00Z")
	holding := dashboard.Holding{
		TokenID: "42", ContractAddress: "0x1111111111111111111111111111111111111111", CollectionID: "babes-club",
		TokenName: "Babes Club #42", ThumbnailURL: "https://img.example/42.png", ImageURL: "https://img.example/42.png",
		Metadata:     map[string]any{"tokenStandard": "erc721", "traits": []any{map[string]any{"trait_type": "Hair", "value": "Bob"}}},
		LastSyncedAt: synced, Wallet: primary,
	}

	// The product's own writes.
	change := dashboard.ProfileChange{Profile: clone(p), Fields: []string{
		dashboard.FieldEmail, dashboard.FieldDisplayName, dashboard.FieldPhone, dashboard.FieldShippingAddress,
		dashboard.FieldBillingAddress, dashboard.FieldPreferredWallet, dashboard.FieldAvatarURL, dashboard.FieldDashboardSetting,
		dashboard.FieldStripeCustomerID, dashboard.FieldWalletVerifiedAt,
	}}
	must(t, written.SaveProfile(ctx, change), "SaveProfile")
	for _, w := range wallets {
		must(t, written.AddWallet(ctx, w), "AddWallet")
		if w.VerifiedAt != nil {
			must(t, written.VerifyWallet(ctx, id, w.Address, w.Kind, *w.VerifiedAt), "VerifyWallet")
		}
	}
	o := order
	must(t, written.PutOrder(ctx, &o), "PutOrder")
	_, err := written.ReplaceHoldings(ctx, id, []dashboard.Holding{holding}, synced)
	must(t, err, "ReplaceHoldings")
	must(t, written.MarkSynced(ctx, id, dashboard.SyncStripe, synced), "MarkSynced")

	// The same member, bulk-loaded.
	must(t, seeded.Seed(ctx, dashboard.SeedBatch{
		Profiles: []dashboard.Profile{p}, Wallets: wallets, Orders: []dashboard.OrderSnapshot{order},
		Holdings: []dashboard.Holder{{UserID: id, Holding: holding}},
		Synced:   []dashboard.SyncMark{{UserID: id, Kind: dashboard.SyncStripe, At: synced}, {UserID: id, Kind: dashboard.SyncNFT, At: synced}},
	}), "Seed")

	keys := [][2]string{
		{"USER#" + id, "PROFILE"}, {"EMAIL#ann.seed@example.com", "LOOKUP"},
		{"USER#" + id, "SYNC#STRIPE"}, {"USER#" + id, "SYNC#NFT"},
	}
	for _, w := range wallets {
		a := "WALLET#" + strings.ToLower(w.Address)
		keys = append(keys, [2]string{"USER#" + id, a}, [2]string{a, "USER#" + id}, [2]string{a, "VERIFIED"})
	}
	// The order and the holding, under the keys of CONTRACT §6.
	keys = append(keys,
		[2]string{"USER#" + id, fmt.Sprintf("ORDER#%010d#%s", placed.Unix(), order.OrderID)},
		[2]string{"USER#" + id, "NFT#" + holding.ContractAddress + "#" + holding.TokenID})
	for _, k := range keys {
		want, err := written.RawItem(ctx, k[0], k[1])
		must(t, err, "RawItem")
		got, err := seeded.RawItem(ctx, k[0], k[1])
		must(t, err, "RawItem")
		if !reflect.DeepEqual(got, want) {
			t.Errorf("item %s / %s:\nseeded  %v\nwritten %v", k[0], k[1], got, want)
		}
	}

	// Every index answers alike.
	for _, s := range []struct {
		name  string
		store RawStore
	}{{"written", written}, {"seeded", seeded}} {
		if got, err := s.store.UserIDByEmail(ctx, "ann.seed@example.com"); err != nil || got != id {
			t.Errorf("%s: UserIDByEmail = %q, %v", s.name, got, err)
		}
		if got, err := s.store.UserIDByStripeCustomer(ctx, "cus_seedlayout01"); err != nil || got != id {
			t.Errorf("%s: UserIDByStripeCustomer = %q, %v", s.name, got, err)
		}
		var customers []string
		must(t, s.store.EachStripeMember(ctx, func(userID, customerID string) error {
			if userID == id {
				customers = append(customers, customerID)
			}
			return nil
		}), "EachStripeMember")
		if !reflect.DeepEqual(customers, []string{"cus_seedlayout01"}) {
			t.Errorf("%s: EachStripeMember gave the member %v, want cus_seedlayout01 once", s.name, customers)
		}
		if got, err := s.store.FindOrder(ctx, order.OrderID); err != nil || got.UserID != id {
			t.Errorf("%s: FindOrder = %+v, %v", s.name, got, err)
		}
		var holders []string
		must(t, s.store.EachHolder(ctx, "babes-club", func(h dashboard.Holder) error {
			holders = append(holders, h.UserID+"/"+h.Holding.TokenID)
			return nil
		}), "EachHolder")
		if !reflect.DeepEqual(holders, []string{id + "/42"}) {
			t.Errorf("%s: holders of babes-club = %v", s.name, holders)
		}
		n := 0
		must(t, s.store.EachWalletMember(ctx, func(_, userID string) error {
			if userID == id {
				n++
			}
			return nil
		}), "EachWalletMember")
		if n != len(wallets) {
			t.Errorf("%s: the wallet shards name the member %d times, want %d", s.name, n, len(wallets))
		}
		if got, err := s.store.WalletMembers(ctx, third); err != nil || !reflect.DeepEqual(got, []string{id}) {
			t.Errorf("%s: WalletMembers = %v, %v", s.name, got, err)
		}
	}
	gotW, err := seeded.Wallets(ctx, id)
	must(t, err, "Wallets")
	wantW, err := written.Wallets(ctx, id)
	must(t, err, "Wallets")
	if !reflect.DeepEqual(gotW, wantW) {
		t.Errorf("wallets: seeded %+v, written %+v", gotW, wantW)
	}
}

func clone(p dashboard.Profile) *dashboard.Profile { return &p }
