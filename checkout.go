package dashboard

import (
	"context"
	"time"
)

// CheckoutSession is a Stripe Checkout Session as the dashboard needs it:
// the facts that decide ownership and status, and the order it describes,
// already normalised (minor units, lower-case currency, order number).
type CheckoutSession struct {
	ID      string
	Created time.Time
	// Status is Stripe's session status: open, complete or expired.
	Status string
	// PaymentStatus is paid, unpaid or no_payment_required.
	PaymentStatus string
	// Ownership facts, in the order CONTRACT §4 tries them.
	MetadataUserID    string // metadata.userId
	ClientReferenceID string
	CustomerID        string // cus_…
	CustomerEmail     string // customer_details.email, else customer_email
	// PaymentIntentStatus is the payment intent's status ("" without one);
	// "canceled" makes the order canceled.
	PaymentIntentStatus string
	// Order carries every order field except Status, StatusAt and ownership,
	// which the orders service decides. Order.AmountRefunded and ReceiptURL
	// come from the payment intent's latest charge.
	Order OrderDetail
	// LineItemsComplete is false when Stripe returned only the first page of
	// line items (the list embedded in a list response); the adapter's
	// Session call always returns them all.
	LineItemsComplete bool
}

// StripeCharge is the part of a charge a refund event needs.
type StripeCharge struct {
	ID              string
	PaymentIntentID string
	Amount          int64
	AmountRefunded  int64
	Refunded        bool
	ReceiptURL      string
	Created         time.Time
}

// StripeEvent is a verified Stripe webhook event.
type StripeEvent struct {
	ID      string
	Type    string
	Created time.Time
	// SessionID is set for checkout.session.* events.
	SessionID string
	// Charge is set for charge.* events.
	Charge *StripeCharge
}

// SessionQuery selects Checkout Sessions to list.
type SessionQuery struct {
	// CreatedFrom, when not zero, lists sessions created at or after it.
	CreatedFrom time.Time
	// CreatedBefore, when not zero, lists sessions created before it
	// (Stripe's created[lt]); with CreatedFrom, one reconciliation window.
	CreatedBefore time.Time
	// StartingAfter, when set, resumes a listing after the session of that
	// id (Stripe's starting_after): a retried window's checkpoint.
	StartingAfter string
	// CustomerID, when set, lists only that customer's sessions.
	CustomerID string
	// PaymentIntentID, when set, lists the session of that payment intent.
	PaymentIntentID string
	// CustomerEmail, when set, lists only the sessions whose
	// customer_details.email is this address (Stripe's
	// customer_details[email] filter): a verified checkout email's guest
	// orders (CONTRACT §9).
	CustomerEmail string
}

// Payments is Stripe, as the orders service uses it. Every method retries
// rate limits and server errors itself (bounded, with backoff and jitter)
// and then fails with EUNAVAILABLE; a session Stripe does not know fails
// with ENOTFOUND.
type Payments interface {
	// Session fetches one session with all its line items (and their
	// products), its payment intent and latest charge.
	Session(ctx context.Context, id string) (*CheckoutSession, error)
	// ListSessions calls each for every session matching q, newest first,
	// following Stripe's pagination (100 a page); an error from each stops
	// the listing and is returned.
	ListSessions(ctx context.Context, q SessionQuery, each func(*CheckoutSession) error) error
	// ParseWebhook verifies the Stripe-Signature header over the raw payload
	// (tolerance 300 s) and decodes the event; any failure is EINVALIDREQUEST.
	ParseWebhook(payload []byte, signature string) (*StripeEvent, error)
}
