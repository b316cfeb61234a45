package lambdafn_test

import (
	"context"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/auth"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/internal/stripetest"
)

// seedMember stores a profile as the identity service (and a Stripe sync)
// would have left it: with an email lookup, a Stripe customer and a wallet.
func (w *world) seedMember(id, customer, wallet string) {
	w.t.Helper()
	email := "member-" + id[:6] + "@example.com"
	item := map[string]any{"PK": "USER#" + id, "SK": "PROFILE", "userId": id, "email": email, "displayName": "Seeded Member"}
	if customer != "" {
		item["stripeCustomerId"], item["GSI1PK"] = customer, "STRIPE#"+customer
	}
	if wallet != "" {
		item["preferredWallet"] = wallet
	}
	ctx := context.Background()
	for _, it := range []map[string]any{item, {"PK": "EMAIL#" + email, "SK": "LOOKUP", "userId": id, "email": email}} {
		if err := w.store.PutRawItem(ctx, it); err != nil {
			w.t.Fatal(err)
		}
	}
	// The primary is one of the member's wallets, as the profile service
	// stores it (and the poll finds it through the wallet index).
	if wallet != "" {
		if err := w.store.AddWallet(ctx, dashboard.MemberWallet{UserID: id, Address: wallet, AddedAt: time.Now().UTC()}); err != nil {
			w.t.Fatal(err)
		}
	}
}

func TestLambdaGetProfile(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	fn := w.start("get-profile")
	resp, body := fn.http(apiEvent("GET", "/dashboard/profile", memberContext(memberA), ""))
	want(t, "GET /dashboard/profile", resp, body, 200, "")
	p, _ := body["profile"].(map[string]any)
	if p["userId"] != memberA || p["email"] != "member-012345@example.com" || p["displayName"] != "Test Member" {
		t.Errorf("profile from the authorizer context = %v", p)
	}

	// A token, a spoofed context header and a body naming someone else
	// change nothing: the member is the authorizer's.
	tok, _ := auth.Sign([]byte(jwtSecret), auth.Claims{UserID: memberB, Email: "b@example.com"}, time.Now(), time.Hour)
	ev := apiEvent("GET", "/dashboard/profile", memberContext(memberA), `{"userId":"`+memberB+`"}`)
	ev.MultiValueHeaders["Authorization"] = []string{"Bearer " + tok}
	ev.MultiValueHeaders["X-Golambdaproxy-Apigw-Context"] = []string{`{"authorizer":{"userId":"` + memberB + `"}}`}
	resp, body = fn.http(ev)
	if p, _ := body["profile"].(map[string]any); resp.StatusCode != 200 || p["userId"] != memberA {
		t.Errorf("with another member's token = %d %s", resp.StatusCode, resp.Body)
	}

	// Without an authorizer context a valid token does not open the route.
	ev = apiEvent("GET", "/dashboard/profile", nil, "")
	ev.MultiValueHeaders["Authorization"] = []string{"Bearer " + tok}
	resp, body = fn.http(ev)
	want(t, "without authorizer context", resp, body, 401, "unauthorized")
	resp, body = fn.http(apiEvent("GET", "/dashboard/nope", memberContext(memberA), ""))
	want(t, "unknown route", resp, body, 404, "not_found")

	m := fn.metrics()
	if m["Requests"] != 4 || m["Errors"] != 0 || m["Latency"] != 4 || m["UpstreamCalls/dynamodb"] < 2 || m["UpstreamFailures/dynamodb"] != 0 {
		t.Errorf("metrics = %v", m)
	}
}

