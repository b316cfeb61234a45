//go:build linux

package reliability

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/internal/stripetest"
	"github.com/thebabesclub/dashboard/stripe"
)

// binaryAttempts is what the binary's Stripe and marketplace clients make
// before giving up: their defaults, which the environment cannot change.
const binaryAttempts = 1 + stripe.DefaultMaxRetries

// TestUpstreamFaultsBinary repeats the key upstream-fault scenarios against
// the real binary, with its real retry policy (four retries, exponential
// backoff with jitter, Retry-After honoured) and its real refresh queue:
// a Stripe outage during a webhook, an uncached and a stale cached order
// read, and a marketplace outage during the background sync a marketplace
// webhook queues. Timeouts and malformed bodies are left to the in-process
// tests, because the binary's 10 s per attempt cannot be shortened.
func TestUpstreamFaultsBinary(t *testing.T) {
	t.Parallel()
	fake := stripetest.New(t)
	market := markettest.NewOpenSea(t)
	env := serverEnv(fake.URL(), market.URL())
	env["ORDER_STALE_AFTER"] = "2s"
	srv := startServer(t, filepath.Join(t.TempDir(), "data"), env)
	a := newAPI(srv.URL)
	t.Cleanup(a.close)

	t.Run("stripe", func(t *testing.T) {
		t.Parallel()
		m := newMember(t)
		created := time.Now().Add(-24 * time.Hour).Truncate(time.Second)
		attempts := func(op string, do func() reply) reply {
			t.Helper()
			before, began := fake.Calls(pathSession), time.Now()
			r := do()
			n := fake.Calls(pathSession) - before
			if n != binaryAttempts {
				t.Errorf("%s: %d requests to Stripe, want %d", op, n, binaryAttempts)
			}
			code, _ := r.Body["code"].(string)
			t.Logf("binary %s: %d %s after %d attempts in %v (Retry-After %q)", op, r.Status, code, n,
				time.Since(began).Round(time.Millisecond), r.Header.Get("Retry-After"))
			return r
		}

		// A webhook while Stripe answers 500: 503, nothing stored; Stripe's
		// retry then files the order once.
		hookID := "cs_test_bin_hook_" + m.ID[:8]
		sess, payload := checkoutEvent(m, hookID, created)
		fake.AddSession(sess)
		fake.Fail(pathSession, slices.Repeat([]int{500}, binaryAttempts)...)
		r := attempts("webhook under 500s", func() reply { r, _ := a.deliver(payload); return r })
		if err := unavailable(r); err != nil {
			t.Errorf("webhook: %v", err)
		}
		wantOrders(t, a, m, 0)
		for _, dup := range []bool{false, true} {
			if r, err := a.deliver(payload); err != nil || r.Status != 200 || (r.Body["duplicate"] == true) != dup {
				t.Errorf("redelivery = %v %d %s, want 200 with duplicate %v", err, r.Status, r.Raw, dup)
			}
		}
		wantOrders(t, a, m, 1)

		// An order Stripe knows but the store does not, while Stripe
		// rate-limits: 503 with Retry-After; then fetched and stored once.
		coldID := "cs_test_bin_cold_" + m.ID[:8]
		fake.AddSession(stripetest.NewSession(coldID, created.Add(time.Hour)).WithUserID(m.ID).WithItem("Cap", 1, 2800).Paid())
		fake.SetRetryAfter(time.Second)
		fake.Fail(pathSession, slices.Repeat([]int{429}, binaryAttempts)...)
		r = attempts("uncached detail under 429s", func() reply { r, _ := a.do("GET", "/dashboard/orders/"+coldID, m.Token, ""); return r })
		if err := unavailable(r); err != nil || r.Header.Get("Retry-After") != "1" {
			t.Errorf("uncached detail: %v (Retry-After %q, want Stripe's 1)", err, r.Header.Get("Retry-After"))
		}
		a.must(t, 200, "GET", "/dashboard/orders/"+coldID, m.Token, "")
		wantOrders(t, a, m, 2)

		// The webhook's order is older than ORDER_STALE_AFTER (2 s) by now —
		// the uncached read above alone slept four 1 s Retry-Afters, and a
		// slower machine only makes it older: while Stripe rate-limits, it is
		// served from the store, marked stale.
		fake.Fail(pathSession, slices.Repeat([]int{429}, binaryAttempts)...)
		r = attempts("stale cached detail under 429s", func() reply {
			return a.must(t, 200, "GET", "/dashboard/orders/"+hookID, m.Token, "")
		})
		if o, _ := r.Body["order"].(map[string]any); o["orderId"] != hookID || o["stale"] != true {
			t.Errorf("stale cached detail: %s, want the cached order with stale: true", r.Raw)
		}
		wantOrders(t, a, m, 2)
	})

	t.Run("marketplace", func(t *testing.T) {
		t.Parallel()
		m, w := newMember(t), wallet(5000)
		market.SetHoldings(w, babes(1, 2, 3))
		a.must(t, 200, "PUT", "/dashboard/profile", m.Token, fmt.Sprintf(`{"preferredWallet":%q}`, w))
		if r, err := a.internal("/internal/sync/nfts", fmt.Sprintf(`{"userId":%q}`, m.ID)); err != nil || r.Status != 200 {
			t.Fatalf("first NFT sync: %v %d %s", err, r.Status, r.Raw)
		}
		market.SetHoldings(w, babes(2, 3, 4))
		market.SetRetryAfter("1")
		market.FailNext(slices.Repeat([]int{429}, binaryAttempts)...)
		before, began := market.WalletCalls(w), time.Now()
		body := markettest.NFTActivity("").Transfer(babesContract, "4", "0x"+strings.Repeat("0", 39)+"1", w).JSON()
		r := a.must(t, 200, "POST", "/webhooks/nfts", "", string(body), markettest.SignatureHeader, markettest.SignWebhook([]byte(nftWebhookSecret), body))
		if r.Body["received"] != true {
			t.Errorf("NFT webhook = %s", r.Raw)
		}
		// The queued sync fails after its attempts; until the queue runs it
		// again, the member still sees the holdings from before.
		waitFor(t, 2*time.Minute, "the queued NFT sync to exhaust its attempts", func() bool { return market.WalletCalls(w)-before >= binaryAttempts })
		if got := tokenIDs(t, a, m); !slices.Equal(got, []string{"1", "2", "3"}) {
			t.Errorf("holdings while the marketplace fails = %v, want 1 2 3", got)
		}
		waitFor(t, 2*time.Minute, "the queue's retry to bring the new holdings", func() bool {
			return slices.Equal(tokenIDs(t, a, m), []string{"2", "3", "4"})
		})
		took := time.Since(began)
		time.Sleep(1500 * time.Millisecond) // any further, unbounded retries would show here
		if n := market.WalletCalls(w) - before; n != binaryAttempts+1 {
			t.Errorf("%d marketplace requests for the webhook's sync, want %d failures and 1 success", n, binaryAttempts)
		}
		t.Logf("binary marketplace webhook under 429s: %d failed requests, then the refresh queue's retry synced the new holdings %v after the webhook",
			binaryAttempts, took.Round(time.Millisecond))
	})
}

// waitFor polls cond every 100 ms until it holds, failing after limit. The
// limit only bounds a wait that would otherwise hang; it is no measure of
// speed, so callers give it minutes.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s after %v", what, limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
