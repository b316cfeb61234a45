package dashboard

import (
	"context"
	"strings"
	"time"
)

// OrderStatus is the lifecycle state of an order (a Stripe Checkout Session).
type OrderStatus string

// Order statuses of the contract.
const (
	OrderPending           OrderStatus = "pending"
	OrderCompleted         OrderStatus = "completed"
	OrderFailed            OrderStatus = "failed"
	OrderExpired           OrderStatus = "expired"
	OrderCanceled          OrderStatus = "canceled"
	OrderRefunded          OrderStatus = "refunded"
	OrderPartiallyRefunded OrderStatus = "partially_refunded"
)

// LineItem is one line of an order. Amounts are in minor units.
type LineItem struct {
	Name            string `json:"name"`
	Quantity        int64  `json:"quantity"`
	UnitPrice       int64  `json:"unitPrice"`
	AmountTotal     int64  `json:"amountTotal"`
	Currency        string `json:"currency"`
	SKU             string `json:"sku,omitempty"`
	ImageURL        string `json:"imageUrl,omitempty"`
	StripePriceID   string `json:"stripePriceId,omitempty"`
	StripeProductID string `json:"stripeProductId,omitempty"`
}

// Order is an order as the list shows it.
type Order struct {
	OrderID         string      `json:"orderId"`
	OrderNumber     string      `json:"orderNumber"`
	Status          OrderStatus `json:"status"`
	Amount          int64       `json:"amount"`
	AmountSubtotal  int64       `json:"amountSubtotal"`
	Currency        string      `json:"currency"`
	CreatedAt       time.Time   `json:"createdAt"`
	CompletedAt     *time.Time  `json:"completedAt"`
	ItemCount       int64       `json:"itemCount"`
	Items           []LineItem  `json:"items"`
	CustomerEmail   *string     `json:"customerEmail"`
	ShippingAddress *Address    `json:"shippingAddress"`
	// FulfillmentStatus is the parcel's status (CONTRACT §11); nil until
	// the fulfilment tooling reports one. It is OrderDetail.Fulfillment's
	// Status, kept beside it so that the list shows it without the timeline.
	FulfillmentStatus *FulfillmentStatus `json:"fulfillmentStatus"`
}

// Discount is one discount applied to an order.
type Discount struct {
	Code   string `json:"code,omitempty"`
	Name   string `json:"name,omitempty"`
	Amount int64  `json:"amount"`
}

// OrderDetail is an order as the detail view shows it.
type OrderDetail struct {
	Order
	StripePaymentIntentID *string    `json:"stripePaymentIntentId"`
	StripePaymentStatus   string     `json:"stripePaymentStatus"`
	CustomerPhone         *string    `json:"customerPhone"`
	Discounts             []Discount `json:"discounts"`
	AmountRefunded        int64      `json:"amountRefunded"`
	ReceiptURL            *string    `json:"receiptUrl"`
	UpdatedAt             time.Time  `json:"updatedAt"`
	Stale                 bool       `json:"stale,omitempty"`
	// Fulfillment is the parcel's timeline (CONTRACT §11); nil until the
	// first fulfilment event. Stripe syncs never change it.
	Fulfillment *Fulfillment `json:"fulfillment"`
}

// OrderSnapshot is an order as stored: the detail, its owner, and what the
// status rules and optimistic writes need.
type OrderSnapshot struct {
	UserID string
	OrderDetail
	// StatusAt is Stripe's `created` time of the event or object that set
	// Status. An older event never overrides a newer status.
	StatusAt time.Time
	// Version counts stored writes; 0 means "not stored yet".
	Version int64
}

// OrderPage is one page of a member's orders, newest first.
type OrderPage struct {
	Orders []OrderSnapshot
	// Next is the store key to pass as after for the next page; "" at the end.
	Next string
	// SyncedAt is the member's SYNC#STRIPE marker. It is read in the same
	// round trip as the first page only (after == ""); nil otherwise or
	// when the member was never synced.
	SyncedAt *time.Time
}

// OrderStore keeps order snapshots.
type OrderStore interface {
	// GetOrder reads one order by its primary key with a consistent read
	// (ENOTFOUND if absent).
	GetOrder(ctx context.Context, userID, orderID string, created time.Time) (*OrderSnapshot, error)
	// FindOrder reads one order by id through the order-id index, whoever
	// owns it (ENOTFOUND if absent).
	FindOrder(ctx context.Context, orderID string) (*OrderSnapshot, error)
	// PutOrder writes snap if the stored version still equals snap.Version
	// (0: the item must not exist), and on success increments snap.Version.
	// A lost race fails with EPRECONDITION: re-read, re-apply, retry.
	PutOrder(ctx context.Context, snap *OrderSnapshot) error
	// ListOrders returns up to limit orders of userID, newest first,
	// starting after the key after ("" for the first page).
	ListOrders(ctx context.Context, userID string, limit int, after string) (OrderPage, error)
}

// OrderNumber is the contract's human order number: "BC-" and the last eight
// characters of the session id, upper-cased, non-alphanumerics removed.
func OrderNumber(sessionID string) string {
	tail := sessionID
	if len(tail) > 8 {
		tail = tail[len(tail)-8:]
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(tail) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return "BC-" + b.String()
}
