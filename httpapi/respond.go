package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// Error codes that only the transport produces.
const (
	codeMethodNotAllowed = "method_not_allowed"
	codePayloadTooLarge  = "payload_too_large"
	codeUnsupportedMedia = "unsupported_media_type"
)

// statusOf maps every error code to its HTTP status: the one place where
// domain errors become status codes. Unknown codes are internal errors.
var statusOf = map[string]int{
	dashboard.EINVALIDREQUEST: http.StatusBadRequest,
	dashboard.EVALIDATION:     http.StatusBadRequest,
	dashboard.EINVALIDCODE:    http.StatusBadRequest,
	dashboard.ECODEEXPIRED:    http.StatusBadRequest,
	dashboard.EINVALIDCURSOR:  http.StatusBadRequest,
	dashboard.EUNAUTHORIZED:   http.StatusUnauthorized,
	dashboard.ENOTFOUND:       http.StatusNotFound,
	codeMethodNotAllowed:      http.StatusMethodNotAllowed,
	dashboard.ECONFLICT:       http.StatusConflict,
	dashboard.EPRECONDITION:   http.StatusPreconditionFailed,
	codePayloadTooLarge:       http.StatusRequestEntityTooLarge,
	codeUnsupportedMedia:      http.StatusUnsupportedMediaType,
	dashboard.ERATELIMITED:    http.StatusTooManyRequests,
	dashboard.EINTERNAL:       http.StatusInternalServerError,
	dashboard.EUNAVAILABLE:    http.StatusServiceUnavailable,
}

// errorBody is the contract's error payload.
type errorBody struct {
	Error  string            `json:"error"`
	Code   string            `json:"code"`
	Fields map[string]string `json:"fields,omitempty"`
}

// bodyBuffers recycles the buffers response bodies are encoded into: a
// read route's body is written once and forgotten, so each request would
// otherwise allocate (and the collector sweep) one the size of its answer.
var bodyBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// maxPooledBody bounds the buffers kept in bodyBuffers, so one large
// answer (a data export) does not stay in memory for good.
const maxPooledBody = 64 << 10

// Header values every JSON answer or every request sets. Each is assigned
// as a one-element slice the header map shares instead of a new one per
// request (what Header.Set allocates); its capacity is its length, so an
// Add to the same header later copies instead of writing into it.
var (
	jsonContentType = []string{"application/json; charset=utf-8"}
	noSniff         = []string{"nosniff"}
	varyOrigin      = []string{"Origin"}
	noStore         = []string{"no-store"}
)

// writeJSON writes v as the JSON response body with status, and a newline,
// with its Content-Length. The read routes' bodies are encoded by
// appendResponse, everything else (and anything appendResponse declines)
// by encoding/json: the bytes are the same either way.
func writeJSON(w http.ResponseWriter, status int, v any) {
	buf := bodyBuffers.Get().(*[]byte)
	body, ok := appendResponse((*buf)[:0], v)
	if !ok {
		var err error
		if body, err = json.Marshal(v); err != nil {
			// Our own types always marshal; this is a bug, not bad input.
			status, body = http.StatusInternalServerError, []byte(`{"error":"Internal error.","code":"internal"}`)
		}
	}
	body = append(body, '\n')
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
	if ok && cap(body) <= maxPooledBody {
		*buf = body[:0]
	}
	bodyBuffers.Put(buf)
}

// writeError answers with err mapped to its status and the contract's error
// body. Internal errors are logged with their detail and shown to the client
// only as "Internal error."
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := dashboard.ErrorCode(err)
	message, fields := dashboard.ErrorMessage(err), dashboard.ErrorFields(err)
	status, ok := statusOf[code]
	if !ok {
		// A code with no status is a bug; its message was never meant for
		// the client.
		code, status = dashboard.EINTERNAL, http.StatusInternalServerError
		message, fields = "Internal error.", nil
	}
	if status >= 500 {
		s.logger().ErrorContext(r.Context(), "request failed", slog.String("code", code), slog.Any("error", err))
	}
	if d := dashboard.ErrorRetryAfter(err); d > 0 || status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests {
		secs := int((d + time.Second - 1) / time.Second)
		if secs < 1 {
			secs = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="dashboard"`)
	}
	writeJSON(w, status, errorBody{Error: message, Code: code, Fields: fields})
}

// failf answers with a transport-level error.
func (s *Server) failf(w http.ResponseWriter, r *http.Request, code, format string, args ...any) {
	s.writeError(w, r, dashboard.Errorf(code, format, args...))
}
