package lambdafn_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/auth"
	"github.com/thebabesclub/dashboard/internal/authtest"
	"github.com/thebabesclub/dashboard/internal/logtest"
	"github.com/thebabesclub/dashboard/lambdafn"
)

// These tests run the adapters in-process (with -race); runtime_test.go runs
// the real binaries against the Runtime API.

const (
	testAPIArn = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod"
	memberA    = "0123456789abcdef0123456789abcdef"
	memberB    = "fedcba9876543210fedcba9876543210"
)

// newTestFunction returns a Function whose metrics and logs land in buffers.
func newTestFunction(t *testing.T, name string, env map[string]string) (*lambdafn.Function, *logtest.Buffer, *logtest.Buffer) {
	t.Helper()
	metrics, logs := &logtest.Buffer{}, &logtest.Buffer{}
	return lambdafn.New(name, func(k string) string { return env[k] }, metrics, logs), metrics, logs
}

func TestStageResource(t *testing.T) {
	for arn, want := range map[string]string{
		testAPIArn + "/GET/dashboard/profile":           testAPIArn + "/*/*",
		testAPIArn + "/POST/dashboard/wallet/verify":    testAPIArn + "/*/*",
		testAPIArn + "/GET/":                            testAPIArn + "/*/*",
		"arn:aws-cn:execute-api:cn-north-1:1:x/dev/GET": "arn:aws-cn:execute-api:cn-north-1:1:x/dev/*/*",
		"arn:aws:execute-api:us-east-1:1:abc123":        "", // no stage
		"arn:aws:execute-api:us-east-1:1:*/prod/GET/":   "", // a wildcard is never widened
		"arn:aws:execute-api:us-east-1::abc/prod/GET/":  "", // no account
		"arn:aws:lambda:us-east-1:1:abc/prod/GET/":      "", // another service
		"":           "",
		"Bearer abc": "",
		"arn:aws:execute-api:us-east-1:1:a/p r/GET/": "",
	} {
		got, ok := lambdafn.StageResource(arn)
		if got != want || ok != (want != "") {
			t.Errorf("StageResource(%q) = %q, %v; want %q", arn, got, ok, want)
		}
	}
}

