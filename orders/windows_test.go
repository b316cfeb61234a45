package orders_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/clocktest"
	"github.com/thebabesclub/dashboard/internal/storetest"
	"github.com/thebabesclub/dashboard/internal/stripetest"
	"github.com/thebabesclub/dashboard/obs"
	"github.com/thebabesclub/dashboard/orders"
	"github.com/thebabesclub/dashboard/queue"
	"github.com/thebabesclub/dashboard/stripe"
)

// recordingQueue is a refresh queue that keeps what it is given, after
// checking it the way the real queues do.
type recordingQueue struct {
	t    *testing.T
	mu   sync.Mutex
	reqs []dashboard.RefreshRequest
}

func (q *recordingQueue) Enqueue(_ context.Context, r dashboard.RefreshRequest) error {
	if err := queue.Validate(r); err != nil {
		q.t.Errorf("the planner queued an invalid request %+v: %v", r, err)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.reqs = append(q.reqs, r)
	return nil
}

// checkPartition fails unless windows cut exactly [from, to): consecutive,
// in whole seconds, each at most size long.
func checkPartition(t *testing.T, windows []dashboard.ReconcileWindow, from, to time.Time, size time.Duration) {
	t.Helper()
	if len(windows) == 0 || !windows[0].From.Equal(from) || !windows[len(windows)-1].To.Equal(to) {
		t.Fatalf("windows %v…, want [%v, %v)", windows[:min(2, len(windows))], from, to)
	}
	for i, w := range windows {
		if !w.From.Before(w.To) || w.To.Sub(w.From) > size || w.From.Nanosecond() != 0 || w.To.Nanosecond() != 0 {
			t.Errorf("window %d = [%v, %v): empty, longer than %v, or not in whole seconds", i, w.From, w.To, size)
		}
		if i > 0 && !windows[i-1].To.Equal(w.From) {
			t.Errorf("window %d starts at %v, the previous one ends at %v: a gap or an overlap", i, w.From, windows[i-1].To)
		}
		if i < len(windows)-1 && w.To.Sub(w.From) != size {
			t.Errorf("window %d is %v long, want %v (only the last may be shorter)", i, w.To.Sub(w.From), size)
		}
	}
}

// TestPlanCutsTheRangeIntoWindowsOnce: the planner's windows cover
// [watermark − overlap, now) exactly once — consecutive, whole seconds,
// an hour each but the last — and every one is queued once, as a request
// the queues accept; a first run starts at the epoch and keeps to the cap;
// a long span gets longer windows instead of more.
func TestPlanCutsTheRangeIntoWindowsOnce(t *testing.T) {
	store := stores["bolt"](t)
	svc, _ := newService(t, store)
	wm := time.Date(2026, 3, 1, 1, 37, 12, 345_000_000, time.UTC)
	clock := clocktest.NewClock(wm.Add(25*time.Hour + 30*time.Minute + 500*time.Millisecond))
	svc.Now = clock.Now
	if err := store.SetWatermark(t.Context(), orders.WatermarkName, wm); err != nil {
		t.Fatal(err)
	}
	q := &recordingQueue{t: t}
	plan, err := svc.PlanReconciliation(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	from, to := wm.Add(-orders.ReconcileOverlap).Truncate(time.Second), clock.Now().Truncate(time.Second)
	checkPartition(t, plan.Windows, from, to, time.Hour)
	if len(plan.Windows) != 27 || plan.Run.Window != time.Hour || !plan.Run.From.Equal(from) || !plan.Run.To.Equal(to) {
		t.Errorf("plan = %+v with %d windows, want 27 hourly windows over [%v, %v)", plan.Run, len(plan.Windows), from, to)
	}
	if len(q.reqs) != len(plan.Windows) {
		t.Fatalf("%d requests queued for %d windows", len(q.reqs), len(plan.Windows))
	}
	for i, r := range q.reqs {
		w := plan.Windows[i]
		if r.Kind != dashboard.ReconcileKind || r.RunID != plan.Run.ID || !r.From.Equal(w.From) || !r.To.Equal(w.To) {
			t.Errorf("request %d = %+v, want window %+v", i, r, w)
		}
	}
	if got, _ := store.LatestReconcileRun(t.Context()); got == nil || got.ID != plan.Run.ID {
		t.Errorf("the latest run is %+v, want the plan's %s", got, plan.Run.ID)
	}
	// The watermark is not the planner's to move until windows are done.
	if got, _ := store.Watermark(t.Context(), orders.WatermarkName); !got.Equal(wm) {
		t.Errorf("planning moved the watermark to %v", got)
	}

	// A first run: from the epoch, at most the cap, in whole minutes.
	first := stores["bolt"](t)
	svc.Store = first
	plan, err = svc.PlanReconciliation(t.Context(), &recordingQueue{t: t})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(plan.Windows); n > orders.DefaultMaxReconcileWindows || n < orders.DefaultMaxReconcileWindows-1 || plan.Run.Window%time.Minute != 0 {
		t.Errorf("a first run has %d windows of %v, want at most %d in whole minutes", n, plan.Run.Window, orders.DefaultMaxReconcileWindows)
	}
	checkPartition(t, plan.Windows, orders.ReconcileEpoch, to, plan.Run.Window)

	// A cap of 10 over 26 h 30 min: ten windows of 2 h 39 min.
	svc.Store, svc.Reconciliation = stores["bolt"](t), orders.ReconcileOptions{MaxWindows: 10, Epoch: to.Add(-26*time.Hour - 30*time.Minute)}
	plan, err = svc.PlanReconciliation(t.Context(), &recordingQueue{t: t})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Windows) != 10 || plan.Run.Window != 2*time.Hour+39*time.Minute {
		t.Errorf("capped plan: %d windows of %v, want 10 of 2h39m", len(plan.Windows), plan.Run.Window)
	}
	checkPartition(t, plan.Windows, to.Add(-26*time.Hour-30*time.Minute), to, plan.Run.Window)
}

// countingStore counts order reads and writes by order id, and calls
// afterPut after every successful write with the running total.
type countingStore struct {
	storetest.RawStore
	mu       sync.Mutex
	gets     map[string]int
	puts     map[string]int
	total    int
	afterPut func(total int)
}

func newCountingStore(s storetest.RawStore) *countingStore {
	return &countingStore{RawStore: s, gets: map[string]int{}, puts: map[string]int{}}
}

func (c *countingStore) GetOrder(ctx context.Context, userID, orderID string, created time.Time) (*dashboard.OrderSnapshot, error) {
	c.mu.Lock()
	c.gets[orderID]++
	c.mu.Unlock()
	return c.RawStore.GetOrder(ctx, userID, orderID, created)
}

func (c *countingStore) PutOrder(ctx context.Context, snap *dashboard.OrderSnapshot) error {
	err := c.RawStore.PutOrder(ctx, snap)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.puts[snap.OrderID]++
	c.total++
	n, hook := c.total, c.afterPut
	c.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	return nil
}

// reset forgets the counts so far.
func (c *countingStore) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.gets)
	clear(c.puts)
	c.total = 0
}

