//go:build linux

package reliability

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/internal/stripetest"
)

// Shape of the write storm: one sequential profile writer per member (so
// each member's counter only grows) and a few concurrent webhook senders.
const (
	stormMembers  = 8
	stormWebhooks = 4
)

// TestCrashSafety kills the server with SIGKILL in the middle of a write
// storm — profile updates and Stripe webhook deliveries — restarts it on
// the same data folder and checks, through the API, that every write it
// acknowledged survived, that nothing was written twice, and that the
// store file passes bbolt's consistency check. It repeats the cycle
// CRASH_CYCLES times (default 3) on the same, growing store.
func TestCrashSafety(t *testing.T) {
	cycles := envInt(t, "CRASH_CYCLES", 3)
	fake := stripetest.New(t)
	env := serverEnv(fake.URL(), markettest.NewOpenSea(t).URL())
	data := filepath.Join(t.TempDir(), "data")
	st := &storm{fake: fake, base: time.Now().Add(-72 * time.Hour).Truncate(time.Second), expected: map[string]map[string]bool{}}
	for range stormMembers {
		m := newMember(t)
		st.members = append(st.members, m)
		st.expected[m.ID] = map[string]bool{}
	}
	st.sent, st.acked = make([]int, stormMembers), make([]int, stormMembers)

	srv := startServer(t, data, env)
	var totalProfile, totalHooks, totalInflight int
	for cycle := 1; cycle <= cycles; cycle++ {
		killAt := 150 + rand.N(250)
		r := st.run(t, newAPI(srv.URL), killAt, srv.kill)
		srv.checkLogClean(t, "+1 555", st.members[0].Token, st.members[0].Email)
		items := checkBoltFile(t, filepath.Join(data, "dashboard.db"))
		began := time.Now()
		srv = startServer(t, data, env)
		restart := time.Since(began)
		profileLanded, hooksLanded := st.verify(t, newAPI(srv.URL), r)
		t.Logf("crash cycle %d: killed after %d acks (%d profile updates, %d webhooks) in %v; in flight at the kill: %d profile updates (%d had landed), %d webhooks (%d had landed); store: %d items, bbolt check clean; restart to listening %v",
			cycle, r.profileAcks+r.hookAcks, r.profileAcks, r.hookAcks, r.elapsed.Round(time.Millisecond),
			r.profileInflight, profileLanded, len(r.hooks)-r.hookAcks, hooksLanded, items, restart.Round(time.Millisecond))
		totalProfile += r.profileAcks
		totalHooks += r.hookAcks
		totalInflight += r.profileInflight + len(r.hooks) - r.hookAcks
		if t.Failed() {
			t.Log(srv.logTail(20))
			return
		}
	}
	srv.stop()
	if !srv.exitedCleanly() {
		t.Errorf("the server did not exit cleanly on SIGTERM after the last cycle: %v", srv.cmd.ProcessState)
	}
	t.Logf("crash safety: %d cycles, %d acknowledged profile updates and %d acknowledged webhooks all survived, %d in-flight writes resolved, 0 duplicates",
		cycles, totalProfile, totalHooks, totalInflight)
}

// storm is the state of the write storm across cycles. During run, member
// i's counters belong to writer i alone; verify reads them after run.
type storm struct {
	fake    *stripetest.Server
	base    time.Time // Stripe created time of session 0
	members []member
	sent    []int // highest counter sent per member
	acked   []int // highest counter acknowledged (200) per member
	nextID  atomic.Int64
	// expected holds, per member, every session whose delivery has been
	// confirmed (acknowledged, or redelivered after a restart).
	expected map[string]map[string]bool
}

// hook is one webhook delivery of the storm.
type hook struct {
	member    member
	sessionID string
	payload   []byte
	acked     bool
}

