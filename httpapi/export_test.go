package httpapi_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// TestExportHoldsEverythingTheMemberSees fills a member's account past
// every page size (orders, NFTs) beside another member's data, and checks
// the download: an attachment named for the day, every order with its
// details and every NFT of the member, their emails and wallet, nothing of
// the other member's, no Stripe call; and once a minute at most.
func TestExportHoldsEverythingTheMemberSees(t *testing.T) {
	h := newTestHarness(t)
	ctx := t.Context()
	id, token := h.member("export@example.com")
	h.putIdentityProfile(id, "export@example.com")
	const wallet = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
	h.setWallet(token, wallet)
	other, _ := h.member("bystander@example.com")
	var wantOrders []string
	for i := range 130 {
		o := snapshot(id, fmt.Sprintf("cs_test_export%03d_%s", i, id[:8]), time.Now().Add(-time.Duration(i)*time.Hour), dashboard.OrderCompleted)
		h.putOrder(o)
		wantOrders = append(wantOrders, o.OrderID)
	}
	h.putOrder(snapshot(other, "cs_test_bystander_"+other[:8], time.Now(), dashboard.OrderCompleted))
	holdings := func(owner string, n int) []dashboard.Holding {
		var hs []dashboard.Holding
		for i := range n {
			hs = append(hs, dashboard.Holding{TokenID: fmt.Sprint(i), ContractAddress: "0xbabe000000000000000000000000000000000b0b",
				CollectionID: "babes-club-genesis", TokenName: fmt.Sprintf("Babe #%d of %s", i, owner[:4]), Wallet: wallet, LastSyncedAt: time.Now().UTC()})
		}
		return hs
	}
	for owner, n := range map[string]int{id: 105, other: 3} {
		if _, err := h.store.ReplaceHoldings(ctx, owner, holdings(owner, n), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.store.AddCheckoutEmail(ctx, dashboard.CheckoutEmail{UserID: id, Email: "guest.export@example.com", AddedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	stripeBefore := h.stripe.Calls("/")

	r := h.do("GET", "/dashboard/export", token, "")
	if r.status != 200 {
		t.Fatalf("export = %d %s", r.status, r.raw)
	}
	if cd := r.header.Get("Content-Disposition"); !regexp.MustCompile(`^attachment; filename="babes-club-\d{4}-\d{2}-\d{2}\.json"$`).MatchString(cd) {
		t.Errorf("Content-Disposition = %q", cd)
	}
	var doc struct {
		Profile dashboard.Profile `json:"profile"`
		Emails  []struct {
			Email    string `json:"email"`
			Verified bool   `json:"verified"`
			Primary  bool   `json:"primary"`
		} `json:"emails"`
		Wallets []dashboard.Wallet      `json:"wallets"`
		Orders  []dashboard.OrderDetail `json:"orders"`
		NFTs    []dashboard.Holding     `json:"nfts"`
	}
	if err := json.Unmarshal(r.raw, &doc); err != nil {
		t.Fatal(err)
	}
	var gotOrders []string
	for _, o := range doc.Orders {
		gotOrders = append(gotOrders, o.OrderID)
	}
	if !slices.Equal(gotOrders, wantOrders) {
		t.Errorf("export has %d orders, want the member's %d, newest first", len(gotOrders), len(wantOrders))
	}
	if len(doc.NFTs) != 105 {
		t.Errorf("export has %d NFTs, want 105", len(doc.NFTs))
	}
	for _, n := range doc.NFTs {
		if n.TokenName[len(n.TokenName)-4:] != id[:4] {
			t.Fatalf("another member's NFT in the export: %s", n.TokenName)
		}
	}
	if doc.Profile.UserID != id || len(doc.Emails) != 2 || !doc.Emails[0].Primary || doc.Emails[1].Verified ||
		len(doc.Wallets) != 1 || doc.Wallets[0].Address != wallet || !doc.Wallets[0].Primary {
		t.Errorf("profile %s, emails %+v, wallets %+v", doc.Profile.UserID, doc.Emails, doc.Wallets)
	}
	if n := h.stripe.Calls("/") - stripeBefore; n != 0 {
		t.Errorf("the export made %d Stripe calls", n)
	}

	// Once a minute: a second download now is refused, one a minute later
	// is served (the export's clock is moved, not waited for).
	r = h.do("GET", "/dashboard/export", token, "")
	r.wantError(t, 429, "rate_limited")
	if r.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	h.export.Now = func() time.Time { return time.Now().Add(61 * time.Second) }
	if r := h.do("GET", "/dashboard/export", token, ""); r.status != 200 {
		t.Fatalf("a minute later = %d %s", r.status, r.raw)
	}
}