// touched reports how many of ids were read or written since the reset.
func (c *countingStore) touched(ids []string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, id := range ids {
		if c.gets[id] > 0 || c.puts[id] > 0 {
			n++
		}
	}
	return n
}

// TestWindowResumesFromItsCheckpoint: a window of 350 sessions whose
// listing fails after two pages is retried; the retry asks Stripe only for
// the pages after the checkpoint and neither reads nor writes any of the
// 200 sessions already filed; the window is then done, and a third
// delivery asks Stripe nothing and writes nothing.
func TestWindowResumesFromItsCheckpoint(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			store := newCountingStore(open(t))
			svc, fake := newService(t, store)
			owner := newHex(t)
			member(t, store, owner, "window-"+owner[:8]+"@example.com", "")
			from := time.Now().Add(-48 * time.Hour).Truncate(time.Hour)
			w := dashboard.ReconcileWindow{RunID: "run-" + owner[:8], From: from, To: from.Add(time.Hour)}
			var newestFirst []string
			for i := range 350 {
				id := fmt.Sprintf("cs_test_win%04d_%s", i, owner[:6])
				fake.AddSession(stripetest.NewSession(id, from.Add(time.Duration(i)*10*time.Second)).WithUserID(owner).WithItem("Ring", 1, 4900).Paid())
				newestFirst = append([]string{id}, newestFirst...)
			}
			// Outside the window, either side: never listed.
			fake.AddSession(stripetest.NewSession("cs_test_before_"+owner[:6], from.Add(-time.Second)).WithUserID(owner).Paid(),
				stripetest.NewSession("cs_test_after_"+owner[:6], w.To).WithUserID(owner).Paid())

			store.afterPut = func(n int) {
				if n == 200 {
					fake.Fail("/v1/checkout/sessions", 500, 500) // both attempts of the third page
				}
			}
			res, err := svc.ReconcileWindow(t.Context(), w)
			if err == nil {
				t.Fatal("a window whose listing broke succeeded")
			}
			if res.Synced != 200 || fake.Calls("/v1/checkout/sessions") != 4 {
				t.Fatalf("first attempt: %+v after %d list calls; want 200 filed, 2 pages + 2 failed attempts", res, fake.Calls("/v1/checkout/sessions"))
			}
			cp, err := store.ReconcileCheckpoint(t.Context(), w.RunID, w.From)
			if err != nil || cp == nil || cp.Done || cp.After != newestFirst[199] || cp.Synced != 200 || cp.Attempts != 1 {
				t.Fatalf("checkpoint after the failure = %+v, %v; want after %s, 200 filed, 1 attempt", cp, err, newestFirst[199])
			}

			store.reset()
			store.afterPut = nil
			fake.ResetCalls()
			res, err = svc.ReconcileWindow(t.Context(), w)
			if err != nil {
				t.Fatal(err)
			}
			if res.Synced != 150 || res.Created != 150 {
				t.Errorf("retry = %+v, want the 150 sessions after the checkpoint", res)
			}
			if calls := fake.Calls("/v1/checkout/sessions"); calls != 2 {
				t.Errorf("retry made %d list calls, want 2 (the pages after the checkpoint)", calls)
			}
			if n := store.touched(newestFirst[:200]); n != 0 {
				t.Errorf("the retry read or wrote %d of the 200 sessions filed before the failure", n)
			}
			if n := store.touched(newestFirst[200:]); n != 150 || store.total != 150 {
				t.Errorf("the retry touched %d of the remaining 150 and wrote %d orders, want 150 and 150", n, store.total)
			}
			cp, _ = store.ReconcileCheckpoint(t.Context(), w.RunID, w.From)
			if cp == nil || !cp.Done || cp.Synced != 350 || cp.Created != 350 || cp.Attempts != 2 {
				t.Errorf("checkpoint after the retry = %+v, want done, 350 filed, 2 attempts", cp)
			}
			page, err := store.ListOrders(t.Context(), owner, 100, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range page.Orders {
				if o.Version != 1 || o.OrderID == "cs_test_before_"+owner[:6] || o.OrderID == "cs_test_after_"+owner[:6] {
					t.Errorf("order %s stored (version %d)", o.OrderID, o.Version)
				}
			}

			// Done is done: another delivery does nothing.
			store.reset()
			fake.ResetCalls()
			if res, err := svc.ReconcileWindow(t.Context(), w); err != nil || res.Synced != 0 {
				t.Errorf("a done window ran again: %+v, %v", res, err)
			}
			if calls, writes := fake.Calls("/"), store.total; calls != 0 || writes != 0 {
				t.Errorf("a done window made %d Stripe calls and %d writes, want none", calls, writes)
			}
		})
	}
}

