// Package demo seeds a demo member — a profile with addresses and a wallet,
// a dozen orders (one on its way with a tracking link, one delivered), a
// few NFTs and a checkout email waiting for its code — so that `dashboard
// serve --demo` shows a full dashboard without Stripe or a marketplace.
package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// Member is the demo member. The id has the identity service's shape (32 hex
// digits).
var Member = dashboard.Member{
	UserID:      "0d3e0d3e0d3e0d3e0d3e0d3e0d3e0d3e",
	Email:       "demo@babesclub.example",
	Role:        "customer",
	DisplayName: "Demo Babe",
}

// Wallet is the demo member's preferred wallet (EIP-55 form).
const Wallet = "0x52908400098527886E0F7030069857D2E4169EE7"

// BabesContract is the contract address of the demo collection.
const BabesContract = "0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"

// PendingCheckoutEmail is the demo member's checkout email (CONTRACT §9)
// that is added but not verified: the dashboard shows it waiting for its
// code, and it matches no order until it is verified.
const PendingCheckoutEmail = "demo.guest@babesclub.example"

// The demo's parcels: the newest order is on its way, the one before was
// delivered (CONTRACT §11).
const (
	ShippedCarrier     = "UPS"
	ShippedTracking    = "1Z999AA10123456784"
	ShippedTrackingURL = "https://www.ups.com/track?tracknum=" + ShippedTracking
	DeliveredCarrier   = "USPS"
	DeliveredTracking  = "9400111899223197428490"
	DeliveredURL       = "https://tools.usps.com/go/TrackConfirmAction?tLabels=" + DeliveredTracking
)

// Seed writes the demo member into store unless it is already there, so a
// restart keeps what the visitor changed. now anchors the order dates.
func Seed(ctx context.Context, store dashboard.Store, now time.Time) error {
	now = now.UTC().Truncate(time.Millisecond)
	_, err := store.GetProfile(ctx, Member.UserID)
	switch dashboard.ErrorCode(err) {
	case "":
		return nil
	case dashboard.ENOTFOUND:
	default:
		return fmt.Errorf("demo: read profile: %w", err)
	}
	if err := seedProfile(ctx, store, now); err != nil {
		return err
	}
	for _, o := range Orders(now) {
		if err := store.PutOrder(ctx, o); err != nil && dashboard.ErrorCode(err) != dashboard.EPRECONDITION {
			return fmt.Errorf("demo: put order: %w", err)
		}
	}
	if err := store.MarkSynced(ctx, Member.UserID, dashboard.SyncStripe, now); err != nil {
		return fmt.Errorf("demo: mark synced: %w", err)
	}
	if _, err := store.ReplaceHoldings(ctx, Member.UserID, Holdings(now), now); err != nil {
		return fmt.Errorf("demo: holdings: %w", err)
	}
	// Added an hour ago and never verified: no code is stored, so the
	// visitor asks for a new one to verify it.
	err = store.AddCheckoutEmail(ctx, dashboard.CheckoutEmail{UserID: Member.UserID, Email: PendingCheckoutEmail, AddedAt: now.Add(-time.Hour)})
	if err != nil {
		return fmt.Errorf("demo: checkout email: %w", err)
	}
	return nil
}

func seedProfile(ctx context.Context, store dashboard.Store, now time.Time) error {
	phone, wallet := "+1 (555) 010-2025", Wallet
	avatar := "https://images.babesclub.example/avatars/demo.png"
	home := &dashboard.Address{
		Name: "Demo Babe", Line1: "1 Sparkle Street", Line2: "Apt 4", City: "Los Angeles",
		State: "CA", PostalCode: "90001", Country: "US",
	}
	p := &dashboard.Profile{
		UserID: Member.UserID, Email: Member.Email, DisplayName: Member.DisplayName,
		Phone: &phone, ShippingAddress: home, BillingAddress: home, PreferredWallet: &wallet,
		AvatarURL: &avatar, Settings: map[string]bool{dashboard.SettingEmailNotifications: false},
		CreatedAt: &now, UpdatedAt: &now,
	}
	err := store.SaveProfile(ctx, dashboard.ProfileChange{
		Profile: p,
		Fields: []string{
			dashboard.FieldEmail, dashboard.FieldDisplayName, dashboard.FieldPhone,
			dashboard.FieldShippingAddress, dashboard.FieldBillingAddress, dashboard.FieldPreferredWallet,
			dashboard.FieldAvatarURL, dashboard.FieldDashboardSetting,
		},
	})
	if err != nil {
		return fmt.Errorf("demo: save profile: %w", err)
	}
	// The primary is one of the member's wallets, as the profile service
	// stores it.
	if err := store.AddWallet(ctx, dashboard.MemberWallet{UserID: Member.UserID, Address: Wallet, Kind: dashboard.WalletEOA, AddedAt: now}); err != nil {
		return fmt.Errorf("demo: wallet: %w", err)
	}
	return nil
}

var products = []struct {
	name, sku string
	price     int64
}{
	{"Babes Club Signature Hoops", "BC-HOOP-18K", 8900},
	{"Pearl Drop Earrings", "BC-PEARL-01", 6400},
	{"Chunky Chain Necklace", "BC-CHAIN-22", 12900},
	{"Initial Signet Ring", "BC-SIGNET-A", 7500},
	{"Tennis Bracelet", "BC-TENNIS-02", 15900},
	{"Charm Anklet", "BC-ANKLET-03", 4200},
}

