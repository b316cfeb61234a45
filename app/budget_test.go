package app_test

import (
	"context"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/storetest"
	"github.com/thebabesclub/dashboard/internal/stripetest"
	"github.com/thebabesclub/dashboard/orders"
	"github.com/thebabesclub/dashboard/stripe"
)

// TestEveryStripeCallPassesTheProcessBudget: one process, one Stripe rate
// budget (STRIPE_MAX_RPS). A reconciliation in windows, a window through
// the refresh handler, a member's incremental sync, a webhook's re-read and
// an order detail's refresh all send their requests through it: the fake
// Stripe's count of requests it received equals the budget's count of
// waits after every step (and each step made some).
func TestEveryStripeCallPassesTheProcessBudget(t *testing.T) {
	ctx := context.Background()
	fake := stripetest.New(t)
	const webhookSecret = "whsec_budget"
	a, err := newApp(t, map[string]string{
		"STRIPE_SECRET": "sk_test_budget", "STRIPE_API_BASE": fake.URL(), "STRIPE_WEBHOOK_SECRET": webhookSecret,
		"STRIPE_MAX_RPS": "1000",
	})
	if err != nil {
		t.Fatal(err)
	}
	if a.StripeBudget == nil || a.StripeBudget.Limit() != 1000 {
		t.Fatalf("budget = %+v, want one of STRIPE_MAX_RPS = 1000", a.StripeBudget)
	}
	raw := a.Store.(storetest.RawStore)
	for _, item := range []map[string]any{
		{"PK": "USER#" + memberID, "SK": "PROFILE", "userId": memberID, "email": "budget@example.com", "stripeCustomerId": "cus_budget", "GSI1PK": "STRIPE#cus_budget"},
		{"PK": "EMAIL#budget@example.com", "SK": "LOOKUP", "userId": memberID, "email": "budget@example.com"},
	} {
		if err := raw.PutRawItem(ctx, item); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	for i, id := range []string{"cs_test_budget_a", "cs_test_budget_b", "cs_test_budget_c"} {
		fake.AddSession(stripetest.NewSession(id, now.Add(-time.Duration(i+1)*time.Hour)).WithCustomer("cus_budget").Paid())
	}
	a.Orders.Reconciliation = orders.ReconcileOptions{Epoch: now.Add(-5 * time.Hour)}
	m := dashboard.Member{UserID: memberID, Email: "budget@example.com"}

	steps := []struct {
		name string
		run  func() error
	}{
		{"reconciliation", func() error { _, err := a.Orders.Reconcile(ctx, nil); return err }},
		{"a window from the queue", func() error {
			w := dashboard.ReconcileWindow{RunID: "budget-run", From: now.Add(-4 * time.Hour), To: now}
			return a.Refresh(ctx, w.Request())
		}},
		{"an incremental member sync", func() error { _, err := a.Orders.SyncMemberIncremental(ctx, memberID); return err }},
		{"a webhook", func() error {
			fake.AddSession(stripetest.NewSession("cs_test_budget_hook", now).WithCustomer("cus_budget").Paid())
			payload := stripetest.EventPayload("checkout.session.completed", stripetest.NewSession("cs_test_budget_hook", now))
			_, err := a.Orders.HandleWebhook(ctx, payload, stripetest.SignWebhook(webhookSecret, payload, time.Now()))
			return err
		}},
		{"an order detail not cached", func() error {
			fake.AddSession(stripetest.NewSession("cs_test_budget_detail", now).WithCustomer("cus_budget").Paid())
			_, err := a.Orders.Detail(ctx, m, "cs_test_budget_detail")
			return err
		}},
	}
	for _, step := range steps {
		before := fake.Calls("/")
		if err := step.run(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		calls, waits := fake.Calls("/"), a.StripeBudget.Waits()
		if calls == before {
			t.Errorf("%s made no Stripe request", step.name)
		}
		if waits != int64(calls) {
			t.Errorf("after %s: %d Stripe requests, %d budget waits; every request must wait for the budget", step.name, calls, waits)
		}
	}
}

func TestStripeBudgetDefault(t *testing.T) {
	fake := stripetest.New(t)
	a, err := newApp(t, map[string]string{"STRIPE_SECRET": "sk_test_budget", "STRIPE_API_BASE": fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	if a.StripeBudget == nil || a.StripeBudget.Limit() != stripe.DefaultMaxRPS {
		t.Errorf("budget without STRIPE_MAX_RPS = %+v, want %d a second", a.StripeBudget, stripe.DefaultMaxRPS)
	}
	if _, err := newApp(t, map[string]string{"STRIPE_SECRET": "sk_test_budget", "STRIPE_MAX_RPS": "lots"}); err == nil {
		t.Error("STRIPE_MAX_RPS=lots accepted")
	}
}
