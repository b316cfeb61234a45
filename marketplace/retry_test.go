package marketplace_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/marketplace"
)

// threePages is a fixture whose wallet holds five NFTs on three pages.
func threePages(t *testing.T, kind string, change ...func(*marketplace.Config)) *fixture {
	fx := setup(t, kind, change...)
	fx.fake.SetHoldings(wallet, five())
	fx.fake.SetPageSize(2)
	return fx
}

// wantUnavailable checks that err is EUNAVAILABLE with message msg, that
// no holdings came with it, and that it leaks neither wallet nor key.
func wantUnavailable(t *testing.T, hs []dashboard.Holding, err error, msg string) {
	t.Helper()
	if dashboard.ErrorCode(err) != dashboard.EUNAVAILABLE || hs != nil {
		t.Fatalf("Holdings = %d holdings, %v; want none and EUNAVAILABLE", len(hs), err)
	}
	if got := dashboard.ErrorMessage(err); got != msg {
		t.Errorf("message = %q, want %q", got, msg)
	}
	if dashboard.ErrorRetryAfter(err) < time.Second {
		t.Errorf("RetryAfter = %v, want at least 1s", dashboard.ErrorRetryAfter(err))
	}
	noLeak(t, "error", err.Error())
}

const (
	msgUnavailable = "The NFT marketplace is unavailable; try again later."
	msgTimeout     = "The NFT marketplace did not answer in time; try again later."
	msgUnreadable  = "The NFT marketplace sent an answer that could not be read."
)

