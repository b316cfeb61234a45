package lambdafn_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/auth"
	"github.com/thebabesclub/dashboard/internal/authtest"
	"github.com/thebabesclub/dashboard/internal/lambdatest"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/internal/stripetest"
)

// memberRoutes are the routes behind the authorizer; a cached Allow must
// cover every one of them.
var memberRoutes = []string{
	"GET/dashboard/profile", "PUT/dashboard/profile", "POST/dashboard/update-profile", "GET/dashboard/orders",
	"GET/dashboard/orders/cs_test_a1b2", "GET/dashboard/nfts", "POST/dashboard/wallet/challenge", "POST/dashboard/wallet/verify",
	"GET/dashboard/emails", "POST/dashboard/emails", "POST/dashboard/emails/verify", "DELETE/dashboard/emails/a@example.com",
	"GET/dashboard/export", "GET/dashboard/wallets", "POST/dashboard/wallets/challenge", "POST/dashboard/wallets/verify",
	"DELETE/dashboard/wallets/0x2c7536E3605D9C16a7a3D7b1898e529396a65c23",
}

// tokenEvent is a TOKEN authorizer request as API Gateway sends it.
func tokenEvent(header, route string) events.APIGatewayCustomAuthorizerRequest {
	return events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: header, MethodArn: testAPIArn + "/" + route}
}

// iamMatch reports whether an IAM resource pattern (* and ? wildcards, which
// cross "/") matches arn.
func iamMatch(pattern, arn string) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	return regexp.MustCompile(re).MatchString(arn)
}

