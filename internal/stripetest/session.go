package stripetest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Session is a Checkout Session as the fake keeps it. Zero fields get
// realistic defaults when the session is added (see AddSession), so a test
// states only what it is about. Build one with NewSession and the With…
// methods, or as a literal.
type Session struct {
	ID      string
	Created time.Time
	// Status is open, complete (the default) or expired.
	Status string
	// PaymentStatus is paid, unpaid or no_payment_required; it defaults to
	// paid for complete sessions and unpaid otherwise.
	PaymentStatus string
	// Currency defaults to "usd"; it is sent as given, so a test can send
	// upper case to check normalisation.
	Currency string
	// AmountSubtotal and AmountTotal default to the sum of the line items
	// and that sum less the discounts.
	AmountSubtotal int64
	AmountTotal    int64

	CustomerID        string // customer: "cus_…" or null
	Email             string // customer_details.email
	PrefilledEmail    string // customer_email (what the integration passed in)
	Phone             string // customer_details.phone
	ClientReferenceID string
	Metadata          map[string]string

	LineItems []LineItem
	Discounts []Discount
	Shipping  *Address // collected_information.shipping_details
	// PaymentIntent is nil for sessions without one (expired, open,
	// no_payment_required).
	PaymentIntent *PaymentIntent
}

// LineItem is one line of a session. Zero IDs get derived defaults. The
// JSON names are those of the stripefake command's seed file.
type LineItem struct {
	ID          string   `json:"id,omitempty"`
	Name        string   `json:"name"`                  // description, and the product's name
	Quantity    int64    `json:"quantity,omitempty"`    // default 1
	UnitAmount  int64    `json:"unitAmount"`            // price.unit_amount
	AmountTotal int64    `json:"amountTotal,omitempty"` // default Quantity × UnitAmount
	PriceID     string   `json:"priceId,omitempty"`
	ProductID   string   `json:"productId,omitempty"`
	Images      []string `json:"images,omitempty"` // product.images
	SKU         string   `json:"sku,omitempty"`    // product.metadata.sku
}

// PaymentIntent is a session's payment intent with its latest charge.
type PaymentIntent struct {
	ID string
	// Status defaults to succeeded for paid sessions and
	// requires_payment_method otherwise.
	Status string
	Charge *Charge // latest_charge; nil for none
}

// Charge is a payment intent's latest charge, and the object of charge.*
// events (see EventPayload).
type Charge struct {
	ID              string
	PaymentIntentID string
	Amount          int64 // default: the session's total
	AmountRefunded  int64
	// Refunded is true when AmountRefunded covers Amount; the fake derives
	// it, as Stripe does.
	Refunded   bool
	ReceiptURL string
	Currency   string
	Created    time.Time // default: the session's created + 1 min
}

// Discount is one entry of total_details.breakdown.discounts, with the
// coupon it came from and the promotion code the customer typed, if any.
type Discount struct {
	Amount          int64
	CouponID        string
	CouponName      string
	PromotionCodeID string // promo_…; defaulted when PromotionCode is set
	PromotionCode   string // the customer-facing code, e.g. "SUMMER10"
}

// Address is a shipping address as Stripe sends it.
type Address struct {
	Name, Line1, Line2, City, State, PostalCode, Country string
}

// NewSession starts a complete, paid session without a payment intent;
// chain Paid, Refunded, With… to describe the rest.
func NewSession(id string, created time.Time) Session {
	return Session{ID: id, Created: created, Status: "complete", PaymentStatus: "paid", Currency: "usd"}
}

// Paid makes the session complete and paid, with a succeeded payment intent
// and a charge for the total.
func (s Session) Paid() Session {
	s.Status, s.PaymentStatus = "complete", "paid"
	pi := s.pi()
	pi.Status = "succeeded"
	if pi.Charge == nil {
		pi.Charge = &Charge{}
	}
	s.PaymentIntent = pi
	return s
}

// Unpaid makes the session complete but not yet paid (a delayed payment
// method), with a processing payment intent and no charge.
func (s Session) Unpaid() Session {
	s.Status, s.PaymentStatus = "complete", "unpaid"
	pi := s.pi()
	pi.Status, pi.Charge = "processing", nil
	s.PaymentIntent = pi
	return s
}

