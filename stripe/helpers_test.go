package stripe_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard/stripe"
)

// sleeps records the waits between retries instead of sleeping them.
type sleeps struct {
	mu sync.Mutex
	ds []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ds = append(s.ds, d)
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.ds...)
}

// newClient returns a Client for base with recorded sleeps, no rate limit
// and the given changes to its Config.
func newClient(t testing.TB, base string, change ...func(*stripe.Config)) (*stripe.Client, *sleeps) {
	t.Helper()
	sl := &sleeps{}
	cfg := stripe.Config{
		SecretKey:     "sk_test_dashboard",
		WebhookSecret: testWebhookSecret,
		APIBase:       base,
		MaxRPS:        -1,
		Sleep:         sl.sleep,
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