// windowOf is the window a RECONCILE request names.
func windowOf(r dashboard.RefreshRequest) dashboard.ReconcileWindow {
	return dashboard.ReconcileWindow{RunID: r.RunID, From: r.From, To: r.To}
}

// TestWindowsFanOutThroughTheQueue: the planner's windows go through the
// in-process queue to its workers. One window keeps failing (a session in
// it cannot be read from Stripe) until the queue gives up on it; the other
// windows complete. The next plan advances the watermark over the done
// windows only — to the failed window's start — and covers it again; its
// redelivery resumes where it stopped; and once every window of a run is
// done, the watermark reaches the run's end.
func TestWindowsFanOutThroughTheQueue(t *testing.T) {
	store := stores["bolt"](t)
	svc, fake := newService(t, store)
	owner := newHex(t)
	member(t, store, owner, "fan-"+owner[:8]+"@example.com", "")
	base := time.Now().Add(-72 * time.Hour).Truncate(time.Hour)
	clock := clocktest.NewClock(base.Add(5 * time.Hour))
	svc.Now = clock.Now
	if err := store.SetWatermark(t.Context(), orders.WatermarkName, base.Add(orders.ReconcileOverlap)); err != nil {
		t.Fatal(err)
	}
	// 20 sessions in each of the five hours; in hour 2, the 15th has more
	// line items than a listing embeds, so it is fetched on its own — and
	// that fetch fails every attempt the queue makes.
	bad := "cs_test_fan_bad_" + owner[:6]
	var hour2 []string // newest first
	for h := range 5 {
		for i := range 20 {
			id := fmt.Sprintf("cs_test_fan%d_%02d_%s", h, i, owner[:6])
			s := stripetest.NewSession(id, base.Add(time.Duration(h)*time.Hour+time.Duration(i)*time.Minute)).WithUserID(owner).Paid()
			if h == 2 && i == 14 {
				s.ID, id = bad, bad
				for k := range stripetest.EmbeddedLineItems + 1 {
					s = s.WithItem(fmt.Sprintf("Charm %d", k), 1, 1500)
				}
			}
			fake.AddSession(s)
			if h == 2 {
				hour2 = append([]string{id}, hour2...)
			}
		}
	}
	const attempts = 3
	fake.Fail("/v1/checkout/sessions/"+bad, slices.Repeat([]int{500}, 2*attempts)...) // 2 HTTP attempts per read

	local := queue.NewLocal(func(ctx context.Context, r dashboard.RefreshRequest) error {
		_, err := svc.ReconcileWindow(ctx, windowOf(r))
		return err
	}, queue.LocalOptions{Workers: 2, MaxAttempts: attempts, Backoff: time.Millisecond, Collapse: -1, Logger: obs.NewLogger(io.Discard, "error")})
	t.Cleanup(func() { local.Close(context.Background()) })

	plan, err := svc.PlanReconciliation(t.Context(), local)
	if err != nil {
		t.Fatal(err)
	}
	if err := local.Idle(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(plan.Windows) != 5 {
		t.Fatalf("%d windows, want 5", len(plan.Windows))
	}
	cps, err := store.ReconcileCheckpoints(t.Context(), plan.Run.ID)
	if err != nil {
		t.Fatal(err)
	}
	failed := plan.Windows[2]
	for i, c := range cps {
		wantDone := !c.From.Equal(failed.From)
		if c.Done != wantDone || (wantDone && c.Synced != 20) {
			t.Errorf("window %d: %+v, want done %v with 20 filed", i, c, wantDone)
		}
		// Newest first: the five sessions after the long one were filed.
		if !wantDone && (c.Attempts != attempts || c.Synced != 5 || c.After != hour2[4]) {
			t.Errorf("the failed window's checkpoint = %+v, want %d attempts, 5 filed (after %s)", c, attempts, hour2[4])
		}
	}
	if len(cps) != 5 {
		t.Errorf("%d checkpoints, want 5", len(cps))
	}
	if _, err := store.FindOrder(t.Context(), bad); dashboard.ErrorCode(err) != dashboard.ENOTFOUND {
		t.Errorf("the unreadable session was filed: %v", err)
	}
	if wm, _ := store.Watermark(t.Context(), orders.WatermarkName); !wm.Equal(base.Add(orders.ReconcileOverlap)) {
		t.Errorf("the watermark moved before the next plan: %v", wm)
	}

	// The next night's plan: the watermark moves over windows 0 and 1, not
	// past the failed one, and the new run covers it again.
	clock.Set(clock.Now().Add(24 * time.Hour))
	q := &recordingQueue{t: t}
	next, err := svc.PlanReconciliation(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	if next.Unfinished != 1 || next.PreviousRunID != plan.Run.ID || !next.Watermark.Equal(failed.From) {
		t.Errorf("next plan: %d unfinished of %s, watermark %v; want 1 of %s, the failed window's start %v",
			next.Unfinished, next.PreviousRunID, next.Watermark, plan.Run.ID, failed.From)
	}
	if !next.Run.From.Equal(failed.From.Add(-orders.ReconcileOverlap)) {
		t.Errorf("the next run starts at %v, want %v", next.Run.From, failed.From.Add(-orders.ReconcileOverlap))
	}

	// The failed window, redriven from the dead-letter queue, resumes
	// after the 5 sessions it had filed.
	fake.ResetCalls()
	res, err := svc.ReconcileWindow(t.Context(), failed)
	if err != nil || res.Synced != 15 {
		t.Fatalf("redriven window = %+v, %v; want the 15 sessions after its checkpoint", res, err)
	}
	if calls := fake.Calls("/v1/checkout/sessions/" + bad); calls != 1 {
		t.Errorf("%d reads of the long session, want 1", calls)
	}

	// The next run's windows, as order-refresh would process them; once
	// all are done, the following plan moves the watermark to its end.
	for _, r := range q.reqs {
		if _, err := svc.ReconcileWindow(t.Context(), windowOf(r)); err != nil {
			t.Fatal(err)
		}
	}
	clock.Set(clock.Now().Add(24 * time.Hour))
	last, err := svc.PlanReconciliation(t.Context(), &recordingQueue{t: t})
	if err != nil {
		t.Fatal(err)
	}
	if last.Unfinished != 0 || !last.Watermark.Equal(next.Run.To) {
		t.Errorf("after every window of %s was done: %d unfinished, watermark %v; want 0 and %v", next.Run.ID, last.Unfinished, last.Watermark, next.Run.To)
	}
	page, _ := store.ListOrders(t.Context(), owner, 100, "")
	if len(page.Orders) != 100 {
		t.Errorf("%d orders stored, want all 100", len(page.Orders))
	}
	for _, o := range page.Orders {
		if o.Version != 1 {
			t.Errorf("order %s written %d times", o.OrderID, o.Version)
		}
	}
}

// listQueries records the query of every list request the Stripe adapter
// sends, on our side of the wire.
type listQueries struct {
	mu sync.Mutex
	qs []url.Values
}

func (l *listQueries) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == "/v1/checkout/sessions" {
		l.mu.Lock()
		l.qs = append(l.qs, r.URL.Query())
		l.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestIncrementalSyncAsksFromTheMarker: `sync stripe --all`'s step asks
// Stripe only for the sessions created from the member's SYNC#STRIPE
// marker minus the reconciliation's overlap, so a session older than that
// is not read again; a member never synced reads all.
func TestIncrementalSyncAsksFromTheMarker(t *testing.T) {
	store := stores["bolt"](t)
	fake := stripetest.New(t)
	rec := &listQueries{}
	payments, err := stripe.New(stripe.Config{SecretKey: "sk_test_incremental", APIBase: fake.URL(), MaxRPS: -1,
		HTTPClient: &http.Client{Transport: rec}})
	if err != nil {
		t.Fatal(err)
	}
	svc := &orders.Service{Store: store, Payments: payments, Logger: obs.NewLogger(io.Discard, "error")}
	synced, never := newHex(t), newHex(t)
	member(t, store, synced, "synced-"+synced[:6]+"@example.com", "cus_inc_"+synced[:6])
	member(t, store, never, "never-"+never[:6]+"@example.com", "cus_inc_"+never[:6])
	marker := time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Millisecond).Add(123 * time.Millisecond)
	if err := store.MarkSynced(t.Context(), synced, dashboard.SyncStripe, marker); err != nil {
		t.Fatal(err)
	}
	since := marker.Add(-orders.ReconcileOverlap)
	for _, c := range []struct {
		id      string
		created time.Time
	}{
		{"cs_test_inc_old", since.Add(-time.Second)},    // before the marker's hour: not asked for
		{"cs_test_inc_edge", since.Add(time.Second)},    // inside the overlap
		{"cs_test_inc_new", marker.Add(24 * time.Hour)}, // since the last sync
	} {
		fake.AddSession(stripetest.NewSession(c.id+"_"+synced[:6], c.created).WithCustomer("cus_inc_" + synced[:6]).Paid())
		fake.AddSession(stripetest.NewSession(c.id+"_"+never[:6], c.created).WithCustomer("cus_inc_" + never[:6]).Paid())
	}

	res, err := svc.SyncMemberIncremental(t.Context(), synced)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.qs) != 1 {
		t.Fatalf("%d list calls, want 1", len(rec.qs))
	}
	// Stripe's created is whole seconds: the bound is the marker minus the
	// overlap, rounded up, which excludes nothing at or after it.
	wantGTE := strconv.FormatInt(since.Truncate(time.Second).Add(time.Second).Unix(), 10)
	if got := rec.qs[0].Get("created[gte]"); got != wantGTE || rec.qs[0].Get("customer") != "cus_inc_"+synced[:6] {
		t.Errorf("list query %v: created[gte] = %q, want %s (marker %v minus %v)", rec.qs[0], got, wantGTE, marker, orders.ReconcileOverlap)
	}
	if res.Synced != 2 || res.Created != 2 {
		t.Errorf("incremental sync = %+v, want the 2 sessions from the marker's hour on", res)
	}
	if _, err := store.FindOrder(t.Context(), "cs_test_inc_old_"+synced[:6]); dashboard.ErrorCode(err) != dashboard.ENOTFOUND {
		t.Errorf("a session from before the marker's hour was read: %v", err)
	}
	if at, _ := store.SyncedAt(t.Context(), synced, dashboard.SyncStripe); at == nil || !at.After(marker) {
		t.Errorf("marker after the sync = %v, want it moved on from %v", at, marker)
	}

	rec.qs = nil
	res, err = svc.SyncMemberIncremental(t.Context(), never)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.qs) != 1 || rec.qs[0].Has("created[gte]") || res.Synced != 3 {
		t.Errorf("a member never synced: queries %v, result %+v; want one listing of all 3, no created[gte]", rec.qs, res)
	}
}

