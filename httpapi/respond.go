package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
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

// writeJSON writes v as the JSON response body with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Our own types always marshal; this is a bug, not bad input.
		status, body = http.StatusInternalServerError, []byte(`{"error":"Internal error.","code":"internal"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
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
