package httpapi

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard/obs"
)

// logTime is the one field of a log line that differs from call to call.
var logTime = regexp.MustCompile(`"time":"[^"]*",`)

// TestRequestLineIsUnchanged checks that the request line written through
// a derived per-route logger is byte for byte the line written with every
// attribute (the way it was written before), for a member's request, an
// anonymous one, an error, an unmatched route and a method with no derived
// logger; and that a logger set after the first request gets the lines.
func TestRequestLineIsUnchanged(t *testing.T) {
	var got, want bytes.Buffer
	s := &Server{Logger: obs.NewLogger(&got, "info")}
	plain := obs.NewLogger(&want, "info")
	member := obs.WithMemberID(context.Background(), "0123456789abcdef0123456789abcdef")
	for _, c := range []struct {
		method, pattern string
		member          bool
		status, bytes   int
	}{
		{"GET", "GET /dashboard/profile", true, 200, 771},
		{"GET", "GET /dashboard/profile", true, 200, 771}, // from the cached logger
		{"GET", "GET /dashboard/orders/{orderId}", true, 404, 60},
		{"PUT", "PUT /dashboard/profile", true, 503, 80},
		{"GET", "GET /healthz", false, 200, 12},
		{"POST", "", false, 404, 45},
		{"BREW", "", false, 405, 45},
	} {
		got.Reset()
		want.Reset()
		r := httptest.NewRequest(c.method, "/x", nil)
		r.Pattern = c.pattern
		ctx := obs.WithRequestID(context.Background(), "4f3c2b1a4f3c2b1a4f3c2b1a4f3c2b1a")
		info := &requestInfo{}
		if c.member {
			info.memberCtx = obs.WithRequestID(member, "4f3c2b1a4f3c2b1a4f3c2b1a4f3c2b1a")
		}
		d := 1234567 * time.Nanosecond
		s.logRequest(ctx, r, &recorder{status: c.status, bytes: c.bytes}, info, d)

		route := c.pattern
		if route == "" {
			route = "unmatched"
		}
		level, wctx := slog.LevelInfo, ctx
		if c.status >= 500 {
			level = slog.LevelError
		}
		if info.memberCtx != nil {
			wctx = info.memberCtx
		}
		plain.LogAttrs(wctx, level, "request",
			slog.String("method", c.method), slog.String("route", route), slog.Int("status", c.status),
			slog.Float64("latencyMs", float64(d.Microseconds())/1000), slog.Int("bytes", c.bytes))

		g, w := logTime.ReplaceAllString(got.String(), ""), logTime.ReplaceAllString(want.String(), "")
		if g != w || g == "" {
			t.Errorf("%s %q: the request line is\n%s\nwant\n%s", c.method, c.pattern, g, w)
		}
	}

	var later bytes.Buffer
	s.Logger = obs.NewLogger(&later, "info")
	got.Reset()
	s.logRequest(context.Background(), httptest.NewRequest("GET", "/x", nil), &recorder{status: 200}, &requestInfo{}, 0)
	if got.Len() != 0 || !bytes.Contains(later.Bytes(), []byte(`"msg":"request"`)) {
		t.Errorf("after the logger changed, the line went to the old logger (%q), not the new one (%q)", got.String(), later.String())
	}
}
