package dashboard

import "time"

// FulfillmentStatus is where an order's parcel is (CONTRACT §11).
type FulfillmentStatus string

// Fulfilment statuses, in the only order an order moves through them.
const (
	FulfillmentProcessing FulfillmentStatus = "processing"
	FulfillmentShipped    FulfillmentStatus = "shipped"
	FulfillmentDelivered  FulfillmentStatus = "delivered"
	FulfillmentReturned   FulfillmentStatus = "returned"
)

// Rank is the status's place in the forward order (1 for processing … 4
// for returned); 0 means not a fulfilment status.
func (s FulfillmentStatus) Rank() int {
	switch s {
	case FulfillmentProcessing:
		return 1
	case FulfillmentShipped:
		return 2
	case FulfillmentDelivered:
		return 3
	case FulfillmentReturned:
		return 4
	}
	return 0
}

// Limits of a fulfilment event (CONTRACT §11).
const (
	MaxFulfillmentNote  = 200
	MaxCarrierLength    = 80
	MaxTrackingNumber   = 100
	MaxTrackingURLBytes = 2048
)

// FulfillmentEvent is one message from the club's fulfilment tooling: the
// body of POST /internal/orders/{orderId}/fulfillment and what `dashboard
// fulfil` sends.
type FulfillmentEvent struct {
	Status         FulfillmentStatus `json:"status"`
	Carrier        string            `json:"carrier,omitempty"`
	TrackingNumber string            `json:"trackingNumber,omitempty"`
	// TrackingURL must be https.
	TrackingURL string `json:"trackingUrl,omitempty"`
	// At is when it happened; nil means now.
	At   *time.Time `json:"at,omitempty"`
	Note string     `json:"note,omitempty"`
}

// FulfillmentStep is one step of an order's fulfilment timeline.
type FulfillmentStep struct {
	Status FulfillmentStatus `json:"status"`
	At     time.Time         `json:"at"`
	Note   string            `json:"note,omitempty"`
}

// Fulfillment is an order's parcel: its current status, the latest carrier
// and tracking, and every step so far, oldest first.
type Fulfillment struct {
	Status         FulfillmentStatus `json:"status"`
	Carrier        *string           `json:"carrier"`
	TrackingNumber *string           `json:"trackingNumber"`
	TrackingURL    *string           `json:"trackingUrl"`
	Events         []FulfillmentStep `json:"events"`
}
