package dynamo_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/demo"
	"github.com/thebabesclub/dashboard/internal/apitest"
	"github.com/thebabesclub/dashboard/internal/dynamotest"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/internal/stripetest"
)

// The whole API over a DynamoDB store (apitest.Stack): what each route
// costs in DynamoDB calls, and what a DynamoDB outage does to a webhook.
// The API's behaviour itself is tested in memory by httpapi's tests.

// apiOnDynamo returns the API over a fresh table whose calls are counted;
// opts add SDK options (e.g. injected failures).
func apiOnDynamo(t *testing.T, opts ...func(*dynamodb.Options)) (*apitest.Stack, *dynamotest.Counter) {
	t.Helper()
	c := &dynamotest.Counter{}
	st := apitest.NewStack(t, newStore(t, append([]func(*dynamodb.Options){c.Option()}, opts...)...), nil)
	return st, c
}

// call sends one request through the stack's validating client and returns
// the status and the decoded JSON body.
func call(t *testing.T, st *apitest.Stack, method, path, token, body string, headers ...string) (int, map[string]any) {
	t.Helper()
	resp, raw := st.Client.Do(apitest.NewRequest(method, path, token, body, headers...))
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: %q is not a JSON object", method, path, raw)
		}
	}
	return resp.StatusCode, out
}

// TestDynamoCallsPerRoute counts the DynamoDB calls (SDK middleware against
// DynamoDB Local) of one warm request to each member route, and holds the
// read routes to their budget: one round trip. The NFT list makes four
// small calls concurrently (holdings, profile, wallets, marker: the
// contract's keys put orders between them), which is still one round trip
// of latency.
// Each count is printed as "ECONOMY|<route>|<calls>" for `make bench`.
func TestDynamoCallsPerRoute(t *testing.T) {
	st, counter := apiOnDynamo(t)
	if err := demo.Seed(t.Context(), st.Store, time.Now()); err != nil {
		t.Fatal(err)
	}
	tok := st.Token(t, demo.Member)
	order := demo.Orders(time.Now())[0].OrderID
	_, first := call(t, st, "GET", "/dashboard/orders?limit=5", tok, "")
	cursor := url.QueryEscape(first["nextCursor"].(string))
	budget := map[string]int{
		"GET /dashboard/profile":               1,
		"GET /dashboard/orders":                1,
		"GET /dashboard/orders?cursor":         1,
		"GET /dashboard/orders/{orderId}":      1,
		"GET /dashboard/nfts":                  4,
		"PUT /dashboard/profile":               2, // read + conditional update
		"POST /dashboard/wallet/challenge":     2, // read profile + store challenge
		"GET /dashboard/nfts?collectionId=...": 4,
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
		if status, body := call(t, st, p[0], p[1], tok, p[2]); status != 200 {
			t.Fatalf("%s = %d %v", name, status, body)
		}
		n := counter.Total()
		fmt.Fprintf(os.Stdout, "ECONOMY|%s|%d\n", name, n)
		if n > budget[name] {
			t.Errorf("%s made %d DynamoDB calls (%v), budget %d", name, n, counter.Calls(), budget[name])
		}
	}
}

// TestWarmReadsCostOneDynamoCall counts DynamoDB calls (SDK middleware) and
// Stripe calls (the fake) for a warm list page, a later page and a warm
// detail of a member's own orders.
func TestWarmReadsCostOneDynamoCall(t *testing.T) {
	st, counter := apiOnDynamo(t)
	ctx := t.Context()
	m := dashboard.Member{UserID: newID(t), Email: "warm@example.com", Role: "customer"}
	tok := st.Token(t, m)
	for i := range 5 {
		created := time.Now().Add(-time.Duration(i) * time.Hour).UTC().Truncate(time.Second)
		id := fmt.Sprintf("cs_test_warm%d_%s", i, m.UserID[:8])
		snap := &dashboard.OrderSnapshot{UserID: m.UserID, StatusAt: created, OrderDetail: dashboard.OrderDetail{
			Order: dashboard.Order{
				OrderID: id, OrderNumber: dashboard.OrderNumber(id), Status: dashboard.OrderCompleted, Amount: 8900, AmountSubtotal: 8900,
				Currency: "usd", CreatedAt: created, ItemCount: 1,
				Items: []dashboard.LineItem{{Name: "Hoops", Quantity: 1, UnitPrice: 8900, AmountTotal: 8900, Currency: "usd"}},
			},
			StripePaymentStatus: "paid", Discounts: []dashboard.Discount{}, UpdatedAt: created,
		}}
		if err := st.Store.PutOrder(ctx, snap); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Store.MarkSynced(ctx, m.UserID, dashboard.SyncStripe, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, first := call(t, st, "GET", "/dashboard/orders?limit=2", tok, "")
	next, _ := first["nextCursor"].(string)
	if next == "" {
		t.Fatalf("first page has no next cursor: %v", first)
	}
	for _, path := range []string{
		"/dashboard/orders?limit=2",
		"/dashboard/orders?limit=2&cursor=" + url.QueryEscape(next),
		"/dashboard/orders/cs_test_warm3_" + m.UserID[:8],
	} {
		counter.Reset()
		stripeBefore := st.Stripe.Calls("/")
		if status, body := call(t, st, "GET", path, tok, ""); status != 200 {
			t.Fatalf("%s = %d %v", path, status, body)
		}
		if n := counter.Total(); n != 1 {
			t.Errorf("%s made %d DynamoDB calls (%v), want 1", path, n, counter.Calls())
		}
		if n := st.Stripe.Calls("/") - stripeBefore; n != 0 {
			t.Errorf("%s made %d Stripe calls, want 0", path, n)
		}
	}
}

// TestWebhookStoreFailureIsRetried makes DynamoDB refuse every order write:
// the delivery must fail with a 5xx (so Stripe retries) and leave no
// EVENT# record; once the store recovers, the retry succeeds.
func TestWebhookStoreFailureIsRetried(t *testing.T) {
	var failing sync.Map
	failing.Store("PutItem", true)
	st, _ := apiOnDynamo(t, func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("injectFailure",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					if on, _ := failing.Load(middleware.GetOperationName(ctx)); on == true {
						return middleware.InitializeOutput{}, middleware.Metadata{}, errors.New("injected: table unavailable")
					}
					return next.HandleInitialize(ctx, in)
				}), middleware.After)
		})
	})
	ctx := t.Context()
	member := newID(t)
	sess := stripetest.NewSession("cs_test_outage_"+member[:8], time.Now()).WithUserID(member).Paid()
	st.Stripe.AddSession(sess)
	evtID := "evt_outage_" + member[:8]
	payload := stripetest.Event{ID: evtID, Type: "checkout.session.completed", Object: sess}.Payload()
	deliver := func() (int, map[string]any) {
		return call(t, st, "POST", "/webhooks/stripe", "", string(payload),
			"Stripe-Signature", stripetest.SignWebhook(apitest.StackWebhookSecret, payload, time.Now()))
	}
	stored := func() (orders int, recorded bool) {
		page, err := st.Store.ListOrders(ctx, member, 100, "")
		if err != nil {
			t.Fatal(err)
		}
		recorded, err = st.Store.EventProcessed(ctx, evtID)
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Orders), recorded
	}
	if status, body := deliver(); status < 500 {
		t.Fatalf("store failure answered %d %v", status, body)
	}
	failing.Store("PutItem", false)
	if n, recorded := stored(); n != 0 || recorded {
		t.Fatalf("a failed delivery left %d orders, event recorded %v", n, recorded)
	}
	if status, body := deliver(); status != 200 {
		t.Fatalf("retry = %d %v", status, body)
	}
	if n, recorded := stored(); n != 1 || !recorded {
		t.Fatalf("after the retry: %d orders, event recorded %v", n, recorded)
	}
}

