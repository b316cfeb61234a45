package orders_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/bolt"
	"github.com/thebabesclub/dashboard/cursor"
	"github.com/thebabesclub/dashboard/dynamo"
	"github.com/thebabesclub/dashboard/internal/clocktest"
	"github.com/thebabesclub/dashboard/internal/dynamotest"
	"github.com/thebabesclub/dashboard/internal/storetest"
	"github.com/thebabesclub/dashboard/internal/stripetest"
	"github.com/thebabesclub/dashboard/obs"
	"github.com/thebabesclub/dashboard/orders"
	"github.com/thebabesclub/dashboard/stripe"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

var stores = map[string]func(t testing.TB) storetest.RawStore{
	"bolt": func(t testing.TB) storetest.RawStore {
		s, err := bolt.Open(filepath.Join(t.TempDir(), "orders.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	},
	"dynamo": func(t testing.TB) storetest.RawStore {
		client, table := dynamotest.NewTable(t)
		return dynamo.New(client, table)
	},
}

// newService builds the orders service on store, talking to a Stripe fake
// through the real adapter.
func newService(t testing.TB, store storetest.RawStore) (*orders.Service, *stripetest.Server) {
	fake := stripetest.New(t)
	payments, err := stripe.New(stripe.Config{
		SecretKey: "sk_test_reconcile", WebhookSecret: "whsec_test", APIBase: fake.URL(), MaxRPS: -1, MaxRetries: 1,
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() },
	})
	if err != nil {
		t.Fatal(err)
	}
	return &orders.Service{Store: store, Payments: payments, Cursors: cursor.NewSigner([]byte("k")), Logger: obs.NewLogger(io.Discard, "error")}, fake
}

// member writes an identity-service profile with an email lookup and,
// optionally, a Stripe customer.
func member(t *testing.T, s storetest.RawStore, id, email, customer string) {
	item := map[string]any{"PK": "USER#" + id, "SK": "PROFILE", "userId": id, "email": email, "passwordHash": "x"}
	if customer != "" {
		item["stripeCustomerId"], item["GSI1PK"] = customer, "STRIPE#"+customer
	}
	if err := s.PutRawItem(t.Context(), item); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRawItem(t.Context(), map[string]any{"PK": "EMAIL#" + email, "SK": "LOOKUP", "userId": id, "email": email}); err != nil {
		t.Fatal(err)
	}
}

// TestReconcileThousandSessions lists 1,000 sessions owned in every way the
// contract allows (and some owned by nobody) in hourly windows, fails one
// window midway, and checks: the other windows complete; the watermark
// stops at the failed window; the rerun stores every resolvable session
// exactly once; listing takes one call per window (no window holds more
// than a page) and no per-session calls.
func TestReconcileThousandSessions(t *testing.T) {
	const n = 1000
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			store := open(t)
			svc, fake := newService(t, store)
			ids := make([]string, 4)
			for i := range ids {
				ids[i] = fmt.Sprintf("%08d%s", i, newHex(t)[:24])
				member(t, store, ids[i], fmt.Sprintf("m%d-%s@example.com", i, ids[i][:6]), fmt.Sprintf("cus_m%d%s", i, ids[i][:6]))
			}
			want := map[string]string{} // session → owner
			base := time.Now().Add(-30 * 24 * time.Hour).Truncate(time.Second)
			for i := range n {
				id := fmt.Sprintf("cs_test_rec%04d_%s", i, ids[0][8:16])
				s := stripetest.NewSession(id, base.Add(time.Duration(i)*time.Minute)).WithItem("Hoops", 1, 8900).Paid()
				owner := ids[i%4]
				switch i % 10 {
				case 0, 1, 2, 3:
					s = s.WithUserID(owner)
				case 4, 5, 6:
					s = s.WithCustomer(fmt.Sprintf("cus_m%d%s", i%4, owner[:6]))
				case 7, 8:
					s = s.WithEmail(fmt.Sprintf("M%d-%s@Example.com", i%4, owner[:6]))
				default:
					s, owner = s.WithEmail("nobody-"+id+"@example.com"), ""
				}
				fake.AddSession(s)
				if owner != "" {
					want[id] = owner
				}
			}
			// The first run starts an hour before the first session and
			// ends an hour after the last: 18 h 40 min, 19 windows of at
			// most 60 sessions.
			clock := clocktest.NewClock(base.Add(n*time.Minute + time.Hour))
			svc.Now, svc.Reconciliation = clock.Now, orders.ReconcileOptions{Epoch: base.Add(-time.Hour)}

			// First run: the listing of one window breaks (both attempts).
			broke := false
			res, err := svc.Reconcile(t.Context(), func(r orders.SyncResult) {
				if r.Synced >= n/2 && !broke {
					broke = true
					fake.Fail("/v1/checkout/sessions", 500, 500)
				}
			})
			run, _ := store.LatestReconcileRun(t.Context())
			if err == nil || run == nil || len(run.Windows()) != 19 || !strings.Contains(err.Error(), "1 of 19 windows failed") {
				t.Fatalf("reconciliation with a broken window = %v (run %+v), want 1 of 19 windows failed", err, run)
			}
			cps, _ := store.ReconcileCheckpoints(t.Context(), run.ID)
			var failed *dashboard.ReconcileCheckpoint
			for i, c := range cps {
				if !c.Done {
					if failed != nil {
						t.Fatalf("two windows not done: %+v", cps)
					}
					failed = &cps[i]
				}
			}
			if failed == nil || len(cps) != 19 || failed.Attempts != 1 {
				t.Fatalf("checkpoints after the run = %+v, want 19 with one not done", cps)
			}
			if res.Synced <= n/2 || res.Errors != 1 {
				t.Errorf("the windows after the failed one did not run: %+v", res)
			}
			if wm, err := store.Watermark(t.Context(), orders.WatermarkName); err != nil || !wm.Equal(failed.From) {
				t.Fatalf("watermark after a run with a failed window = %v, %v; want its start %v", wm, err, failed.From)
			}

			fake.ResetCalls()
			clock.Set(clock.Now().Add(time.Minute))
			if _, err := svc.Reconcile(t.Context(), nil); err != nil {
				t.Fatal(err)
			}
			// The rerun starts an hour before the failed window.
			rerun, _ := store.LatestReconcileRun(t.Context())
			if !rerun.From.Equal(failed.From.Add(-orders.ReconcileOverlap)) {
				t.Errorf("rerun from %v, want the failed window's start minus the overlap, %v", rerun.From, failed.From.Add(-orders.ReconcileOverlap))
			}
			if calls := fake.Calls("/v1/checkout/sessions"); calls != len(rerun.Windows()) {
				t.Errorf("%d list calls, want one per window (%d)", calls, len(rerun.Windows()))
			}
			if calls := fake.Calls("/v1/checkout/sessions/"); calls != 0 {
				t.Errorf("%d per-session calls, want 0", calls)
			}
			stored := 0
			for _, owner := range ids {
				for after := ""; ; {
					page, err := store.ListOrders(t.Context(), owner, 100, after)
					if err != nil {
						t.Fatal(err)
					}
					for _, o := range page.Orders {
						if want[o.OrderID] != owner {
							t.Fatalf("order %s filed under %s, want %q", o.OrderID, owner, want[o.OrderID])
						}
						if o.Version != 1 {
							t.Errorf("order %s written %d times", o.OrderID, o.Version)
						}
						stored++
					}
					if after = page.Next; after == "" {
						break
					}
				}
			}
			if stored != len(want) {
				t.Errorf("%d orders stored, want %d", stored, len(want))
			}
			if wm, _ := store.Watermark(t.Context(), orders.WatermarkName); !wm.Equal(rerun.To) {
				t.Errorf("watermark after a run with every window done = %v, want the run's end %v", wm, rerun.To)
			}
		})
	}
}

