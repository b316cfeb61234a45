package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestAuthorizerIsATokenAuthorizerOnAuthorizationWithCaching(t *testing.T) {
	s := defaultStack(t)
	auths := s.ofType("AWS::ApiGateway::Authorizer")
	if len(auths) != 1 {
		t.Fatalf("%d authorizers, want 1", len(auths))
	}
	for _, a := range auths {
		p := a.Properties
		if p["Type"] != "TOKEN" || p["IdentitySource"] != "method.request.header.Authorization" {
			t.Errorf("authorizer %s on %v, want TOKEN on method.request.header.Authorization", p["Type"], p["IdentitySource"])
		}
		if ttl, _ := p["AuthorizerResultTtlInSeconds"].(float64); ttl < 60 || ttl > 3600 {
			t.Errorf("authorizer cache TTL %v s", p["AuthorizerResultTtlInSeconds"])
		}
		if !strings.Contains(mustJSON(p["AuthorizerUri"]), s.functionIDs(t)["authorizer"]) {
			t.Errorf("authorizer URI %s does not invoke the authorizer function", mustJSON(p["AuthorizerUri"]))
		}
	}
}

func TestRoutes(t *testing.T) {
	s := defaultStack(t)
	var authorizerID string
	for id := range s.ofType("AWS::ApiGateway::Authorizer") {
		authorizerID = id
	}
	// Paths of the resources, from their parents.
	paths := map[string]string{}
	resources := s.ofType("AWS::ApiGateway::Resource")
	var pathOf func(v any) string
	pathOf = func(v any) string {
		if _, attr := getAtt(v); attr == "RootResourceId" {
			return ""
		}
		id := ref(v)
		if p, ok := paths[id]; ok {
			return p
		}
		r := resources[id]
		paths[id] = pathOf(r.Properties["ParentId"]) + "/" + r.Properties["PathPart"].(string)
		return paths[id]
	}
	fnByID := map[string]string{}
	for name, id := range s.functionIDs(t) {
		fnByID[id] = name
	}
	type method struct {
		fn, auth string
	}
	got := map[string]method{}
	for _, m := range s.ofType("AWS::ApiGateway::Method") {
		p := m.Properties
		key := p["HttpMethod"].(string) + " " + pathOf(p["ResourceId"])
		in, _ := p["Integration"].(map[string]any)
		target := in["Type"].(string)
		uri := mustJSON(in["Uri"])
		for id, name := range fnByID {
			if strings.Contains(uri, `"`+id+`"`) {
				target = name
			}
		}
		auth := p["AuthorizationType"].(string)
		if auth == "CUSTOM" && ref(p["AuthorizerId"]) != authorizerID {
			auth = "CUSTOM(other)"
		}
		got[key] = method{target, auth}
	}
	want := map[string]method{"GET /healthz": {"MOCK", "NONE"}}
	// The routes of functionSpecs, which TestAPIGatewayRoutesAreTheHandlersRoutes
	// holds to the Go handler's.
	for _, r := range routes() {
		auth := "NONE"
		if r.Member {
			auth = "CUSTOM"
			// Browsers preflight member routes: answered by API Gateway,
			// never through the authorizer.
			for p := r.Path; p != ""; p = p[:strings.LastIndex(p, "/")] {
				want["OPTIONS "+p] = method{"MOCK", "NONE"}
			}
		}
		want[r.Method+" "+r.Path] = method{r.Function, auth}
	}
	for k, w := range want {
		if g, ok := got[k]; !ok {
			t.Errorf("%s: missing", k)
		} else if g != w {
			t.Errorf("%s: served by %s with authorization %s, want %s with %s", k, g.fn, g.auth, w.fn, w.auth)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected method", k)
		}
	}
	// Nothing outside /dashboard answers preflights or uses the authorizer.
	for k, m := range got {
		if m.auth != "NONE" && !strings.Contains(k, " /dashboard/") {
			t.Errorf("%s uses the member authorizer", k)
		}
	}
}

func TestGatewayResponsesCarryTheContractErrorBody(t *testing.T) {
	s := defaultStack(t)
	byType := map[string]map[string]any{}
	for _, r := range s.ofType("AWS::ApiGateway::GatewayResponse") {
		byType[r.Properties["ResponseType"].(string)] = r.Properties
	}
	want := []struct {
		typ, status, code, message string
	}{
		{"UNAUTHORIZED", "401", "unauthorized", "A valid member token is required."},
		{"ACCESS_DENIED", "403", "forbidden", ""},
		{"DEFAULT_4XX", "", "invalid_request", ""},
		{"DEFAULT_5XX", "", "internal", ""},
	}
	for _, w := range want {
		p, ok := byType[w.typ]
		if !ok {
			t.Errorf("no gateway response for %s", w.typ)
			continue
		}
		if st, _ := p["StatusCode"].(string); st != w.status {
			t.Errorf("%s: status %q, want %q", w.typ, st, w.status)
		}
	}
	for typ, p := range byType {
		templates, _ := p["ResponseTemplates"].(map[string]any)
		tmpl, _ := templates["application/json"].(string)
		// API Gateway substitutes $context.error.messageString with a
		// quoted JSON string.
		body := strings.ReplaceAll(tmpl, "$context.error.messageString", `"Invalid request body"`)
		var e map[string]any
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			t.Errorf("%s: template %q is not JSON: %v", typ, tmpl, err)
			continue
		}
		msg, _ := e["error"].(string)
		code, _ := e["code"].(string)
		if len(e) != 2 || msg == "" || !snakeCase.MatchString(code) {
			t.Errorf("%s: body %s, want {\"error\": <message>, \"code\": <snake_case>}", typ, body)
		}
		for _, w := range want {
			if w.typ == typ && (code != w.code || (w.message != "" && msg != w.message)) {
				t.Errorf("%s: body %s, want code %q message %q", typ, body, w.code, w.message)
			}
		}
		headers, _ := p["ResponseParameters"].(map[string]any)
		for _, h := range []string{"Access-Control-Allow-Origin", "X-Request-Id", "Vary"} {
			if headers["gatewayresponse.header."+h] == nil {
				t.Errorf("%s: no %s header", typ, h)
			}
		}
	}
	if h, _ := byType["UNAUTHORIZED"]["ResponseParameters"].(map[string]any); h["gatewayresponse.header.WWW-Authenticate"] != "'Bearer'" {
		t.Errorf("401 without WWW-Authenticate: Bearer")
	}
}