// NoPaymentRequired makes the session complete without a payment (a 100 %
// discount or a free order).
func (s Session) NoPaymentRequired() Session {
	s.Status, s.PaymentStatus, s.PaymentIntent = "complete", "no_payment_required", nil
	return s
}

// Open makes the session open (the customer has not finished).
func (s Session) Open() Session {
	s.Status, s.PaymentStatus, s.PaymentIntent = "open", "unpaid", nil
	return s
}

// Expired makes the session expired and unpaid.
func (s Session) Expired() Session {
	s.Status, s.PaymentStatus, s.PaymentIntent = "expired", "unpaid", nil
	return s
}

// Refunded makes the session paid and its charge refunded by amount.
func (s Session) Refunded(amount int64) Session {
	s = s.Paid()
	c := *s.PaymentIntent.Charge
	c.AmountRefunded = amount
	s.PaymentIntent.Charge = &c
	return s
}

// WithPaymentIntentStatus sets the payment intent's status (e.g. canceled),
// creating the payment intent if there is none.
func (s Session) WithPaymentIntentStatus(status string) Session {
	pi := s.pi()
	pi.Status = status
	s.PaymentIntent = pi
	return s
}

// WithCharge sets the payment intent's latest charge.
func (s Session) WithCharge(c Charge) Session {
	pi := s.pi()
	pi.Charge = &c
	s.PaymentIntent = pi
	return s
}

// WithCustomer sets the customer id (cus_…).
func (s Session) WithCustomer(id string) Session { s.CustomerID = id; return s }

// WithEmail sets customer_details.email.
func (s Session) WithEmail(email string) Session { s.Email = email; return s }

// WithPrefilledEmail sets customer_email.
func (s Session) WithPrefilledEmail(email string) Session { s.PrefilledEmail = email; return s }

// WithPhone sets customer_details.phone.
func (s Session) WithPhone(phone string) Session { s.Phone = phone; return s }

// WithClientReferenceID sets client_reference_id.
func (s Session) WithClientReferenceID(id string) Session { s.ClientReferenceID = id; return s }

// WithCurrency sets the currency exactly as given.
func (s Session) WithCurrency(c string) Session { s.Currency = c; return s }

// WithMetadata sets one metadata key.
func (s Session) WithMetadata(key, value string) Session {
	m := maps.Clone(s.Metadata)
	if m == nil {
		m = map[string]string{}
	}
	m[key] = value
	s.Metadata = m
	return s
}

// WithUserID sets metadata.userId, the first ownership fact of CONTRACT §4.
func (s Session) WithUserID(userID string) Session { return s.WithMetadata("userId", userID) }

// WithItem adds a line item of quantity × unitAmount named name.
func (s Session) WithItem(name string, quantity, unitAmount int64) Session {
	return s.WithLineItem(LineItem{Name: name, Quantity: quantity, UnitAmount: unitAmount})
}

// WithLineItem adds a fully described line item.
func (s Session) WithLineItem(li LineItem) Session {
	s.LineItems = append(slices.Clip(s.LineItems), li)
	return s
}

// WithDiscount adds a discount to the breakdown.
func (s Session) WithDiscount(d Discount) Session {
	s.Discounts = append(slices.Clip(s.Discounts), d)
	return s
}

// WithShipping sets the collected shipping address.
func (s Session) WithShipping(a Address) Session { s.Shipping = &a; return s }

// pi returns a copy of the payment intent (a new one if there is none), so
// builder methods never change a session they were called on.
func (s Session) pi() *PaymentIntent {
	if s.PaymentIntent == nil {
		return &PaymentIntent{}
	}
	pi := *s.PaymentIntent
	if pi.Charge != nil {
		c := *pi.Charge
		pi.Charge = &c
	}
	return &pi
}

