package stripetest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// sessionExpandable are the expand[] paths the fake honours on a session.
// Real Stripe can expand more; the fake refuses the rest loudly rather than
// pretend, so a new expansion in the adapter gets a fake that serves it.
var sessionExpandable = map[string]bool{
	"line_items": true, "line_items.data.price.product": true,
	"payment_intent": true, "payment_intent.latest_charge": true,
	"total_details.breakdown": true, "discounts.promotion_code": true,
}

// lineItemExpandable are the expand[] paths honoured on a line item.
var lineItemExpandable = map[string]bool{"price.product": true}

// list serves GET /v1/checkout/sessions.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, ok := parseLimit(w, q)
	if !ok {
		return
	}
	exp, ok := parseExpand(w, q, "data", sessionExpandable)
	if !ok {
		return
	}
	if q.Get("ending_before") != "" {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "stripetest: ending_before is not supported")
		return
	}
	match, ok := parseFilters(w, q)
	if !ok {
		return
	}
	s.mu.Lock()
	all := s.sorted()
	start := 0
	if after := q.Get("starting_after"); after != "" {
		i, found := s.byID[after]
		if !found {
			s.mu.Unlock()
			writeError(w, http.StatusBadRequest, "invalid_request_error", "resource_missing",
				fmt.Sprintf("No such checkout.session: '%s'", after))
			return
		}
		start = i + 1
	}
	page := make([]*Session, 0, limit)
	more := false
	for _, x := range all[start:] {
		if !match(x) {
			continue
		}
		if len(page) == limit {
			more = true
			break
		}
		page = append(page, x)
	}
	s.mu.Unlock()
	out := wireList{Object: "list", Data: make([]any, 0, len(page)), HasMore: more, URL: "/v1/checkout/sessions"}
	for _, x := range page {
		out.Data = append(out.Data, x.wire(exp, EmbeddedLineItems))
	}
	writeJSON(w, http.StatusOK, out)
}

// get serves GET /v1/checkout/sessions/{id}.
func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	exp, ok := parseExpand(w, r.URL.Query(), "", sessionExpandable)
	if !ok {
		return
	}
	x, ok := s.find(w, r.PathValue("id"))
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, x.wire(exp, EmbeddedLineItems))
}

// lineItems serves GET /v1/checkout/sessions/{id}/line_items.
func (s *Server) lineItems(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, ok := parseLimit(w, q)
	if !ok {
		return
	}
	exp, ok := parseExpand(w, q, "data", lineItemExpandable)
	if !ok {
		return
	}
	x, ok := s.find(w, r.PathValue("id"))
	if !ok {
		return
	}
	items := x.LineItems
	if after := q.Get("starting_after"); after != "" {
		i := -1
		for j, li := range items {
			if li.ID == after {
				i = j
			}
		}
		if i < 0 {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "resource_missing",
				fmt.Sprintf("No such line item: '%s'", after))
			return
		}
		items = items[i+1:]
	}
	more := len(items) > limit
	if more {
		items = items[:limit]
	}
	writeJSON(w, http.StatusOK, x.lineItemList(items, more, exp))
}

// find returns a stored session or answers Stripe's 404.
func (s *Server) find(w http.ResponseWriter, id string) (*Session, bool) {
	s.mu.Lock()
	i, ok := s.byID[id]
	var x *Session
	if ok {
		x = s.sessions[i]
	}
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": map[string]any{
			"type": "invalid_request_error", "code": "resource_missing", "param": "session",
			"message": fmt.Sprintf("No such checkout.session: '%s'", id),
		}})
	}
	return x, ok
}

// parseLimit reads limit (1–100, default 10) as Stripe does.
func parseLimit(w http.ResponseWriter, q url.Values) (int, bool) {
	v := q.Get("limit")
	if v == "" {
		return 10, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 100 {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_invalid_integer",
			"Invalid integer: limit must be between 1 and 100.")
		return 0, false
	}
	return n, true
}

// parseExpand reads expand[] (the SDK sends expand[0], expand[1], …),
// enforces Stripe's depth limit, strips the list prefix and checks each
// path against what the fake can expand.
func parseExpand(w http.ResponseWriter, q url.Values, prefix string, allowed map[string]bool) (expansions, bool) {
	exp := expansions{}
	for k, vs := range q {
		if k != "expand" && !strings.HasPrefix(k, "expand[") {
			continue
		}
		for _, v := range vs {
			if strings.Count(v, ".")+1 > maxExpandDepth {
				writeError(w, http.StatusBadRequest, "invalid_request_error", "",
					fmt.Sprintf("You cannot expand more than %d levels of a property. Property: %s", maxExpandDepth, v))
				return nil, false
			}
			rel := v
			if prefix != "" {
				var ok bool
				if rel, ok = strings.CutPrefix(v, prefix+"."); !ok {
					rel = ""
				}
			}
			if !allowed[rel] && !allowedPrefix(allowed, rel) {
				writeError(w, http.StatusBadRequest, "invalid_request_error", "",
					fmt.Sprintf("This property cannot be expanded (%s) by stripetest.", v))
				return nil, false
			}
			exp[rel] = true
		}
	}
	return exp, true
}

// allowedPrefix accepts the intermediate steps of an allowed path
// ("payment_intent" of "payment_intent.latest_charge").
func allowedPrefix(allowed map[string]bool, p string) bool {
	if p == "" {
		return false
	}
	for a := range allowed {
		if strings.HasPrefix(a, p+".") {
			return true
		}
	}
	return false
}

// parseFilters reads the list filters into one predicate.
func parseFilters(w http.ResponseWriter, q url.Values) (func(*Session) bool, bool) {
	var bounds [4]*int64 // gte, gt, lte, lt
	for i, op := range []string{"gte", "gt", "lte", "lt"} {
		v := q.Get("created[" + op + "]")
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_invalid_integer",
				fmt.Sprintf("Invalid integer: created[%s]", op))
			return nil, false
		}
		bounds[i] = &n
	}
	if v := q.Get("created"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_invalid_integer", "Invalid integer: created")
			return nil, false
		}
		bounds[0], bounds[2] = &n, &n
	}
	customer, pi := q.Get("customer"), q.Get("payment_intent")
	// customer_details[email] matches customer_details.email exactly, case
	// included, as Stripe's email list filters do (its customer list
	// documents its email filter as case-sensitive); an empty value is
	// Stripe's empty-string error.
	email, byEmail := q.Get("customer_details[email]"), q.Has("customer_details[email]")
	if byEmail && email == "" {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_invalid_empty",
			"You passed an empty string for 'customer_details[email]'. We assume empty values are an attempt to unset a parameter; "+
				"however 'customer_details[email]' cannot be unset. You should remove 'customer_details[email]' from your request or supply a non-empty value.")
		return nil, false
	}
	return func(x *Session) bool {
		c := x.Created.Unix()
		switch {
		case bounds[0] != nil && c < *bounds[0], bounds[1] != nil && c <= *bounds[1],
			bounds[2] != nil && c > *bounds[2], bounds[3] != nil && c >= *bounds[3]:
			return false
		case customer != "" && x.CustomerID != customer:
			return false
		case pi != "" && (x.PaymentIntent == nil || x.PaymentIntent.ID != pi):
			return false
		case byEmail && x.Email != email:
			return false
		}
		return true
	}, true
}
