package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/auth"
	"github.com/thebabesclub/dashboard/cursor"
	"github.com/thebabesclub/dashboard/dynamo"
	"github.com/thebabesclub/dashboard/export"
	"github.com/thebabesclub/dashboard/httpapi"
	"github.com/thebabesclub/dashboard/nfts"
	"github.com/thebabesclub/dashboard/obs"
	"github.com/thebabesclub/dashboard/orders"
	"github.com/thebabesclub/dashboard/profile"
)

// secret signs the members' tokens and keys the cursors.
var secret = []byte("scale-secret-0123456789abcdef0123456789abcdef")

// popular is the club's most held collection (dashboard seed's first).
const popular = "babes-club"

// harness is the API over the metered DynamoDB store, as a list or detail
// function runs it on AWS: Stripe and the marketplace are configured for
// the deployment (lists say "refreshing" and queue) but this process asks
// neither, so every answer comes from the table.
type harness struct {
	table   string
	client  *dynamodb.Client // metered
	meter   *meter
	store   *dynamo.Store // metered
	plain   *dynamo.Store // not metered: the harness's own reads
	raw     *dynamodb.Client
	handler http.Handler
	queued  *queueCount
	asOf    time.Time
	logger  *slog.Logger
	cursors *cursor.Signer
}

// queueCount is the refresh queue: it counts what a read would queue.
type queueCount struct{ n int }

func (q *queueCount) Enqueue(context.Context, dashboard.RefreshRequest) error { q.n++; return nil }

func newHarness(endpoint, table string, asOf time.Time) (*harness, error) {
	h := &harness{table: table, meter: &meter{}, queued: &queueCount{}, asOf: asOf,
		logger: obs.NewLogger(io.Discard, "error"), cursors: cursor.NewSigner(secret)}
	h.client = localClient(endpoint, h.meter.option())
	h.store = dynamo.New(h.client, table)
	h.raw = localClient(endpoint)
	h.plain = dynamo.New(h.raw, table)
	verifier, err := auth.NewVerifier(auth.Config{Secret: secret})
	if err != nil {
		return nil, err
	}
	// The club was synced at its present; the clocks stand a minute after
	// it, so the lists find every member fresh however long the seeding
	// took: the steady state between two nightly jobs.
	now := func() time.Time { return asOf.Add(time.Minute) }
	profiles := &profile.Service{Store: h.store, Logger: h.logger, CodeKey: profile.NewCodeKey(secret)}
	ord := &orders.Service{Store: h.store, StripeEnabled: true, Cursors: h.cursors, Logger: h.logger, Now: now}
	nft := &nfts.Service{Store: h.store, MarketEnabled: true, Cursors: h.cursors, Logger: h.logger, Now: now, ChainID: 1}
	srv := &httpapi.Server{
		Profiles: profiles, Orders: ord, NFTs: nft, Refresh: h.queued, Verifier: verifier, Logger: h.logger,
		Export: &export.Service{Profiles: profiles, Orders: ord, NFTs: nft, Limits: h.store, Logger: h.logger},
	}
	h.handler = srv.Handler()
	return h, nil
}

// route is one read route and the requests that exercise it.
type route struct {
	name string
	note string
	reqs []request
}

type request struct {
	path  string
	token string
}

// routes picks, among the members of the small club, those each route
// is about: up to 200 members a route, spread over the club.
func (h *harness) routes(ctx context.Context, ms []member) []route {
	token := map[string]string{}
	tok := func(m member) string {
		if t, ok := token[m.UserID]; ok {
			return t
		}
		t, err := auth.Sign(secret, auth.Claims{UserID: m.UserID, Email: m.Email, Role: "customer", DisplayName: m.DisplayName}, time.Now(), 48*time.Hour)
		if err != nil {
			panic(err) // a fixed secret and claims cannot fail to sign
		}
		token[m.UserID] = t
		return t
	}
	pick := func(keep func(member) bool, path func(member) string) []request {
		var eligible []member
		for _, m := range ms {
			if keep(m) {
				eligible = append(eligible, m)
			}
		}
		step := max(1, len(eligible)/200)
		var out []request
		for i := 0; i < len(eligible) && len(out) < 200; i += step {
			out = append(out, request{path: path(eligible[i]), token: tok(eligible[i])})
		}
		return out
	}
	all := func(member) bool { return true }
	ordered := func(m member) bool { return m.Orders > 0 }
	rs := []route{
		{name: "GET /dashboard/profile", reqs: pick(all, func(member) string { return "/dashboard/profile" })},
		{name: "GET /dashboard/orders (first page)", reqs: pick(ordered, func(member) string { return "/dashboard/orders" })},
		h.deepPage(ctx, ms, tok),
		{name: "GET /dashboard/orders/{id} (cached)", reqs: pick(ordered, func(m member) string { return "/dashboard/orders/" + m.NewestOrder })},
		{name: "GET /dashboard/nfts", reqs: pick(func(m member) bool { return m.Holdings > 0 }, func(member) string { return "/dashboard/nfts" })},
		{name: "GET /dashboard/nfts?collectionId=" + popular, reqs: pick(func(m member) bool { return slices.Contains(m.Collections, popular) },
			func(member) string { return "/dashboard/nfts?collectionId=" + popular })},
		{name: "GET /dashboard/wallets", reqs: pick(func(m member) bool { return len(m.Wallets) > 0 }, func(member) string { return "/dashboard/wallets" })},
		{name: "GET /dashboard/emails", reqs: pick(all, func(member) string { return "/dashboard/emails" })},
	}
	return rs
}