func TestLambdaUpdateProfile(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	fn := w.start("update-profile")
	resp, body := fn.http(apiEvent("PUT", "/dashboard/profile", memberContext(memberA), `{"displayName":"Lambda Babe"}`))
	want(t, "PUT /dashboard/profile", resp, body, 200, "")
	resp, body = fn.http(apiEvent("POST", "/dashboard/update-profile", memberContext(memberA), `{"phone":"+1 (555) 010-0199"}`))
	want(t, "POST /dashboard/update-profile", resp, body, 200, "")
	resp, body = fn.http(apiEvent("PUT", "/dashboard/profile", memberContext(memberA), `{"userId":"`+memberB+`"}`))
	want(t, "PUT with userId", resp, body, 400, "validation_failed")
	resp, body = fn.http(apiEvent("PUT", "/dashboard/profile", memberContext(memberA), `{"displayName":`))
	want(t, "PUT with broken JSON", resp, body, 400, "invalid_request")

	stored, err := w.store.GetProfile(context.Background(), memberA)
	if err != nil || stored.DisplayName != "Lambda Babe" || stored.Phone == nil {
		t.Fatalf("stored profile = %+v, %v", stored, err)
	}
	if _, err := w.store.GetProfile(context.Background(), memberB); dashboard.ErrorCode(err) != dashboard.ENOTFOUND {
		t.Errorf("member B was written: %v", err)
	}

	// API Gateway answering from its authorizer cache after the token
	// expired (an hour ago: it only gets older while the test runs): the
	// function refuses and writes nothing (issue 10, finding 4).
	late := expiringContext(memberA, time.Now().Add(-time.Hour))
	resp, body = fn.http(apiEvent("PUT", "/dashboard/profile", late, `{"displayName":"Too Late"}`))
	want(t, "PUT with an expired token", resp, body, 401, "unauthorized")
	resp, body = fn.http(apiEvent("POST", "/dashboard/update-profile", late, `{"displayName":"Too Late"}`))
	want(t, "POST with an expired token", resp, body, 401, "unauthorized")
	after, err := w.store.GetProfile(context.Background(), memberA)
	if err != nil || after.DisplayName != stored.DisplayName || after.UpdatedAt == nil || stored.UpdatedAt == nil ||
		!after.UpdatedAt.Equal(*stored.UpdatedAt) {
		t.Errorf("an expired token changed the profile: %+v, %v", after, err)
	}
}

