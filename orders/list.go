package orders

import (
	"context"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// Messages shown on an empty first page.
const (
	msgNoOrders   = "No orders yet. Orders you place in the Babes Club shop will appear here."
	msgRefreshing = "We're checking Stripe for your orders; they will appear here shortly."
)

// List is one page of a member's orders, as the list route answers.
type List struct {
	Orders     []dashboard.Order `json:"orders"`
	NextCursor *string           `json:"nextCursor"`
	HasOrders  bool              `json:"hasOrders"`
	SyncedAt   *time.Time        `json:"syncedAt"`
	Refreshing bool              `json:"refreshing"`
	Message    string            `json:"message,omitempty"`
	// Refresh, when set, is the refresh to queue once the answer is sent.
	Refresh *dashboard.RefreshRequest `json:"-"`
}

// pageState is what an order cursor carries: where the next page starts,
// and the sync time read with the first page (later pages do not read it
// again, so every page stays one store round trip).
type pageState struct {
	After    string `json:"a"`
	SyncedAt int64  `json:"s,omitempty"` // Unix milliseconds; 0 when never synced
}

// List returns one page of m's orders, newest first. limit must be 1–100.
// A cursor from another member, or a tampered one, fails with EINVALIDCURSOR.
// When the member's last Stripe sync is older than StaleAfter (or never
// happened) the page says refreshing and carries the refresh to queue.
func (s *Service) List(ctx context.Context, m dashboard.Member, limit int, cur string) (*List, error) {
	if limit < 1 || limit > MaxPageSize {
		return nil, &dashboard.Error{Code: dashboard.EVALIDATION, Message: "limit must be between 1 and 100.",
			Fields: map[string]string{"limit": "Must be an integer from 1 to 100."}}
	}
	var st pageState
	if cur != "" {
		if err := s.Cursors.Open(m.UserID, cur, &st); err != nil {
			return nil, err
		}
		if st.After == "" {
			return nil, dashboard.Errorf(dashboard.EINVALIDCURSOR, "The cursor is not valid; start from the first page.")
		}
	}
	page, err := s.Store.ListOrders(ctx, m.UserID, limit, st.After)
	if err != nil {
		return nil, err
	}
	out := &List{Orders: make([]dashboard.Order, len(page.Orders))}
	for i := range page.Orders {
		o := page.Orders[i].Order
		if o.Items == nil {
			o.Items = []dashboard.LineItem{}
		}
		out.Orders[i] = o
	}
	if cur == "" {
		out.SyncedAt = page.SyncedAt
		out.HasOrders = len(page.Orders) > 0
	} else {
		if st.SyncedAt != 0 {
			t := time.UnixMilli(st.SyncedAt).UTC()
			out.SyncedAt = &t
		}
		out.HasOrders = true // a cursor exists only for a member with orders
	}
	if page.Next != "" {
		next := pageState{After: page.Next}
		if out.SyncedAt != nil {
			next.SyncedAt = out.SyncedAt.UnixMilli()
		}
		c, err := s.Cursors.Seal(m.UserID, next)
		if err != nil {
			return nil, err
		}
		out.NextCursor = &c
	}
	if (s.Payments != nil || s.StripeEnabled) && (out.SyncedAt == nil || s.now().Sub(*out.SyncedAt) > s.staleAfter()) {
		out.Refreshing = true
		out.Refresh = &dashboard.RefreshRequest{Kind: dashboard.SyncStripe, UserID: m.UserID}
	}
	if cur == "" && !out.HasOrders {
		out.Message = msgNoOrders
		if out.Refreshing {
			out.Message = msgRefreshing
		}
	}
	return out, nil
}

// All returns every order of the member with its details, newest first,
// built from the store alone (no Stripe call): the data export's orders
// (CONTRACT §12).
func (s *Service) All(ctx context.Context, m dashboard.Member) ([]dashboard.OrderDetail, error) {
	out := []dashboard.OrderDetail{}
	for after := ""; ; {
		page, err := s.Store.ListOrders(ctx, m.UserID, MaxPageSize, after)
		if err != nil {
			return nil, err
		}
		for _, o := range page.Orders {
			if o.Items == nil {
				o.Items = []dashboard.LineItem{}
			}
			if o.Discounts == nil {
				o.Discounts = []dashboard.Discount{}
			}
			out = append(out, o.OrderDetail)
		}
		if after = page.Next; after == "" {
			return out, nil
		}
	}
}
