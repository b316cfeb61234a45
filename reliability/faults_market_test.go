package reliability

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/markettest"
)

// marketFault is one way the marketplace fails; calls is how many
// requests one sync makes under it (pages of two, three NFTs: two pages).
type marketFault struct {
	name   string
	arm    func(f *markettest.Server)
	calls  int
	hinted bool
	// transparent, impatient: see stripeFault.
	transparent, impatient bool
}

// armed bounds the requests a sync may make under the fault.
func (f marketFault) armed() int {
	if f.transparent {
		return 2 * f.calls
	}
	return f.calls
}

var marketFaults = []marketFault{
	{name: "500", calls: 1 + stackRetries, arm: func(f *markettest.Server) { f.FailNext(slices.Repeat([]int{500}, 1+stackRetries)...) }},
	{name: "429 with Retry-After", calls: 1 + stackRetries, hinted: true, arm: func(f *markettest.Server) {
		f.SetRetryAfter("1")
		f.FailNext(slices.Repeat([]int{429}, 1+stackRetries)...)
	}},
	{name: "timeout", calls: 1 + stackRetries, impatient: true, arm: func(f *markettest.Server) { f.Slow(1, upstreamHang) }},
	{name: "connection dropped", calls: 1 + stackRetries, transparent: true, arm: func(f *markettest.Server) {
		f.FailNext(slices.Repeat([]int{markettest.Drop}, 2*(1+stackRetries))...)
	}},
	{name: "malformed body", calls: 1, arm: func(f *markettest.Server) { f.Malformed(1) }},
	{name: "second page fails", calls: 2 + stackRetries, arm: func(f *markettest.Server) { f.FailPage(2, 503) }},
}

// TestUpstreamFaultsMarketplace fails the marketplace in every way of
// marketFaults during a forced NFT sync of a member whose wallet changed:
// the sync must answer 503 with Retry-After after a bounded number of
// requests and leave the holdings and the sync marker as they were — never
// half a wallet, even when only the second page fails — and, once the
// marketplace heals, replace them with the new holdings exactly.
func TestUpstreamFaultsMarketplace(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.market.SetPageSize(2)
	var summary []string
	for i, f := range marketFaults {
		t.Run(strings.ReplaceAll(f.name, " ", "_"), func(t *testing.T) {
			m, w := newMember(t), wallet(1000+i)
			s.market.SetHoldings(w, babes(1, 2, 3))
			s.api.must(t, 200, "PUT", "/dashboard/profile", m.Token, fmt.Sprintf(`{"preferredWallet":%q}`, w))
			body := fmt.Sprintf(`{"userId":%q}`, m.ID)
			if r := s.post(t, "/internal/sync/nfts", body); r.Status != 200 || r.Body["added"] != 3.0 {
				t.Fatalf("first sync = %d %s", r.Status, r.Raw)
			}
			marker := s.synced(t, m.ID, dashboard.SyncNFT)
			s.market.SetHoldings(w, babes(2, 3, 4))

			before := s.market.WalletCalls(w)
			s.takeWaits()
			f.arm(s.market)
			s.impatient.Store(f.impatient)
			r := s.post(t, "/internal/sync/nfts", body)
			s.impatient.Store(false)
			s.market.Heal()
			calls, waits := s.market.WalletCalls(w)-before, s.takeWaits()
			if err := unavailable(r); err != nil {
				t.Errorf("NFT sync: %v", err)
			}
			if calls < f.calls || calls > f.armed() {
				t.Errorf("%d requests to the marketplace, want %d–%d", calls, f.calls, f.armed())
			}
			for _, d := range waits {
				if f.hinted && d != time.Second {
					t.Errorf("waited %v, not the 1 s Retry-After", d)
				}
			}
			if got := tokenIDs(t, s.api, m); !slices.Equal(got, []string{"1", "2", "3"}) {
				t.Errorf("holdings after a failed sync = %v, want the previous 1 2 3", got)
			}
			if after := s.synced(t, m.ID, dashboard.SyncNFT); marker == nil || after == nil || !after.Equal(*marker) {
				t.Errorf("a failed sync moved the sync marker from %v to %v", marker, after)
			}
			summary = append(summary, fmt.Sprintf("%s: %d in %d requests", f.name, r.Status, calls))

			if r = s.post(t, "/internal/sync/nfts", body); r.Status != 200 || r.Body["added"] != 1.0 || r.Body["removed"] != 1.0 {
				t.Errorf("sync after healing = %d %s, want 1 added and 1 removed", r.Status, r.Raw)
			}
			if got := tokenIDs(t, s.api, m); !slices.Equal(got, []string{"2", "3", "4"}) {
				t.Errorf("holdings after healing = %v, want 2 3 4", got)
			}
		})
	}
	t.Logf("upstream faults (marketplace, in-process, %d retries, %v per attempt, pages of 2): %s", stackRetries, stackTimeout, strings.Join(summary, "; "))
}

// babesContract is the collection contract of the fakes' NFTs.
var babesContract = "0x" + strings.Repeat("ba", 20)

// babes returns NFTs of the Babes Club contract with the given token ids.
func babes(ids ...int) []markettest.NFT {
	var out []markettest.NFT
	for _, id := range ids {
		out = append(out, markettest.NFT{Contract: babesContract, TokenID: fmt.Sprint(id), Collection: "babes-club",
			Name: fmt.Sprintf("Babe #%d", id), ImageURL: "https://img.example/babe.png"})
	}
	return out
}

// tokenIDs lists m's NFT token ids, sorted.
func tokenIDs(t *testing.T, a *api, m member) []string {
	t.Helper()
	r := a.must(t, 200, "GET", "/dashboard/nfts?limit=100", m.Token, "")
	var ids []string
	list, _ := r.Body["nfts"].([]any)
	for _, n := range list {
		id, _ := n.(map[string]any)["tokenId"].(string)
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
