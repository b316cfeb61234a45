package obs

import (
	"context"
	"log/slog"
)

// Audit event names.
const (
	EventProfileUpdated = "profile.updated"
	// Checkout emails (CONTRACT §9): never the address itself.
	EventCheckoutEmailAdded    = "checkout_email.added"
	EventCheckoutEmailVerified = "checkout_email.verified"
	EventCheckoutEmailRemoved  = "checkout_email.removed"
	// EventOrderFulfilled: a fulfilment event changed an order (§11).
	EventOrderFulfilled = "order.fulfilled"
	// EventDataExported: a member downloaded their data (§12).
	EventDataExported = "data.exported"
)

// Audit writes an audit event: one log record with "audit": true so that a
// CloudWatch Logs metric filter or subscription can pick audit events out of
// the stream. The request id and member id come from ctx; attrs carry names,
// never values, of personal data.
func Audit(ctx context.Context, logger *slog.Logger, event string, attrs ...slog.Attr) {
	all := append([]slog.Attr{slog.Bool("audit", true), slog.String("event", event)}, attrs...)
	logger.LogAttrs(ctx, slog.LevelInfo, event, all...)
}
