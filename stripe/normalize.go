package stripe

import (
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v85"

	"github.com/thebabesclub/dashboard"
)

// NormalizeSession turns a Checkout Session as the SDK decodes it into the
// dashboard's view. It is a pure function of s, so the orders service,
// reconciliation and webhooks all see one mapping, and it never fails:
// missing parts become empty values, never nil slices.
//
// Where Stripe leaves room:
//   - Order.Status, StatusAt and ownership are left for the orders service.
//   - CompletedAt is the latest charge's created time of a complete
//     session, nil when no charge is known (no_payment_required, or the
//     charge not expanded): Stripe records no completion time on sessions.
//   - Item names are the line item's description (Checkout copies the
//     product name there), else the product's name, else the price's
//     nickname. UnitPrice is price.unit_amount, else the subtotal divided
//     by the quantity (decimal or custom prices).
//   - SKU (product.metadata.sku) and ImageURL (product.images[0]) need the
//     expanded product, which only Session fetches; listed sessions carry
//     the product id alone, and reconciliation keeps what Session stored.
//   - Discounts come from total_details.breakdown: Name is the coupon's
//     name (else its id), Code the promotion code the customer typed, when
//     the session's discounts have it expanded.
//   - LineItemsComplete is true when the embedded line_items list has no
//     more pages; product details do not count.
func NormalizeSession(s *stripego.CheckoutSession) *dashboard.CheckoutSession {
	currency := strings.ToLower(string(s.Currency))
	created := time.Unix(s.Created, 0).UTC()
	out := &dashboard.CheckoutSession{
		ID:                s.ID,
		Created:           created,
		Status:            string(s.Status),
		PaymentStatus:     string(s.PaymentStatus),
		MetadataUserID:    s.Metadata["userId"],
		ClientReferenceID: s.ClientReferenceID,
		LineItemsComplete: s.LineItems != nil && !s.LineItems.HasMore,
	}
	if s.Customer != nil {
		out.CustomerID = s.Customer.ID
	}
	var phone string
	if d := s.CustomerDetails; d != nil {
		out.CustomerEmail, phone = d.Email, d.Phone
	}
	if out.CustomerEmail == "" {
		out.CustomerEmail = s.CustomerEmail
	}
	o := &out.Order
	o.OrderID = s.ID
	o.OrderNumber = dashboard.OrderNumber(s.ID)
	o.Amount = s.AmountTotal
	o.AmountSubtotal = s.AmountSubtotal
	o.Currency = currency
	o.CreatedAt = created
	o.CustomerEmail = optional(out.CustomerEmail)
	o.CustomerPhone = optional(phone)
	o.StripePaymentStatus = string(s.PaymentStatus)
	o.ShippingAddress = shippingAddress(s)
	o.Items = lineItems(s, currency)
	for _, it := range o.Items {
		o.ItemCount += it.Quantity
	}
	o.Discounts = discounts(s)
	if pi := s.PaymentIntent; pi != nil && pi.ID != "" {
		o.StripePaymentIntentID = optional(pi.ID)
		out.PaymentIntentStatus = string(pi.Status)
		if ch := pi.LatestCharge; ch != nil && ch.Created != 0 {
			o.AmountRefunded = ch.AmountRefunded
			o.ReceiptURL = optional(ch.ReceiptURL)
			if s.Status == stripego.CheckoutSessionStatusComplete {
				at := time.Unix(ch.Created, 0).UTC()
				o.CompletedAt = &at
			}
		}
	}
	return out
}

func lineItems(s *stripego.CheckoutSession, currency string) []dashboard.LineItem {
	if s.LineItems == nil {
		return []dashboard.LineItem{}
	}
	items := make([]dashboard.LineItem, 0, len(s.LineItems.Data))
	for _, li := range s.LineItems.Data {
		if li == nil {
			continue
		}
		it := dashboard.LineItem{
			Name:        li.Description,
			Quantity:    li.Quantity,
			AmountTotal: li.AmountTotal,
			Currency:    strings.ToLower(string(li.Currency)),
		}
		if it.Currency == "" {
			it.Currency = currency
		}
		if p := li.Price; p != nil {
			it.StripePriceID = p.ID
			it.UnitPrice = p.UnitAmount
			if it.Name == "" {
				it.Name = p.Nickname
			}
			if prod := p.Product; prod != nil {
				it.StripeProductID = prod.ID
				if prod.Name != "" && li.Description == "" {
					it.Name = prod.Name
				}
				it.SKU = prod.Metadata["sku"]
				if len(prod.Images) > 0 {
					it.ImageURL = prod.Images[0]
				}
			}
		}
		if it.UnitPrice == 0 && li.Quantity > 0 {
			it.UnitPrice = li.AmountSubtotal / li.Quantity
		}
		items = append(items, it)
	}
	return items
}

func shippingAddress(s *stripego.CheckoutSession) *dashboard.Address {
	if s.CollectedInformation == nil || s.CollectedInformation.ShippingDetails == nil {
		return nil
	}
	sd := s.CollectedInformation.ShippingDetails
	a := sd.Address
	if a == nil || (a.Line1 == "" && a.City == "" && a.PostalCode == "" && a.Country == "") {
		return nil
	}
	return &dashboard.Address{
		Name:       sd.Name,
		Line1:      a.Line1,
		Line2:      a.Line2,
		City:       a.City,
		State:      a.State,
		PostalCode: a.PostalCode,
		Country:    strings.ToUpper(a.Country),
	}
}

func discounts(s *stripego.CheckoutSession) []dashboard.Discount {
	out := []dashboard.Discount{}
	if s.TotalDetails == nil || s.TotalDetails.Breakdown == nil {
		return out
	}
	codes := map[string]string{} // promotion code id → code
	for _, d := range s.Discounts {
		if d != nil && d.PromotionCode != nil && d.PromotionCode.Code != "" {
			codes[d.PromotionCode.ID] = d.PromotionCode.Code
		}
	}
	for _, bd := range s.TotalDetails.Breakdown.Discounts {
		if bd == nil {
			continue
		}
		d := dashboard.Discount{Amount: bd.Amount}
		if disc := bd.Discount; disc != nil {
			if src := disc.Source; src != nil && src.Coupon != nil {
				d.Name = src.Coupon.Name
				if d.Name == "" {
					d.Name = src.Coupon.ID
				}
			}
			if pc := disc.PromotionCode; pc != nil {
				d.Code = pc.Code
				if d.Code == "" {
					d.Code = codes[pc.ID]
				}
			}
		}
		out = append(out, d)
	}
	return out
}

// optional maps Stripe's "absent" (an empty string) to the contract's null.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
