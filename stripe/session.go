package stripe

import (
	"context"

	stripego "github.com/stripe/stripe-go/v85"

	"github.com/thebabesclub/dashboard"
)

// sessionExpand is what Session asks Stripe to embed: everything an order
// detail shows, in one request when a session has at most a page of line
// items. line_items.data.price.product is Stripe's maximum depth (4).
var sessionExpand = []string{
	"line_items",
	"line_items.data.price.product",
	"payment_intent",
	"payment_intent.latest_charge",
	"total_details.breakdown",
	"discounts.promotion_code",
}

// listExpand is the same for ListSessions, one level deeper under "data".
// Products would be five levels deep, which Stripe refuses, so listed
// orders carry product ids but no images or SKUs (see NormalizeSession).
var listExpand = []string{
	"data.line_items",
	"data.payment_intent",
	"data.payment_intent.latest_charge",
	"data.total_details.breakdown",
	"data.discounts.promotion_code",
}

// pageSize is Stripe's largest page.
const pageSize = 100

// Session fetches one Checkout Session with all its line items and their
// products, its payment intent and latest charge, and normalises it. A
// session with more line items than Stripe embeds costs one more request
// per hundred further items; LineItemsComplete is then true.
func (c *Client) Session(ctx context.Context, id string) (*dashboard.CheckoutSession, error) {
	if id == "" {
		// An empty id would address the list endpoint instead.
		return nil, &dashboard.Error{Code: dashboard.ENOTFOUND, Message: "Order not found."}
	}
	params := &stripego.CheckoutSessionRetrieveParams{}
	for _, e := range sessionExpand {
		params.AddExpand(e)
	}
	s, err := c.sc.V1CheckoutSessions.Retrieve(ctx, id, params)
	if err != nil {
		return nil, apiError("get session", err)
	}
	if s.LineItems != nil && s.LineItems.HasMore {
		if err := c.restOfLineItems(ctx, s); err != nil {
			return nil, err
		}
	}
	return NormalizeSession(s), nil
}

// restOfLineItems appends the line items after the embedded first page to
// s.LineItems, following the line-items endpoint's pagination.
func (c *Client) restOfLineItems(ctx context.Context, s *stripego.CheckoutSession) error {
	params := &stripego.CheckoutSessionListLineItemsParams{Session: stripego.String(s.ID)}
	params.Limit = stripego.Int64(pageSize)
	params.AddExpand("data.price.product")
	if n := len(s.LineItems.Data); n > 0 {
		params.StartingAfter = stripego.String(s.LineItems.Data[n-1].ID)
	}
	for li, err := range c.sc.V1CheckoutSessions.ListLineItems(ctx, params).All(ctx) {
		if err != nil {
			return apiError("list line items", err)
		}
		s.LineItems.Data = append(s.LineItems.Data, li)
	}
	s.LineItems.HasMore = false
	return nil
}

// ListSessions calls each for every session matching q, newest first, 100
// a page through the SDK's iterator: N sessions cost ceil(N/100) requests
// (one for none) and never a request per session. A session's
// LineItemsComplete says whether Stripe embedded all of its line items;
// when it did not, Session fetches the rest.
func (c *Client) ListSessions(ctx context.Context, q dashboard.SessionQuery, each func(*dashboard.CheckoutSession) error) error {
	params := &stripego.CheckoutSessionListParams{}
	params.Limit = stripego.Int64(pageSize)
	for _, e := range listExpand {
		params.AddExpand(e)
	}
	if !q.CreatedFrom.IsZero() {
		params.CreatedRange = &stripego.RangeQueryParams{GreaterThanOrEqual: q.CreatedFrom.Unix()}
	}
	if q.CustomerID != "" {
		params.Customer = stripego.String(q.CustomerID)
	}
	if q.PaymentIntentID != "" {
		params.PaymentIntent = stripego.String(q.PaymentIntentID)
	}
	for s, err := range c.sc.V1CheckoutSessions.List(ctx, params).All(ctx) {
		if err != nil {
			return apiError("list sessions", err)
		}
		if err := each(NormalizeSession(s)); err != nil {
			return err
		}
	}
	return nil
}
