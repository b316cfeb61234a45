package lambdafn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/thebabesclub/dashboard/auth"
	"github.com/thebabesclub/dashboard/obs"
)

// ContextExp is the authorizer context key of the token's exp, in epoch
// seconds as a decimal string. API Gateway caches the whole decision,
// context included, for the cache TTL; the HTTP functions compare exp with
// their clock on every request so that a cached Allow never outlives the
// token (CONTRACT §2).
const ContextExp = "exp"

// AuthorizerHandler handles API Gateway TOKEN authorizer requests.
type AuthorizerHandler func(context.Context, events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error)

// ErrUnauthorized is what the authorizer returns for every refusal. API
// Gateway turns exactly this message, capital U included, into a 401; any
// other error, and any response shaped like an HTTP answer, becomes a 500.
var ErrUnauthorized = errors.New("Unauthorized")

// TokenAuthorizer is the builder of the authorizer function. It reads only
// the JWT_* settings and opens no store: the authorizer sits in front of
// every uncached member request, so its cold start stays small.
func TokenAuthorizer(_ context.Context, f *Function) (AuthorizerHandler, error) {
	cfg, err := auth.ConfigFromEnv(f.getenv)
	if err != nil {
		return nil, err
	}
	v, err := auth.NewVerifier(cfg)
	if err != nil {
		return nil, err
	}
	return f.Authorizer(v), nil
}

// Authorizer returns the TOKEN authorizer over v: BearerToken, then Verify,
// the same checks the local middleware runs. A valid token gets an Allow
// policy on execute-api:Invoke for the whole API stage — API Gateway caches
// the decision per token, and a policy naming only the first route would
// deny the member's next one — with principalId the member id (never the
// token) and the context {userId, email, role, displayName, exp} that
// MemberFromGateway reads. Anything else, panics included, is
// ErrUnauthorized and counts as AuthorizerDenied; the token is never logged.
func (f *Function) Authorizer(v *auth.Verifier) AuthorizerHandler {
	return func(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (resp events.APIGatewayCustomAuthorizerResponse, err error) {
		start := time.Now()
		ctx = withInvocation(ctx)
		failed := false
		defer func() {
			if p := recover(); p != nil {
				f.Logger.ErrorContext(ctx, "authorizer: panic", slog.String("panic", obs.RedactString(fmt.Sprint(p))))
				resp, err, failed = events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized, true
			}
			f.Metrics.Count(obs.MetricAuthorizerDenied, boolCount(err != nil))
			f.finish(ctx, start, failed)
		}()
		resp, reason, misconfigured := authorize(v, req)
		if reason != "" {
			failed = misconfigured
			f.Logger.InfoContext(ctx, "authorizer: refused", slog.String("reason", reason))
			return events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
		}
		if m := resp.PrincipalID; m != "" {
			f.Logger.DebugContext(obs.WithMemberID(ctx, m), "authorizer: allowed")
		}
		return resp, nil
	}
}

// authorize decides one request. reason is empty on success; misconfigured
// marks refusals that point at the deployment rather than the caller.
func authorize(v *auth.Verifier, req events.APIGatewayCustomAuthorizerRequest) (resp events.APIGatewayCustomAuthorizerResponse, reason string, misconfigured bool) {
	resource, ok := StageResource(req.MethodArn)
	if !ok {
		return resp, "method ARN not understood", true
	}
	token, err := auth.BearerToken(req.AuthorizationToken)
	if err != nil {
		return resp, "not a bearer token", false
	}
	c, err := v.Verify(token)
	if err != nil {
		return resp, "token not valid", false
	}
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: c.UserID,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: "2012-10-17",
			Statement: []events.IAMPolicyStatement{{
				Action:   []string{"execute-api:Invoke"},
				Effect:   "Allow",
				Resource: []string{resource},
			}},
		},
		Context: map[string]any{
			"userId":      c.UserID,
			"email":       c.Email,
			"role":        c.Role,
			"displayName": c.DisplayName,
			// API Gateway hands every context value on as a string, so
			// exp is one from the start: what MemberFromGateway reads is
			// exactly what was written.
			ContextExp: strconv.FormatInt(c.ExpiresAt.Unix(), 10),
		},
	}, "", false
}

// StageResource turns a method ARN
// (arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{method}/{path})
// into the resource of every method and path of that API stage,
// arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/*/*. It refuses
// anything else, wildcards included, so a strange ARN is never widened.
func StageResource(methodArn string) (string, bool) {
	parts := strings.SplitN(methodArn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "execute-api" {
		return "", false
	}
	partition, region, account := parts[1], parts[3], parts[4]
	path := strings.SplitN(parts[5], "/", 3)
	if len(path) < 2 {
		return "", false
	}
	apiID, stage := path[0], path[1]
	for _, s := range []string{partition, region, account, apiID, stage} {
		if s == "" || strings.ContainsAny(s, "*?/: \t\r\n") {
			return "", false
		}
	}
	return "arn:" + partition + ":execute-api:" + region + ":" + account + ":" + apiID + "/" + stage + "/*/*", true
}
