//go:build linux

package reliability

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/internal/stripetest"
)

// Shape of the soak's data: enough orders for three pages of five.
const (
	soakMembers         = 10
	soakOrdersPerMember = 12
	soakNFTsPerMember   = 3
)

// soakMember is a member with what their requests need.
type soakMember struct {
	member
	orders []string
	page2  string // the cursor of their second page of orders
}

// TestSoak sends a fixed-rate mix of member traffic — profile reads and
// updates, order list pages, cached order details, NFT lists — to the
// server for SOAK_SECONDS (default 5; `make reliability` uses 60) at
// SOAK_RPS (default 250). It asserts what must hold on any machine: no 5xx,
// no transport error (dropped or refused connection), no request left
// unsent, no error logged, and memory that does not keep growing (end RSS
// under twice the start plus 50 MB). Latencies and RSS are reported, never
// asserted.
func TestSoak(t *testing.T) {
	secs := envInt(t, "SOAK_SECONDS", 5)
	rate := envInt(t, "SOAK_RPS", 250)
	fake := stripetest.New(t)
	market := markettest.NewOpenSea(t)
	srv := startServer(t, filepath.Join(t.TempDir(), "data"), serverEnv(fake.URL(), market.URL()))
	a := newAPI(srv.URL)
	defer a.close()
	members := seedSoak(t, a, fake, market)

	mix := func(i int) call {
		m := members[(i*7+i/20)%len(members)]
		switch i % 20 {
		case 0, 1, 2, 3, 4, 5:
			return call{"profile", "GET", "/dashboard/profile", m.Token, ""}
		case 6, 7, 8, 9:
			return call{"orders", "GET", "/dashboard/orders?limit=5", m.Token, ""}
		case 10, 11:
			return call{"orders-page", "GET", "/dashboard/orders?limit=5&cursor=" + m.page2, m.Token, ""}
		case 12, 13, 14, 15:
			return call{"order-detail", "GET", "/dashboard/orders/" + m.orders[i%len(m.orders)], m.Token, ""}
		case 16, 17, 18:
			return call{"nfts", "GET", "/dashboard/nfts", m.Token, ""}
		default:
			return call{"profile-update", "PUT", "/dashboard/profile", m.Token, fmt.Sprintf(`{"displayName":"Soak %d"}`, i)}
		}
	}
	warm := runLoad(t.Context(), a.client, srv.URL, rate, time.Second, mix)
	checkLoad(t, "warm-up", warm)
	rssStart, fdStart := srv.rssKB(), srv.openFDs()
	stripeBefore, marketBefore := fake.Calls("/"), market.Calls()

	var peak int64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				peak = max(peak, srv.rssKB())
			}
		}
	})
	began := time.Now()
	st := runLoad(t.Context(), a.client, srv.URL, rate, time.Duration(secs)*time.Second, mix)
	elapsed := time.Since(began)
	close(stop)
	sampler.Wait()
	rssEnd, fdEnd := srv.rssKB(), srv.openFDs()
	peak = max(peak, rssEnd)

	checkLoad(t, "soak", st)
	var secrets []string
	for i, m := range members {
		secrets = append(secrets, m.Token, m.Email, wallet(i))
	}
	srv.checkLogClean(t, secrets...)
	levels := srv.logLevels()
	if levels["ERROR"] > 0 {
		t.Errorf("the server logged %d errors during the soak\n%s", levels["ERROR"], srv.logTail(10))
	}
	if limit := 2*rssStart + 50<<10; rssEnd > limit {
		t.Errorf("memory grew: RSS %d kB at the start, %d kB at the end (limit %d kB)", rssStart, rssEnd, limit)
	}
	var kinds []string
	for k, n := range st.byKind {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(kinds)
	t.Logf("soak: %d s at %d rps: %d requests (%s) in %v = %.0f rps; statuses %v; 5xx %d, transport errors %d, skipped %d",
		secs, rate, st.sent, strings.Join(kinds, ", "), elapsed.Round(time.Millisecond), float64(st.sent)/elapsed.Seconds(),
		st.byStatus, st.count5xx(), st.nTransErr, st.skipped)
	t.Logf("soak: latency p50 %v, p90 %v, p99 %v, max %v; generator lag max %v",
		percentile(st.latencies, 50), percentile(st.latencies, 90), percentile(st.latencies, 99), percentile(st.latencies, 100), st.maxLag.Round(time.Microsecond))
	t.Logf("soak: server RSS start %.1f MB, end %.1f MB, peak %.1f MB; open fds %d → %d; upstream calls during the soak: Stripe %d, marketplace %d; server log levels %v",
		float64(rssStart)/1024, float64(rssEnd)/1024, float64(peak)/1024, fdStart, fdEnd,
		fake.Calls("/")-stripeBefore, market.Calls()-marketBefore, levels)
}

