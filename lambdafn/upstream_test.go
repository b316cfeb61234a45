package lambdafn

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/obs"
)

// fakePayments answers ListSessions with two sessions, then err.
type fakePayments struct {
	dashboard.Payments
	err error
}

func (f fakePayments) ListSessions(_ context.Context, _ dashboard.SessionQuery, each func(*dashboard.CheckoutSession) error) error {
	for _, id := range []string{"cs_1", "cs_2"} {
		if err := each(&dashboard.CheckoutSession{ID: id}); err != nil {
			return err
		}
	}
	return f.err
}

func (f fakePayments) Session(context.Context, string) (*dashboard.CheckoutSession, error) {
	return nil, f.err
}

// TestUpstreamFailuresAreTheUpstreams counts a failure only when the
// upstream failed to answer: not for "not found", and not for an error the
// caller's own callback returned.
func TestUpstreamFailuresAreTheUpstreams(t *testing.T) {
	var out bytes.Buffer
	m := obs.NewMetrics(&out, "test")
	ctx := context.Background()
	callbackErr := errors.New("store write failed")
	for _, tc := range []struct {
		p    *meteredPayments
		each func(*dashboard.CheckoutSession) error
	}{
		{&meteredPayments{next: fakePayments{}, m: m}, func(*dashboard.CheckoutSession) error { return nil }},
		{&meteredPayments{next: fakePayments{}, m: m}, func(*dashboard.CheckoutSession) error { return callbackErr }},
		{&meteredPayments{next: fakePayments{err: dashboard.Errorf(dashboard.EUNAVAILABLE, "Stripe is down")}, m: m},
			func(*dashboard.CheckoutSession) error { return nil }},
	} {
		_ = tc.p.ListSessions(ctx, dashboard.SessionQuery{}, tc.each)
	}
	_, _ = (&meteredPayments{next: fakePayments{err: dashboard.Errorf(dashboard.ENOTFOUND, "No such session.")}, m: m}).Session(ctx, "cs_x")
	_, _ = (&meteredPayments{next: fakePayments{err: errors.New("dial tcp: refused")}, m: m}).Session(ctx, "cs_y")
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.Contains(got, `"UpstreamCalls":5`) || !strings.Contains(got, `"UpstreamFailures":2`) {
		t.Errorf("want 5 Stripe calls, 2 failed (unavailable, refused); got %s", got)
	}
	for err, want := range map[error]bool{
		nil: true, dashboard.Errorf(dashboard.ECONFLICT, "taken"): true, dashboard.Errorf(dashboard.EPRECONDITION, "changed"): true,
		dashboard.Errorf(dashboard.ERATELIMITED, "slow down"): false, context.DeadlineExceeded: false,
	} {
		if upstreamOK(err) != want {
			t.Errorf("upstreamOK(%v) = %v", err, !want)
		}
	}
}
