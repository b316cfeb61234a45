package stripe

import (
	"context"
	"fmt"
	"time"

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
	recent := newRecentIDs()
	for li, err := range c.sc.V1CheckoutSessions.ListLineItems(ctx, params).All(ctx) {
		if err != nil {
			return apiError("list line items", err)
		}
		if len(s.LineItems.Data) >= maxLineItems || !recent.fresh(li.ID) {
			return endlessPages("list line items")
		}
		s.LineItems.Data = append(s.LineItems.Data, li)
	}
	s.LineItems.HasMore = false
	return nil
}

// ListSessions calls each for every session matching q, newest first, 100
// a page through the SDK's iterator: N sessions cost ceil(N/100) requests
// (one for none) and never a request per session. q's filters combine
// (Stripe ANDs them): created[gte], created[lt], customer, payment_intent
// and customer_details[email]; StartingAfter resumes the listing after a
// session it returned before. Every page passes the Client's rate limiter and
// retries like any other request. A session's
// LineItemsComplete says whether Stripe embedded all of its line items;
// when it did not, Session fetches the rest.
func (c *Client) ListSessions(ctx context.Context, q dashboard.SessionQuery, each func(*dashboard.CheckoutSession) error) error {
	params := &stripego.CheckoutSessionListParams{}
	params.Limit = stripego.Int64(pageSize)
	for _, e := range listExpand {
		params.AddExpand(e)
	}
	if !q.CreatedFrom.IsZero() || !q.CreatedBefore.IsZero() {
		params.CreatedRange = &stripego.RangeQueryParams{}
		if !q.CreatedFrom.IsZero() {
			params.CreatedRange.GreaterThanOrEqual = unixCeil(q.CreatedFrom)
		}
		if !q.CreatedBefore.IsZero() {
			params.CreatedRange.LesserThan = unixCeil(q.CreatedBefore)
		}
	}
	if q.StartingAfter != "" {
		params.StartingAfter = stripego.String(q.StartingAfter)
	}
	if q.CustomerID != "" {
		params.Customer = stripego.String(q.CustomerID)
	}
	if q.PaymentIntentID != "" {
		params.PaymentIntent = stripego.String(q.PaymentIntentID)
	}
	if q.CustomerEmail != "" {
		// customer_details[email]: Stripe matches the address exactly as
		// given, so it is passed on untouched (no trimming, no case
		// folding); which spellings to ask for is the caller's choice.
		params.CustomerDetails = &stripego.CheckoutSessionListCustomerDetailsParams{Email: stripego.String(q.CustomerEmail)}
	}
	n, recent := 0, newRecentIDs()
	for s, err := range c.sc.V1CheckoutSessions.List(ctx, params).All(ctx) {
		if err != nil {
			return apiError("list sessions", err)
		}
		if n++; n > maxSessions || !recent.fresh(s.ID) {
			return endlessPages("list sessions")
		}
		if err := each(NormalizeSession(s)); err != nil {
			return err
		}
	}
	return nil
}

// Bounds on a listing: far beyond any real order or shop, they stop a
// Stripe (or a proxy) that keeps answering has_more from paging forever.
const (
	maxLineItems = 10 * pageSize    // line items of one session
	maxSessions  = 10000 * pageSize // sessions of one listing (a million)
)

// endlessPages is the error of a listing that passed its bound.
func endlessPages(op string) error {
	return fmt.Errorf("stripe: %s: %w", op, &dashboard.Error{
		Code: dashboard.EUNAVAILABLE, Message: "Stripe kept paginating past any real listing; try again later.",
		RetryAfter: time.Minute,
	})
}

// recentIDs remembers the ids of the last two pages of a listing. A real
// listing never repeats an id, since each page starts after the previous
// page's last item; a repeat means the cursor is stuck and the listing
// would never end.
type recentIDs struct {
	seen  map[string]bool
	order []string
}

func newRecentIDs() *recentIDs { return &recentIDs{seen: map[string]bool{}} }

// fresh records id and reports whether it was not among the recent ones.
func (r *recentIDs) fresh(id string) bool {
	if r.seen[id] {
		return false
	}
	r.seen[id] = true
	r.order = append(r.order, id)
	if len(r.order) > 2*pageSize {
		delete(r.seen, r.order[0])
		r.order = r.order[1:]
	}
	return true
}

// unixCeil is t in Stripe's whole seconds, rounded up: created is a whole
// second, so created ≥ t and created < t hold exactly when they hold for
// the rounded-up second, and two windows that meet at t never share a
// session nor leave one out.
func unixCeil(t time.Time) int64 {
	s := t.Unix()
	if t.After(time.Unix(s, 0)) {
		s++
	}
	return s
}
