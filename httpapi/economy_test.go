package httpapi_test

import (
	"fmt"
	"net/url"
	"os"
	"sort"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/demo"
)

// TestDynamoCallsPerRoute counts the DynamoDB calls (SDK middleware against
// DynamoDB Local) of one warm request to each member route, and holds the
// read routes to their budget: one round trip. The NFT list makes three
// small calls concurrently (holdings, profile, marker: the contract's keys
// put orders between them), which is still one round trip of latency.
// Each count is printed as "ECONOMY|<route>|<calls>" for `make bench`.
func TestDynamoCallsPerRoute(t *testing.T) {
	store, counter := countedDynamo(t)
	h := newHarness(t, store, nil)
	if err := demo.Seed(t.Context(), store, time.Now()); err != nil {
		t.Fatal(err)
	}
	tok := tokenFor(t, demo.Member)
	order := demo.Orders(time.Now())[0].OrderID
	first := h.do("GET", "/dashboard/orders?limit=5", tok, "")
	cursor := url.QueryEscape(first.body["nextCursor"].(string))
	budget := map[string]int{
		"GET /dashboard/profile":               1,
		"GET /dashboard/orders":                1,
		"GET /dashboard/orders?cursor":         1,
		"GET /dashboard/orders/{orderId}":      1,
		"GET /dashboard/nfts":                  3,
		"PUT /dashboard/profile":               2, // read + conditional update
		"POST /dashboard/wallet/challenge":     2, // read profile + store challenge
		"GET /dashboard/nfts?collectionId=...": 3,
	}
	paths := map[string][3]string{
		"GET /dashboard/profile":               {"GET", "/dashboard/profile", ""},
		"GET /dashboard/orders":                {"GET", "/dashboard/orders?limit=5", ""},
		"GET /dashboard/orders?cursor":         {"GET", "/dashboard/orders?limit=5&cursor=" + cursor, ""},
		"GET /dashboard/orders/{orderId}":      {"GET", "/dashboard/orders/" + order, ""},
		"GET /dashboard/nfts":                  {"GET", "/dashboard/nfts", ""},
		"GET /dashboard/nfts?collectionId=...": {"GET", "/dashboard/nfts?collectionId=babes-club-genesis", ""},
		"PUT /dashboard/profile":               {"PUT", "/dashboard/profile", `{"displayName": "Economy Babe"}`},
		"POST /dashboard/wallet/challenge":     {"POST", "/dashboard/wallet/challenge", ""},
	}
	names := make([]string, 0, len(paths))
	for n := range paths {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		p := paths[name]
		counter.Reset()
		if r := h.do(p[0], p[1], tok, p[2]); r.status != 200 {
			t.Fatalf("%s = %d %s", name, r.status, r.raw)
		}
		n := counter.Total()
		fmt.Fprintf(os.Stdout, "ECONOMY|%s|%d\n", name, n)
		if n > budget[name] {
			t.Errorf("%s made %d DynamoDB calls (%v), budget %d", name, n, counter.Calls(), budget[name])
		}
	}
}

func tokenFor(t testing.TB, m dashboard.Member) string {
	t.Helper()
	tok, err := signToken(m)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
