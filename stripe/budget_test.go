package stripe_test

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/stripetest"
	"github.com/thebabesclub/dashboard/stripe"
)

// Two Clients built with one Budget share it: every HTTP request either of
// them sends, retries and list pages included, waits for it once. (The
// count of waits, not a clock, is what shows it: the fake's count of
// requests it received must equal the budget's count of waits.)
func TestBudgetIsSharedByClients(t *testing.T) {
	f := stripetest.New(t)
	addSessions(f, 250) // three pages
	budget := stripe.NewBudget(-1)
	a, _ := newClient(t, f.URL(), func(c *stripe.Config) { c.Budget = budget })
	b, _ := newClient(t, f.URL(), func(c *stripe.Config) { c.Budget = budget })
	f.Fail("/v1/checkout/sessions/", 429) // one retried request
	var wg sync.WaitGroup
	for i := range 6 {
		c := a
		if i%2 == 1 {
			c = b
		}
		wg.Go(func() {
			if _, err := c.Session(t.Context(), "cs_test_000000"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Go(func() {
		if err := b.ListSessions(t.Context(), dashboard.SessionQuery{}, func(*dashboard.CheckoutSession) error { return nil }); err != nil {
			t.Error(err)
		}
	})
	wg.Wait()
	if got, want := budget.Waits(), int64(f.Calls("/")); got != want || want != 6+1+3 {
		t.Errorf("budget waits = %d, fake requests = %d; want both 10 (6 reads, 1 retry, 3 pages)", got, want)
	}
}

func TestNewBudgetRates(t *testing.T) {
	for rps, want := range map[float64]float64{0: stripe.DefaultMaxRPS, 9: 9, 2.5: 2.5, -1: math.Inf(1)} {
		if got := stripe.NewBudget(rps).Limit(); got != want {
			t.Errorf("NewBudget(%v).Limit() = %v, want %v", rps, got, want)
		}
	}
	// A Client without a Budget makes its own from MaxRPS.
	f := stripetest.New(t)
	if _, err := stripe.New(stripe.Config{SecretKey: "sk_test_x", APIBase: f.URL(), MaxRPS: 3}); err != nil {
		t.Fatal(err)
	}
}

// Windows of a reconciliation: [from, to) with created[gte] and
// created[lt] partition the sessions exactly, also when a bound falls
// inside a second (Stripe's created is whole seconds); StartingAfter
// resumes a window after the last session it returned.
func TestListSessionsWindowsAndResume(t *testing.T) {
	f := stripetest.New(t)
	var all []string
	for i := range 240 { // one session every 30 s over two hours
		id := fmt.Sprintf("cs_test_w%04d", i)
		f.AddSession(stripetest.NewSession(id, t0.Add(time.Duration(i)*30*time.Second)).Paid())
		all = append(all, id)
	}
	c, _ := newClient(t, f.URL())
	list := func(q dashboard.SessionQuery) []string {
		t.Helper()
		var ids []string
		if err := c.ListSessions(t.Context(), q, func(s *dashboard.CheckoutSession) error { ids = append(ids, s.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	// Bounds on a session's second, and between two seconds.
	bounds := []time.Time{t0.Add(-time.Second), t0.Add(30 * time.Minute), t0.Add(61*time.Minute + 500*time.Millisecond), t0.Add(3 * time.Hour)}
	var seen []string
	for i := range len(bounds) - 1 {
		got := list(dashboard.SessionQuery{CreatedFrom: bounds[i], CreatedBefore: bounds[i+1]})
		for _, id := range got {
			if slices.Contains(seen, id) {
				t.Errorf("%s is in two windows", id)
			}
		}
		seen = append(seen, got...)
	}
	slices.Sort(seen)
	if !slices.Equal(seen, all) {
		t.Errorf("the windows list %d sessions, want each of the %d exactly once", len(seen), len(all))
	}
	// The session created exactly at a bound is in the later window.
	if got := list(dashboard.SessionQuery{CreatedFrom: t0.Add(30 * time.Minute), CreatedBefore: t0.Add(31 * time.Minute)}); !slices.Equal(got, []string{"cs_test_w0061", "cs_test_w0060"}) {
		t.Errorf("[30 min, 31 min) = %v, want w0061 and w0060", got)
	}

	// Resume after the 150th session of the whole listing: the rest, and
	// only the pages after it.
	f.ResetCalls()
	full := list(dashboard.SessionQuery{})
	f.ResetCalls()
	rest := list(dashboard.SessionQuery{StartingAfter: full[149]})
	if !slices.Equal(rest, full[150:]) {
		t.Errorf("resumed listing = %d sessions starting %v, want the last %d", len(rest), rest[:1], len(full)-150)
	}
	if n := f.Calls("/v1/checkout/sessions"); n != 1 {
		t.Errorf("resuming for 90 sessions took %d list calls, want 1", n)
	}
}