// TestLambdaAuthorizer runs the authorizer binary over the shared hostile
// token table. Cases that need another verifier configuration (issuer,
// audience, no previous secret) run in a process started with that
// configuration, next to a positive control.
func TestLambdaAuthorizer(t *testing.T) {
	t.Parallel()
	startBuild()
	w := &world{t: t, env: map[string]string{"LOG_LEVEL": "debug"}} // the authorizer opens no store
	base := auth.Config{Secret: []byte(jwtSecret), PreviousSecret: []byte(prevSecret)}
	groups := map[string][]authtest.Case{}
	configs := map[string]auth.Config{}
	for _, c := range authtest.HostileCases(base, []byte(prevSecret)) {
		cfg := base
		if c.Adjust != nil {
			c.Adjust(&cfg)
		}
		key := strings.Join(authEnv(cfg), " ")
		groups[key] = append(groups[key], c)
		configs[key] = cfg
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	denied := 0
	for _, key := range keys {
		cfg := configs[key]
		fn := w.start("authorizer", authEnv(cfg)...)
		valid := authtest.ValidToken(cfg, memberA)
		res := fn.invoke(tokenEvent(valid, "GET/dashboard/profile"))
		checkAllow(t, res, valid)
		for _, c := range groups[key] {
			res := fn.invoke(tokenEvent(c.Header, "GET/dashboard/orders"))
			if res.Error == nil || res.Error.ErrorMessage != "Unauthorized" || res.Payload != nil {
				t.Errorf("%s: got %s %+v; want the error Unauthorized", c.Name, res.Payload, res.Error)
			}
		}
		denied += len(groups[key])
		if m := fn.metrics(); m["AuthorizerDenied"] != float64(len(groups[key])) || m["Requests"] != float64(len(groups[key])+1) || m["Errors"] != 0 {
			t.Errorf("%s: metrics = %v; want %d denied", key, m, len(groups[key]))
		}
		if key == keys[0] && len(cfg.PreviousSecret) > 0 {
			// Rotation: a token signed with the previous secret still works.
			tok, err := auth.Sign([]byte(prevSecret), auth.Claims{UserID: memberA, Email: "old@example.com", Role: "customer"}, time.Now(), time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if res := fn.invoke(tokenEvent("Bearer "+tok, "GET/dashboard/nfts")); res.Error != nil {
				t.Errorf("token signed with JWT_SECRET_PREVIOUS refused: %+v", res.Error)
			}
			if res := fn.invoke(tokenEvent(valid, "GET")); res.Error == nil || res.Error.ErrorMessage != "Unauthorized" {
				t.Errorf("method ARN without a stage: %s %+v", res.Payload, res.Error)
			}
		}
	}
	if denied < 50 {
		t.Errorf("only %d hostile cases ran", denied)
	}
}

// authEnv is the JWT_* environment of a verifier configuration.
func authEnv(cfg auth.Config) []string {
	env := []string{"JWT_SECRET=" + string(cfg.Secret)}
	if len(cfg.PreviousSecret) > 0 {
		env = append(env, "JWT_SECRET_PREVIOUS="+string(cfg.PreviousSecret))
	}
	if cfg.Issuer != "" {
		env = append(env, "JWT_ISSUER="+cfg.Issuer)
	}
	if cfg.Audience != "" {
		env = append(env, "JWT_AUDIENCE="+cfg.Audience)
	}
	return env
}

// checkAllow checks an Allow answer: principalId and context name the
// member, never the token, and the policy covers every member route of the
// stage and nothing of another stage or API.
func checkAllow(t *testing.T, res lambdatest.Result, header string) {
	t.Helper()
	if res.Error != nil {
		t.Fatalf("valid token refused: %+v", res.Error)
	}
	var resp events.APIGatewayCustomAuthorizerResponse
	if err := json.Unmarshal(res.Payload, &resp); err != nil {
		t.Fatalf("not an authorizer response: %s", res.Payload)
	}
	if strings.Contains(string(res.Payload), strings.TrimPrefix(header, "Bearer ")) {
		t.Errorf("the token is in the authorizer's answer: %s", res.Payload)
	}
	if resp.PrincipalID != memberA || resp.Context["userId"] != memberA || resp.Context["email"] != "member@example.com" ||
		resp.Context["role"] != "customer" || resp.Context["displayName"] != "Test Member" {
		t.Errorf("principal %q, context %v", resp.PrincipalID, resp.Context)
	}
	// exp is the token's, as the decimal string API Gateway would make of
	// it anyway.
	if want := tokenExp(t, header); resp.Context["exp"] != want {
		t.Errorf("context exp = %#v, want the token's %q", resp.Context["exp"], want)
	}
	st := resp.PolicyDocument.Statement
	if resp.PolicyDocument.Version != "2012-10-17" || len(st) != 1 || st[0].Effect != "Allow" ||
		len(st[0].Action) != 1 || st[0].Action[0] != "execute-api:Invoke" || len(st[0].Resource) != 1 {
		t.Fatalf("policy = %+v", resp.PolicyDocument)
	}
	for _, r := range memberRoutes {
		if !iamMatch(st[0].Resource[0], testAPIArn+"/"+r) {
			t.Errorf("policy %s does not cover %s", st[0].Resource[0], r)
		}
	}
	for _, other := range []string{
		"arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/dashboard/profile",
		"arn:aws:execute-api:us-east-1:123456789012:zzz999/prod/GET/dashboard/profile",
		"arn:aws:execute-api:us-west-2:123456789012:abc123/prod/GET/dashboard/profile",
	} {
		if iamMatch(st[0].Resource[0], other) {
			t.Errorf("policy %s also covers %s", st[0].Resource[0], other)
		}
	}
}

func TestLambdaOrderRefresh(t *testing.T) {
	t.Parallel()
	w := newWorld(t).withStripe().withMarket()
	w.seedMember(memberA, "cus_lambda_refresh", "")
	w.seedMember(memberB, "", "")
	w.stripe.AddSession(stripetest.NewSession("cs_test_lambda_refresh", time.Now().Add(-time.Hour)).WithCustomer("cus_lambda_refresh").Paid())
	fn := w.start("order-refresh")
	batch := sqsEvent(
		`{"kind":"STRIPE","userId":"`+memberA+`"}`, // Stripe refuses the listing below
		`{"kind":"STRIPE"`, // malformed: dropped, not retried
		`{"kind":"STRIPE","userId":"`+memberB+`"}`, // no Stripe customer: nothing to list
		`{"kind":"NFT","userId":"`+memberB+`"}`,    // no wallet: nothing to sync
	)
	w.stripe.Fail("/v1/checkout/sessions", 400)
	res := fn.invoke(batch)
	if res.Error != nil {
		t.Fatalf("batch failed as a whole: %+v", res.Error)
	}
	var resp events.SQSEventResponse
	if err := json.Unmarshal(res.Payload, &resp); err != nil {
		t.Fatalf("not a batch response: %s", res.Payload)
	}
	if got := failedIDs(resp); got != "msg-1" {
		t.Errorf("batchItemFailures = %q (%s), want msg-1", got, res.Payload)
	}
	// Redelivered after Stripe recovered, the failed message goes through.
	res = fn.invoke(sqsEvent(`{"kind":"STRIPE","userId":"` + memberA + `"}`))
	if err := json.Unmarshal(res.Payload, &resp); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Errorf("redelivery = %s %+v", res.Payload, res.Error)
	}
	if _, err := w.store.FindOrder(context.Background(), "cs_test_lambda_refresh"); err != nil {
		t.Errorf("refreshed order not stored: %v", err)
	}
	if m := fn.metrics(); m["SyncProcessed"] != 5 || m["SyncFailures"] != 1 || m["UpstreamFailures/stripe"] != 1 || m["Errors"] != 0 {
		t.Errorf("metrics = %v", m)
	}
}

// TestLambdaOrderRefreshSyncsAVerifiedCheckoutEmail: the sync that a
// checkout email's verification queues names the address; order-refresh
// takes it and files the address's past guest order. (The worker used to
// drop such a message as malformed: "email" was not among the fields it
// accepted.)
func TestLambdaOrderRefreshSyncsAVerifiedCheckoutEmail(t *testing.T) {
	t.Parallel()
	w := newWorld(t).withStripe()
	w.seedMember(memberA, "", "")
	ctx := context.Background()
	guest := "Guest-" + memberA[:6] + "@Example.com"
	added := time.Now().UTC().Truncate(time.Millisecond)
	if err := w.store.AddCheckoutEmail(ctx, dashboard.CheckoutEmail{UserID: memberA, Email: guest, AddedAt: added}); err != nil {
		t.Fatal(err)
	}
	if err := w.store.VerifyCheckoutEmail(ctx, memberA, guest, added); err != nil {
		t.Fatal(err)
	}
	w.stripe.AddSession(stripetest.NewSession("cs_test_lambda_guest", time.Now().Add(-30*24*time.Hour)).WithEmail(guest).Paid())
	body, _ := json.Marshal(dashboard.RefreshRequest{Kind: dashboard.SyncStripe, UserID: memberA, Email: guest})
	fn := w.start("order-refresh")
	res := fn.invoke(sqsEvent(string(body)))
	var resp events.SQSEventResponse
	if res.Error != nil || json.Unmarshal(res.Payload, &resp) != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("worker = %s %+v", res.Payload, res.Error)
	}
	if o, err := w.store.FindOrder(ctx, "cs_test_lambda_guest"); err != nil || o.UserID != memberA {
		t.Errorf("the guest order = %+v, %v; want it filed under the member", o, err)
	}
}

