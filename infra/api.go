package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"
)

// authorizerCacheTTL is how long API Gateway reuses an authorizer decision
// for the same token. It bounds how long a token stays usable after the
// secret that signed it was withdrawn (docs/operations.md, rotation).
const authorizerCacheTTL = 5 * time.Minute

// bearerPattern is the authorizer's identity validation: a header that does
// not look like "Bearer <token68>" is refused with 401 by API Gateway
// itself, without invoking the authorizer (the scheme is case-insensitive,
// as auth.BearerToken accepts it).
const bearerPattern = `^[Bb][Ee][Aa][Rr][Ee][Rr] [-0-9A-Za-z._~+/]+=*$`

// corsAllowHeaders are the request headers a preflight allows (CONTRACT §1).
var corsAllowHeaders = []string{"Authorization", "Content-Type", "If-Match"}

// route is one operation of CONTRACT §3 and the function that serves it.
type route struct {
	Method, Path, Function string
	Member                 bool // behind the TOKEN authorizer
}

// routes lists the API: the Routes of every function (functionSpecs). The
// routes of builderAPI functions are member routes. /healthz is answered
// by API Gateway itself (a mock integration), so it needs no function.
func routes() []route {
	var out []route
	for _, f := range functionSpecs() {
		for _, r := range f.Routes {
			method, path, _ := strings.Cut(r, " ")
			out = append(out, route{Method: method, Path: path, Function: f.Name, Member: f.Builder == builderAPI})
		}
	}
	return out
}

// gatewayResponse is an error API Gateway answers by itself (before or
// instead of a function), in the contract's error body.
type gatewayResponse struct {
	ID      string
	Type    awsapigateway.ResponseType
	Status  string
	Code    string
	Message string // a JSON string literal or a $context expression that yields one
	Headers map[string]string
}

func gatewayResponses() []gatewayResponse {
	quote := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	return []gatewayResponse{
		{ID: "Unauthorized", Type: awsapigateway.ResponseType_UNAUTHORIZED(), Status: "401", Code: "unauthorized",
			Message: quote("A valid member token is required."), Headers: map[string]string{"WWW-Authenticate": "'Bearer'"}},
		{ID: "AccessDenied", Type: awsapigateway.ResponseType_ACCESS_DENIED(), Status: "403", Code: "forbidden",
			Message: quote("This token does not allow this request.")},
		{ID: "NoSuchRoute", Type: awsapigateway.ResponseType_MISSING_AUTHENTICATION_TOKEN(), Status: "404", Code: "not_found",
			Message: quote("No such route.")},
		{ID: "NotFound", Type: awsapigateway.ResponseType_RESOURCE_NOT_FOUND(), Status: "404", Code: "not_found",
			Message: quote("No such route.")},
		{ID: "Throttled", Type: awsapigateway.ResponseType_THROTTLED(), Status: "429", Code: "rate_limited",
			Message: quote("Too many requests; try again shortly."), Headers: map[string]string{"Retry-After": "'1'"}},
		{ID: "TooLarge", Type: awsapigateway.ResponseType_REQUEST_TOO_LARGE(), Status: "413", Code: "payload_too_large",
			Message: quote("The request body is too large.")},
		{ID: "UnsupportedMediaType", Type: awsapigateway.ResponseType_UNSUPPORTED_MEDIA_TYPE(), Status: "415", Code: "unsupported_media_type",
			Message: quote("Send application/json.")},
		{ID: "Timeout", Type: awsapigateway.ResponseType_INTEGRATION_TIMEOUT(), Status: "503", Code: "upstream_unavailable",
			Message: quote("The request took too long; try again shortly."), Headers: map[string]string{"Retry-After": "'5'"}},
		{ID: "Default4xx", Type: awsapigateway.ResponseType_DEFAULT_4XX(), Code: "invalid_request",
			Message: "$context.error.messageString"},
		{ID: "Default5xx", Type: awsapigateway.ResponseType_DEFAULT_5XX(), Code: "internal",
			Message: quote("Internal error.")},
	}
}

