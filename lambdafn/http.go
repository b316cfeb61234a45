package lambdafn

import (
	"context"
	"errors"
	"net/http"
	"strings"
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

// defaultOrigins is the CORS allow-list when CORS_ALLOW_ORIGINS is unset,
// the same as `dashboard serve`'s: the web dashboard's dev server.
const defaultOrigins = "http://localhost:5173,http://127.0.0.1:5173"

// maxMemberIDBytes matches the auth package's bound on member ids, so a
// context the authorizer could never have produced is refused.
const maxMemberIDBytes = 128

// API is the builder of every HTTP function: the whole API behind the API
// Gateway proxy adapter. It needs JWT_SECRET although the authorizer
// verifies tokens, because list cursors are signed with a key derived from
// it and every instance must open the cursors every other one issued.
func API(ctx context.Context, f *Function) (HTTPHandler, error) {
	if f.getenv("JWT_SECRET") == "" {
		return nil, errors.New("lambdafn: JWT_SECRET is not set (it keys the list cursors)")
	}
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
	srv := &httpapi.Server{
		Profiles:       a.Profiles,
		Orders:         a.Orders,
		NFTs:           a.NFTs,
		NFTWebhooks:    app.NFTWebhook,
		Authorizer:     MemberFromGateway,
		RequestID:      RequestIDFromGateway,
		Logger:         f.Logger,
		AllowedOrigins: splitList(f.getenv("CORS_ALLOW_ORIGINS"), defaultOrigins),
		InternalToken:  f.getenv("INTERNAL_TOKEN"),
	}
	if v := f.getenv("NFT_WEBHOOK_SECRET"); v != "" {
		srv.NFTWebhookSecret = []byte(v)
	}
	if f.getenv("REFRESH_QUEUE_URL") != "" {
		q, err := queue.NewSQSFromEnv(ctx)
		if err != nil {
			return nil, err
		}
		srv.Refresh = q.WithLogger(f.Logger)
	}
	return srv, nil
}

// HTTP adapts h to API Gateway REST proxy events with aws-lambda-go-api-proxy
// and records Requests, Errors (5xx, or an event the adapter could not
// convert) and Latency for each invocation.
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
// writes (userId, email, role, displayName). The adapter keeps the request
// context in the Go context, out of the client's reach; headers, the body
// and the token are never consulted, so nothing a client sends can name
// another member. A missing or malformed userId is a 401.
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
	if !validMemberID(id) {
		return dashboard.Member{}, false
	}
	return dashboard.Member{UserID: id, Email: str("email"), Role: str("role"), DisplayName: str("displayName")}, true
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

// validMemberID applies the auth package's rule to a member id: non-empty,
// bounded, no control characters (it ends up in keys and log lines).
func validMemberID(id string) bool {
	if id == "" || len(id) > maxMemberIDBytes {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x20 || id[i] == 0x7f {
			return false
		}
	}
	return true
}

func splitList(v, def string) []string {
	if strings.TrimSpace(v) == "" {
		v = def
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
