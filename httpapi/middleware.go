package httpapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/auth"
	"github.com/thebabesclub/dashboard/obs"
)

// minInternalToken is the shortest INTERNAL_TOKEN that opens internal routes.
const minInternalToken = 32

// requestInfo is filled in as a request travels down the chain so the one
// log line written on the way back up can carry it.
type requestInfo struct {
	// memberCtx is the context the member middleware gave the handler (the
	// member's id in it for the log), so the log line need not derive
	// another; nil when the request had no member.
	memberCtx context.Context
}

// requestState is what frame allocates for each request, in one piece:
// the response recorder, the request's log information and the value of
// its X-Request-Id header (a one-element slice the header map shares, see
// jsonContentType).
type requestState struct {
	rec  recorder
	info requestInfo
	id   [1]string
}

type requestInfoKey struct{}

// recorder remembers the status and size of a response for the log line.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// Flush sends what was written so far to the client when the writer
// underneath can (net/http's can; the Lambda adapter's commits the
// response, see lambdafn). Without it the recorder would hide the
// underlying http.Flusher, and "answer first, then queue the refresh"
// would answer only after the queueing.
func (r *recorder) Flush() {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}

// Unwrap gives http.ResponseController the writer underneath.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// frame is the outermost middleware: request id, panic recovery, CORS,
// common headers and one JSON log line per request.
func (s *Server) frame(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := ""
		if s.RequestID != nil {
			id = s.RequestID(r)
		}
		if id == "" {
			id = newRequestID()
		}
		st := &requestState{rec: recorder{ResponseWriter: w}}
		rec, info := &st.rec, &st.info
		ctx := obs.WithRequestID(r.Context(), id)
		ctx = context.WithValue(ctx, requestInfoKey{}, info)
		r = r.WithContext(ctx)
		h := rec.Header()
		st.id[0] = id
		h["X-Request-Id"] = st.id[:1:1]
		h["X-Content-Type-Options"] = noSniff
		if vary := h["Vary"]; vary != nil {
			h["Vary"] = append(vary, "Origin")
		} else {
			h["Vary"] = varyOrigin
		}
		if strings.HasPrefix(r.URL.Path, "/dashboard/") || strings.HasPrefix(r.URL.Path, "/internal/") {
			h["Cache-Control"] = noStore
		}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.logger().ErrorContext(ctx, "panic", slog.Any("panic", p))
				if rec.status == 0 {
					s.failf(rec, r, dashboard.EINTERNAL, "Internal error.")
				}
			}
			s.logRequest(ctx, r, rec, info, time.Since(start))
		}()
		if s.cors(rec, r) {
			return // a preflight, answered
		}
		if !cleanPath(r.URL.Path) {
			// net/http would redirect "/a/../b" with an HTML body; no API
			// path has dot segments or doubled slashes, so it is not found.
			s.failf(rec, r, dashboard.ENOTFOUND, "No such route.")
			return
		}
		next.ServeHTTP(rec, r)
	})
}

func (s *Server) logRequest(ctx context.Context, r *http.Request, rec *recorder, info *requestInfo, d time.Duration) {
	if info.memberCtx != nil {
		ctx = info.memberCtx
	}
	route := r.Pattern
	if route == "" {
		route = "unmatched"
	}
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	latency := slog.Float64("latencyMs", float64(d.Microseconds())/1000)
	if l := s.requestLine(r.Method, route); l != nil {
		l.LogAttrs(ctx, level, "request", slog.Int("status", status), latency, slog.Int("bytes", rec.bytes))
		return
	}
	s.logger().LogAttrs(ctx, level, "request",
		slog.String("method", r.Method), slog.String("route", route), slog.Int("status", status),
		latency, slog.Int("bytes", rec.bytes))
}

// lineLoggers are the loggers of the request line, one per method and
// route, each derived from base with those two attributes (Handler's
// WithAttrs), so the JSON handler formats and redaction-checks them once
// instead of on every request: the line's cost roughly halves and two of
// its allocations go. The line is the same: the derived attributes come
// first, in the order they were given.
type lineLoggers struct {
	base *slog.Logger // the Server's logger they were derived from
	m    map[lineKey]*slog.Logger
}

type lineKey struct{ method, route string }

// lineMethods are the methods whose lines have a derived logger. Routes
// are the mux's patterns (and "unmatched"), a fixed set, so with these the
// set of loggers is bounded whatever clients send.
var lineMethods = []string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions,
}

// requestLine returns the request line's logger for method and route, or
// nil for a method not in lineMethods (then the line is written with every
// attribute, as before). A logger set after the first request is
// honoured: the loggers are derived again from it.
func (s *Server) requestLine(method, route string) *slog.Logger {
	base := s.logger()
	k := lineKey{method, route}
	cur := s.lines.Load()
	if cur != nil && cur.base == base {
		if l, ok := cur.m[k]; ok {
			return l
		}
	}
	if !slices.Contains(lineMethods, method) {
		return nil
	}
	l := slog.New(base.Handler().WithAttrs([]slog.Attr{slog.String("method", method), slog.String("route", route)}))
	next := &lineLoggers{base: base, m: map[lineKey]*slog.Logger{k: l}}
	if cur != nil && cur.base == base {
		for ck, cl := range cur.m {
			next.m[ck] = cl
		}
	}
	// Two requests adding a logger at once may each store their own map;
	// the loser's logger is derived again on a later request. No line is
	// lost or changed either way.
	s.lines.Store(next)
	return l
}