// accessLogFields is the stage's access log line: one JSON object per
// request with the route template (never the raw path), the member id the
// authorizer returned, and no header, token or body.
var accessLogFields = [][2]string{
	{"requestId", "$context.requestId"},
	{"time", "$context.requestTime"},
	{"ip", "$context.identity.sourceIp"},
	{"method", "$context.httpMethod"},
	{"route", "$context.resourcePath"},
	{"status", "$context.status"},
	{"latencyMs", "$context.responseLatency"},
	{"integrationLatencyMs", "$context.integration.latency"},
	{"bytes", "$context.responseLength"},
	{"memberId", "$context.authorizer.principalId"},
	{"authorizerError", "$context.authorizer.error"},
	{"errorType", "$context.error.responseType"},
}

func accessLogFormat() string {
	parts := make([]string, len(accessLogFields))
	for i, f := range accessLogFields {
		parts[i] = fmt.Sprintf("%q:%q", f[0], f[1])
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// API is the REST API and its authorizer.
type API struct {
	RestAPI    awsapigateway.RestApi
	Authorizer awsapigateway.TokenAuthorizer
	AccessLogs awslogs.LogGroup
}

func newAPI(stack awscdk.Stack, cfg Config, fns map[string]awslambda.Function, retain awslogs.RetentionDays) (*API, error) {
	a := &API{}
	a.AccessLogs = awslogs.NewLogGroup(stack, jsii.String("ApiAccessLogs"), &awslogs.LogGroupProps{Retention: retain})
	a.RestAPI = awsapigateway.NewRestApi(stack, jsii.String("Api"), &awsapigateway.RestApiProps{
		RestApiName:                 jsii.String(StackName),
		Description:                 jsii.String("The Babes Club member dashboard API (CONTRACT §3)"),
		EndpointTypes:               &[]awsapigateway.EndpointType{awsapigateway.EndpointType_REGIONAL},
		CloudWatchRole:              jsii.Bool(cfg.APIGatewayAccountRole),
		CloudWatchRoleRemovalPolicy: awscdk.RemovalPolicy_RETAIN,
		DeployOptions: &awsapigateway.StageOptions{
			StageName:            jsii.String(cfg.StageName),
			ThrottlingRateLimit:  jsii.Number(cfg.ThrottleRate),
			ThrottlingBurstLimit: jsii.Number(cfg.ThrottleBurst),
			AccessLogDestination: awsapigateway.NewLogGroupLogDestination(a.AccessLogs),
			AccessLogFormat:      awsapigateway.AccessLogFormat_Custom(jsii.String(accessLogFormat())),
			LoggingLevel:         awsapigateway.MethodLoggingLevel_OFF,
			DataTraceEnabled:     jsii.Bool(false),
			MetricsEnabled:       jsii.Bool(false),
		},
	})
	a.Authorizer = awsapigateway.NewTokenAuthorizer(stack, jsii.String("MemberAuthorizer"), &awsapigateway.TokenAuthorizerProps{
		AuthorizerName:  jsii.String("member-jwt"),
		Handler:         fns[fnAuthorizer],
		IdentitySource:  awsapigateway.IdentitySource_Header(jsii.String("Authorization")),
		ResultsCacheTtl: duration(authorizerCacheTTL),
		ValidationRegex: jsii.String(bearerPattern),
	})

	// Browser routes live under /dashboard: only they answer preflights.
	// API Gateway answers them itself (a mock integration), so a preflight
	// never reaches the authorizer.
	root := a.RestAPI.Root()
	root.AddResource(jsii.String("dashboard"), &awsapigateway.ResourceOptions{
		DefaultCorsPreflightOptions: &awsapigateway.CorsOptions{
			AllowOrigins: jsii.Strings(cfg.CORSAllowOrigins...),
			// Every method of a member route (DELETE /dashboard/emails/{email}).
			AllowMethods: jsii.Strings("GET", "PUT", "POST", "DELETE", "OPTIONS"),
			AllowHeaders: jsii.Strings(corsAllowHeaders...),
			MaxAge:       awscdk.Duration_Minutes(jsii.Number(10)),
			StatusCode:   jsii.Number(204),
		},
	})
	integrations := map[string]awsapigateway.LambdaIntegration{}
	for _, r := range routes() {
		fn, ok := fns[r.Function]
		if !ok {
			return nil, fmt.Errorf("route %s %s: no function %q", r.Method, r.Path, r.Function)
		}
		in, ok := integrations[r.Function]
		if !ok {
			in = awsapigateway.NewLambdaIntegration(fn, &awsapigateway.LambdaIntegrationOptions{
				Proxy: jsii.Bool(true), AllowTestInvoke: jsii.Bool(false),
			})
			integrations[r.Function] = in
		}
		opts := &awsapigateway.MethodOptions{AuthorizationType: awsapigateway.AuthorizationType_NONE}
		if r.Member {
			opts = &awsapigateway.MethodOptions{AuthorizationType: awsapigateway.AuthorizationType_CUSTOM, Authorizer: a.Authorizer}
		}
		root.ResourceForPath(jsii.String(r.Path)).AddMethod(jsii.String(r.Method), in, opts)
	}
	addHealth(root)

	cors := corsResponseHeaders(cfg.CORSAllowOrigins, cfg.siteOrigin())
	for _, g := range gatewayResponses() {
		headers := map[string]*string{}
		for k, v := range cors {
			headers[k] = jsii.String(v)
		}
		for k, v := range g.Headers {
			headers[k] = jsii.String(v)
		}
		opts := &awsapigateway.GatewayResponseOptions{
			Type:            g.Type,
			ResponseHeaders: &headers,
			Templates: &map[string]*string{
				"application/json": jsii.String(fmt.Sprintf(`{"error":%s,"code":%q}`, g.Message, g.Code)),
			},
		}
		if g.Status != "" {
			opts.StatusCode = jsii.String(g.Status)
		}
		a.RestAPI.AddGatewayResponse(jsii.String(g.ID), opts)
	}
	return a, nil
}

// corsResponseHeaders are the headers of every gateway response (the
// errors API Gateway answers by itself: the authorizer's 401, throttling,
// timeouts). A gateway response cannot test the request's Origin against
// an allow-list, so Access-Control-Allow-Origin is never the request's
// Origin echoed back — that would let every site read these answers with
// the browser's credentials. It is one fixed origin: the only allowed one
// when there is one, else the dashboard's own (siteOrigin, always one of
// the allowed), so the web dashboard can still read its 401s and sign the
// member in again. Browsers on the other allowed origins get the status
// without a readable body.
func corsResponseHeaders(origins []string, siteOrigin string) map[string]string {
	h := map[string]string{
		"Vary":                          "'Origin'",
		"Access-Control-Expose-Headers": "'X-Request-Id, ETag, Retry-After'",
		"X-Request-Id":                  "context.requestId",
	}
	switch {
	case len(origins) == 1:
		h["Access-Control-Allow-Origin"] = "'" + origins[0] + "'"
	case slices.Contains(origins, siteOrigin):
		h["Access-Control-Allow-Origin"] = "'" + siteOrigin + "'"
	}
	return h
}

// addHealth answers GET /healthz from API Gateway itself: {"ok": true}.
func addHealth(root awsapigateway.IResource) {
	mock := awsapigateway.NewMockIntegration(&awsapigateway.IntegrationOptions{
		RequestTemplates: &map[string]*string{"application/json": jsii.String(`{"statusCode": 200}`)},
		IntegrationResponses: &[]*awsapigateway.IntegrationResponse{{
			StatusCode:         jsii.String("200"),
			ResponseTemplates:  &map[string]*string{"application/json": jsii.String(`{"ok": true}`)},
			ResponseParameters: &map[string]*string{"method.response.header.X-Request-Id": jsii.String("context.requestId")},
		}},
	})
	root.AddResource(jsii.String("healthz"), nil).AddMethod(jsii.String("GET"), mock, &awsapigateway.MethodOptions{
		AuthorizationType: awsapigateway.AuthorizationType_NONE,
		MethodResponses: &[]*awsapigateway.MethodResponse{{
			StatusCode:         jsii.String("200"),
			ResponseParameters: &map[string]*bool{"method.response.header.X-Request-Id": jsii.Bool(true)},
		}},
	})
}