// TestWindowStopsBeforeItsDeadline: a window keeps the last seconds before
// its context's deadline (the Lambda invocation's) for its checkpoint:
// without a continuation queue, with less than that left it asks Stripe
// nothing, records the attempt, and fails so the queue delivers it again.
// (With one, lambdafn's TestWorkerContinuesWindowsOutOfTime.)
func TestWindowStopsBeforeItsDeadline(t *testing.T) {
	store := stores["bolt"](t)
	svc, fake := newService(t, store)
	from := time.Now().Add(-24 * time.Hour).Truncate(time.Hour)
	fake.AddSession(stripetest.NewSession("cs_test_deadline", from.Add(time.Minute)).WithUserID(newHex(t)).Paid())
	w := dashboard.ReconcileWindow{RunID: "run-deadline", From: from, To: from.Add(time.Hour)}
	// The invocation has an hour by the wall clock, but the service is told
	// 5 s are left: inside the 10 s kept free, however slow the machine.
	ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
	defer cancel()
	svc.TimeLeft = func(time.Time) time.Duration { return 5 * time.Second }
	if _, err := svc.ReconcileWindow(ctx, w); err == nil {
		t.Fatal("a window with no time left succeeded")
	}
	if calls := fake.Calls("/"); calls != 0 {
		t.Errorf("%d Stripe requests with no time left, want 0", calls)
	}
	cp, err := store.ReconcileCheckpoint(t.Context(), w.RunID, w.From)
	if err != nil || cp == nil || cp.Done || cp.Attempts != 1 {
		t.Errorf("checkpoint = %+v, %v; want the attempt recorded, not done", cp, err)
	}
	svc.TimeLeft = nil
	if _, err := svc.ReconcileWindow(t.Context(), w); err != nil {
		t.Fatal(err)
	}
	if cp, _ := store.ReconcileCheckpoint(t.Context(), w.RunID, w.From); cp == nil || !cp.Done || cp.Attempts != 2 || cp.Synced != 1 {
		t.Errorf("checkpoint after the retry = %+v, want done on the second attempt with 1 session", cp)
	}
}