// checkLoad fails on anything but 200s: a 5xx, a transport error, an
// unexpected 4xx (a test or product bug) or a tick the generator skipped.
func checkLoad(t *testing.T, phase string, st *loadStats) {
	t.Helper()
	for s, n := range st.byStatus {
		if s != 200 {
			t.Errorf("%s: %d answers with status %d", phase, n, s)
		}
	}
	if st.nTransErr > 0 {
		t.Errorf("%s: %d transport errors, e.g. %v", phase, st.nTransErr, st.transport)
	}
	if st.skipped > 0 {
		t.Errorf("%s: %d requests not sent: %d were already pending", phase, st.skipped, maxInFlight)
	}
}

// seedSoak gives each member a wallet with NFTs (synced), a dozen orders
// (delivered by webhook) and a Stripe sync marker, so that no read during
// the soak has a reason to call an upstream: every detail is cached and
// fresh, and nothing is stale enough to queue a refresh.
func seedSoak(t *testing.T, a *api, fake *stripetest.Server, market *markettest.Server) []*soakMember {
	t.Helper()
	created := time.Now().Add(-30 * 24 * time.Hour).Truncate(time.Second)
	var members []*soakMember
	var hooks [][]byte
	for i := range soakMembers {
		m := &soakMember{member: newMember(t)}
		members = append(members, m)
		var nfts []markettest.NFT
		for j := range soakNFTsPerMember {
			nfts = append(nfts, markettest.NFT{Contract: "0x" + strings.Repeat("ba", 20), TokenID: fmt.Sprint(i*100 + j),
				Collection: "babes-club", Name: fmt.Sprintf("Babe #%d", i*100+j), ImageURL: "https://img.example/babe.png"})
		}
		market.SetHoldings(wallet(i), nfts)
		a.must(t, 200, "PUT", "/dashboard/profile", m.Token, fmt.Sprintf(`{"displayName":"Soak %d","preferredWallet":%q}`, i, wallet(i)))
		if r, err := a.internal("/internal/sync/nfts", fmt.Sprintf(`{"userId":%q}`, m.ID)); err != nil || r.Status != 200 || r.Body["added"] != float64(soakNFTsPerMember) {
			t.Fatalf("NFT sync of member %d: %v %d %s", i, err, r.Status, r.Raw)
		}
		for j := range soakOrdersPerMember {
			id := fmt.Sprintf("cs_test_soak_%02d_%02d_%s", i, j, m.ID[:6])
			sess, payload := checkoutEvent(m.member, id, created.Add(time.Duration(i*100+j)*time.Minute))
			fake.AddSession(sess)
			hooks = append(hooks, payload)
			m.orders = append(m.orders, id)
		}
	}
	var wg sync.WaitGroup
	work := make(chan []byte)
	for range 4 {
		wg.Go(func() {
			for p := range work {
				if r, err := a.deliver(p); err != nil || r.Status != 200 {
					t.Errorf("seed webhook: %v %d %s", err, r.Status, r.Raw)
				}
			}
		})
	}
	for _, p := range hooks {
		work <- p
	}
	close(work)
	wg.Wait()
	for _, m := range members {
		if r, err := a.internal("/internal/sync/stripe", fmt.Sprintf(`{"userId":%q}`, m.ID)); err != nil || r.Status != 200 {
			t.Fatalf("Stripe sync: %v %d %s", err, r.Status, r.Raw)
		}
		r := a.must(t, 200, "GET", "/dashboard/orders?limit=5", m.Token, "")
		if orders, _ := r.Body["orders"].([]any); r.Body["refreshing"] != false || len(orders) != 5 {
			t.Fatalf("seeded orders: %s", r.Raw)
		}
		m.page2, _ = r.Body["nextCursor"].(string)
		if n := a.must(t, 200, "GET", "/dashboard/nfts", m.Token, ""); n.Body["refreshing"] != false {
			t.Fatalf("seeded NFTs: %s", n.Raw)
		}
	}
	return members
}
