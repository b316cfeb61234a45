package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
)

// badPayload is one update request that must be refused.
type badPayload struct {
	name        string
	body        string
	contentType string // "" means application/json
	status      int
	code        string
	field       string // a field the error must name, if any
}

func badPayloads() []badPayload {
	long := func(n int) string { return strings.Repeat("x", n) }
	addr := func(override string) string {
		return `{"shippingAddress": {"line1": "1 A St", "city": "C", "state": "S", "postalCode": "P", "country": "US"` + override + `}}`
	}
	v := func(name, body, field string) badPayload {
		return badPayload{name: name, body: body, status: 400, code: "validation_failed", field: field}
	}
	return []badPayload{
		{name: "empty body", body: "", status: 400, code: "invalid_request"},
		{name: "whitespace body", body: "   ", status: 400, code: "invalid_request"},
		{name: "malformed JSON", body: `{"displayName": "x"`, status: 400, code: "invalid_request"},
		{name: "trailing garbage", body: `{"displayName": "x"} {}`, status: 400, code: "invalid_request"},
		{name: "array body", body: `[{"displayName": "x"}]`, status: 400, code: "invalid_request"},
		{name: "string body", body: `"displayName"`, status: 400, code: "invalid_request"},
		{name: "null body", body: `null`, status: 400, code: "invalid_request"},
		{name: "invalid UTF-8", body: "{\"displayName\": \"\xff\xfe\"}", status: 400, code: "invalid_request"},
		{name: "body over 16 KiB", body: `{"displayName": "` + long(17<<10) + `"}`, status: 413, code: "payload_too_large"},
		{name: "text/plain", body: `{"displayName": "x"}`, contentType: "text/plain", status: 415, code: "unsupported_media_type"},
		{name: "form encoded", body: `displayName=x`, contentType: "application/x-www-form-urlencoded", status: 415, code: "unsupported_media_type"},
		{name: "latin-1 charset", body: `{"displayName": "x"}`, contentType: "application/json; charset=latin1", status: 415, code: "unsupported_media_type"},
		{name: "no content type", body: `{"displayName": "x"}`, contentType: "-", status: 415, code: "unsupported_media_type"},
		v("unknown field", `{"nickname": "x"}`, "nickname"),
		v("read-only userId", `{"userId": "0123456789abcdef0123456789abcdef"}`, "userId"),
		v("read-only stripeCustomerId", `{"stripeCustomerId": "cus_123"}`, "stripeCustomerId"),
		v("read-only updatedAt", `{"updatedAt": "2025-11-26T21:28:24Z"}`, "updatedAt"),
		v("read-only createdAt", `{"createdAt": "2025-11-26T21:28:24Z"}`, "createdAt"),
		v("foreign passwordHash", `{"passwordHash": "x"}`, "passwordHash"),
		v("foreign roles", `{"roles": ["admin"]}`, "roles"),
		v("displayName number", `{"displayName": 42}`, "displayName"),
		v("displayName null", `{"displayName": null}`, "displayName"),
		v("displayName blank", `{"displayName": "   "}`, "displayName"),
		v("displayName 81 chars", `{"displayName": "`+long(81)+`"}`, "displayName"),
		v("displayName control char", `{"displayName": "Ruby\u0007"}`, "displayName"),
		v("displayName newline", `{"displayName": "Ruby\nTuesday"}`, "displayName"),
		v("email invalid", `{"email": "not-an-email"}`, "email"),
		v("email with name", `{"email": "Ruby <ruby@example.com>"}`, "email"),
		v("email too long", `{"email": "`+long(250)+`@example.com"}`, "email"),
		v("email null", `{"email": null}`, "email"),
		v("email array", `{"email": ["a@b.co"]}`, "email"),
		v("phone letters", `{"phone": "call me"}`, "phone"),
		v("phone too long", `{"phone": "+1 555 555 555 555 555 5"}`, "phone"),
		v("phone number type", `{"phone": 5550100}`, "phone"),
		v("address not object", `{"shippingAddress": "1 A St"}`, "shippingAddress"),
		v("address missing line1", `{"billingAddress": {"city": "C", "state": "S", "postalCode": "P", "country": "US"}}`, "billingAddress.line1"),
		v("address blank city", addr(`, "city": " "`), "shippingAddress.city"),
		v("address country unknown", addr(`, "country": "XX"`), "shippingAddress.country"),
		v("address country alpha-3", addr(`, "country": "USA"`), "shippingAddress.country"),
		v("address field too long", addr(`, "line2": "`+long(201)+`"`), "shippingAddress.line2"),
		v("address unknown key", addr(`, "floor": "3"`), "shippingAddress.floor"),
		v("address number value", addr(`, "postalCode": 90001`), "shippingAddress.postalCode"),
		v("address control char", addr(`, "name": "A\u0000B"`), "shippingAddress.name"),
		v("wallet short", `{"preferredWallet": "0x1234"}`, "preferredWallet"),
		v("wallet no prefix", `{"preferredWallet": "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"}`, "preferredWallet"),
		v("wallet bad checksum", `{"preferredWallet": "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"}`, "preferredWallet"),
		v("wallet ENS name", `{"preferredWallet": "ruby.eth"}`, "preferredWallet"),
		v("avatar http", `{"avatarUrl": "http://cdn.example.com/a.png"}`, "avatarUrl"),
		v("avatar javascript", `{"avatarUrl": "javascript:alert(1)"}`, "avatarUrl"),
		v("avatar relative", `{"avatarUrl": "/a.png"}`, "avatarUrl"),
		v("avatar too long", `{"avatarUrl": "https://cdn.example.com/`+long(2048)+`"}`, "avatarUrl"),
		v("avatar with credentials", `{"avatarUrl": "https://user:pw@cdn.example.com/a.png"}`, "avatarUrl"),
		v("settings not object", `{"dashboardSettings": true}`, "dashboardSettings"),
		v("settings unknown key", `{"dashboardSettings": {"darkMode": true}}`, "dashboardSettings.darkMode"),
		v("settings string value", `{"dashboardSettings": {"showOrderHistory": "yes"}}`, "dashboardSettings.showOrderHistory"),
		v("settings null value", `{"dashboardSettings": {"showOrderHistory": null}}`, "dashboardSettings.showOrderHistory"),
		v("one bad field spoils a good one", `{"displayName": "Fine", "phone": "nope"}`, "phone"),
	}
}

