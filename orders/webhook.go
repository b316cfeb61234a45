package orders

import (
	"context"
	"fmt"
	"log/slog"

	dashboard "github.com/thebabesclub/dashboard"
)

// WebhookAck is the answer to a Stripe webhook delivery.
type WebhookAck struct {
	Received  bool   `json:"received"`
	EventID   string `json:"eventId,omitempty"`
	Duplicate bool   `json:"duplicate,omitempty"`
	Ignored   bool   `json:"ignored,omitempty"`
}

// HandleWebhook verifies and processes one Stripe event. It is idempotent:
// a delivered-again event answers 200 without writing, and concurrent
// deliveries converge on one order through conditional writes. The EVENT#
// record is written only after the work succeeded, and any store or Stripe
// failure is returned (a 5xx) so that Stripe delivers the event again.
func (s *Service) HandleWebhook(ctx context.Context, payload []byte, signature string) (*WebhookAck, error) {
	if s.Payments == nil {
		return nil, dashboard.Errorf(dashboard.ENOTFOUND, "No such route.")
	}
	evt, err := s.Payments.ParseWebhook(payload, signature)
	if err != nil {
		return nil, err
	}
	ack := &WebhookAck{Received: true, EventID: evt.ID}
	seen, err := s.Store.EventProcessed(ctx, evt.ID)
	if err != nil {
		return nil, fmt.Errorf("orders: check event: %w", err)
	}
	if seen {
		ack.Duplicate = true
		return ack, nil
	}
	var sess *dashboard.CheckoutSession
	var claim evidence
	switch evt.Type {
	case EventSessionCompleted, EventAsyncPaymentSucceeded, EventAsyncPaymentFailed, EventSessionExpired:
		if sess, err = s.Payments.Session(ctx, evt.SessionID); err != nil {
			return nil, fmt.Errorf("orders: fetch session: %w", err)
		}
		claim = evidence{StatusOfEvent(evt.Type, sess), evt.Created}
	case EventChargeRefunded:
		if evt.Charge == nil || evt.Charge.PaymentIntentID == "" {
			ack.Ignored = true
			break
		}
		if sess, err = s.sessionOfPaymentIntent(ctx, evt.Charge.PaymentIntentID); err != nil {
			return nil, err
		}
		if sess == nil {
			ack.Ignored = true // a charge that did not come from Checkout
			break
		}
		if evt.Charge.AmountRefunded > sess.Order.AmountRefunded {
			sess.Order.AmountRefunded = evt.Charge.AmountRefunded
		}
		claim = evidence{refundStatus(sess.Order.Amount, sess.Order.AmountRefunded), evt.Created}
	default:
		ack.Ignored = true
	}
	if sess != nil {
		owner, err := s.newResolver().owner(ctx, sess)
		if err != nil {
			return nil, err
		}
		if owner == "" {
			s.logger().WarnContext(ctx, "unresolved checkout session", slog.String("orderId", sess.ID), slog.String("eventId", evt.ID))
			ack.Ignored = true
		} else if _, err := s.upsert(ctx, owner, sess, claim); err != nil {
			return nil, err
		}
	}
	if err := s.Store.MarkEventProcessed(ctx, evt.ID, s.now()); err != nil {
		return nil, fmt.Errorf("orders: record event: %w", err)
	}
	return ack, nil
}

// sessionOfPaymentIntent finds the Checkout Session that created a payment
// intent (nil if none did).
func (s *Service) sessionOfPaymentIntent(ctx context.Context, pi string) (*dashboard.CheckoutSession, error) {
	var found *dashboard.CheckoutSession
	err := s.Payments.ListSessions(ctx, dashboard.SessionQuery{PaymentIntentID: pi}, func(cs *dashboard.CheckoutSession) error {
		if found == nil {
			found = cs
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("orders: find session of payment intent: %w", err)
	}
	if found != nil && !found.LineItemsComplete {
		if found, err = s.Payments.Session(ctx, found.ID); err != nil {
			return nil, fmt.Errorf("orders: fetch session: %w", err)
		}
	}
	return found, nil
}