// TestWindowStopsWhenAnotherDeliveryFinishesIt: while one delivery of a
// window is listing, another delivery marks it done. At its next
// checkpoint the first one finds the window done (the store refuses to
// overwrite a done checkpoint), stops listing and succeeds, leaving the
// other delivery's checkpoint as it was.
func TestWindowStopsWhenAnotherDeliveryFinishesIt(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			store := newCountingStore(open(t))
			svc, fake := newService(t, store)
			owner := newHex(t)
			member(t, store, owner, "twice-"+owner[:8]+"@example.com", "")
			from := time.Now().Add(-48 * time.Hour).Truncate(time.Hour)
			w := dashboard.ReconcileWindow{RunID: "run-twice-" + owner[:8], From: from, To: from.Add(time.Hour)}
			for i := range 250 {
				fake.AddSession(stripetest.NewSession(fmt.Sprintf("cs_test_twice%03d_%s", i, owner[:6]), from.Add(time.Duration(i)*10*time.Second)).WithUserID(owner).Paid())
			}
			other := dashboard.ReconcileCheckpoint{ReconcileWindow: w, Done: true, Attempts: 1, Synced: 250, Created: 250, UpdatedAt: time.Now().UTC()}
			var saveErr error
			store.afterPut = func(n int) {
				if n == 50 {
					saveErr = store.SaveReconcileCheckpoint(context.WithoutCancel(t.Context()), other)
				}
			}
			res, err := svc.ReconcileWindow(t.Context(), w)
			if saveErr != nil {
				t.Fatal(saveErr)
			}
			if err != nil {
				t.Fatalf("a window another delivery finished failed: %v", err)
			}
			if res.Synced != 100 || store.total != 100 || fake.Calls("/v1/checkout/sessions") != 1 {
				t.Errorf("the window filed %d sessions (%d writes, %d list calls), want it stopped at its first checkpoint: 100, 100, 1",
					res.Synced, store.total, fake.Calls("/v1/checkout/sessions"))
			}
			cp, err := store.ReconcileCheckpoint(t.Context(), w.RunID, w.From)
			if err != nil || cp == nil || !cp.Done || cp.Synced != 250 || cp.Attempts != 1 || cp.After != "" {
				t.Errorf("checkpoint = %+v, %v; want the other delivery's, untouched", cp, err)
			}
		})
	}
}