// scheduledEvent is an EventBridge scheduled event for rule.
func scheduledEvent(rule string) events.EventBridgeEvent {
	return events.EventBridgeEvent{Version: "0", ID: newUUID(), DetailType: "Scheduled Event", Source: "aws.events",
		AccountID: "123456789012", Time: time.Now().UTC().Truncate(time.Second), Region: "us-east-1",
		Resources: []string{"arn:aws:events:us-east-1:123456789012:rule/" + rule}, Detail: json.RawMessage(`{}`)}
}

// TestLambdaStripeOrderSync runs the nightly reconciliation as AWS does:
// stripe-order-sync plans and queues one message per window (on goaws),
// order-refresh files the windows; one window's listing is refused, fails
// only its own message, and the next night's plan counts it as
// unfinished, keeps the watermark before it and covers it again; once
// every window of a run is done, the following plan moves the watermark
// to that run's end.
func TestLambdaStripeOrderSync(t *testing.T) {
	t.Parallel()
	w := newWorld(t).withStripe().withQueue()
	w.seedMember(memberA, "", "")
	now := time.Now()
	w.stripe.AddSession(
		stripetest.NewSession("cs_test_lambda_nightly", now.Add(-2*time.Hour)).WithUserID(memberA).WithItem("Chain", 1, 12900).Paid(),
		stripetest.NewSession("cs_test_lambda_nobody", now.Add(-3*time.Hour)).WithEmail("stranger@example.com").Paid(),
	)
	ctx := context.Background()
	wm := now.Add(-4 * time.Hour).UTC().Truncate(time.Second)
	if err := w.store.SetWatermark(ctx, "STRIPE_ORDER_SYNC", wm); err != nil {
		t.Fatal(err)
	}
	planner, worker := w.start("stripe-order-sync"), w.start("order-refresh")
	plan := func(least int) (runID string, bodies []string) {
		t.Helper()
		res := planner.invoke(scheduledEvent("stripe-order-sync"))
		if res.Error != nil || string(res.Payload) != "null" {
			t.Fatalf("planner = %s %+v\n%s", res.Payload, res.Error, planner.proc.Stderr())
		}
		run, err := w.store.LatestReconcileRun(ctx)
		if err != nil || run == nil {
			t.Fatalf("no run recorded: %v", err)
		}
		bodies = w.drain()
		if len(bodies) != len(run.Windows()) || len(bodies) < least {
			t.Fatalf("%d messages queued for the %d windows of %+v", len(bodies), len(run.Windows()), run)
		}
		return run.ID, bodies
	}

	// Night 1: Stripe refuses the first listing (400: not retried).
	run1, bodies := plan(5) // [watermark − 1 h, now): five hours and a bit
	w.stripe.Fail("/v1/checkout/sessions", 400)
	res := worker.invoke(sqsEvent(bodies...))
	var resp events.SQSEventResponse
	if res.Error != nil || json.Unmarshal(res.Payload, &resp) != nil {
		t.Fatalf("worker = %s %+v", res.Payload, res.Error)
	}
	if got := failedIDs(resp); got != "msg-1" {
		t.Fatalf("batchItemFailures = %q, want only the refused window's message msg-1", got)
	}
	if o, err := w.store.FindOrder(ctx, "cs_test_lambda_nightly"); err != nil || o.UserID != memberA {
		t.Errorf("reconciled order = %+v, %v", o, err)
	}
	var failed struct {
		From time.Time `json:"from"`
	}
	if err := json.Unmarshal([]byte(bodies[0]), &failed); err != nil {
		t.Fatal(err)
	}
	cp, err := w.store.ReconcileCheckpoint(ctx, run1, failed.From)
	if err != nil || cp == nil || cp.Done || cp.Attempts != 1 {
		t.Errorf("the refused window's checkpoint = %+v, %v; want one attempt, not done", cp, err)
	}

	// A plan right away (Lambda retrying the planner, an operator planning
	// again) finds night 1's run still in flight: it queues the window not
	// done again under that run's id and counts no failure.
	if res := planner.invoke(scheduledEvent("stripe-order-sync")); res.Error != nil {
		t.Fatalf("re-plan = %s %+v", res.Payload, res.Error)
	}
	if again := w.drain(); !slices.Equal(again, bodies[:1]) {
		t.Errorf("re-plan queued %q, want night 1's unfinished window again, %q", again, bodies[0])
	}
	if run, _ := w.store.LatestReconcileRun(ctx); run == nil || run.ID != run1 {
		t.Errorf("the latest run after a re-plan = %+v, want %s", run, run1)
	}

	// Night 2 (night 1's run, planned a day ago, is no longer in flight):
	// the failed window is not done; the watermark does not pass its
	// start, and the new run covers it again.
	aged, _ := w.store.LatestReconcileRun(ctx)
	aged.PlannedAt = aged.PlannedAt.Add(-24 * time.Hour)
	if err := w.store.SaveReconcileRun(ctx, *aged); err != nil {
		t.Fatal(err)
	}
	_, bodies = plan(5)
	if got, _ := w.store.Watermark(ctx, "STRIPE_ORDER_SYNC"); got.After(failed.From) && got.After(wm) {
		t.Errorf("watermark %v moved past the unfinished window starting %v", got, failed.From)
	}
	res = worker.invoke(sqsEvent(bodies...))
	if err := json.Unmarshal(res.Payload, &resp); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("night 2's windows = %s %+v", res.Payload, res.Error)
	}
	run2, _ := w.store.LatestReconcileRun(ctx)

	// Night 3: every window of night 2 is done, so the watermark reaches
	// its end (and this run is [that end − 1 h, now): one window).
	plan(1)
	if got, _ := w.store.Watermark(ctx, "STRIPE_ORDER_SYNC"); !got.Equal(run2.To) {
		t.Errorf("watermark after a complete run = %v, want its end %v", got, run2.To)
	}
	if o, _ := w.store.FindOrder(ctx, "cs_test_lambda_nightly"); o == nil || o.Version != 1 {
		t.Errorf("the order was written %+v times, want once", o)
	}
	if m := planner.metrics(); m["ReconciliationFailures"] != 1 || m["Errors"] != 0 || m["UpstreamCalls/stripe"] != 0 || m["SyncProcessed"] < 11 {
		t.Errorf("planner metrics = %v; want one unfinished window counted, no Stripe call", m)
	}
	if m := worker.metrics(); m["SyncFailures"] != 1 || m["UpstreamFailures/stripe"] != 1 || m["Errors"] != 0 {
		t.Errorf("worker metrics = %v", m)
	}
}