func TestStageHasAccessLogsAndThrottling(t *testing.T) {
	s := defaultStack(t)
	stages := s.ofType("AWS::ApiGateway::Stage")
	if len(stages) != 1 {
		t.Fatalf("%d stages", len(stages))
	}
	for _, st := range stages {
		p := st.Properties
		als, _ := p["AccessLogSetting"].(map[string]any)
		format, _ := als["Format"].(string)
		var fields map[string]string
		if err := json.Unmarshal([]byte(format), &fields); err != nil || fields["requestId"] != "$context.requestId" {
			t.Errorf("access log format %q: want JSON with requestId (%v)", format, err)
		}
		if id, _ := getAtt(als["DestinationArn"]); s.cfn.Resources[id].Type != "AWS::Logs::LogGroup" {
			t.Errorf("access logs go to %s", mustJSON(als["DestinationArn"]))
		}
		ms, _ := asList(p["MethodSettings"])[0].(map[string]any)
		if ms["ThrottlingRateLimit"] != float64(50) || ms["ThrottlingBurstLimit"] != float64(100) || ms["DataTraceEnabled"] != false {
			t.Errorf("method settings %s", mustJSON(ms))
		}
	}
}

// TestGatewayResponsesNeverEchoTheOrigin (issue 10, 7a): API Gateway's own
// error answers cannot check the request's Origin against the allow-list,
// so they must never echo it; they name one configured origin.
func TestGatewayResponsesNeverEchoTheOrigin(t *testing.T) {
	one := corsResponseHeaders([]string{"https://dashboard.example"}, "https://dashboard.example")
	if one["Access-Control-Allow-Origin"] != "'https://dashboard.example'" {
		t.Errorf("one origin: %v", one)
	}
	two := corsResponseHeaders([]string{"https://a.example", "https://b.example"}, "https://b.example")
	if two["Access-Control-Allow-Origin"] != "'https://b.example'" || two["Vary"] != "'Origin'" {
		t.Errorf("two origins: %v, want the site origin", two)
	}
	none := corsResponseHeaders([]string{"https://a.example", "https://b.example"}, "https://c.example")
	if _, ok := none["Access-Control-Allow-Origin"]; ok {
		t.Errorf("a site origin outside the list: %v, want no Access-Control-Allow-Origin", none)
	}

	// The synthesized stack with several allowed origins.
	cfg := testConfig()
	cfg.CORSAllowOrigins = []string{"https://www.example", "https://dashboard.example"}
	cfg.SiteOrigin = "https://dashboard.example"
	s := synth(t, cfg)
	if strings.Contains(s.json, "method.request.header.Origin") {
		t.Error("the template maps the request's Origin into a response header")
	}
	responses := s.ofType("AWS::ApiGateway::GatewayResponse")
	if len(responses) == 0 {
		t.Fatal("no gateway responses")
	}
	for id, r := range responses {
		headers, _ := r.Properties["ResponseParameters"].(map[string]any)
		if got := headers["gatewayresponse.header.Access-Control-Allow-Origin"]; got != "'https://dashboard.example'" {
			t.Errorf("%s: Access-Control-Allow-Origin %v, want the dashboard's origin", id, got)
		}
	}
}

// TestPreflightsAllowEveryMemberMethod: a browser preflights every member
// route (they carry Authorization), so each preflight API Gateway answers
// must allow every method the member routes use — DELETE
// /dashboard/emails/{email} included — or the browser never sends it.
func TestPreflightsAllowEveryMemberMethod(t *testing.T) {
	s := defaultStack(t)
	need := map[string]bool{}
	for _, r := range routes() {
		if r.Member {
			need[r.Method] = true
		}
	}
	preflights := 0
	for id, m := range s.ofType("AWS::ApiGateway::Method") {
		if m.Properties["HttpMethod"] != "OPTIONS" {
			continue
		}
		preflights++
		in, _ := m.Properties["Integration"].(map[string]any)
		var allowed string
		for _, r := range asList(in["IntegrationResponses"]) {
			rm, _ := r.(map[string]any)
			params, _ := rm["ResponseParameters"].(map[string]any)
			allowed, _ = params["method.response.header.Access-Control-Allow-Methods"].(string)
		}
		got := map[string]bool{}
		for _, meth := range strings.Split(strings.Trim(allowed, "'"), ",") {
			got[strings.TrimSpace(meth)] = true
		}
		for meth := range need {
			if !got[meth] {
				t.Errorf("preflight %s allows %s, not %s, which a member route uses", id, allowed, meth)
			}
		}
	}
	if preflights == 0 {
		t.Fatal("no preflight methods in the template")
	}
}