// complete returns a deep copy of s with every default filled in: the form
// the fake stores and serves.
func (s Session) complete(seq int) Session {
	if s.ID == "" {
		s.ID = fmt.Sprintf("cs_test_fake%08d", seq)
	}
	if s.Created.IsZero() {
		s.Created = time.Unix(1_700_000_000, 0)
	}
	s.Created = s.Created.Truncate(time.Second)
	if s.Status == "" {
		s.Status = "complete"
	}
	if s.PaymentStatus == "" {
		s.PaymentStatus = "unpaid"
		if s.Status == "complete" {
			s.PaymentStatus = "paid"
		}
	}
	if s.Currency == "" {
		s.Currency = "usd"
	}
	s.Metadata = maps.Clone(s.Metadata)
	if s.Metadata == nil {
		s.Metadata = map[string]string{}
	}
	tail := idTail(s.ID)
	s.LineItems = slices.Clone(s.LineItems)
	var subtotal int64
	for i := range s.LineItems {
		li := &s.LineItems[i]
		if li.ID == "" {
			li.ID = fmt.Sprintf("li_%s%03d", tail, i)
		}
		if li.Quantity == 0 {
			li.Quantity = 1
		}
		if li.Name == "" {
			li.Name = fmt.Sprintf("Item %d", i+1)
		}
		if li.PriceID == "" {
			li.PriceID = fmt.Sprintf("price_%s%03d", tail, i)
		}
		if li.ProductID == "" {
			li.ProductID = fmt.Sprintf("prod_%s%03d", tail, i)
		}
		if li.AmountTotal == 0 {
			li.AmountTotal = li.Quantity * li.UnitAmount
		}
		li.Images = slices.Clone(li.Images)
		subtotal += li.Quantity * li.UnitAmount
	}
	s.Discounts = slices.Clone(s.Discounts)
	var discount int64
	for i := range s.Discounts {
		d := &s.Discounts[i]
		if d.CouponID == "" {
			d.CouponID = fmt.Sprintf("coupon%s%d", tail, i)
		}
		if d.PromotionCode != "" && d.PromotionCodeID == "" {
			d.PromotionCodeID = fmt.Sprintf("promo_%s%d", tail, i)
		}
		discount += d.Amount
	}
	if s.AmountSubtotal == 0 {
		s.AmountSubtotal = subtotal
	}
	if s.AmountTotal == 0 {
		s.AmountTotal = max(s.AmountSubtotal-discount, 0)
	}
	if s.Shipping != nil {
		a := *s.Shipping
		s.Shipping = &a
	}
	if s.PaymentIntent != nil {
		s.PaymentIntent = s.pi()
		pi := s.PaymentIntent
		if pi.ID == "" {
			pi.ID = "pi_" + tail
		}
		if pi.Status == "" {
			pi.Status = "requires_payment_method"
			if s.PaymentStatus == "paid" {
				pi.Status = "succeeded"
			}
		}
		if c := pi.Charge; c != nil {
			if c.ID == "" {
				c.ID = "ch_" + tail
			}
			c.PaymentIntentID = pi.ID
			if c.Amount == 0 {
				c.Amount = s.AmountTotal
			}
			if c.Currency == "" {
				c.Currency = strings.ToLower(s.Currency)
			}
			if c.Created.IsZero() {
				c.Created = s.Created.Add(time.Minute)
			}
			if c.ReceiptURL == "" {
				c.ReceiptURL = "https://pay.stripe.com/receipts/payment/" + c.ID
			}
			c.Refunded = c.Amount > 0 && c.AmountRefunded >= c.Amount
		}
	}
	return s
}

// complete fills a charge's defaults when it is an event's object on its
// own.
func (c Charge) complete() Charge {
	if c.ID == "" {
		c.ID = "ch_fake"
	}
	if c.Currency == "" {
		c.Currency = "usd"
	}
	if c.Created.IsZero() {
		c.Created = time.Now()
	}
	c.Refunded = c.Amount > 0 && c.AmountRefunded >= c.Amount
	return c
}

// idTail is the part of a session id after its prefix, used to derive the
// ids of the objects a session owns so they stay unique and recognisable.
func idTail(id string) string {
	if i := strings.LastIndexByte(id, '_'); i >= 0 {
		id = id[i+1:]
	}
	return id
}
