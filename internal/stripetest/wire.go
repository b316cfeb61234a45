package stripetest

import (
	"strconv"
	"strings"
)

// The wire types below render Stripe's JSON shapes (API version
// 2026-03-25.dahlia, the one stripe-go v85 speaks) for the fields the
// adapter reads plus the ones any client would expect to be present.
// Expandable fields are `any`: an id string, an object, or nil.

type wireList struct {
	Object  string `json:"object"`
	Data    []any  `json:"data"`
	HasMore bool   `json:"has_more"`
	URL     string `json:"url"`
}

type wireSession struct {
	ID                   string            `json:"id"`
	Object               string            `json:"object"`
	AmountSubtotal       int64             `json:"amount_subtotal"`
	AmountTotal          int64             `json:"amount_total"`
	ClientReferenceID    *string           `json:"client_reference_id"`
	CollectedInformation *wireCollected    `json:"collected_information"`
	Created              int64             `json:"created"`
	Currency             string            `json:"currency"`
	Customer             any               `json:"customer"`
	CustomerDetails      *wireCustomer     `json:"customer_details"`
	CustomerEmail        *string           `json:"customer_email"`
	Discounts            []wireSessionDisc `json:"discounts"`
	ExpiresAt            int64             `json:"expires_at"`
	LineItems            *wireList         `json:"line_items,omitempty"`
	Livemode             bool              `json:"livemode"`
	Metadata             map[string]string `json:"metadata"`
	Mode                 string            `json:"mode"`
	PaymentIntent        any               `json:"payment_intent"`
	PaymentStatus        string            `json:"payment_status"`
	Status               string            `json:"status"`
	SuccessURL           string            `json:"success_url"`
	TotalDetails         wireTotalDetails  `json:"total_details"`
	UIMode               string            `json:"ui_mode"`
	URL                  *string           `json:"url"`
}

type wireCollected struct {
	ShippingDetails *wireShipping `json:"shipping_details"`
}

type wireShipping struct {
	Address wireAddress `json:"address"`
	Name    string      `json:"name"`
}

type wireAddress struct {
	City       *string `json:"city"`
	Country    *string `json:"country"`
	Line1      *string `json:"line1"`
	Line2      *string `json:"line2"`
	PostalCode *string `json:"postal_code"`
	State      *string `json:"state"`
}

type wireCustomer struct {
	Address   *wireAddress `json:"address"`
	Email     *string      `json:"email"`
	Name      *string      `json:"name"`
	Phone     *string      `json:"phone"`
	TaxExempt string       `json:"tax_exempt"`
	TaxIDs    []any        `json:"tax_ids"`
}

type wireSessionDisc struct {
	Coupon        any `json:"coupon"`
	PromotionCode any `json:"promotion_code"`
}

type wireTotalDetails struct {
	AmountDiscount int64          `json:"amount_discount"`
	AmountShipping int64          `json:"amount_shipping"`
	AmountTax      int64          `json:"amount_tax"`
	Breakdown      *wireBreakdown `json:"breakdown,omitempty"`
}

type wireBreakdown struct {
	Discounts []wireBreakdownDisc `json:"discounts"`
	Taxes     []any               `json:"taxes"`
}

type wireBreakdownDisc struct {
	Amount   int64        `json:"amount"`
	Discount wireDiscount `json:"discount"`
}

type wireDiscount struct {
	ID              string          `json:"id"`
	Object          string          `json:"object"`
	CheckoutSession string          `json:"checkout_session"`
	Customer        any             `json:"customer"`
	End             *int64          `json:"end"`
	Invoice         *string         `json:"invoice"`
	PromotionCode   any             `json:"promotion_code"`
	Source          wireDiscountSrc `json:"source"`
	Start           int64           `json:"start"`
	Subscription    *string         `json:"subscription"`
}

type wireDiscountSrc struct {
	Coupon wireCoupon `json:"coupon"`
	Type   string     `json:"type"`
}