// drain receives and deletes every message of the world's queue and
// returns their bodies.
func (w *world) drain() []string {
	w.t.Helper()
	var bodies []string
	for {
		out, err := w.sqs.ReceiveMessage(testContext(w.t), &sqs.ReceiveMessageInput{QueueUrl: &w.queue, MaxNumberOfMessages: 10})
		if err != nil {
			w.t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return bodies
		}
		for _, m := range out.Messages {
			bodies = append(bodies, *m.Body)
			if _, err := w.sqs.DeleteMessage(testContext(w.t), &sqs.DeleteMessageInput{QueueUrl: &w.queue, ReceiptHandle: m.ReceiptHandle}); err != nil {
				w.t.Fatal(err)
			}
		}
	}
}

// TestLambdaNFTSync runs the hourly NFT poll as AWS does: nft-sync plans
// and queues one unit per wallet shard (on goaws) without calling the
// marketplace, and order-refresh polls the units' members.
func TestLambdaNFTSync(t *testing.T) {
	t.Parallel()
	w := newWorld(t).withMarket().withQueue()
	w.seedMember(memberA, "", testWallet)
	w.market.SetHoldings(testWallet, []markettest.NFT{
		{Contract: "0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", TokenID: "7", Collection: "babes-genesis", Name: "Babe #7"},
		{Contract: "0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", TokenID: "8", Collection: "babes-genesis", Name: "Babe #8"},
	})
	planner, worker := w.start("nft-sync"), w.start("order-refresh")
	res := planner.invoke(scheduledEvent("nft-sync"))
	if res.Error != nil {
		t.Fatalf("poll = %+v\n%s", res.Error, planner.proc.Stderr())
	}
	bodies := w.drain()
	if len(bodies) != 16 {
		t.Fatalf("the planner queued %d units, want one per wallet shard (16)", len(bodies))
	}
	if m := planner.metrics(); m["SyncProcessed"] != 16 || m["UpstreamCalls/marketplace"] != 0 || m["Errors"] != 0 {
		t.Errorf("planner metrics = %v; want 16 units queued, no marketplace call", m)
	}
	if page, _ := w.store.ListHoldings(context.Background(), memberA, "", 10, ""); len(page.Holdings) != 0 {
		t.Errorf("the planner synced a member itself: %+v", page.Holdings)
	}
	for start := 0; start < len(bodies); start += 10 {
		res = worker.invoke(sqsEvent(bodies[start:min(start+10, len(bodies))]...))
		var resp events.SQSEventResponse
		if res.Error != nil || json.Unmarshal(res.Payload, &resp) != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("worker = %s %+v\n%s", res.Payload, res.Error, worker.proc.Stderr())
		}
	}
	page, err := w.store.ListHoldings(context.Background(), memberA, "", 10, "")
	if err != nil || len(page.Holdings) != 2 {
		t.Errorf("holdings after the poll = %+v, %v", page.Holdings, err)
	}
	if m := worker.metrics(); m["SyncProcessed"] != 16 || m["SyncFailures"] != 0 || m["UpstreamCalls/marketplace"] != 1 {
		t.Errorf("worker metrics = %v", m)
	}
	if n := w.queued(); n != 0 {
		t.Errorf("%d messages left on the queue, want none (no unit ran out of time)", n)
	}
}

