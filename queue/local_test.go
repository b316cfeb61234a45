package queue

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"

	"github.com/thebabesclub/dashboard/internal/logtest"
)

// newLocal starts a Local with fast retries and closes it when the test ends.
func newLocal(t *testing.T, h dashboard.RefreshHandler, opts LocalOptions) *Local {
	t.Helper()
	if opts.Backoff == 0 {
		opts.Backoff = time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger, _ = logtest.NewLogger()
	}
	l := NewLocal(h, opts)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = l.Close(ctx)
	})
	return l
}

func TestLocalCollapsesConcurrentEnqueues(t *testing.T) {
	ctx := testCtx(t)
	rec := newRecorder(nil)
	// An enqueue that arrives after the first sync finished is collapsed by
	// the window; an hour (not the 30 s default) so no slow machine outlasts it.
	l := newLocal(t, rec.handle, LocalOptions{Collapse: time.Hour})
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if err := l.Enqueue(ctx, stripeReq("u1")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := l.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	if n := rec.count(stripeReq("u1")); n != 1 {
		t.Errorf("50 enqueues for one member ran %d syncs, want 1", n)
	}
}

func TestLocalRunsSeparateSyncsSeparately(t *testing.T) {
	ctx := testCtx(t)
	rec := newRecorder(nil)
	l := newLocal(t, rec.handle, LocalOptions{})
	reqs := []dashboard.RefreshRequest{
		stripeReq("u1"), stripeReq("u2"), nftReq("u1"),
		{Kind: dashboard.SyncNFT, Wallet: wallet},
	}
	for _, r := range reqs {
		if err := l.Enqueue(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range reqs {
		if n := rec.count(r); n != 1 {
			t.Errorf("%+v ran %d times, want 1", r, n)
		}
	}
}

func TestLocalCollapseWindow(t *testing.T) {
	ctx := testCtx(t)
	for _, tc := range []struct {
		name   string
		window time.Duration
		want   int
	}{
		{"within the window", time.Hour, 1},
		{"window off", -1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(nil)
			l := newLocal(t, rec.handle, LocalOptions{Collapse: tc.window})
			for range 2 {
				if err := l.Enqueue(ctx, stripeReq("u1")); err != nil {
					t.Fatal(err)
				}
				if err := l.Idle(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if n := rec.count(stripeReq("u1")); n != tc.want {
				t.Errorf("two enqueues one after the other ran %d syncs, want %d", n, tc.want)
			}
		})
	}
}

func TestLocalRetriesFailures(t *testing.T) {
	ctx := testCtx(t)
	t.Run("until success", func(t *testing.T) {
		rec := newRecorder(func(_ dashboard.RefreshRequest, call int) error {
			if call < 3 {
				return errors.New("upstream down")
			}
			return nil
		})
		l := newLocal(t, rec.handle, LocalOptions{MaxAttempts: 5})
		if err := l.Enqueue(ctx, stripeReq("u1")); err != nil {
			t.Fatal(err)
		}
		if err := l.Idle(ctx); err != nil {
			t.Fatal(err)
		}
		if n := rec.count(stripeReq("u1")); n != 3 {
			t.Errorf("handler ran %d times, want 3 (two failures, then success)", n)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		log, logs := logtest.NewLogger()
		rec := newRecorder(func(dashboard.RefreshRequest, int) error { return errors.New("upstream down") })
		l := newLocal(t, rec.handle, LocalOptions{MaxAttempts: 4, Logger: log})
		if err := l.Enqueue(ctx, dashboard.RefreshRequest{Kind: dashboard.SyncNFT, Wallet: wallet}); err != nil {
			t.Fatal(err)
		}
		if err := l.Idle(ctx); err != nil {
			t.Fatal(err)
		}
		if n := rec.total(); n != 4 {
			t.Errorf("handler ran %d times, want MaxAttempts = 4", n)
		}
		if out := logs.String(); !strings.Contains(out, "giving up") || strings.Contains(strings.ToLower(out), strings.ToLower(wallet)) {
			t.Errorf("logs should report giving up without the wallet:\n%s", out)
		}
	})
	t.Run("panics", func(t *testing.T) {
		rec := newRecorder(func(_ dashboard.RefreshRequest, call int) error {
			if call == 1 {
				panic("bug")
			}
			return nil
		})
		l := newLocal(t, rec.handle, LocalOptions{})
		if err := l.Enqueue(ctx, stripeReq("u1")); err != nil {
			t.Fatal(err)
		}
		if err := l.Idle(ctx); err != nil {
			t.Fatal(err)
		}
		if n := rec.total(); n != 2 {
			t.Errorf("handler ran %d times, want 2 (a panic, then success)", n)
		}
	})
}

// blocker is a handler whose runs for member "block" wait for release, so a
// test can hold a worker busy.
type blocker struct {
	*recorder
	started chan struct{}
	release chan struct{}
}

func newBlocker() *blocker {
	return &blocker{recorder: newRecorder(nil), started: make(chan struct{}, 16), release: make(chan struct{})}
}

func (b *blocker) handle(ctx context.Context, r dashboard.RefreshRequest) error {
	_ = b.recorder.handle(ctx, r)
	if r.UserID == "block" {
		b.started <- struct{}{}
		<-b.release
	}
	return nil
}

func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(20 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func TestLocalFullBufferDropsWithoutBlocking(t *testing.T) {
	ctx := testCtx(t)
	log, logs := logtest.NewLogger()
	b := newBlocker()
	l := newLocal(t, b.handle, LocalOptions{Workers: 1, Buffer: 1, Logger: log})

	if err := l.Enqueue(ctx, stripeReq("block")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, b.started, "the worker to start")
	if err := l.Enqueue(ctx, stripeReq("queued")); err != nil { // fills the buffer
		t.Fatal(err)
	}
	returned := make(chan error, 1)
	go func() { returned <- l.Enqueue(ctx, stripeReq("dropped")) }()
	select {
	case err := <-returned:
		if err != nil {
			t.Errorf("Enqueue on a full buffer = %v, want nil", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Enqueue blocked on a full buffer")
	}
	if !strings.Contains(logs.String(), "full") {
		t.Errorf("no warning logged for the drop:\n%s", logs.String())
	}

	close(b.release)
	if err := l.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	if b.count(stripeReq("queued")) != 1 || b.count(stripeReq("dropped")) != 0 {
		t.Errorf("queued ran %d times and dropped %d, want 1 and 0",
			b.count(stripeReq("queued")), b.count(stripeReq("dropped")))
	}
	// A dropped request leaves no trace, so the next read can ask again.
	if err := l.Enqueue(ctx, stripeReq("dropped")); err != nil {
		t.Fatal(err)
	}
	if err := l.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	if n := b.count(stripeReq("dropped")); n != 1 {
		t.Errorf("re-enqueued request ran %d times, want 1", n)
	}
}

func TestLocalCloseWaitsForWork(t *testing.T) {
	ctx := testCtx(t)
	b := newBlocker()
	l := NewLocal(b.handle, LocalOptions{Workers: 1})
	if err := l.Enqueue(ctx, stripeReq("block")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, b.started, "the worker to start")
	if err := l.Enqueue(ctx, stripeReq("queued")); err != nil {
		t.Fatal(err)
	}

	closed := make(chan error, 1)
	go func() { closed <- l.Close(ctx) }()
	// Enqueue distinct members until Close refuses one; those accepted
	// before that must still run, the refused one never.
	var accepted []dashboard.RefreshRequest
	var refused dashboard.RefreshRequest
	eventually(t, "Close to stop accepting", func() bool {
		r := stripeReq(fmt.Sprintf("late-%d", len(accepted)))
		err := l.Enqueue(ctx, r)
		if errors.Is(err, ErrClosed) {
			refused = r
			return true
		}
		if err != nil {
			t.Fatal(err)
		}
		accepted = append(accepted, r)
		return false
	})
	select {
	case err := <-closed:
		t.Fatalf("Close returned %v while a sync was still running", err)
	default:
	}

	close(b.release)
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close = %v, want nil", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Close did not return after the work finished")
	}
	for _, r := range append(accepted, stripeReq("queued")) {
		if n := b.count(r); n != 1 {
			t.Errorf("%s, accepted before Close, ran %d times, want 1", r.UserID, n)
		}
	}
	if n := b.count(refused); n != 0 {
		t.Errorf("%s, refused by Close, ran %d times", refused.UserID, n)
	}
	if err := l.Close(ctx); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
}

func TestLocalCloseGivesUpAtDeadline(t *testing.T) {
	cancelled := make(chan struct{})
	started := make(chan struct{})
	h := func(ctx context.Context, r dashboard.RefreshRequest) error {
		close(started)
		<-ctx.Done()
		close(cancelled)
		return ctx.Err()
	}
	log, _ := logtest.NewLogger()
	l := NewLocal(h, LocalOptions{Workers: 1, Logger: log})
	if err := l.Enqueue(testCtx(t), stripeReq("u1")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, started, "the sync to start")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Close = %v, want context.Canceled", err)
	}
	waitFor(t, cancelled, "the running sync to see its context cancelled")
	if err := l.Idle(testCtx(t)); err != nil {
		t.Errorf("Idle after a forced Close = %v", err)
	}
}

func TestLocalIdleHonoursContext(t *testing.T) {
	b := newBlocker()
	l := newLocal(t, b.handle, LocalOptions{})
	defer close(b.release)
	if err := l.Enqueue(testCtx(t), stripeReq("block")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Idle(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Idle while busy with a cancelled context = %v", err)
	}
}

func TestLocalEnqueueValidates(t *testing.T) {
	rec := newRecorder(nil)
	l := newLocal(t, rec.handle, LocalOptions{})
	if err := l.Enqueue(testCtx(t), dashboard.RefreshRequest{Kind: dashboard.SyncStripe}); dashboard.ErrorCode(err) != dashboard.EVALIDATION {
		t.Errorf("Enqueue without a member = %v, want an EVALIDATION error", err)
	}
}
