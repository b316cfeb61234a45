package lambdafn

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/app"
	"github.com/thebabesclub/dashboard/httpapi"
	"github.com/thebabesclub/dashboard/queue"
)

// HTTPHandler handles API Gateway REST API (v1) Lambda proxy events.
type HTTPHandler func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error)

// API is the builder of every HTTP function: the whole API behind the API
// Gateway proxy adapter. It needs CURSOR_SECRET (never JWT_SECRET, which
// only the authorizer holds), because list cursors are signed with a key
// derived from it and every instance must open the cursors every other one
// issued.
func API(ctx context.Context, f *Function) (HTTPHandler, error) {
	if f.getenv("CURSOR_SECRET") == "" {
		return nil, errors.New("lambdafn: CURSOR_SECRET is not set (it keys the list cursors)")
	}
	return f.api(ctx)
}

// MachineAPI is the builder of the HTTP functions only machines call: the
// two webhooks and the two internal sync routes. They serve the same
// handler as API, but nothing they answer carries a list cursor or a
// verification code, so they need no CURSOR_SECRET and the stack gives them
// none (CONTRACT §7: a webhook function holds only its webhook secret, plus
// the key of the upstream it calls back). app.New then keys their cursors
// with a random key that no answer of theirs ever uses.
func MachineAPI(ctx context.Context, f *Function) (HTTPHandler, error) {
	return f.api(ctx)
}

func (f *Function) api(ctx context.Context) (HTTPHandler, error) {
	a, err := f.App(ctx)
	if err != nil {
		return nil, err
	}
	srv, err := f.Server(ctx, a)
	if err != nil {
		return nil, err
	}
	return f.HTTP(srv.Handler()), nil
}

// Server returns the httpapi.Server of `dashboard serve`, wired for Lambda:
// the member comes from the authorizer's context (MemberFromGateway) rather
// than from a second token check, the request id is API Gateway's, and
// refreshes go to SQS (REFRESH_QUEUE_URL; unset turns them off) for the
// order-refresh function to consume.
func (f *Function) Server(ctx context.Context, a *app.App) (*httpapi.Server, error) {
	// The transport's own parts: the member from the authorizer's context,
	// API Gateway's request id, the function's logger.
	srv := a.HTTPServer(f.getenv)
	srv.Authorizer, srv.RequestID, srv.Logger = MemberFromGateway, RequestIDFromGateway, f.Logger
	if f.getenv("REFRESH_QUEUE_URL") != "" {
		q, err := queue.NewSQSFromEnv(ctx)
		if err != nil {
			return nil, err
		}
		srv.Refresh = boundedQueue{next: q.WithLogger(f.Logger), bound: EnqueueBound}
	}
	return srv, nil
}

// EnqueueBound is the longest a Lambda function spends queueing one
// refresh. The HTTP API answers first and queues after (httpapi flushes
// the response, then enqueues), but behind API Gateway's REST proxy
// integration nothing leaves before the handler returns: the function's
// return value is the response, which API Gateway buffers whole, and the
// Lambda Go runtime posts it only then. Flush cannot send early, so the
// queueing sits on the member's response time; this bound keeps a slow or
// failing SQS from adding more than half a second (SendMessage takes tens of
// milliseconds in-region). Running the enqueue after returning instead is
// not an option: Lambda freezes the execution environment as soon as the
// handler returns, so the message would go out during some later
// invocation, or never. A timed-out enqueue costs one refresh, which the
// next stale read queues again.
const EnqueueBound = 500 * time.Millisecond

// boundedQueue gives every Enqueue at most bound.
type boundedQueue struct {
	next  dashboard.RefreshQueue
	bound time.Duration
}

// Enqueue implements dashboard.RefreshQueue.
func (q boundedQueue) Enqueue(ctx context.Context, r dashboard.RefreshRequest) error {
	ctx, cancel := context.WithTimeout(ctx, q.bound)
	defer cancel()
	return q.next.Enqueue(ctx, r)
}

// HTTP adapts h to API Gateway REST proxy events with aws-lambda-go-api-proxy
// and records Requests, Errors (5xx, or an event the adapter could not
// convert) and Latency for each invocation. The adapter's writer is an
// http.Flusher whose Flush does nothing, and cannot do more: the response
// is the value the handler returns (see EnqueueBound for what that means
// for the work a handler does after flushing).
func (f *Function) HTTP(h http.Handler) HTTPHandler {
	adapter := httpadapter.New(h)
	return func(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		start := time.Now()
		resp, err := adapter.ProxyWithContext(ctx, ev)
		f.finish(ctx, start, err != nil || resp.StatusCode >= 500)
		return resp, err
	}
}

// MemberFromGateway is the httpapi.Server Authorizer on Lambda: it reads the
// member from requestContext.authorizer, which only the TOKEN authorizer
// writes (userId, email, role, displayName, exp). The adapter keeps the
// request context in the Go context, out of the client's reach; headers,
// the body and the token are never consulted, so nothing a client sends can
// name another member. A missing or malformed userId, or an exp that is
// missing or not a date, is a 401; whether exp has passed is the
// middleware's check (httpapi.Server.Now), made on every request because
// API Gateway may have answered from its authorizer cache.
func MemberFromGateway(r *http.Request) (dashboard.Member, bool) {
	rc, ok := core.GetAPIGatewayContextFromContext(r.Context())
	if !ok {
		return dashboard.Member{}, false
	}
	str := func(k string) string {
		s, _ := rc.Authorizer[k].(string)
		return s
	}
	id := str("userId")
	if !dashboard.ValidMemberID(id) {
		return dashboard.Member{}, false
	}
	exp, ok := contextTime(rc.Authorizer[ContextExp])
	if !ok {
		return dashboard.Member{}, false
	}
	return dashboard.Member{UserID: id, Email: str("email"), Role: str("role"), DisplayName: str("displayName"), ExpiresAt: exp}, true
}

// maxEpochSeconds is 9999-12-31T23:59:59Z, the latest exp auth accepts.
const maxEpochSeconds = 253402300799

// contextTime reads an epoch-seconds value of the authorizer context: the
// decimal string API Gateway passes on, or a JSON number (how the context
// looks before API Gateway stringifies it). Anything else — empty, signed,
// fractional, zero, beyond year 9999 — is not a date.
func contextTime(v any) (time.Time, bool) {
	var secs int64
	switch x := v.(type) {
	case string:
		if x == "" || len(x) > 12 || x[0] < '1' || x[0] > '9' {
			return time.Time{}, false
		}
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		secs = n
	case float64:
		if x != math.Trunc(x) || x < 1 || x > maxEpochSeconds {
			return time.Time{}, false
		}
		secs = int64(x)
	default:
		return time.Time{}, false
	}
	if secs < 1 || secs > maxEpochSeconds {
		return time.Time{}, false
	}
	return time.Unix(secs, 0).UTC(), true
}

// RequestIDFromGateway is the httpapi.Server RequestID on Lambda: API
// Gateway's requestContext.requestId, so the X-Request-Id a member reports
// finds the API Gateway access log and our log line alike.
func RequestIDFromGateway(r *http.Request) string {
	rc, ok := core.GetAPIGatewayContextFromContext(r.Context())
	if !ok {
		return ""
	}
	return rc.RequestID
}