var statuses = []dashboard.OrderStatus{
	dashboard.OrderCompleted, dashboard.OrderCompleted, dashboard.OrderPending, dashboard.OrderCompleted,
	dashboard.OrderRefunded, dashboard.OrderCompleted, dashboard.OrderExpired, dashboard.OrderCompleted,
	dashboard.OrderPartiallyRefunded, dashboard.OrderCompleted, dashboard.OrderFailed, dashboard.OrderCompleted,
}

// Orders returns the twelve demo orders, one every nine days back from now.
// The newest is shipped (processing, then shipped with a UPS tracking link)
// and the next one delivered; both are completed orders.
func Orders(now time.Time) []*dashboard.OrderSnapshot {
	out := make([]*dashboard.OrderSnapshot, 0, len(statuses))
	for i, status := range statuses {
		created := now.Add(-time.Duration(i*9*24+3) * time.Hour).Truncate(time.Second)
		id := fmt.Sprintf("cs_test_a1B2c3D4e5F6g7H8%02dDEMO", i+1)
		var items []dashboard.LineItem
		var subtotal, count int64
		for j := 0; j <= i%3; j++ {
			p := products[(i+j)%len(products)]
			qty := int64(1 + (i+j)%2)
			items = append(items, dashboard.LineItem{
				Name: p.name, Quantity: qty, UnitPrice: p.price, AmountTotal: p.price * qty, Currency: "usd",
				SKU: p.sku, StripePriceID: "price_demo_" + strings.ToLower(p.sku[3:]),
			})
			subtotal += p.price * qty
			count += qty
		}
		email, addr := Member.Email, &dashboard.Address{
			Name: "Demo Babe", Line1: "1 Sparkle Street", City: "Los Angeles", State: "CA", PostalCode: "90001", Country: "US",
		}
		o := &dashboard.OrderSnapshot{
			UserID:   Member.UserID,
			StatusAt: created,
			OrderDetail: dashboard.OrderDetail{
				Order: dashboard.Order{
					OrderID: id, OrderNumber: dashboard.OrderNumber(id), Status: status,
					Amount: subtotal + 800, AmountSubtotal: subtotal, Currency: "usd", CreatedAt: created,
					ItemCount: count, Items: items, CustomerEmail: &email, ShippingAddress: addr,
				},
				StripePaymentStatus: "paid",
				Discounts:           []dashboard.Discount{},
				UpdatedAt:           now,
			},
		}
		switch status {
		case dashboard.OrderCompleted, dashboard.OrderRefunded, dashboard.OrderPartiallyRefunded:
			done := created.Add(2 * time.Minute)
			o.CompletedAt = &done
			pi, receipt := "pi_demo_"+id[len(id)-8:], "https://pay.stripe.com/receipts/demo/"+id
			o.StripePaymentIntentID, o.ReceiptURL = &pi, &receipt
		default:
			o.StripePaymentStatus = "unpaid"
		}
		switch status {
		case dashboard.OrderRefunded:
			o.AmountRefunded = o.Amount
		case dashboard.OrderPartiallyRefunded:
			o.AmountRefunded = items[0].UnitPrice
		}
		switch i {
		case 0:
			o.Fulfillment = parcel(ShippedCarrier, ShippedTracking, ShippedTrackingURL,
				dashboard.FulfillmentStep{Status: dashboard.FulfillmentProcessing, At: created.Add(40 * time.Minute), Note: "Packed with care in Los Angeles"},
				dashboard.FulfillmentStep{Status: dashboard.FulfillmentShipped, At: created.Add(2 * time.Hour)})
		case 1:
			o.Fulfillment = parcel(DeliveredCarrier, DeliveredTracking, DeliveredURL,
				dashboard.FulfillmentStep{Status: dashboard.FulfillmentProcessing, At: created.Add(20 * time.Hour)},
				dashboard.FulfillmentStep{Status: dashboard.FulfillmentShipped, At: created.Add(44 * time.Hour)},
				dashboard.FulfillmentStep{Status: dashboard.FulfillmentDelivered, At: created.Add(4 * 24 * time.Hour), Note: "Left at the front door"})
		}
		if o.Fulfillment != nil {
			st := o.Fulfillment.Status
			o.FulfillmentStatus = &st
		}
		out = append(out, o)
	}
	return out
}

// parcel is a fulfilment timeline whose status is its last step's.
func parcel(carrier, tracking, url string, steps ...dashboard.FulfillmentStep) *dashboard.Fulfillment {
	return &dashboard.Fulfillment{
		Status: steps[len(steps)-1].Status, Carrier: &carrier, TrackingNumber: &tracking, TrackingURL: &url, Events: steps,
	}
}

// Holdings returns the demo member's NFTs, held by the demo wallet.
func Holdings(now time.Time) []dashboard.Holding {
	names := []string{"Babe #0007 — Rose Gold", "Babe #0142 — Pearl", "Babe #0420 — Diamond", "Babe #1001 — Onyx"}
	out := make([]dashboard.Holding, len(names))
	for i, n := range names {
		id := strings.TrimLeft(n[6:10], "0")
		out[i] = dashboard.Holding{
			TokenID: id, ContractAddress: BabesContract, CollectionID: "babes-club-genesis", TokenName: n,
			ThumbnailURL: fmt.Sprintf("https://images.babesclub.example/nft/%s-thumb.png", id),
			ImageURL:     fmt.Sprintf("https://images.babesclub.example/nft/%s.png", id),
			Metadata:     map[string]any{"traits": []any{map[string]any{"trait_type": "Finish", "value": strings.TrimSpace(n[strings.Index(n, "—")+len("—"):])}}},
			LastSyncedAt: now,
			Wallet:       Wallet,
		}
	}
	out[3].CollectionID = "babes-club-charms"
	return out
}
