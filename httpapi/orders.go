package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/orders"
)

// refreshEnqueueTimeout bounds the queueing of a refresh after a response:
// a slow queue must not hold the request (or the Lambda invocation) long.
const refreshEnqueueTimeout = 2 * time.Second

// query returns the request's query parameters, parsed once per handler;
// a request without any (the usual first page) parses nothing.
func query(r *http.Request) url.Values {
	if r.URL.RawQuery == "" {
		return nil
	}
	return r.URL.Query()
}

// parseLimit reads the limit query parameter (default 20). Anything that is
// not a plain integer is refused here; the range is the service's rule.
func parseLimit(q url.Values) (int, error) {
	v := q.Get("limit")
	if v == "" {
		return orders.DefaultPageSize, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || len(v) > 4 {
		return 0, &dashboard.Error{Code: dashboard.EVALIDATION, Message: "limit must be between 1 and 100.",
			Fields: map[string]string{"limit": "Must be an integer from 1 to 100."}}
	}
	return n, nil
}

func (s *Server) handleListOrders(w http.ResponseWriter, r *http.Request) {
	m, _ := dashboard.MemberFromContext(r.Context())
	q := query(r)
	limit, err := parseLimit(q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.Orders.List(r.Context(), m, limit, q.Get("cursor"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
	s.queueAfterResponse(w, r, list.Refresh)
}

// queueAfterResponse sends the response on its way, then queues refresh.
// The member never waits for the queue, and a queue failure only costs the
// refresh (the next stale read queues it again), so it is logged, not
// returned.
func (s *Server) queueAfterResponse(w http.ResponseWriter, r *http.Request, refresh *dashboard.RefreshRequest) {
	if refresh == nil || s.Refresh == nil {
		return
	}
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), refreshEnqueueTimeout)
	defer cancel()
	if err := s.Refresh.Enqueue(ctx, *refresh); err != nil {
		s.logger().WarnContext(ctx, "could not queue a refresh", slog.String("kind", string(refresh.Kind)), slog.Any("error", err))
	}
}

func (s *Server) handleGetOrder(w http.ResponseWriter, r *http.Request) {
	m, _ := dashboard.MemberFromContext(r.Context())
	d, err := s.Orders.Detail(r.Context(), m, r.PathValue("orderId"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, orderResponse{Order: d})
}

// handleStripeWebhook serves POST /webhooks/stripe and its alias. The raw
// body is verified before anything is decoded.
func (s *Server) handleStripeWebhook(w http.ResponseWriter, r *http.Request) {
	body, err := s.readWebhookBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ack, err := s.Orders.HandleWebhook(r.Context(), body, r.Header.Get("Stripe-Signature"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ack)
}

type stripeSyncRequest struct {
	UserID           string     `json:"userId"`
	StripeCustomerID string     `json:"stripeCustomerId"`
	Since            *time.Time `json:"since"`
}

type stripeSyncResponse struct {
	Synced  int `json:"synced"`
	Created int `json:"created"`
	Updated int `json:"updated"`
	Skipped int `json:"skipped"`
}

// handleSyncStripe serves POST /internal/sync/stripe: a forced sync of one
// member, named by member id or Stripe customer id.
func (s *Server) handleSyncStripe(w http.ResponseWriter, r *http.Request) {
	var req stripeSyncRequest
	if !s.decodeRequest(w, r, &req, "Send a JSON object with userId or stripeCustomerId, and optionally since.") {
		return
	}
	if req.UserID == "" && req.StripeCustomerID == "" {
		s.failf(w, r, dashboard.EVALIDATION, "Send a JSON object with userId or stripeCustomerId, and optionally since.")
		return
	}
	res, err := s.Orders.SyncMemberByID(r.Context(), req.UserID, req.StripeCustomerID, req.Since)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, stripeSyncResponse{Synced: res.Synced, Created: res.Created, Updated: res.Updated, Skipped: res.Skipped})
}

// decodeRequest reads the request's JSON body into v, strictly. When the
// body cannot be read (size, media type, encoding) or is not the object v
// describes, it answers — with the read's error, or 400 invalid_request
// and hint — and returns false.
func (s *Server) decodeRequest(w http.ResponseWriter, r *http.Request, v any, hint string) bool {
	body, err := s.readJSONBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return false
	}
	if err := decodeStrict(body, v); err != nil {
		s.failf(w, r, dashboard.EINVALIDREQUEST, "%s", hint)
		return false
	}
	return true
}

// decodeStrict decodes one JSON object, refusing unknown fields and
// trailing data.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errTrailingData
	}
	return nil
}

var errTrailingData = dashboard.Errorf(dashboard.EINVALIDREQUEST, "Trailing data after the JSON object.")

// handleFulfil serves POST /internal/orders/{orderId}/fulfillment: one
// event of the club's fulfilment tooling (CONTRACT §11).
func (s *Server) handleFulfil(w http.ResponseWriter, r *http.Request) {
	var ev dashboard.FulfillmentEvent
	if !s.decodeRequest(w, r, &ev, "Send a JSON object with status and optionally carrier, trackingNumber, trackingUrl, at (RFC 3339) and note.") {
		return
	}
	d, err := s.Orders.Fulfil(r.Context(), r.PathValue("orderId"), ev)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, orderResponse{Order: d})
}
