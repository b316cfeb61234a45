package lambdafn_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/app"
	"github.com/thebabesclub/dashboard/internal/clocktest"
	"github.com/thebabesclub/dashboard/internal/sqstest"
	"github.com/thebabesclub/dashboard/internal/stripetest"
	"github.com/thebabesclub/dashboard/lambdafn"
	"github.com/thebabesclub/dashboard/orders"
	"github.com/thebabesclub/dashboard/queue"
)

// timedStore is the worker's store on an injected clock: every order
// written takes perOrder of it, and reading the checkpoint of a window of
// slowRun takes slowRead (a listing that uses the invocation up before
// filing anything).
type timedStore struct {
	orders.Store
	clock    *clocktest.Clock
	perOrder time.Duration
	mu       sync.Mutex
	slowRun  string
	slowRead time.Duration
}

func (s *timedStore) PutOrder(ctx context.Context, snap *dashboard.OrderSnapshot) error {
	err := s.Store.PutOrder(ctx, snap)
	s.clock.Set(s.clock.Now().Add(s.perOrder))
	return err
}

func (s *timedStore) ReconcileCheckpoint(ctx context.Context, runID string, from time.Time) (*dashboard.ReconcileCheckpoint, error) {
	s.mu.Lock()
	slow := runID == s.slowRun
	s.mu.Unlock()
	if slow {
		s.clock.Set(s.clock.Now().Add(s.slowRead))
	}
	return s.Store.ReconcileCheckpoint(ctx, runID, from)
}