// cycleResult is what one storm sent before the kill, and what the
// server acknowledged.
type cycleResult struct {
	hooks                 []*hook // every delivery sent, acknowledged or not
	profileAcks, hookAcks int
	profileInflight       int // profile updates sent but not answered
	elapsed               time.Duration
	unexpected            []string // failures before the kill
	// profileSentBefore is st.sent when the cycle began; ackedFloor is
	// st.acked at the kill: each member's stored counter must reach it.
	profileSentBefore, ackedFloor []int
}

// run starts the writers, kills the server (kill) once killAt writes have
// been acknowledged, and returns when every writer has stopped.
func (st *storm) run(t *testing.T, a *api, killAt int, kill func()) *cycleResult {
	defer a.close()
	r := &cycleResult{profileSentBefore: append([]int(nil), st.sent...)}
	var acks, failures atomic.Int64
	var killed atomic.Bool
	var mu sync.Mutex // guards r.hooks, r.unexpected
	fail := func(format string, args ...any) {
		if !killed.Load() {
			failures.Add(1)
			mu.Lock()
			r.unexpected = append(r.unexpected, fmt.Sprintf(format, args...))
			mu.Unlock()
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	for i, m := range st.members {
		wg.Go(func() {
			for !killed.Load() {
				k := st.sent[i] + 1
				st.sent[i] = k
				body := fmt.Sprintf(`{"displayName":"n-%d","phone":"+1 555 %d"}`, k, k)
				resp, err := a.do("PUT", "/dashboard/profile", m.Token, body)
				switch {
				case err != nil:
					fail("profile update %d of %s: %v", k, m.ID, err)
					return
				case resp.Status != 200:
					fail("profile update %d = %d %s", k, resp.Status, resp.Raw)
					return
				}
				st.acked[i] = k
				acks.Add(1)
			}
		})
	}
	for range stormWebhooks {
		wg.Go(func() {
			for !killed.Load() {
				n := st.nextID.Add(1)
				h := &hook{member: st.members[int(n)%len(st.members)], sessionID: fmt.Sprintf("cs_test_crash_%07d", n)}
				sess, payload := checkoutEvent(h.member, h.sessionID, st.base.Add(time.Duration(n)*time.Second))
				h.payload = payload
				st.fake.AddSession(sess)
				mu.Lock()
				r.hooks = append(r.hooks, h)
				mu.Unlock()
				resp, err := a.deliver(payload)
				switch {
				case err != nil:
					fail("webhook %s: %v", h.sessionID, err)
					return
				case resp.Status != 200 || resp.Body["duplicate"] == true:
					fail("webhook %s = %d %s", h.sessionID, resp.Status, resp.Raw)
					return
				}
				mu.Lock()
				h.acked = true
				mu.Unlock()
				acks.Add(1)
			}
		})
	}
	deadline := time.Now().Add(60 * time.Second)
	for acks.Load() < int64(killAt) && time.Now().Before(deadline) && failures.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	// The flag goes up before the signal, so every error a writer sees
	// after it may be the kill's doing, and none before it is.
	killed.Store(true)
	kill()
	wg.Wait()
	r.elapsed = time.Since(start)
	for _, u := range r.unexpected {
		t.Errorf("before the kill: %s", u)
	}
	r.ackedFloor = append([]int(nil), st.acked...)
	for i := range st.members {
		r.profileAcks += st.sent[i] - r.profileSentBefore[i]
		if st.acked[i] < st.sent[i] {
			r.profileAcks--
			r.profileInflight++
		}
	}
	for _, h := range r.hooks {
		if h.acked {
			r.hookAcks++
		}
	}
	return r
}

var (
	namePattern  = regexp.MustCompile(`^n-(\d+)$`)
	phonePattern = regexp.MustCompile(`^\+1 555 (\d+)$`)
)

// verify checks the restarted server against what the storm was told: each
// member's profile holds an acknowledged-or-later counter, and both fields
// of one update (no torn write); every acknowledged webhook's order is
// listed exactly once; redelivering every event of the cycle (as Stripe
// would for the unanswered ones) answers 200 — a duplicate for each
// acknowledged one — and leaves exactly one order per session. It returns
// how many unacknowledged profile updates and webhook deliveries had
// nonetheless been applied before the kill.
func (st *storm) verify(t *testing.T, a *api, r *cycleResult) (profileLanded, hooksLanded int) {
	t.Helper()
	defer a.close()
	a.must(t, 200, "GET", "/healthz", "", "")
	for i, m := range st.members {
		p, _ := a.must(t, 200, "GET", "/dashboard/profile", m.Token, "").Body["profile"].(map[string]any)
		name, _ := p["displayName"].(string)
		phone, _ := p["phone"].(string)
		nm, pm := namePattern.FindStringSubmatch(name), phonePattern.FindStringSubmatch(phone)
		if nm == nil && r.ackedFloor[i] == 0 && phone == "" {
			continue // nothing acknowledged and nothing stored: still the profile from the token
		}
		if nm == nil || pm == nil || nm[1] != pm[1] {
			t.Errorf("member %d: torn or foreign profile after the crash: displayName %q, phone %q", i, name, phone)
			continue
		}
		k, _ := strconv.Atoi(nm[1])
		if k < r.ackedFloor[i] || k > st.sent[i] {
			t.Errorf("member %d: stored counter %d, acknowledged %d, highest sent %d", i, k, r.ackedFloor[i], st.sent[i])
		}
		if k > r.ackedFloor[i] {
			profileLanded++
		}
	}
	for _, h := range r.hooks {
		if h.acked {
			st.expected[h.member.ID][h.sessionID] = true
		}
	}
	st.checkOrders(t, a, false)
	for _, h := range r.hooks {
		resp, err := a.deliver(h.payload)
		if err != nil || resp.Status != 200 {
			t.Errorf("redelivery of %s after the restart: %v %d %s", h.sessionID, err, resp.Status, resp.Raw)
			continue
		}
		dup := resp.Body["duplicate"] == true
		if h.acked && !dup {
			t.Errorf("acknowledged webhook %s was processed again after the restart: its EVENT# record was lost", h.sessionID)
		}
		if !h.acked && dup {
			hooksLanded++
		}
		st.expected[h.member.ID][h.sessionID] = true
	}
	st.checkOrders(t, a, true)
	for _, h := range r.hooks[:min(5, len(r.hooks))] {
		d := a.must(t, 200, "GET", "/dashboard/orders/"+h.sessionID, h.member.Token, "")
		if o, _ := d.Body["order"].(map[string]any); o["orderId"] != h.sessionID || o["status"] != "completed" {
			t.Errorf("order detail of %s after the restart: %s", h.sessionID, d.Raw)
		}
	}
	return profileLanded, hooksLanded
}

// checkOrders lists every member's orders (in pages of 37, so cursors
// cross the restart's data too) and compares them with st.expected: no
// duplicates ever, every expected session present, and — when exact —
// nothing else.
func (st *storm) checkOrders(t *testing.T, a *api, exact bool) {
	t.Helper()
	for _, m := range st.members {
		seen := map[string]bool{}
		for _, id := range a.orderIDs(t, m, 37) {
			if seen[id] {
				t.Errorf("member %s: order %s listed twice", m.ID[:8], id)
			}
			seen[id] = true
			if exact && !st.expected[m.ID][id] {
				t.Errorf("member %s: unexpected order %s", m.ID[:8], id)
			}
		}
		for id := range st.expected[m.ID] {
			if !seen[id] {
				t.Errorf("member %s: acknowledged order %s is missing after the crash", m.ID[:8], id)
			}
		}
	}
}

// checkBoltFile opens the store file of a killed server read-only, runs
// bbolt's page-level consistency check and counts the items.
func checkBoltFile(t *testing.T, path string) (items int) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("the store does not open after kill -9: %v", err)
	}
	defer db.Close()
	err = db.View(func(tx *bbolt.Tx) error {
		for err := range tx.Check() {
			t.Errorf("bbolt consistency check: %v", err)
		}
		if b := tx.Bucket([]byte("items")); b != nil {
			items = b.Stats().KeyN
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return items
}