// TestAuthorizerInProcess holds the authorizer to the shared hostile-token
// table: every case is ErrUnauthorized with exactly the message API Gateway
// maps to 401, and the positive control is allowed.
func TestAuthorizerInProcess(t *testing.T) {
	prev := []byte("previous-secret-previous-secret!")
	base := auth.Config{Secret: []byte("current-secret-current-secret!!!"), PreviousSecret: prev}
	f, metrics, logs := newTestFunction(t, "authorizer", nil)
	verifier := func(cfg auth.Config) *auth.Verifier {
		v, err := auth.NewVerifier(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	allow := f.Authorizer(verifier(base))
	header := authtest.ValidToken(base, memberA)
	resp, err := allow(context.Background(), events.APIGatewayCustomAuthorizerRequest{
		Type: "TOKEN", AuthorizationToken: header, MethodArn: testAPIArn + "/GET/dashboard/orders"})
	if err != nil {
		t.Fatalf("valid token refused: %v", err)
	}
	if resp.PrincipalID != memberA || resp.Context["userId"] != memberA || resp.Context["role"] != "customer" ||
		resp.Context["exp"] != tokenExp(t, header) ||
		resp.PolicyDocument.Statement[0].Resource[0] != testAPIArn+"/*/*" || resp.PolicyDocument.Statement[0].Effect != "Allow" {
		t.Errorf("allow response = %+v", resp)
	}
	cases := authtest.HostileCases(base, prev)
	for _, c := range cases {
		cfg := base
		if c.Adjust != nil {
			c.Adjust(&cfg)
		}
		resp, err := f.Authorizer(verifier(cfg))(context.Background(), events.APIGatewayCustomAuthorizerRequest{
			Type: "TOKEN", AuthorizationToken: c.Header, MethodArn: testAPIArn + "/GET/dashboard/profile"})
		if err == nil || err.Error() != "Unauthorized" || !errors.Is(err, lambdafn.ErrUnauthorized) || resp.PrincipalID != "" {
			t.Errorf("%s: got %+v, %v; want Unauthorized", c.Name, resp, err)
		}
	}
	// A method ARN the authorizer does not understand is refused too.
	if _, err := allow(context.Background(), events.APIGatewayCustomAuthorizerRequest{AuthorizationToken: header, MethodArn: "*"}); err == nil {
		t.Error("bad method ARN allowed")
	}
	m := sumMetrics(t, metrics.String())
	if want := float64(len(cases) + 1); m["AuthorizerDenied"] != want || m["Requests"] != want+1 || m["Errors"] != 1 {
		t.Errorf("metrics = %v; want %v denied of %v requests, 1 error (the bad ARN)", m, want, want+1)
	}
	if tok := strings.TrimPrefix(header, "Bearer "); strings.Contains(logs.String(), tok[:20]) {
		t.Errorf("a token reached the log:\n%s", logs.String())
	}
}

// TestHTTPTakesMemberFromAuthorizerOnly drives the proxy adapter: the
// member and request id come from the request context API Gateway built,
// never from a header a client could send.
func TestHTTPTakesMemberFromAuthorizerOnly(t *testing.T) {
	f, metrics, _ := newTestFunction(t, "get-profile", nil)
	h := f.HTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/boom" {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		m, ok := lambdafn.MemberFromGateway(r)
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": ok, "userId": m.UserID, "email": m.Email,
			"requestId": lambdafn.RequestIDFromGateway(r), "query": r.URL.Query().Get("limit")})
	}))
	call := func(ev events.APIGatewayProxyRequest) map[string]any {
		t.Helper()
		resp, err := h(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		if resp.StatusCode == 200 {
			if err := json.Unmarshal([]byte(resp.Body), &out); err != nil {
				t.Fatalf("%d %q: %v", resp.StatusCode, resp.Body, err)
			}
		}
		return out
	}
	ev := apiEvent("GET", "/dashboard/orders?limit=5", memberContext(memberA), "")
	ev.MultiValueHeaders["Authorization"] = []string{"Bearer not-even-checked"}
	spoof, _ := json.Marshal(events.APIGatewayProxyRequestContext{Authorizer: memberContext(memberB)})
	ev.MultiValueHeaders["X-Golambdaproxy-Apigw-Context"] = []string{string(spoof)}
	got := call(ev)
	if got["ok"] != true || got["userId"] != memberA || got["requestId"] != ev.RequestContext.RequestID || got["query"] != "5" {
		t.Errorf("with authorizer context: %v", got)
	}
	ev = apiEvent("GET", "/dashboard/profile", nil, "")
	ev.MultiValueHeaders["X-Golambdaproxy-Apigw-Context"] = []string{string(spoof)}
	if got := call(ev); got["ok"] != false || got["userId"] != "" {
		t.Errorf("without authorizer context, spoofed header: %v", got)
	}
	exp := fmt.Sprint(time.Now().Add(time.Hour).Unix())
	bad := []map[string]any{
		{"userId": "", "exp": exp}, {"userId": 12, "exp": exp}, {"principalId": memberA, "exp": exp},
		{"userId": "a\nb", "exp": exp}, {"userId": strings.Repeat("a", 129), "exp": exp}, {"userId": "a#b", "exp": exp},
		// A context without a usable exp: the member's expiry is unknown.
		{"userId": memberA}, {"userId": memberA, "exp": ""}, {"userId": memberA, "exp": "soon"},
		{"userId": memberA, "exp": "-60"}, {"userId": memberA, "exp": "+60"}, {"userId": memberA, "exp": "0"},
		{"userId": memberA, "exp": "17e8"}, {"userId": memberA, "exp": "1700000000.5"}, {"userId": memberA, "exp": 1.7e9 + 0.5},
		{"userId": memberA, "exp": "253402300800"}, {"userId": memberA, "exp": true}, {"userId": memberA, "exp": nil},
	}
	for _, ctx := range bad {
		if got := call(apiEvent("GET", "/dashboard/profile", ctx, "")); got["ok"] != false {
			t.Errorf("context %v accepted: %v", ctx, got)
		}
	}
	// exp as API Gateway passes it on (a decimal string) and as a JSON
	// number both name the same instant.
	for _, e := range []any{exp, float64(time.Now().Add(time.Hour).Unix())} {
		ctx := memberContext(memberA)
		ctx["exp"] = e
		if got := call(apiEvent("GET", "/dashboard/profile", ctx, "")); got["ok"] != true {
			t.Errorf("exp %#v refused: %v", e, got)
		}
	}
	call(apiEvent("GET", "/boom", nil, ""))
	if m := sumMetrics(t, metrics.String()); m["Requests"] != float64(len(bad)+5) || m["Errors"] != 1 {
		t.Errorf("metrics = %v", m)
	}
}