func TestRetry429HonoursRetryAfter(t *testing.T) {
	for _, kind := range providers {
		t.Run(kind, func(t *testing.T) {
			fx := threePages(t, kind)
			fx.fake.SetRetryAfter("2")
			fx.fake.FailNext(429)
			hs, err := fx.market.Holdings(t.Context(), wallet)
			if err != nil || len(hs) != 5 {
				t.Fatalf("%d holdings, err %v", len(hs), err)
			}
			if got := fx.sleeps.All(); len(got) != 1 || got[0] != 2*time.Second {
				t.Errorf("slept %v, want [2s]", got)
			}
			if n := fx.fake.Calls(); n != 4 {
				t.Errorf("%d requests, want 4", n)
			}
		})
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	fx := threePages(t, markettest.OpenSea)
	// The date is read against the real clock: 25 s ahead (under the 30 s
	// the market sleeps in-process) leaves 24 s for a slow machine to get
	// from here to the parse before the wait drops below 1 s.
	fx.fake.SetRetryAfter(time.Now().Add(25 * time.Second).UTC().Format(http.TimeFormat))
	fx.fake.FailNext(503)
	if _, err := fx.market.Holdings(t.Context(), wallet); err != nil {
		t.Fatal(err)
	}
	if got := fx.sleeps.All(); len(got) != 1 || got[0] < time.Second || got[0] > 25*time.Second {
		t.Errorf("slept %v, want one wait of 1–25 s", got)
	}
}

func TestRetry5xxBacksOffWithFullJitter(t *testing.T) {
	for _, kind := range providers {
		t.Run(kind, func(t *testing.T) {
			fx := threePages(t, kind)
			fx.fake.SetRetryAfter("")
			fx.fake.FailNext(500, 502, 503)
			hs, err := fx.market.Holdings(t.Context(), wallet)
			if err != nil || len(hs) != 5 {
				t.Fatalf("%d holdings, err %v", len(hs), err)
			}
			got := fx.sleeps.All()
			if len(got) != 3 || fx.fake.Calls() != 6 {
				t.Fatalf("slept %v over %d requests; want 3 waits, 6 requests", got, fx.fake.Calls())
			}
			for i, d := range got {
				if ceiling := 500 * time.Millisecond << i; d < 0 || d > ceiling {
					t.Errorf("wait %d = %v, want within [0, %v]", i, d, ceiling)
				}
			}
		})
	}
}

func TestNetworkFailureRetried(t *testing.T) {
	for _, kind := range providers {
		t.Run(kind, func(t *testing.T) {
			fx := threePages(t, kind)
			// Go's transport itself retries a GET once when a reused
			// connection dies; the second drop reaches the market.
			fx.fake.FailNext(markettest.Drop, markettest.Drop)
			hs, err := fx.market.Holdings(t.Context(), wallet)
			if err != nil || len(hs) != 5 {
				t.Fatalf("%d holdings, err %v", len(hs), err)
			}
			if len(fx.sleeps.All()) == 0 {
				t.Error("a network failure was not retried by the market")
			}
		})
	}
}

func TestRetriesExhausted(t *testing.T) {
	for _, kind := range providers {
		t.Run(kind, func(t *testing.T) {
			fx := threePages(t, kind)
			fx.fake.SetRetryAfter("3")
			fx.fake.FailNext(429, 503, 429, 503, 429, 503)
			hs, err := fx.market.Holdings(t.Context(), wallet)
			wantUnavailable(t, hs, err, msgUnavailable)
			if got := dashboard.ErrorRetryAfter(err); got != 3*time.Second {
				t.Errorf("RetryAfter = %v, want the server's 3s", got)
			}
			if n, s := fx.fake.Calls(), len(fx.sleeps.All()); n != 1+marketplace.DefaultMaxRetries || s != marketplace.DefaultMaxRetries {
				t.Errorf("%d requests, %d sleeps; want %d and %d", n, s, 1+marketplace.DefaultMaxRetries, marketplace.DefaultMaxRetries)
			}
		})
	}
}

func TestLongRetryAfterIsHandedBackNotSlept(t *testing.T) {
	fx := threePages(t, markettest.Alchemy)
	fx.fake.SetRetryAfter("120")
	fx.fake.FailNext(429)
	hs, err := fx.market.Holdings(t.Context(), wallet)
	wantUnavailable(t, hs, err, msgUnavailable)
	if got := dashboard.ErrorRetryAfter(err); got != 120*time.Second {
		t.Errorf("RetryAfter = %v, want 120s", got)
	}
	if len(fx.sleeps.All()) != 0 || fx.fake.Calls() != 1 {
		t.Errorf("slept %v over %d requests", fx.sleeps.All(), fx.fake.Calls())
	}
}

func TestWaitBeyondDeadlineGivesUp(t *testing.T) {
	fx := threePages(t, markettest.OpenSea)
	// The server asks for 20 s (a wait the market would sleep without a
	// deadline) and the caller has at most 15 s left, so the wait can never
	// fit, while the first request has 15 s to come back however slow the
	// machine is.
	fx.fake.SetRetryAfter("20")
	fx.fake.FailNext(429)
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	hs, err := fx.market.Holdings(ctx, wallet)
	wantUnavailable(t, hs, err, msgUnavailable)
	if len(fx.sleeps.All()) != 0 {
		t.Errorf("slept %v past the deadline", fx.sleeps.All())
	}
}

func TestFailureOnPage2Of3(t *testing.T) {
	for _, kind := range providers {
		t.Run(kind, func(t *testing.T) {
			fx := threePages(t, kind)
			fx.fake.FailPage(2, 500)
			hs, err := fx.market.Holdings(t.Context(), wallet)
			wantUnavailable(t, hs, err, msgUnavailable)
			if n := fx.fake.Calls(); n != 2+marketplace.DefaultMaxRetries {
				t.Errorf("%d requests, want page 1 once and page 2 %d times", n, 1+marketplace.DefaultMaxRetries)
			}
			// Healed, the same market reads everything.
			fx.fake.Heal()
			if hs, err := fx.market.Holdings(t.Context(), wallet); err != nil || len(hs) != 5 {
				t.Errorf("after Heal: %d holdings, err %v", len(hs), err)
			}
		})
	}
}

func TestMalformedPage(t *testing.T) {
	for _, kind := range providers {
		t.Run(kind, func(t *testing.T) {
			fx := threePages(t, kind)
			fx.fake.Malformed(2)
			hs, err := fx.market.Holdings(t.Context(), wallet)
			wantUnavailable(t, hs, err, msgUnreadable)
			if n := fx.fake.Calls(); n != 2 {
				t.Errorf("%d requests, want 2 (a readable answer is not retried)", n)
			}
		})
	}
}

func TestAnswerWithoutListIsAnError(t *testing.T) {
	for _, kind := range providers {
		t.Run(kind, func(t *testing.T) {
			for _, body := range []string{`{}`, `{"nfts": null, "ownedNfts": null}`, `[]`, `null`, `"nfts"`,
				`{"nfts": {}, "ownedNfts": {}}`, `{"nfts": [], "ownedNfts": [], "next": 5, "pageKey": 5}`} {
				fx := threePages(t, kind)
				fx.fake.RawPage(3, 200, body)
				hs, err := fx.market.Holdings(t.Context(), wallet)
				wantUnavailable(t, hs, err, msgUnreadable)
			}
		})
	}
}

func TestSlowAnswerTimesOut(t *testing.T) {
	for _, kind := range providers {
		t.Run(kind, func(t *testing.T) {
			t.Parallel() // each waits out two timeouts on a fake of its own
			// Page 1 must come back within the timeout, so it is generous;
			// page 2 never answers in time (the fake holds it for ten
			// minutes, or until the market gives up on it), so the timeout
			// fires however slow or fast the machine is.
			fx := threePages(t, kind, func(c *marketplace.Config) {
				c.Timeout = 2 * time.Second
				c.MaxRetries = 1
			})
			fx.fake.Slow(2, 10*time.Minute)
			start := time.Now()
			hs, err := fx.market.Holdings(t.Context(), wallet)
			wantUnavailable(t, hs, err, msgTimeout)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want a deadline", err)
			}
			// Two timed-out attempts take about 4 s; a market that waited for
			// the answer would take 10 minutes.
			if d := time.Since(start); d > 2*time.Minute {
				t.Errorf("took %v: the per-attempt timeout did not end the wait", d)
			}
			if n := fx.fake.Calls(); n != 3 {
				t.Errorf("%d requests, want page 1 and page 2 twice", n)
			}
		})
	}
}