// TestWorkerContinuesWindowsOutOfTime runs order-refresh's handler in
// process on batches of several windows, each invocation with a deadline
// 90 s ahead of an injected clock that every order written moves by 1 s.
// A window that stops for its deadline having filed sessions queues itself
// again and is acknowledged; the windows after it in the batch, left with
// too little time, are queued again untouched (no attempt counted) and
// acknowledged: no message fails, and every window completes over the
// re-queued messages, each session filed once. The worker counts the
// windows' sessions (SyncProcessed, SyncCreated, SyncUnresolved). A window
// that runs out of time without filing anything fails its message, so SQS
// still takes a stuck window to the dead-letter queue.
func TestWorkerContinuesWindowsOutOfTime(t *testing.T) {
	// The in-process app's AWS clients read these, as the processes do.
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "local")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "local")
	w := newWorld(t).withStripe()
	for _, k := range []string{"DYNAMODB_ENDPOINT", "COMMERCE_TABLE"} {
		t.Setenv(k, w.env[k])
	}
	w.seedMember(memberA, "", "")
	ctx := context.Background()
	f, metrics, logs := newTestFunction(t, "order-refresh", w.env)
	a, err := app.New(ctx, func(k string) string { return w.env[k] }, t.TempDir(), logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Store.Close() })
	// The clock starts now and only moves forward, so the deadlines below
	// are ahead of the real time too: no real timer ends a context.
	clock := clocktest.NewClock(time.Now())
	store := &timedStore{Store: a.Orders.Store, clock: clock, perOrder: time.Second}
	a.Orders.Store, a.Orders.Now = store, clock.Now
	a.Orders.TimeLeft = func(deadline time.Time) time.Duration { return deadline.Sub(clock.Now()) }
	// A visibility timeout longer than any invocation here: a received
	// message is acknowledged (deleted) by the test, never redelivered.
	q := queue.NewSQS(sqstest.NewQueue(t, 10*time.Minute))
	a.Orders.Continuations = q
	worker := f.SQSWorker(lambdafn.RefreshHandler(f, a))

	// Three windows: 250 sessions of the member, 20 of hers and 10 no one
	// can be found for, and 5 of hers.
	base := time.Now().Add(-72 * time.Hour).UTC().Truncate(time.Hour)
	run := dashboard.ReconcileRun{ID: "run-worker-" + newUUID()[:8], From: base, To: base.Add(3 * time.Hour), Window: time.Hour}
	windows := run.Windows()
	counts := []int{250, 20, 5}
	var ids []string
	for i, n := range counts {
		for k := range n {
			id := fmt.Sprintf("cs_test_worker%d_%03d", i, k)
			w.stripe.AddSession(stripetest.NewSession(id, windows[i].From.Add(time.Duration(k)*10*time.Second)).WithUserID(memberA).Paid())
			ids = append(ids, id)
		}
	}
	for k := range 10 {
		w.stripe.AddSession(stripetest.NewSession(fmt.Sprintf("cs_test_worker_nobody_%02d", k), windows[1].From.Add(time.Duration(k)*time.Minute+time.Second)).
			WithEmail(fmt.Sprintf("stranger-%02d@example.com", k)).Paid())
	}
	for _, win := range windows {
		if err := q.Enqueue(ctx, win.Request()); err != nil {
			t.Fatal(err)
		}
	}

	invocations := 0
	for ; invocations < 20; invocations++ {
		msgs, err := q.Receive(ctx, 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) == 0 {
			break
		}
		ictx, cancel := context.WithDeadline(ctx, clock.Now().Add(90*time.Second))
		resp, err := worker(ictx, events.SQSEvent{Records: msgs})
		cancel()
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("invocation %d: %+v, %v; want every message acknowledged\n%s", invocations+1, resp, err, logs.String())
		}
		if err := q.Delete(ctx, msgs); err != nil {
			t.Fatal(err)
		}
		if invocations == 0 {
			// The first window used the invocation; the others never started.
			for _, win := range windows[1:] {
				if cp, err := w.store.ReconcileCheckpoint(ctx, run.ID, win.From); err != nil || cp != nil {
					t.Errorf("window %v after the first invocation: %+v, %v; want it untouched", win.From, cp, err)
				}
			}
			if cp, _ := w.store.ReconcileCheckpoint(ctx, run.ID, windows[0].From); cp == nil || cp.Done || cp.Synced == 0 || cp.After == "" {
				t.Errorf("the first window's checkpoint = %+v, want progress, not done", cp)
			}
		}
	}
	if invocations < 4 || invocations == 20 {
		t.Fatalf("the windows took %d invocations, want at least 4 (250 sessions at most 80 an invocation) and an end", invocations)
	}
	for i, win := range windows {
		cp, err := w.store.ReconcileCheckpoint(ctx, run.ID, win.From)
		want := counts[i]
		if i == 1 {
			want += 10
		}
		if err != nil || cp == nil || !cp.Done || cp.Synced != want {
			t.Errorf("window %d: %+v, %v; want done with %d sessions", i, cp, err, want)
		}
	}
	for _, id := range ids {
		if o, err := w.store.FindOrder(ctx, id); err != nil || o.Version != 1 {
			t.Fatalf("order %s = %+v, %v; want it filed once", id, o, err)
		}
	}
	m := sumMetrics(t, metrics.String())
	if m["SyncCreated"] != float64(len(ids)) || m["SyncUnresolved"] != 10 || m["SyncUpdated"] != 0 ||
		m["SyncProcessed"] != float64(len(ids)+10) || m["SyncFailures"] != 0 {
		t.Errorf("metrics = %v; want the windows' %d sessions processed, %d created, 10 unresolved", m, len(ids)+10, len(ids))
	}

	// A window whose invocation is used up before it files anything fails
	// its message and queues nothing.
	stuck := dashboard.ReconcileWindow{RunID: "run-stuck-" + newUUID()[:8], From: windows[0].From, To: windows[0].To}
	store.mu.Lock()
	store.slowRun, store.slowRead = stuck.RunID, 25*time.Second
	store.mu.Unlock()
	ictx, cancel := context.WithDeadline(ctx, clock.Now().Add(31*time.Second))
	defer cancel()
	resp, err := worker(ictx, sqsEvent(windowBody(t, stuck)))
	if err != nil || !slices.Equal(failedList(resp), []string{"msg-1"}) {
		t.Errorf("the stuck window = %+v, %v; want its message failed", resp, err)
	}
	if cp, _ := w.store.ReconcileCheckpoint(ctx, stuck.RunID, stuck.From); cp == nil || cp.Done || cp.Attempts != 1 || cp.Synced != 0 {
		t.Errorf("the stuck window's checkpoint = %+v, want one attempt, nothing filed", cp)
	}
	if msgs, _ := q.Receive(ctx, 10, 0); len(msgs) != 0 {
		t.Errorf("a window that made no progress queued %d messages", len(msgs))
	}
}

// windowBody is the refresh message of win.
func windowBody(t *testing.T, win dashboard.ReconcileWindow) string {
	t.Helper()
	r := win.Request()
	return fmt.Sprintf(`{"kind":"RECONCILE","runId":%q,"from":%q,"to":%q}`, r.RunID, r.From.Format(time.RFC3339Nano), r.To.Format(time.RFC3339Nano))
}

// failedList is the ids of resp's failures.
func failedList(resp events.SQSEventResponse) []string {
	var ids []string
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}
