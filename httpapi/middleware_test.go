package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRequestIDOnEveryResponse(t *testing.T) {
	h := newTestHarness(t)
	seen := map[string]bool{}
	for _, path := range []string{"/healthz", "/dashboard/profile", "/nope", "/dashboard/nope"} {
		r := h.do("GET", path, "", "")
		id := r.header.Get("X-Request-Id")
		if id == "" || seen[id] {
			t.Errorf("%s: request id %q missing or reused", path, id)
		}
		seen[id] = true
	}
}

func TestHealthz(t *testing.T) {
	h := newTestHarness(t)
	r := h.do("GET", "/healthz", "", "")
	if r.status != 200 || r.body["ok"] != true {
		t.Fatalf("healthz = %d %s", r.status, r.raw)
	}
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	h := newTestHarness(t)
	_, tok := h.member("routes@example.com")
	h.do("GET", "/dashboard/nope", tok, "").wantError(t, 404, "not_found")
	h.do("GET", "/nowhere", tok, "").wantError(t, 404, "not_found")
	r := h.do("DELETE", "/dashboard/profile", tok, "")
	r.wantError(t, 405, "method_not_allowed")
	if allow := r.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "PUT") {
		t.Errorf("Allow = %q", allow)
	}
	r = h.do("GET", "/dashboard/update-profile", tok, "")
	r.wantError(t, 405, "method_not_allowed")
	if r.header.Get("Allow") != "POST, OPTIONS" {
		t.Errorf("Allow = %q", r.header.Get("Allow"))
	}
}

func TestCORS(t *testing.T) {
	h := newTestHarness(t)
	const good = "https://dashboard.babesclub.example"
	// Allowed origin: echoed, with Vary.
	r := h.do("GET", "/healthz", "", "", "Origin", good)
	if r.header.Get("Access-Control-Allow-Origin") != good || !strings.Contains(strings.Join(r.header.Values("Vary"), ","), "Origin") {
		t.Errorf("allowed origin headers = %v", r.header)
	}
	// Another origin: no CORS headers at all.
	r = h.do("GET", "/healthz", "", "", "Origin", "https://evil.example")
	for k := range r.header {
		if strings.HasPrefix(k, "Access-Control-") {
			t.Errorf("foreign origin got %s", k)
		}
	}
	// Preflight.
	req := httptest.NewRequest("OPTIONS", "/dashboard/profile", nil)
	req.Header.Set("Origin", good)
	req.Header.Set("Access-Control-Request-Method", "PUT")
	req.Header.Set("Access-Control-Request-Headers", "authorization, content-type, if-match")
	resp, _ := h.client.Do(req)
	if resp.StatusCode != 204 {
		t.Fatalf("preflight = %d", resp.StatusCode)
	}
	for _, want := range []string{"Authorization", "Content-Type", "If-Match"} {
		if !strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), want) {
			t.Errorf("allowed headers %q lack %s", resp.Header.Get("Access-Control-Allow-Headers"), want)
		}
	}
	if !strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "PUT") {
		t.Errorf("allowed methods = %q", resp.Header.Get("Access-Control-Allow-Methods"))
	}
	req.Header.Set("Origin", "https://evil.example")
	resp, _ = h.client.Do(req)
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "" || resp.Header.Get("Access-Control-Allow-Methods") != "" {
		t.Errorf("foreign preflight = %d %v", resp.StatusCode, resp.Header)
	}
}

// TestPanicBecomes500 checks the recovery middleware with a handler that
// panics, served through the same frame as the API.
func TestPanicBecomes500(t *testing.T) {
	h := newTestHarness(t)
	h.server.Static = http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
	rec := httptest.NewRecorder()
	h.server.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/index.html", nil))
	var body map[string]any
	if rec.Code != 500 || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body["code"] != "internal" {
		t.Fatalf("panic answered %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(h.logs.String(), `"msg":"panic"`) {
		t.Error("panic not logged")
	}
}

func TestOneLogLinePerRequest(t *testing.T) {
	h := newTestHarness(t)
	id, tok := h.member("lines@example.com")
	r := h.do("GET", "/dashboard/profile", tok, "")
	var line map[string]any
	for _, l := range strings.Split(strings.TrimSpace(h.logs.String()), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(l), &rec) == nil && rec["msg"] == "request" {
			if line != nil {
				t.Fatal("more than one request line")
			}
			line = rec
		}
	}
	if line == nil {
		t.Fatal("no request line")
	}
	if line["requestId"] != r.header.Get("X-Request-Id") || line["memberId"] != id || line["route"] != "GET /dashboard/profile" ||
		line["status"] != float64(200) || line["method"] != "GET" {
		t.Errorf("request line = %v", line)
	}
	if _, ok := line["latencyMs"].(float64); !ok {
		t.Errorf("no latency in %v", line)
	}
}