// TestLambdaColdStartFailures: a function that cannot start reports why
// on init/error and exits, instead of serving with half a configuration.
func TestLambdaColdStartFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"get-profile", map[string]string{"CURSOR_SECRET": cursorSecret}, "COMMERCE_TABLE"},                            // never the embedded store
		{"get-profile", map[string]string{"COMMERCE_TABLE": "t"}, "CURSOR_SECRET"},                                     // no cursor key
		{"authorizer", map[string]string{}, "JWT_SECRET"},                                                              // no key, no verifier
		{"stripe-order-sync", map[string]string{"COMMERCE_TABLE": "t"}, "STRIPE_SECRET"},                               // nothing to reconcile
		{"stripe-order-sync", map[string]string{"COMMERCE_TABLE": "t", "STRIPE_ENABLED": "true"}, "REFRESH_QUEUE_URL"}, // nowhere to queue
		{"nft-sync", map[string]string{"COMMERCE_TABLE": "t"}, "NFT_ENABLED"},                                          // nothing to poll
		{"nft-sync", map[string]string{"COMMERCE_TABLE": "t", "NFT_ENABLED": "true"}, "REFRESH_QUEUE_URL"},             // nowhere to queue
		{"list-orders", map[string]string{"COMMERCE_TABLE": "t", "CURSOR_SECRET": cursorSecret, "ORDER_STALE_AFTER": "soon"}, "ORDER_STALE_AFTER"},
		{"list-orders", map[string]string{"COMMERCE_TABLE": "t", "CURSOR_SECRET": cursorSecret, "STRIPE_ENABLED": "yes please"}, "STRIPE_ENABLED"},
	} {
		w := &world{t: t, env: tc.env}
		fn := w.start(tc.name)
		// The function fails its cold start at once; only a hang would
		// need the test's deadline.
		_, err := fn.api.InvokeJSON(testContext(t), scheduledEvent("x"))
		ie, ok := fn.api.InitError()
		if err != lambdatest.ErrInitFailed || !ok || !strings.Contains(ie.ErrorMessage, tc.want) || ie.ErrorType != "Runtime.ConfigInvalid" {
			t.Errorf("%s: invoke = %v, init error %+v; want one naming %s", tc.name, err, ie, tc.want)
		}
		select {
		case <-fn.proc.Exited():
			if code := fn.proc.ExitCode(); code != 1 {
				t.Errorf("%s exited with %d", tc.name, code)
			}
		case <-testContext(t).Done():
			t.Errorf("%s still runs after a failed cold start", tc.name)
		}
	}
}

// tokenExp returns the exp claim of a "Bearer <JWT>" header as a decimal
// string, read from the payload without verifying it.
func tokenExp(t *testing.T, header string) string {
	t.Helper()
	parts := strings.Split(strings.TrimPrefix(header, "Bearer "), ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", header)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	if err := json.Unmarshal(raw, &claims); err != nil || claims.Exp == "" {
		t.Fatalf("no exp in %s: %v", raw, err)
	}
	return claims.Exp.String()
}
