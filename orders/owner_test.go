package orders_test

import (
	"slices"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/stripetest"
)

// TestOwnershipOrder is CONTRACT §4's order of proofs as a table, through
// the one resolver every path uses (here the reconciliation): each session
// carries several facts that point at different members, and the first
// proof in the contract's order wins; a pending checkout email and a
// malformed member id prove nothing.
func TestOwnershipOrder(t *testing.T) {
	store := stores["bolt"](t)
	svc, fake := newService(t, store)
	ctx := t.Context()
	ids := map[string]string{}
	for _, name := range []string{"byMeta", "byRef", "byCustomer", "byEmail", "byCheckout", "pending"} {
		ids[name] = newHex(t)
	}
	member(t, store, ids["byMeta"], "meta@example.com", "")
	member(t, store, ids["byRef"], "ref@example.com", "")
	member(t, store, ids["byCustomer"], "customer@example.com", "cus_owner_table")
	member(t, store, ids["byEmail"], "profile@example.com", "")
	member(t, store, ids["byCheckout"], "checkout-owner@example.com", "")
	member(t, store, ids["pending"], "pending-owner@example.com", "")
	added := time.Now().UTC().Truncate(time.Millisecond)
	for _, c := range []struct{ id, email string }{{ids["byCheckout"], "Guest@Example.com"}, {ids["pending"], "pending-guest@example.com"}} {
		if err := store.AddCheckoutEmail(ctx, dashboard.CheckoutEmail{UserID: c.id, Email: c.email, AddedAt: added}); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.VerifyCheckoutEmail(ctx, ids["byCheckout"], "Guest@Example.com", added); err != nil {
		t.Fatal(err)
	}

	at := time.Now().Add(-time.Hour)
	rows := []struct {
		name    string
		session stripetest.Session
		owner   string // key of ids; "" = nobody
	}{
		{"metadata beats everything", stripetest.NewSession("cs_test_own_meta", at).WithUserID(ids["byMeta"]).
			WithClientReferenceID(ids["byRef"]).WithCustomer("cus_owner_table").WithEmail("profile@example.com"), "byMeta"},
		{"client reference beats customer and email", stripetest.NewSession("cs_test_own_ref", at).
			WithClientReferenceID(ids["byRef"]).WithCustomer("cus_owner_table").WithEmail("guest@example.com"), "byRef"},
		{"a client reference naming nobody falls through", stripetest.NewSession("cs_test_own_ghost", at).
			WithClientReferenceID(newHex(t)).WithCustomer("cus_owner_table"), "byCustomer"},
		{"customer beats email", stripetest.NewSession("cs_test_own_cus", at).
			WithCustomer("cus_owner_table").WithEmail("profile@example.com"), "byCustomer"},
		{"profile email", stripetest.NewSession("cs_test_own_email", at).WithEmail("Profile@Example.com"), "byEmail"},
		{"verified checkout email", stripetest.NewSession("cs_test_own_checkout", at).WithEmail("guest@EXAMPLE.com"), "byCheckout"},
		{"a malformed member id is no proof", stripetest.NewSession("cs_test_own_bad_meta", at).
			WithUserID("USER#" + ids["byMeta"]).WithEmail("guest@example.com"), "byCheckout"},
		{"a pending checkout email is no proof", stripetest.NewSession("cs_test_own_pending", at).WithEmail("pending-guest@example.com"), ""},
		{"nothing", stripetest.NewSession("cs_test_own_none", at).WithEmail("stranger@example.com"), ""},
	}
	for _, r := range rows {
		fake.AddSession(r.session.Paid())
	}
	if _, err := svc.Reconcile(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		got, err := store.FindOrder(ctx, r.session.ID)
		switch {
		case r.owner == "" && dashboard.ErrorCode(err) != dashboard.ENOTFOUND:
			t.Errorf("%s: filed under %v (%v), want nobody", r.name, got, err)
		case r.owner != "" && (err != nil || got.UserID != ids[r.owner]):
			t.Errorf("%s: owner %v (%v), want %s", r.name, got, err, r.owner)
		}
	}
	// A checkout email proves the session, never the customer: nothing was
	// linked to its holder.
	if p, err := store.GetProfile(ctx, ids["byCheckout"]); err != nil || p.StripeCustomerID != nil {
		t.Errorf("checkout-email holder's customer = %v (%v)", p, err)
	}
}

// TestCheckoutEmailSyncFindsTheLowerCasedSpelling: Stripe's email filter
// matches exactly, so an address the member typed with capitals is also
// listed lower-cased, as most checkouts store it; a third spelling is left
// to the webhook and the reconciliation.
func TestCheckoutEmailSyncFindsTheLowerCasedSpelling(t *testing.T) {
	store := stores["bolt"](t)
	svc, fake := newService(t, store)
	ctx := t.Context()
	id := newHex(t)
	member(t, store, id, "login@example.com", "")
	now := time.Now().UTC().Truncate(time.Millisecond)
	if err := store.AddCheckoutEmail(ctx, dashboard.CheckoutEmail{UserID: id, Email: "Ruby.Guest@Example.com", AddedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := store.VerifyCheckoutEmail(ctx, id, "ruby.guest@example.com", now); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Hour)
	fake.AddSession(
		stripetest.NewSession("cs_test_as_typed", at).WithEmail("Ruby.Guest@Example.com").Paid(),
		stripetest.NewSession("cs_test_lower", at).WithEmail("ruby.guest@example.com").Paid(),
		stripetest.NewSession("cs_test_shouting", at).WithEmail("RUBY.GUEST@EXAMPLE.COM").Paid(),
	)
	res, err := svc.SyncCheckoutEmail(ctx, id, "ruby.guest@example.com")
	if err != nil {
		t.Fatal(err)
	}
	page, err := store.ListOrders(ctx, id, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range page.Orders {
		got = append(got, o.OrderID)
	}
	if len(got) != 2 || res.Created != 2 || !slices.Contains(got, "cs_test_as_typed") || !slices.Contains(got, "cs_test_lower") {
		t.Fatalf("synced %v (%+v), want the as-typed and the lower-cased sessions", got, res)
	}
}