func TestBadAPIKey(t *testing.T) {
	for _, kind := range providers {
		t.Run(kind, func(t *testing.T) {
			fx := threePages(t, kind, func(c *marketplace.Config) { c.APIKey = "wrong-key" })
			hs, err := fx.market.Holdings(t.Context(), wallet)
			wantUnavailable(t, hs, err, "The NFT marketplace refused the API key.")
			if n := fx.fake.Calls(); n != 1 || len(fx.sleeps.All()) != 0 {
				t.Errorf("%d requests, %d sleeps; a refused key is not retried", n, len(fx.sleeps.All()))
			}
			log := fx.log.String()
			if !strings.Contains(log, `"level":"ERROR"`) || !strings.Contains(log, "API key") {
				t.Errorf("refusal not logged as an error: %s", log)
			}
			noLeak(t, "log", log)
			if strings.Contains(log, "wrong-key") || strings.Contains(err.Error(), "wrong-key") {
				t.Errorf("the key leaks: %v / %s", err, log)
			}
		})
	}
}

func TestForbiddenIsAKeyRefusal(t *testing.T) {
	fx := threePages(t, markettest.OpenSea)
	fx.fake.FailNext(http.StatusForbidden)
	hs, err := fx.market.Holdings(t.Context(), wallet)
	wantUnavailable(t, hs, err, "The NFT marketplace refused the API key.")
}

func TestOtherClientErrorsAreNotRetried(t *testing.T) {
	fx := threePages(t, markettest.Alchemy)
	fx.fake.FailNext(http.StatusBadRequest)
	hs, err := fx.market.Holdings(t.Context(), wallet)
	wantUnavailable(t, hs, err, "The NFT marketplace refused the request.")
	if fx.fake.Calls() != 1 {
		t.Errorf("%d requests", fx.fake.Calls())
	}
}

func TestCanceledContext(t *testing.T) {
	fx := threePages(t, markettest.OpenSea)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	hs, err := fx.market.Holdings(ctx, wallet)
	if hs != nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("Holdings = %v, %v; want context.Canceled", hs, err)
	}
}

func TestDebugLogsRetriesWithoutSecrets(t *testing.T) {
	fx := threePages(t, markettest.Alchemy)
	fx.fake.FailNext(markettest.Drop, markettest.Drop, 500)
	if _, err := fx.market.Holdings(t.Context(), wallet); err != nil {
		t.Fatal(err)
	}
	log := fx.log.String()
	if strings.Count(log, "retrying") < 2 {
		t.Errorf("want 2 retry records: %s", log)
	}
	noLeak(t, "log", log)
}