// TestNFTWebhookAndPollNeverScan follows a marketplace webhook on DynamoDB
// from the delivery to the refreshed holdings of the two members who have
// the wallet, then the scheduled poll, counting DynamoDB calls: the
// wallet's members come from one Query of the wallet index, the poll's
// from the wallet-shard index, and no call on either path is a Scan
// (CONTRACT §10).
func TestNFTWebhookAndPollNeverScan(t *testing.T) {
	st, counter := apiOnDynamo(t)
	const wallet = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
	members := []dashboard.Member{
		{UserID: newID(t), Email: "hook-a@example.com", Role: "customer"},
		{UserID: newID(t), Email: "hook-b@example.com", Role: "customer"},
	}
	for _, m := range members {
		if status, body := call(t, st, "PUT", "/dashboard/profile", st.Token(t, m), `{"preferredWallet": "`+wallet+`"}`); status != 200 {
			t.Fatalf("set wallet = %d %v", status, body)
		}
	}
	st.Market.SetHoldings(wallet, []markettest.NFT{{Contract: "0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", TokenID: "7", Collection: "babes-club", Name: "Babe #7"}})
	notify := []byte(`{"webhookId":"wh_test","id":"whevt_1","createdAt":"2025-11-26T21:28:24.000Z","type":"NFT_ACTIVITY",` +
		`"event":{"network":"ETH_MAINNET","activity":[{"fromAddress":"0x0000000000000000000000000000000000000000","toAddress":"` + wallet +
		`","contractAddress":"0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d","erc721TokenId":"0x7","category":"erc721"}]}}`)
	mac := hmac.New(sha256.New, []byte(apitest.StackNFTWebhookSecret))
	mac.Write(notify)
	counter.Reset()
	if status, body := call(t, st, "POST", "/webhooks/nfts", "", string(notify), "X-Alchemy-Signature", hex.EncodeToString(mac.Sum(nil))); status != 200 {
		t.Fatalf("webhook = %d %v", status, body)
	}
	if err := st.Queue.Idle(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := counter.Count("Scan"); n != 0 {
		t.Fatalf("the webhook's path made %d Scans (%v)", n, counter.Calls())
	}
	for _, m := range members {
		page, err := st.Store.ListHoldings(t.Context(), m.UserID, "", 10, "")
		if err != nil || len(page.Holdings) != 1 {
			t.Fatalf("member %s holds %v (%v) after the webhook, want the one NFT", m.UserID[:6], page.Holdings, err)
		}
	}

	// The scheduled poll finds the same members through the wallet-shard
	// index: Queries, no Scan. (The table may hold other tests' members;
	// the poll syncs them too.)
	st.Market.SetHoldings(wallet, []markettest.NFT{
		{Contract: "0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", TokenID: "7", Collection: "babes-club", Name: "Babe #7"},
		{Contract: "0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", TokenID: "8", Collection: "babes-club", Name: "Babe #8"},
	})
	counter.Reset()
	if _, err := st.NFTs.Poll(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if n := counter.Count("Scan"); n != 0 {
		t.Fatalf("the poll made %d Scans (%v)", n, counter.Calls())
	}
	for _, m := range members {
		page, err := st.Store.ListHoldings(t.Context(), m.UserID, "", 10, "")
		if err != nil || len(page.Holdings) != 2 {
			t.Fatalf("member %s holds %v (%v) after the poll, want both NFTs", m.UserID[:6], page.Holdings, err)
		}
	}
}
