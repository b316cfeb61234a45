// Package obs gives every binary the same observability: JSON logs through
// log/slog with a redaction rule, request-scoped attributes, and audit events.
package obs

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
)

// NewLogger returns a JSON logger writing to w at the level named by level
// ("debug", "info", "warn", "error"; default info). Every record passes
// through Redact, so a careless attribute cannot put a token, secret, email,
// phone number or address into the logs.
func NewLogger(w io.Writer, level string) *slog.Logger {
	var lv slog.Level
	switch strings.ToLower(level) {
	case "debug":
		lv = slog.LevelDebug
	case "warn", "warning":
		lv = slog.LevelWarn
	case "error":
		lv = slog.LevelError
	default:
		lv = slog.LevelInfo
	}
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lv, ReplaceAttr: redactAttr})
	return slog.New(contextHandler{h})
}

// LoggerFromEnv returns NewLogger(os.Stderr, $LOG_LEVEL).
func LoggerFromEnv() *slog.Logger {
	return NewLogger(os.Stderr, os.Getenv("LOG_LEVEL"))
}

type ctxKey int

const (
	requestIDKey ctxKey = iota
	memberIDKey
)

// WithRequestID returns a copy of ctx whose log records carry requestId.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID returns the request id ctx carries ("" if none).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// WithMemberID returns a copy of ctx whose log records carry memberId. The
// member id is an opaque identifier, not personal data, and operators need it
// to follow one member's requests.
func WithMemberID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, memberIDKey, id)
}

// MemberID returns the member id ctx carries ("" if none).
func MemberID(ctx context.Context) string {
	id, _ := ctx.Value(memberIDKey).(string)
	return id
}

// contextHandler adds the request id and member id of the record's context,
// so call sites need not repeat them.
type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("requestId", id))
	}
	if id := MemberID(ctx); id != "" {
		r.AddAttrs(slog.String("memberId", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(attrs)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}