// TestRecentUnfinishedRunIsResumed: a plan made while the latest run's
// windows are still in flight (Lambda retrying a planner that failed
// part-way, an operator planning again) resumes that run — its windows not
// done queued again under its id — instead of counting them as failures
// and queuing the span again under a new id. Once the run is older than
// the queue keeps retrying a window, its windows not done are failures and
// a new run covers them; a recent run that is complete is followed by a
// new one.
func TestRecentUnfinishedRunIsResumed(t *testing.T) {
	store := stores["bolt"](t)
	svc, _ := newService(t, store)
	wm := time.Now().Add(-72 * time.Hour).UTC().Truncate(time.Hour)
	clock := clocktest.NewClock(wm.Add(5 * time.Hour))
	svc.Now = clock.Now
	if err := store.SetWatermark(t.Context(), orders.WatermarkName, wm); err != nil {
		t.Fatal(err)
	}
	first, err := svc.PlanReconciliation(t.Context(), &recordingQueue{t: t})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Windows) != 6 {
		t.Fatalf("%d windows, want 6", len(first.Windows))
	}
	// Windows 0, 1 and 3 are done (Stripe has nothing in them).
	for _, i := range []int{0, 1, 3} {
		if _, err := svc.ReconcileWindow(t.Context(), first.Windows[i]); err != nil {
			t.Fatal(err)
		}
	}
	missing := []dashboard.ReconcileWindow{first.Windows[2], first.Windows[4], first.Windows[5]}

	clock.Set(clock.Now().Add(30 * time.Minute))
	q := &recordingQueue{t: t}
	again, err := svc.PlanReconciliation(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	if again.Run.ID != first.Run.ID || !again.Resumed || again.Unfinished != 0 || !slices.Equal(again.Windows, missing) {
		t.Fatalf("re-plan 30 min later = run %s (resumed %v), %d unfinished, windows %v; want %s resumed with its 3 windows not done, none failed",
			again.Run.ID, again.Resumed, again.Unfinished, again.Windows, first.Run.ID)
	}
	if len(q.reqs) != 3 {
		t.Fatalf("%d requests queued, want the 3 windows not done", len(q.reqs))
	}
	for i, r := range q.reqs {
		if !slices.Equal([]dashboard.ReconcileWindow{windowOf(r)}, missing[i:i+1]) {
			t.Errorf("request %d = %+v, want window %+v", i, r, missing[i])
		}
	}
	if got, _ := store.LatestReconcileRun(t.Context()); got == nil || got.ID != first.Run.ID {
		t.Errorf("the latest run is %+v, want %s still", got, first.Run.ID)
	}
	if got, _ := store.Watermark(t.Context(), orders.WatermarkName); !got.Equal(first.Windows[1].To) {
		t.Errorf("watermark = %v, want the end of the done prefix %v", got, first.Windows[1].To)
	}

	// Past the time the queue keeps retrying a window: they failed.
	clock.Set(first.Run.PlannedAt.Add(orders.DefaultReconcileResumeWithin))
	late, err := svc.PlanReconciliation(t.Context(), &recordingQueue{t: t})
	if err != nil {
		t.Fatal(err)
	}
	if late.Resumed || late.Run.ID == first.Run.ID || late.Unfinished != 3 || late.PreviousRunID != first.Run.ID {
		t.Errorf("late plan = run %s (resumed %v), %d unfinished of %s; want a new run counting 3 unfinished", late.Run.ID, late.Resumed, late.Unfinished, late.PreviousRunID)
	}

	// A recent run whose windows are all done is followed by a new one.
	for _, w := range late.Windows {
		if _, err := svc.ReconcileWindow(t.Context(), w); err != nil {
			t.Fatal(err)
		}
	}
	clock.Set(clock.Now().Add(time.Minute))
	next, err := svc.PlanReconciliation(t.Context(), &recordingQueue{t: t})
	if err != nil {
		t.Fatal(err)
	}
	if next.Resumed || next.Run.ID == late.Run.ID || next.Unfinished != 0 {
		t.Errorf("plan after a complete run = %s (resumed %v), %d unfinished; want a new run, none unfinished", next.Run.ID, next.Resumed, next.Unfinished)
	}
}