// TestBadPayloadsChangeNothing sends every bad payload, on both routes that
// update, to a member whose item also carries the identity service's
// attributes, and checks that each is refused with the contract's error body
// and that the stored items are byte-for-byte what they were.
func TestBadPayloadsChangeNothing(t *testing.T) {
	cases := badPayloads()
	if len(cases) < 40 {
		t.Fatalf("only %d bad payloads", len(cases))
	}
	h := newTestHarness(t)
	id, tok := h.member("steady@example.com")
	h.putIdentityProfile(id, "steady@example.com")
	if r := h.do("PUT", "/dashboard/profile", tok, fullUpdate); r.status != 200 {
		t.Fatalf("setup = %d %s", r.status, r.raw)
	}
	profileBefore := h.rawItem("USER#"+id, "PROFILE")
	lookupBefore := h.rawItem("EMAIL#steady@example.com", "LOOKUP")
	for _, c := range cases {
		for _, route := range []string{"PUT /dashboard/profile", "POST /dashboard/update-profile"} {
			method, path, _ := strings.Cut(route, " ")
			ct := "application/json"
			switch c.contentType {
			case "":
			case "-":
				ct = ""
			default:
				ct = c.contentType
			}
			r := h.do(method, path, tok, c.body, "Content-Type", ct)
			if r.status != c.status || r.body["code"] != c.code {
				t.Errorf("%s via %s: got %d %.200s, want %d %s", c.name, route, r.status, r.raw, c.status, c.code)
				continue
			}
			if msg, _ := r.body["error"].(string); msg == "" {
				t.Errorf("%s: no error message", c.name)
			}
			if c.field != "" {
				fields, _ := r.body["fields"].(map[string]any)
				if m, _ := fields[c.field].(string); m == "" {
					t.Errorf("%s: fields %v do not name %s", c.name, fields, c.field)
				}
			}
			if got := h.rawItem("USER#"+id, "PROFILE"); string(got) != string(profileBefore) {
				t.Fatalf("%s via %s changed the profile:\nbefore %s\nafter  %s", c.name, route, profileBefore, got)
			}
		}
	}
	if string(h.rawItem("EMAIL#steady@example.com", "LOOKUP")) != string(lookupBefore) {
		t.Error("the email lookup changed")
	}
}

func TestContentTypeWithCharsetIsAccepted(t *testing.T) {
	h := newTestHarness(t)
	_, tok := h.member("charset@example.com")
	r := h.do(http.MethodPut, "/dashboard/profile", tok, `{"displayName": "Ok"}`, "Content-Type", "application/json; charset=UTF-8")
	if r.status != 200 {
		t.Fatalf("got %d %s", r.status, r.raw)
	}
}
