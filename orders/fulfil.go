package orders

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
	"unicode"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/obs"
)

// Fulfil records one event of the club's fulfilment tooling on an order
// (CONTRACT §11): the internal route and `dashboard fulfil`. A status later
// than the order's adds a step to its timeline; the order's current status
// again adds none (the same event twice is stored once) but may replace the
// carrier and tracking; an earlier status is ECONFLICT and changes nothing.
// An unknown order is ENOTFOUND, one never paid ECONFLICT. Stripe syncs keep
// the timeline (merge). When a step shipped or delivered is added and the
// member's emailNotifications setting is on, the member is mailed, with the
// tracking link; a mail that fails is logged, the event stays recorded.
func (s *Service) Fulfil(ctx context.Context, orderID string, ev dashboard.FulfillmentEvent) (*dashboard.OrderDetail, error) {
	if !ValidOrderID(orderID) {
		return nil, &dashboard.Error{Code: dashboard.EVALIDATION, Message: "orderId must be a Checkout Session id (cs_…).",
			Fields: map[string]string{"orderId": "Must look like cs_… (at most 255 characters)."}}
	}
	if err := validateFulfillment(&ev); err != nil {
		return nil, err
	}
	at := s.now()
	if ev.At != nil {
		at = ev.At.UTC().Truncate(time.Millisecond)
	}
	for attempt := 1; ; attempt++ {
		cur, err := s.Store.FindOrder(ctx, orderID)
		if dashboard.ErrorCode(err) == dashboard.ENOTFOUND {
			return nil, notFound()
		} else if err != nil {
			return nil, err
		}
		if rank[cur.Status] < rank[dashboard.OrderCompleted] {
			return nil, dashboard.Errorf(dashboard.ECONFLICT, "The order was never paid (it is %s); there is nothing to fulfil.", cur.Status)
		}
		next := *cur
		f, stepAdded, err := applyFulfillment(cur.Fulfillment, ev, at)
		if err != nil {
			return nil, err
		}
		if f == nil {
			return &cur.OrderDetail, nil // nothing new
		}
		next.Fulfillment, next.FulfillmentStatus = f, &f.Status
		err = s.Store.PutOrder(ctx, &next)
		if dashboard.ErrorCode(err) == dashboard.EPRECONDITION && attempt < maxWriteAttempts {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("orders: write fulfilment: %w", err)
		}
		obs.Audit(obs.WithMemberID(ctx, next.UserID), s.logger(), obs.EventOrderFulfilled,
			slog.String("orderId", orderID), slog.String("status", string(f.Status)))
		if stepAdded && (f.Status == dashboard.FulfillmentShipped || f.Status == dashboard.FulfillmentDelivered) {
			s.mailFulfillment(ctx, &next)
		}
		return &next.OrderDetail, nil
	}
}

// applyFulfillment returns the timeline cur becomes with ev, and whether a
// step was added; a nil timeline means ev changes nothing.
func applyFulfillment(cur *dashboard.Fulfillment, ev dashboard.FulfillmentEvent, at time.Time) (*dashboard.Fulfillment, bool, error) {
	next := &dashboard.Fulfillment{}
	if cur != nil {
		*next = *cur
		next.Events = append([]dashboard.FulfillmentStep(nil), cur.Events...)
	}
	changed, stepAdded := false, false
	switch {
	case cur == nil || ev.Status.Rank() > cur.Status.Rank():
		next.Status = ev.Status
		next.Events = append(next.Events, dashboard.FulfillmentStep{Status: ev.Status, At: at, Note: ev.Note})
		changed, stepAdded = true, true
	case ev.Status != cur.Status:
		return nil, false, &dashboard.Error{Code: dashboard.ECONFLICT,
			Message: fmt.Sprintf("The order is already %s; fulfilment only moves forward.", cur.Status),
			Fields:  map[string]string{"status": "Earlier than the order's " + string(cur.Status) + "."}}
	}
	for _, f := range []struct {
		to  **string
		val string
	}{{&next.Carrier, ev.Carrier}, {&next.TrackingNumber, ev.TrackingNumber}, {&next.TrackingURL, ev.TrackingURL}} {
		if f.val != "" && (*f.to == nil || **f.to != f.val) {
			v := f.val
			*f.to, changed = &v, true
		}
	}
	if !changed {
		return nil, false, nil
	}
	return next, stepAdded, nil
}

// validateFulfillment checks an event against CONTRACT §11 and trims its
// text; every problem is named in Fields.
func validateFulfillment(ev *dashboard.FulfillmentEvent) error {
	bad := map[string]string{}
	if ev.Status.Rank() == 0 {
		bad["status"] = "Must be processing, shipped, delivered or returned."
	}
	ev.Carrier, ev.TrackingNumber, ev.TrackingURL, ev.Note = strings.TrimSpace(ev.Carrier), strings.TrimSpace(ev.TrackingNumber),
		strings.TrimSpace(ev.TrackingURL), strings.TrimSpace(ev.Note)
	for _, f := range []struct {
		name, val string
		max       int
	}{
		{"carrier", ev.Carrier, dashboard.MaxCarrierLength},
		{"trackingNumber", ev.TrackingNumber, dashboard.MaxTrackingNumber},
		{"note", ev.Note, dashboard.MaxFulfillmentNote},
	} {
		if len([]rune(f.val)) > f.max {
			bad[f.name] = fmt.Sprintf("At most %d characters.", f.max)
		} else if strings.IndexFunc(f.val, unicode.IsControl) >= 0 {
			bad[f.name] = "No control characters."
		}
	}
	if ev.TrackingURL != "" && !validTrackingURL(ev.TrackingURL) {
		bad["trackingUrl"] = "Must be an https URL (at most 2048 characters)."
	}
	if len(bad) > 0 {
		return &dashboard.Error{Code: dashboard.EVALIDATION, Message: "The fulfilment event is not valid.", Fields: bad}
	}
	return nil
}

// validTrackingURL accepts only absolute https URLs with a host and no
// credentials: the link goes into mails and the dashboard as it is.
func validTrackingURL(s string) bool {
	if len(s) > dashboard.MaxTrackingURLBytes || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil
}

// mailFulfillment tells the member their parcel shipped or arrived, when
// their settings allow it.
func (s *Service) mailFulfillment(ctx context.Context, o *dashboard.OrderSnapshot) {
	if s.Mailer == nil {
		return
	}
	p, err := s.Store.GetProfile(ctx, o.UserID)
	if err != nil {
		if dashboard.ErrorCode(err) != dashboard.ENOTFOUND {
			s.logger().WarnContext(ctx, "fulfilment mail: read profile", slog.Any("error", err))
		}
		return
	}
	if p.Email == "" || !dashboard.MergeSettings(p.Settings).EmailNotifications {
		return
	}
	if err := s.Mailer.Send(ctx, fulfillmentMessage(p.Email, o, s.SiteOrigin)); err != nil {
		s.logger().WarnContext(ctx, "fulfilment mail not sent", slog.String("orderId", o.OrderID), slog.Any("error", err))
	}
}