// TestReconcileKeepsFailuresWhenCancelled: when the in-process run's
// context ends during a window, the windows already done still move the
// watermark and the error still says which windows failed.
func TestReconcileKeepsFailuresWhenCancelled(t *testing.T) {
	store := newCountingStore(stores["dynamo"](t))
	svc, fake := newService(t, store)
	owner := newHex(t)
	member(t, store, owner, "cancel-"+owner[:8]+"@example.com", "")
	wm := time.Now().Add(-72 * time.Hour).UTC().Truncate(time.Hour)
	clock := clocktest.NewClock(wm.Add(2 * time.Hour))
	svc.Now = clock.Now
	if err := store.SetWatermark(t.Context(), orders.WatermarkName, wm); err != nil {
		t.Fatal(err)
	}
	// Three windows of [wm − 1 h, wm + 2 h), five sessions in each.
	for h := range 3 {
		for i := range 5 {
			fake.AddSession(stripetest.NewSession(fmt.Sprintf("cs_test_cancel%d_%d_%s", h, i, owner[:6]),
				wm.Add(time.Duration(h-1)*time.Hour+time.Duration(i)*time.Minute)).WithUserID(owner).Paid())
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	store.afterPut = func(n int) {
		if n == 12 { // the third window's second session
			cancel()
		}
	}
	_, err := svc.Reconcile(ctx, nil)
	if err == nil || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "windows failed") {
		t.Fatalf("Reconcile cancelled in its third window = %v; want the failed window's cancellation", err)
	}
	if got, _ := store.Watermark(t.Context(), orders.WatermarkName); !got.Equal(wm.Add(time.Hour)) {
		t.Errorf("watermark = %v, want the end of the two windows done %v", got, wm.Add(time.Hour))
	}
}