// newHex returns 32 random hex digits. (The clock is no source of unique
// ids: two calls within one tick, or the 4 s that the top digits of
// UnixNano take to move, would give the same one.)
func newHex(t *testing.T) string {
	t.Helper()
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

var _ dashboard.Store = storetest.RawStore(nil)

// BenchmarkReconcile10k reconciles 10,000 sessions (one a minute, a week's
// worth) from the Stripe fake into a fresh embedded store per round, in
// hourly windows, and reports Stripe's list calls (target: one per window
// of at most a page: 167 for 10,000 minutes), per-session calls (target 0) and sessions/s.
func BenchmarkReconcile10k(b *testing.B) {
	const n = 10000
	var listCalls, sessionCalls int
	var took time.Duration
	for b.Loop() {
		b.StopTimer()
		store := stores["bolt"](b)
		svc, fake := newService(b, store)
		owner := "0123456789abcdef0123456789abcdef"
		base := time.Now().Add(-300 * 24 * time.Hour).Truncate(time.Second)
		sessions := make([]stripetest.Session, n)
		for i := range sessions {
			sessions[i] = stripetest.NewSession(fmt.Sprintf("cs_test_bench%05d", i), base.Add(time.Duration(i)*time.Minute)).WithUserID(owner).WithItem("Hoops", 1, 8900).Paid()
		}
		fake.AddSession(sessions...)
		svc.Reconciliation.Epoch = base
		svc.Now = func() time.Time { return base.Add(n * time.Minute) }
		b.StartTimer()
		start := time.Now()
		res, err := svc.Reconcile(context.Background(), nil)
		took += time.Since(start)
		if err != nil || res.Created != n {
			b.Fatalf("reconcile = %+v, %v", res, err)
		}
		listCalls, sessionCalls = fake.Calls("/v1/checkout/sessions"), fake.Calls("/v1/checkout/sessions/")
	}
	b.ReportMetric(float64(listCalls), "listcalls")
	b.ReportMetric(float64(sessionCalls), "sessioncalls")
	b.ReportMetric(float64(n*b.N)/took.Seconds(), "sessions/s")
}