type wireCoupon struct {
	ID        string            `json:"id"`
	Object    string            `json:"object"`
	AmountOff int64             `json:"amount_off"`
	Created   int64             `json:"created"`
	Currency  string            `json:"currency"`
	Duration  string            `json:"duration"`
	Livemode  bool              `json:"livemode"`
	Metadata  map[string]string `json:"metadata"`
	Name      *string           `json:"name"`
	Valid     bool              `json:"valid"`
}

type wirePromotionCode struct {
	ID       string            `json:"id"`
	Object   string            `json:"object"`
	Active   bool              `json:"active"`
	Code     string            `json:"code"`
	Created  int64             `json:"created"`
	Livemode bool              `json:"livemode"`
	Metadata map[string]string `json:"metadata"`
}

type wireLineItem struct {
	ID             string    `json:"id"`
	Object         string    `json:"object"`
	AmountDiscount int64     `json:"amount_discount"`
	AmountSubtotal int64     `json:"amount_subtotal"`
	AmountTax      int64     `json:"amount_tax"`
	AmountTotal    int64     `json:"amount_total"`
	Currency       string    `json:"currency"`
	Description    string    `json:"description"`
	Metadata       *struct{} `json:"metadata"`
	Price          wirePrice `json:"price"`
	Quantity       int64     `json:"quantity"`
}

type wirePrice struct {
	ID                string            `json:"id"`
	Object            string            `json:"object"`
	Active            bool              `json:"active"`
	BillingScheme     string            `json:"billing_scheme"`
	Created           int64             `json:"created"`
	Currency          string            `json:"currency"`
	Livemode          bool              `json:"livemode"`
	Metadata          map[string]string `json:"metadata"`
	Nickname          *string           `json:"nickname"`
	Product           any               `json:"product"`
	Type              string            `json:"type"`
	UnitAmount        int64             `json:"unit_amount"`
	UnitAmountDecimal string            `json:"unit_amount_decimal"`
}

type wireProduct struct {
	ID       string            `json:"id"`
	Object   string            `json:"object"`
	Active   bool              `json:"active"`
	Created  int64             `json:"created"`
	Images   []string          `json:"images"`
	Livemode bool              `json:"livemode"`
	Metadata map[string]string `json:"metadata"`
	Name     string            `json:"name"`
	Type     string            `json:"type"`
}

type wirePaymentIntent struct {
	ID           string            `json:"id"`
	Object       string            `json:"object"`
	Amount       int64             `json:"amount"`
	Created      int64             `json:"created"`
	Currency     string            `json:"currency"`
	Customer     any               `json:"customer"`
	LatestCharge any               `json:"latest_charge"`
	Livemode     bool              `json:"livemode"`
	Metadata     map[string]string `json:"metadata"`
	Status       string            `json:"status"`
}

type wireCharge struct {
	ID             string            `json:"id"`
	Object         string            `json:"object"`
	Amount         int64             `json:"amount"`
	AmountCaptured int64             `json:"amount_captured"`
	AmountRefunded int64             `json:"amount_refunded"`
	Captured       bool              `json:"captured"`
	Created        int64             `json:"created"`
	Currency       string            `json:"currency"`
	Livemode       bool              `json:"livemode"`
	Metadata       map[string]string `json:"metadata"`
	Paid           bool              `json:"paid"`
	PaymentIntent  any               `json:"payment_intent"`
	ReceiptURL     *string           `json:"receipt_url"`
	Refunded       bool              `json:"refunded"`
	Status         string            `json:"status"`
}

// expansions is the set of expand[] paths of a request, relative to the
// object being rendered (a list's "data." prefix removed).
type expansions map[string]bool

// has reports whether path, or anything below it, is expanded: Stripe
// expands every step of "payment_intent.latest_charge".
func (e expansions) has(path string) bool {
	for p := range e {
		if p == path || strings.HasPrefix(p, path+".") {
			return true
		}
	}
	return false
}