// deepPage is the last page (20 a page) of the small club's member with
// the most orders, reached by walking the cursors once.
func (h *harness) deepPage(ctx context.Context, ms []member, tok func(member) string) route {
	top := ms[0]
	for _, m := range ms {
		if m.Orders > top.Orders {
			top = m
		}
	}
	r := route{name: "GET /dashboard/orders (deep page)"}
	path, page := "/dashboard/orders", 1
	for {
		rec := h.serve(request{path: path, token: tok(top)})
		var body struct {
			NextCursor *string `json:"nextCursor"`
		}
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.NextCursor == nil {
			break
		}
		path, page = "/dashboard/orders?cursor="+url.QueryEscape(*body.NextCursor), page+1
	}
	r.note = fmt.Sprintf("page %d of a member with %d orders", page, top.Orders)
	r.reqs = []request{{path: path, token: tok(top)}}
	return r
}

// serve runs one request through the handler.
func (h *harness) serve(r request) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, r.path, nil)
	req.Header.Set("Authorization", "Bearer "+r.token)
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, req)
	return rec
}

// routeResult is one route measured at one club size.
type routeResult struct {
	p50, p99          float64 // ms
	calls, rcu, wcu   float64 // per request
	bytes             float64 // per answer
	errors, queued, n int
}

// measure times every route: an untimed pass over every route's members,
// then requests timed one at a time, the routes taking turns (one request
// of each, round after round), each request with its DynamoDB calls and
// capacity. Taking turns spreads whatever the store is still doing after a
// bulk load (DynamoDB Local's JVM settles for a while) over every route
// alike, instead of charging it to the routes timed first.
func (h *harness) measure(ctx context.Context, routes []route, requests int) ([]routeResult, error) {
	for _, rt := range routes {
		if len(rt.reqs) == 0 {
			return nil, fmt.Errorf("route %s: no member to ask", rt.name)
		}
		for _, r := range rt.reqs {
			h.serve(r)
		}
	}
	res := make([]routeResult, len(routes))
	lat := make([][]float64, len(routes))
	used := make([]meterCount, len(routes))
	for i := range requests {
		for j, rt := range routes {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			queued, before := h.queued.n, h.meter.read()
			started := time.Now()
			rec := h.serve(rt.reqs[i%len(rt.reqs)])
			lat[j] = append(lat[j], float64(time.Since(started).Microseconds())/1000)
			d := h.meter.read().sub(before)
			used[j].Calls, used[j].RCU, used[j].WCU = used[j].Calls+d.Calls, used[j].RCU+d.RCU, used[j].WCU+d.WCU
			res[j].queued += h.queued.n - queued
			if rec.Code != http.StatusOK {
				res[j].errors++
			}
			res[j].bytes += float64(rec.Body.Len())
		}
	}
	n := float64(requests)
	for j := range routes {
		d := used[j]
		res[j].n = requests
		res[j].calls, res[j].rcu, res[j].wcu, res[j].bytes = float64(d.Calls)/n, d.RCU/n, d.WCU/n, res[j].bytes/n
		res[j].p50, res[j].p99 = percentile(lat[j], 50), percentile(lat[j], 99)
	}
	return res, nil
}

// percentile is the p-th percentile of xs (nearest rank).
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	k := int(p/100*float64(len(s))+0.5) - 1
	return s[min(max(k, 0), len(s)-1)]
}

// tableSize is what DescribeTable says of the table.
type tableSize struct {
	items int64
	bytes int64
}

func (h *harness) describe(ctx context.Context) tableSize {
	out, err := h.raw.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(h.table)})
	if err != nil || out.Table == nil {
		return tableSize{}
	}
	return tableSize{items: aws.ToInt64(out.Table.ItemCount), bytes: aws.ToInt64(out.Table.TableSizeBytes)}
}
