package backoff

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func TestCeilingAndJitter(t *testing.T) {
	p := Policy{Base: 500 * time.Millisecond, Max: 8 * time.Second}
	for n, want := range map[int]time.Duration{1: 500 * time.Millisecond, 2: time.Second, 4: 4 * time.Second, 5: 8 * time.Second, 30: 8 * time.Second} {
		if got := p.Ceiling(n); got != want {
			t.Errorf("Ceiling(%d) = %v, want %v", n, got, want)
		}
	}
	for range 1000 {
		if d := p.Jitter(3); d < 0 || d > 4*time.Second {
			t.Fatalf("Jitter(3) = %v, outside [0, 4s]", d)
		}
	}
	if (Policy{}).Jitter(2) != 0 {
		t.Error("a zero policy must not wait")
	}
}

func TestRetryAfter(t *testing.T) {
	for v, want := range map[string]time.Duration{"3": 3 * time.Second, " 0 ": 0, "999999": time.Hour} {
		if got, ok := RetryAfter(v, time.Hour); !ok || got != want {
			t.Errorf("RetryAfter(%q) = %v %v, want %v", v, got, ok, want)
		}
	}
	for _, v := range []string{"", "-1", "soon", "1.5"} {
		if _, ok := RetryAfter(v, time.Hour); ok {
			t.Errorf("RetryAfter(%q) accepted", v)
		}
	}
	// An HTTP-date an hour ahead, read against the real clock: however slow
	// the machine, the wait is at most the hour (the date is floored to the
	// second) and far above the 30 minutes checked.
	date := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	if got, ok := RetryAfter(date, 2*time.Hour); !ok || got < 30*time.Minute || got > time.Hour {
		t.Errorf("RetryAfter(date) = %v %v", got, ok)
	}
}

func TestSleepAndDeadline(t *testing.T) {
	// An hour's deadline: a millisecond's wait fits however slow the
	// machine is, two hours' never does.
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	if !PastDeadline(ctx, 2*time.Hour) || PastDeadline(ctx, time.Millisecond) || PastDeadline(context.Background(), time.Hour) {
		t.Error("PastDeadline is wrong")
	}
	cancel()
	if err := Sleep(ctx, time.Hour); err == nil {
		t.Error("Sleep ignored a cancelled context")
	}
	if RoundUpSecond(1500*time.Millisecond) != 2*time.Second || RoundUpSecond(0) != time.Second {
		t.Error("RoundUpSecond is wrong")
	}
}