func TestSQSWorkerReportsOnlyFailedMessages(t *testing.T) {
	f, metrics, _ := newTestFunction(t, "order-refresh", nil)
	var mu sync.Mutex
	var ran []string
	h := f.SQSWorker(func(_ context.Context, r dashboard.RefreshRequest) error {
		mu.Lock()
		ran = append(ran, r.UserID)
		mu.Unlock()
		if r.UserID == memberB {
			return errors.New("stripe is down")
		}
		return nil
	})
	ev := sqsEvent(
		`{"kind":"STRIPE","userId":"`+memberA+`"}`,
		`{"kind":"STRIPE","userId":"`+memberB+`"}`,
		`not json`,
		`{"kind":"STRIPE","userId":"`+memberB+`"}`,
	)
	resp, err := h(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if got := failedIDs(resp); got != "msg-2,msg-4" {
		t.Errorf("batch item failures = %s, want msg-2,msg-4 (the malformed one is dropped)", got)
	}
	if len(ran) != 2 {
		t.Errorf("handler ran for %v; duplicates must collapse", ran)
	}
	if m := sumMetrics(t, metrics.String()); m["SyncProcessed"] != 4 || m["SyncFailures"] != 2 || m["Errors"] != 0 {
		t.Errorf("metrics = %v", m)
	}
}

func TestScheduledFailsTheInvocation(t *testing.T) {
	f, metrics, logs := newTestFunction(t, "stripe-order-sync", nil)
	fail := f.Scheduled("ReconciliationFailures", func(context.Context) error {
		return fmt.Errorf("orders: list sessions for buyer@example.com: %w", errors.New("stripe: 500"))
	})
	err := fail(context.Background(), events.EventBridgeEvent{DetailType: "Scheduled Event", Source: "aws.events"})
	if err == nil || !strings.HasPrefix(err.Error(), "stripe-order-sync failed: ") || strings.Contains(err.Error(), "buyer@example.com") {
		t.Errorf("error = %v; want a redacted failure", err)
	}
	panics := f.Scheduled("ReconciliationFailures", func(context.Context) error { panic("nil map") })
	if err := panics(context.Background(), events.EventBridgeEvent{}); err == nil || !strings.Contains(err.Error(), "panic") {
		t.Errorf("panic: %v", err)
	}
	ok := f.Scheduled("ReconciliationFailures", func(context.Context) error { return nil })
	if err := ok(context.Background(), events.EventBridgeEvent{}); err != nil {
		t.Errorf("success: %v", err)
	}
	if m := sumMetrics(t, metrics.String()); m["ReconciliationFailures"] != 2 || m["Errors"] != 2 || m["Requests"] != 3 {
		t.Errorf("metrics = %v", m)
	}
	if strings.Contains(logs.String(), "buyer@example.com") {
		t.Errorf("an email reached the log:\n%s", logs.String())
	}
}

// TestColdStartRefusesMissingSettings: a Lambda function never falls back
// to the embedded store, and the HTTP API needs its cursor key.
func TestColdStartRefusesMissingSettings(t *testing.T) {
	ctx := context.Background()
	f, _, _ := newTestFunction(t, "get-profile", map[string]string{"JWT_SECRET": "s"})
	if _, err := f.App(ctx); err == nil || !strings.Contains(err.Error(), "COMMERCE_TABLE") {
		t.Errorf("App without a table: %v", err)
	}
	f, _, _ = newTestFunction(t, "get-profile", map[string]string{"COMMERCE_TABLE": "t", "JWT_SECRET": jwtSecret})
	if _, err := lambdafn.API(ctx, f); err == nil || !strings.Contains(err.Error(), "CURSOR_SECRET") {
		t.Errorf("API without CURSOR_SECRET: %v", err)
	}
	// The functions machines call start without any key but their own.
	f, _, _ = newTestFunction(t, "nft-webhook", map[string]string{"COMMERCE_TABLE": "t", "NFT_WEBHOOK_SECRET": nftSecret})
	if _, err := lambdafn.MachineAPI(ctx, f); err != nil {
		t.Errorf("MachineAPI without CURSOR_SECRET: %v", err)
	}
	if _, err := lambdafn.TokenAuthorizer(ctx, f); err == nil {
		t.Error("authorizer without JWT_SECRET started")
	}
}

// apiEvent is an API Gateway REST proxy event as API Gateway sends it:
// single and multi-value headers and query, the request context with its
// request id and, when auth is set, the authorizer's context.
func apiEvent(method, target string, authorizer map[string]any, body string) events.APIGatewayProxyRequest {
	path, rawQuery, _ := strings.Cut(target, "?")
	headers := map[string]string{"Host": "abc123.execute-api.us-east-1.amazonaws.com", "User-Agent": "test",
		"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
	if body != "" {
		headers["Content-Type"] = "application/json"
	}
	ev := events.APIGatewayProxyRequest{
		Resource: path, Path: path, HTTPMethod: method, Headers: headers,
		MultiValueHeaders: map[string][]string{}, Body: body,
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID: "123456789012", ResourceID: "res1", Stage: "prod", RequestID: newUUID(),
			Identity:     events.APIGatewayRequestIdentity{SourceIP: "203.0.113.7", UserAgent: "test"},
			ResourcePath: path, HTTPMethod: method, APIID: "abc123", Protocol: "HTTP/1.1",
			DomainName: "abc123.execute-api.us-east-1.amazonaws.com", RequestTimeEpoch: time.Now().UnixMilli(),
			Authorizer: authorizer,
		},
	}
	for k, v := range headers {
		ev.MultiValueHeaders[k] = []string{v}
	}
	if rawQuery != "" {
		ev.QueryStringParameters, ev.MultiValueQueryStringParameters = map[string]string{}, map[string][]string{}
		for _, kv := range strings.Split(rawQuery, "&") {
			k, v, _ := strings.Cut(kv, "=")
			ev.QueryStringParameters[k] = v
			ev.MultiValueQueryStringParameters[k] = append(ev.MultiValueQueryStringParameters[k], v)
		}
	}
	return ev
}

// memberContext is requestContext.authorizer as API Gateway passes on what
// the TOKEN authorizer returned for a token minted now, valid for an hour:
// every value a string, exp included.
func memberContext(id string) map[string]any {
	return expiringContext(id, time.Now().Add(time.Hour))
}

// expiringContext is memberContext for a token that expires at exp.
func expiringContext(id string, exp time.Time) map[string]any {
	return map[string]any{"principalId": id, "userId": id, "email": "member-" + id[:6] + "@example.com",
		"role": "customer", "displayName": "Test Member", "exp": fmt.Sprint(exp.Unix()), "integrationLatency": 3}
}

// sqsEvent is an SQS event source batch of bodies, ids msg-1, msg-2 …
func sqsEvent(bodies ...string) events.SQSEvent {
	var ev events.SQSEvent
	for i, b := range bodies {
		ev.Records = append(ev.Records, events.SQSMessage{
			MessageId: fmt.Sprintf("msg-%d", i+1), ReceiptHandle: "rh-" + newUUID(), Body: b,
			Attributes:  map[string]string{"ApproximateReceiveCount": "1", "SentTimestamp": fmt.Sprint(time.Now().UnixMilli())},
			EventSource: "aws:sqs", EventSourceARN: "arn:aws:sqs:us-east-1:123456789012:refresh", AWSRegion: "us-east-1",
		})
	}
	return ev
}

func failedIDs(resp events.SQSEventResponse) string {
	var ids []string
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return strings.Join(ids, ",")
}

// sumMetrics adds up every metric of every EMF line in out; for durations
// it counts the samples. Upstream counters are keyed
// "UpstreamCalls/dynamodb" and the like.
func sumMetrics(t *testing.T, out string) map[string]float64 {
	t.Helper()
	sums := map[string]float64{}
	for _, line := range strings.Split(out, "\n") {
		if !strings.Contains(line, `"_aws"`) {
			continue
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(line), &doc); err != nil {
			t.Fatalf("EMF line is not JSON: %s", line)
		}
		meta, _ := doc["_aws"].(map[string]any)
		dirs, _ := meta["CloudWatchMetrics"].([]any)
		if _, ok := meta["Timestamp"].(float64); !ok || len(dirs) == 0 {
			t.Fatalf("EMF line without _aws.Timestamp or directives: %s", line)
		}
		for _, d := range dirs {
			if d.(map[string]any)["Namespace"] != "BabesClub/Dashboard" {
				t.Errorf("namespace in %s", line)
			}
			for _, m := range d.(map[string]any)["Metrics"].([]any) {
				name := m.(map[string]any)["Name"].(string)
				key := name
				if up, ok := doc["Upstream"].(string); ok {
					key += "/" + up
				}
				samples := m.(map[string]any)["Unit"] == "Milliseconds" // durations: count the samples
				switch v := doc[name].(type) {
				case float64:
					if samples {
						v = 1
					}
					sums[key] += v
				case []any:
					sums[key] += float64(len(v))
				default:
					t.Errorf("metric %s has no value in %s", name, line)
				}
			}
		}
	}
	return sums
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