// under returns the expansions below prefix, relative to it.
func (e expansions) under(prefix string) expansions {
	out := expansions{}
	for p := range e {
		if rest, ok := strings.CutPrefix(p, prefix+"."); ok {
			out[rest] = true
		}
	}
	return out
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// wire renders a stored session the way Stripe does for the given
// expansions. embedded caps the line items of an expanded line_items list,
// as Stripe shows only the first page there.
func (s *Session) wire(exp expansions, embedded int) *wireSession {
	w := &wireSession{
		ID:                s.ID,
		Object:            "checkout.session",
		AmountSubtotal:    s.AmountSubtotal,
		AmountTotal:       s.AmountTotal,
		ClientReferenceID: strOrNil(s.ClientReferenceID),
		Created:           s.Created.Unix(),
		Currency:          s.Currency,
		CustomerEmail:     strOrNil(s.PrefilledEmail),
		Discounts:         []wireSessionDisc{},
		ExpiresAt:         s.Created.Unix() + 24*3600,
		Metadata:          s.Metadata,
		Mode:              "payment",
		PaymentStatus:     s.PaymentStatus,
		Status:            s.Status,
		SuccessURL:        "https://example.com/success",
		UIMode:            "hosted",
	}
	if s.CustomerID != "" {
		w.Customer = s.CustomerID
	}
	if s.Email != "" || s.Phone != "" || s.Status == "complete" {
		w.CustomerDetails = &wireCustomer{Email: strOrNil(s.Email), Phone: strOrNil(s.Phone), TaxExempt: "none", TaxIDs: []any{}}
	}
	if s.Shipping != nil {
		a := s.Shipping
		w.CollectedInformation = &wireCollected{ShippingDetails: &wireShipping{Name: a.Name, Address: wireAddress{
			City: strOrNil(a.City), Country: strOrNil(a.Country), Line1: strOrNil(a.Line1),
			Line2: strOrNil(a.Line2), PostalCode: strOrNil(a.PostalCode), State: strOrNil(a.State),
		}}}
	} else if s.Status == "complete" {
		w.CollectedInformation = &wireCollected{}
	}
	if s.Status == "open" {
		u := "https://checkout.stripe.com/c/pay/" + s.ID
		w.URL = &u
	}
	var discount int64
	for _, d := range s.Discounts {
		discount += d.Amount
		sd := wireSessionDisc{Coupon: d.CouponID}
		if d.PromotionCodeID != "" {
			sd.Coupon = nil
			sd.PromotionCode = d.PromotionCodeID
			if exp.has("discounts.promotion_code") {
				sd.PromotionCode = s.promotionCode(d)
			}
		}
		w.Discounts = append(w.Discounts, sd)
	}
	w.TotalDetails.AmountDiscount = discount
	if exp.has("total_details.breakdown") {
		w.TotalDetails.Breakdown = s.breakdown()
	}
	if exp.has("line_items") {
		sub := exp.under("line_items")
		items := s.LineItems
		if len(items) > embedded {
			items = items[:embedded]
		}
		w.LineItems = s.lineItemList(items, len(items) < len(s.LineItems), sub.under("data"))
	}
	if pi := s.PaymentIntent; pi != nil {
		w.PaymentIntent = pi.ID
		if exp.has("payment_intent") {
			w.PaymentIntent = s.paymentIntent(exp.under("payment_intent"))
		}
	}
	return w
}

func (s *Session) promotionCode(d Discount) *wirePromotionCode {
	return &wirePromotionCode{ID: d.PromotionCodeID, Object: "promotion_code", Active: true, Code: d.PromotionCode,
		Created: s.Created.Unix(), Metadata: map[string]string{}}
}

func (s *Session) breakdown() *wireBreakdown {
	b := &wireBreakdown{Discounts: []wireBreakdownDisc{}, Taxes: []any{}}
	for i, d := range s.Discounts {
		wd := wireDiscount{
			ID: "di_" + idTail(s.ID) + strconv.Itoa(i), Object: "discount", CheckoutSession: s.ID,
			Start: s.Created.Unix(),
			Source: wireDiscountSrc{Type: "coupon", Coupon: wireCoupon{
				ID: d.CouponID, Object: "coupon", AmountOff: d.Amount, Created: s.Created.Unix(),
				Currency: s.Currency, Duration: "once", Metadata: map[string]string{}, Name: strOrNil(d.CouponName), Valid: true,
			}},
		}
		if s.CustomerID != "" {
			wd.Customer = s.CustomerID
		}
		if d.PromotionCodeID != "" {
			wd.PromotionCode = d.PromotionCodeID
		}
		b.Discounts = append(b.Discounts, wireBreakdownDisc{Amount: d.Amount, Discount: wd})
	}
	return b
}

// lineItemList renders items as a list object; exp is relative to one item.
func (s *Session) lineItemList(items []LineItem, hasMore bool, exp expansions) *wireList {
	l := &wireList{Object: "list", Data: make([]any, 0, len(items)), HasMore: hasMore,
		URL: "/v1/checkout/sessions/" + s.ID + "/line_items"}
	for _, li := range items {
		l.Data = append(l.Data, s.lineItem(li, exp))
	}
	return l
}

func (s *Session) lineItem(li LineItem, exp expansions) *wireLineItem {
	p := wirePrice{
		ID: li.PriceID, Object: "price", Active: true, BillingScheme: "per_unit", Created: s.Created.Unix(),
		Currency: s.Currency, Metadata: map[string]string{}, Product: li.ProductID, Type: "one_time",
		UnitAmount: li.UnitAmount, UnitAmountDecimal: strconv.FormatInt(li.UnitAmount, 10),
	}
	if exp.has("price.product") {
		meta := map[string]string{}
		if li.SKU != "" {
			meta["sku"] = li.SKU
		}
		images := li.Images
		if images == nil {
			images = []string{}
		}
		p.Product = &wireProduct{ID: li.ProductID, Object: "product", Active: true, Created: s.Created.Unix(),
			Images: images, Metadata: meta, Name: li.Name, Type: "good"}
	}
	sub := li.Quantity * li.UnitAmount
	return &wireLineItem{
		ID: li.ID, Object: "item", AmountDiscount: max(sub-li.AmountTotal, 0), AmountSubtotal: sub,
		AmountTotal: li.AmountTotal, Currency: s.Currency, Description: li.Name, Price: p, Quantity: li.Quantity,
	}
}

func (s *Session) paymentIntent(exp expansions) *wirePaymentIntent {
	pi := s.PaymentIntent
	w := &wirePaymentIntent{ID: pi.ID, Object: "payment_intent", Amount: s.AmountTotal, Created: s.Created.Unix(),
		Currency: s.Currency, Metadata: map[string]string{}, Status: pi.Status}
	if s.CustomerID != "" {
		w.Customer = s.CustomerID
	}
	if c := pi.Charge; c != nil {
		w.LatestCharge = c.ID
		if exp.has("latest_charge") {
			w.LatestCharge = c.wire()
		}
	}
	return w
}

func (c *Charge) wire() *wireCharge {
	w := &wireCharge{ID: c.ID, Object: "charge", Amount: c.Amount, AmountCaptured: c.Amount,
		AmountRefunded: c.AmountRefunded, Captured: true, Created: c.Created.Unix(), Currency: c.Currency,
		Metadata: map[string]string{}, Paid: true, ReceiptURL: strOrNil(c.ReceiptURL), Refunded: c.Refunded, Status: "succeeded"}
	if c.PaymentIntentID != "" {
		w.PaymentIntent = c.PaymentIntentID
	}
	return w
}
