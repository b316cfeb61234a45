package stripe_test

import (
	"testing"

	"github.com/thebabesclub/dashboard/internal/clocktest"
	"github.com/thebabesclub/dashboard/stripe"
)

// newClient returns a Client for base with recorded sleeps, no rate limit
// and the given changes to its Config.
func newClient(t testing.TB, base string, change ...func(*stripe.Config)) (*stripe.Client, *clocktest.Sleeps) {
	t.Helper()
	sl := &clocktest.Sleeps{}
	cfg := stripe.Config{
		SecretKey:     "sk_test_dashboard",
		WebhookSecret: testWebhookSecret,
		APIBase:       base,
		MaxRPS:        -1,
		Sleep:         sl.Sleep,
	}
	for _, f := range change {
		f(&cfg)
	}
	c, err := stripe.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, sl
}

const testWebhookSecret = "whsec_test_secret"