// cors applies the CORS allow-list. An allowed Origin is echoed; any other
// gets no CORS headers. It answers preflight requests itself and reports
// whether it did.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	allowed := origin != "" && slices.Contains(s.AllowedOrigins, origin)
	if allowed {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Expose-Headers", "X-Request-Id, ETag, Retry-After, Content-Disposition")
	}
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	if allowed {
		h := w.Header()
		h.Set("Access-Control-Allow-Methods", "GET, PUT, POST, DELETE, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match")
		h.Set("Access-Control-Max-Age", "600")
	}
	w.WriteHeader(http.StatusNoContent)
	return true
}

// member lets only requests with a valid member token through, and puts the
// member into the request context: the only place handlers take the member
// id from.
func (s *Server) member(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		m, err := s.authenticate(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if s.expired(m) {
			s.failf(w, r, dashboard.EUNAUTHORIZED, "A valid member token is required.")
			return
		}
		ctx := obs.WithMemberID(dashboard.NewContextWithMember(r.Context(), m), m.UserID)
		if info, ok := r.Context().Value(requestInfoKey{}).(*requestInfo); ok {
			info.memberCtx = ctx
		}
		next(w, r.WithContext(ctx))
	}
}

// expired reports whether m's token has run out: its ExpiresAt plus the
// leeway auth allows for clock skew is not after now, or it is unknown. On
// Lambda this is the only check of a request API Gateway answered from its
// authorizer cache, which can outlive the token by the cache's TTL; locally
// it repeats what the Verifier checked, so both deployments share one rule
// (CONTRACT §2).
func (s *Server) expired(m dashboard.Member) bool {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return m.ExpiresAt.IsZero() || !now().Before(m.ExpiresAt.Add(auth.DefaultLeeway))
}

func (s *Server) authenticate(r *http.Request) (dashboard.Member, error) {
	if s.Authorizer != nil {
		m, ok := s.Authorizer(r)
		if !ok || m.UserID == "" {
			return dashboard.Member{}, errUnauthorized()
		}
		return m, nil
	}
	if s.Verifier == nil || len(r.Header.Values("Authorization")) != 1 {
		return dashboard.Member{}, errUnauthorized()
	}
	token, err := auth.BearerToken(r.Header.Get("Authorization"))
	if err != nil {
		return dashboard.Member{}, errUnauthorized()
	}
	c, err := s.Verifier.Verify(token)
	if err != nil {
		return dashboard.Member{}, errUnauthorized()
	}
	return c.Member(), nil
}

// errUnauthorized is the answer to a request without a valid member token,
// built only when it is needed: every member request passes here.
func errUnauthorized() error {
	return dashboard.Errorf(dashboard.EUNAUTHORIZED, "A valid member token is required.")
}

// internal lets only requests with the internal token through. Without a
// configured token the route does not exist (404), so an unconfigured
// deployment exposes nothing. Member tokens never open it.
func (s *Server) internal(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if len(s.InternalToken) < minInternalToken {
			s.failf(w, r, dashboard.ENOTFOUND, "No such route.")
			return
		}
		if !equalSecret(r.Header.Get("X-Internal-Token"), s.InternalToken) {
			s.failf(w, r, dashboard.EUNAUTHORIZED, "A valid internal token is required.")
			return
		}
		next(w, r)
	}
}

// equalSecret compares in constant time; hashing first hides the length too.
func equalSecret(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1 && got != ""
}

// readJSONBody returns a member or internal request's body after checking
// its content type (application/json, UTF-8) and size (MaxBodyBytes).
func (s *Server) readJSONBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return s.readJSONBodyMax(w, r, MaxBodyBytes)
}

// readWebhookBody is readJSONBody for webhook deliveries, whose limit is
// MaxWebhookBodyBytes: a sender's event is not ours to shorten, and one
// refused for size would be refused on every retry.
func (s *Server) readWebhookBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return s.readJSONBodyMax(w, r, MaxWebhookBodyBytes)
}

// readJSONBodyMax reads a JSON body of at most limit bytes (413 above).
func (s *Server) readJSONBodyMax(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, dashboard.Errorf(codeUnsupportedMedia, "Content-Type must be application/json.")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return nil, dashboard.Errorf(codeUnsupportedMedia, "The only supported charset is utf-8.")
	}
	if r.ContentLength > limit {
		return nil, dashboard.Errorf(codePayloadTooLarge, "Request body is larger than %d bytes.", limit)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, dashboard.Errorf(codePayloadTooLarge, "Request body is larger than %d bytes.", limit)
	} else if err != nil {
		return nil, dashboard.Errorf(dashboard.EINVALIDREQUEST, "Request body could not be read.")
	}
	return body, nil
}

func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// cleanPath reports whether p has no dot segments and no doubled slashes.
func cleanPath(p string) bool {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c == p
}