func TestLambdaListOrders(t *testing.T) {
	t.Parallel()
	w := newWorld(t).withStripe().withQueue()
	created := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	snap := &dashboard.OrderSnapshot{UserID: memberA, StatusAt: created, OrderDetail: dashboard.OrderDetail{
		Order: dashboard.Order{OrderID: "cs_test_lambda_list1", OrderNumber: dashboard.OrderNumber("cs_test_lambda_list1"),
			Status: dashboard.OrderCompleted, Amount: 2500, AmountSubtotal: 2500, Currency: "usd", CreatedAt: created,
			ItemCount: 1, Items: []dashboard.LineItem{{Name: "Tee", Quantity: 1, UnitPrice: 2500, AmountTotal: 2500, Currency: "usd"}}},
		UpdatedAt: created,
	}}
	if err := w.store.PutOrder(context.Background(), snap); err != nil {
		t.Fatal(err)
	}
	fn := w.start("list-orders")
	resp, body := fn.http(apiEvent("GET", "/dashboard/orders?limit=10", memberContext(memberA), ""))
	want(t, "GET /dashboard/orders", resp, body, 200, "")
	list, _ := body["orders"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["orderId"] != "cs_test_lambda_list1" || body["refreshing"] != true {
		t.Errorf("orders = %s", resp.Body)
	}
	if n := w.queued(); n != 1 {
		t.Errorf("%d refresh messages queued, want 1 (never synced)", n)
	}
	resp, body = fn.http(apiEvent("GET", "/dashboard/orders?limit=0", memberContext(memberA), ""))
	want(t, "limit=0", resp, body, 400, "validation_failed")
	resp, body = fn.http(apiEvent("GET", "/dashboard/orders", memberContext(memberB), ""))
	if list, _ := body["orders"].([]any); resp.StatusCode != 200 || len(list) != 0 {
		t.Errorf("member B sees %s", resp.Body)
	}
}

func TestLambdaGetOrder(t *testing.T) {
	t.Parallel()
	w := newWorld(t).withStripe()
	fn := w.start("get-order")
	resp, body := fn.http(apiEvent("GET", "/dashboard/orders/cs_test_nowhere", memberContext(memberA), ""))
	want(t, "unknown order", resp, body, 404, "not_found")
	resp, body = fn.http(apiEvent("GET", "/dashboard/orders/not-a-session", memberContext(memberA), ""))
	want(t, "malformed order id", resp, body, 400, "")
	if m := fn.metrics(); m["UpstreamCalls/stripe"] != 1 || m["UpstreamFailures/stripe"] != 0 {
		t.Errorf("metrics = %v; a Stripe 404 is an answer, not a failure", m)
	}
}

func TestLambdaListNFTs(t *testing.T) {
	t.Parallel()
	// list-nfts holds no marketplace key, only NFT_ENABLED (functionEnv).
	w := newWorld(t).withMarket().withQueue()
	w.seedMember(memberA, "", testWallet) // no wallet, no holdings shown (issue 10, finding 2)
	_, err := w.store.ReplaceHoldings(context.Background(), memberA, []dashboard.Holding{{
		TokenID: "7", ContractAddress: "0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", CollectionID: "babes-genesis", TokenName: "Babe #7",
	}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	fn := w.start("list-nfts")
	resp, body := fn.http(apiEvent("GET", "/dashboard/nfts", memberContext(memberA), ""))
	want(t, "GET /dashboard/nfts", resp, body, 200, "")
	if nfts, _ := body["nfts"].([]any); len(nfts) != 1 || body["wallet"] != testWallet || body["walletVerified"] != false || body["refreshing"] != false {
		t.Errorf("nfts = %s", resp.Body)
	}
	// A member with a wallet never synced: refreshing, and the refresh is
	// queued for order-refresh, which holds the key.
	w.seedMember(memberB, "", testWallet)
	resp, body = fn.http(apiEvent("GET", "/dashboard/nfts", memberContext(memberB), ""))
	want(t, "GET /dashboard/nfts with a wallet", resp, body, 200, "")
	if body["refreshing"] != true {
		t.Errorf("nfts of a never-synced wallet = %s, want refreshing", resp.Body)
	}
	if n := w.queued(); n != 1 {
		t.Errorf("%d refresh messages queued, want 1", n)
	}
}

func TestLambdaWalletChallengeAndVerify(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	challenge := w.start("wallet-challenge")
	resp, body := challenge.http(apiEvent("POST", "/dashboard/wallet/challenge", memberContext(memberA), ""))
	want(t, "challenge without a wallet", resp, body, 409, "conflict")
	verify := w.start("wallet-verify")
	resp, body = verify.http(apiEvent("POST", "/dashboard/wallet/verify", memberContext(memberA), `{"message":"x"}`))
	want(t, "verify without a signature", resp, body, 400, "")
	resp, body = verify.http(apiEvent("POST", "/dashboard/wallet/verify", memberContext(memberA), `[]`))
	want(t, "verify with an array", resp, body, 400, "invalid_request")
}

func TestLambdaStripeWebhook(t *testing.T) {
	t.Parallel()
	w := newWorld(t).withStripe()
	sess := stripetest.NewSession("cs_test_lambda_hook", time.Now().Add(-time.Minute)).WithUserID(memberA).WithItem("Hoops", 1, 8900).Paid()
	w.stripe.AddSession(sess)
	fn := w.start("stripe-webhook")
	payload := string(stripetest.EventPayload("checkout.session.completed", sess))
	ev := apiEvent("POST", "/webhooks/stripe", nil, payload)
	ev.MultiValueHeaders["Stripe-Signature"] = []string{stripetest.SignWebhook("whsec_wrong", []byte(payload), time.Now())}
	resp, body := fn.http(ev)
	want(t, "bad signature", resp, body, 400, "")
	if n := w.stripe.Calls("/"); n != 0 {
		t.Errorf("a badly signed event made %d Stripe calls", n)
	}
	ev = apiEvent("POST", "/webhooks/stripe", nil, payload)
	ev.MultiValueHeaders["Stripe-Signature"] = []string{stripetest.SignWebhook(stripeWebhook, []byte(payload), time.Now())}
	resp, body = fn.http(ev)
	want(t, "signed event", resp, body, 200, "")
	if o, err := w.store.FindOrder(context.Background(), "cs_test_lambda_hook"); err != nil || o.UserID != memberA || o.Status != dashboard.OrderCompleted {
		t.Errorf("stored order = %+v, %v", o, err)
	}
	if m := fn.metrics(); m["UpstreamCalls/stripe"] < 1 || m["UpstreamCalls/dynamodb"] < 2 {
		t.Errorf("metrics = %v", m)
	}
}

func TestLambdaNFTWebhook(t *testing.T) {
	t.Parallel()
	w := newWorld(t).withQueue()
	payload := string(markettest.NFTActivity("ETH_MAINNET").Transfer("0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", "7",
		"0x0000000000000000000000000000000000000001", testWallet).JSON())
	hidden := w.start("nft-webhook")
	resp, body := hidden.http(apiEvent("POST", "/webhooks/nfts", nil, payload))
	want(t, "without NFT_WEBHOOK_SECRET", resp, body, 404, "not_found")

	fn := w.start("nft-webhook", "NFT_WEBHOOK_SECRET="+nftSecret)
	ev := apiEvent("POST", "/webhooks/nfts", nil, payload)
	ev.MultiValueHeaders["X-Alchemy-Signature"] = []string{markettest.SignWebhook([]byte("wrong"), []byte(payload))}
	resp, body = fn.http(ev)
	want(t, "bad signature", resp, body, 400, "")
	if n := w.queued(); n != 0 {
		t.Errorf("a badly signed webhook queued %d messages", n)
	}
	ev = apiEvent("POST", "/webhooks/nfts", nil, payload)
	ev.MultiValueHeaders["X-Alchemy-Signature"] = []string{markettest.SignWebhook([]byte(nftSecret), []byte(payload))}
	resp, body = fn.http(ev)
	want(t, "signed webhook", resp, body, 200, "")
	if n := w.queued(); n < 1 {
		t.Errorf("signed webhook queued %d messages", n)
	}
}

func TestLambdaInternalSyncStripe(t *testing.T) {
	t.Parallel()
	w := newWorld(t).withStripe()
	w.seedMember(memberA, "cus_lambda_a", "")
	w.stripe.AddSession(stripetest.NewSession("cs_test_lambda_sync", time.Now().Add(-time.Hour)).WithCustomer("cus_lambda_a").WithItem("Ring", 1, 7500).Paid())
	fn := w.start("internal-sync-stripe")
	resp, body := fn.http(apiEvent("POST", "/internal/sync/stripe", nil, `{"userId":"`+memberA+`"}`))
	want(t, "without the internal token", resp, body, 401, "unauthorized")
	ev := apiEvent("POST", "/internal/sync/stripe", memberContext(memberA), `{"userId":"`+memberA+`"}`)
	resp, body = fn.http(ev)
	want(t, "with a member's authorizer context", resp, body, 401, "unauthorized")
	ev.MultiValueHeaders["X-Internal-Token"] = []string{internalToken}
	resp, body = fn.http(ev)
	want(t, "with the internal token", resp, body, 200, "")
	if body["synced"] != 1.0 || body["created"] != 1.0 {
		t.Errorf("sync = %s", resp.Body)
	}
}

func TestLambdaInternalSyncNFTs(t *testing.T) {
	t.Parallel()
	w := newWorld(t).withMarket()
	w.seedMember(memberA, "", testWallet)
	w.market.SetHoldings(testWallet, []markettest.NFT{
		{Contract: "0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", TokenID: "7", Collection: "babes-genesis", Name: "Babe #7"},
	})
	fn := w.start("internal-sync-nfts")
	resp, body := fn.http(apiEvent("POST", "/internal/sync/nfts", nil, `{"userId":"`+memberA+`"}`))
	want(t, "without the internal token", resp, body, 401, "unauthorized")
	ev := apiEvent("POST", "/internal/sync/nfts", nil, `{"userId":"`+memberA+`"}`)
	ev.MultiValueHeaders["X-Internal-Token"] = []string{internalToken}
	resp, body = fn.http(ev)
	want(t, "with the internal token", resp, body, 200, "")
	if body["synced"] != 1.0 || body["added"] != 1.0 {
		t.Errorf("sync = %s", resp.Body)
	}
	if m := fn.metrics(); m["UpstreamCalls/marketplace"] != 1 || m["UpstreamFailures/marketplace"] != 0 {
		t.Errorf("metrics = %v", m)
	}
}
