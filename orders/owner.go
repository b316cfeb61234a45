package orders

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// resolver finds the member a session belongs to, with per-run caches so a
// reconciliation of thousands of sessions asks the store once per customer
// and once per email.
type resolver struct {
	s          *Service
	byCustomer map[string]string
	byEmail    map[string]string
	byCheckout map[string]string
	byMember   map[string]bool
}

func (s *Service) newResolver() *resolver {
	return &resolver{s: s, byCustomer: map[string]string{}, byEmail: map[string]string{}, byCheckout: map[string]string{}, byMember: map[string]bool{}}
}

// owner returns the member the session belongs to, trying, in the order
// CONTRACT §4 gives: metadata.userId (a well-formed member id, the rule a
// token's id follows), client_reference_id when it names a member, the
// Stripe customer through the profile index, then the customer email
// through the EMAIL# lookup — which holds only verified addresses, since a
// new profile email claims it only once its mailed code is confirmed — and
// last through the CHECKOUTEMAIL# lookup, which a checkout email gets only
// when its code is confirmed (CONTRACT §9). A pending address matches
// nothing. "" means unresolvable: such a session is counted and logged,
// never guessed. This is the one place ownership is decided: webhooks,
// member syncs, checkout-email syncs and the reconciliation all ask it.
func (r *resolver) owner(ctx context.Context, sess *dashboard.CheckoutSession) (string, error) {
	if id := strings.TrimSpace(sess.MetadataUserID); dashboard.ValidMemberID(id) {
		return id, nil
	}
	if ref := sess.ClientReferenceID; dashboard.ValidMemberID(ref) {
		ok, err := r.isMember(ctx, ref)
		if err != nil || ok {
			return ref, err
		}
	}
	if cus := sess.CustomerID; cus != "" {
		id, err := r.lookup(ctx, r.byCustomer, cus, r.s.Store.UserIDByStripeCustomer)
		if err != nil || id != "" {
			return id, err
		}
	}
	email := strings.ToLower(strings.TrimSpace(sess.CustomerEmail))
	if email == "" {
		return "", nil
	}
	id, err := r.lookup(ctx, r.byEmail, email, r.s.Store.UserIDByEmail)
	if err != nil {
		return "", err
	}
	if id != "" {
		r.linkCustomer(ctx, id, sess.CustomerID)
		return id, nil
	}
	// A checkout email proves the session, not the customer: a guest
	// checkout's customer id may be shared by other guests of the address's
	// owner, so none is linked from it.
	return r.lookup(ctx, r.byCheckout, email, r.s.Store.UserIDByCheckoutEmail)
}

func (r *resolver) isMember(ctx context.Context, id string) (bool, error) {
	if ok, seen := r.byMember[id]; seen {
		return ok, nil
	}
	_, err := r.s.Store.GetProfile(ctx, id)
	switch dashboard.ErrorCode(err) {
	case "":
		r.byMember[id] = true
	case dashboard.ENOTFOUND:
		r.byMember[id] = false
	default:
		return false, fmt.Errorf("orders: resolve member: %w", err)
	}
	return r.byMember[id], nil
}

func (r *resolver) lookup(ctx context.Context, cache map[string]string, key string, find func(context.Context, string) (string, error)) (string, error) {
	if id, seen := cache[key]; seen {
		return id, nil
	}
	id, err := find(ctx, key)
	switch dashboard.ErrorCode(err) {
	case "":
	case dashboard.ENOTFOUND:
		id = ""
	default:
		return "", fmt.Errorf("orders: resolve owner: %w", err)
	}
	cache[key] = id
	return id, nil
}

// linkCustomer records a Stripe customer on a member found by a verified
// email — a proof of ownership (CONTRACT §4) — so the member's later
// sessions resolve by customer id and per-member refreshes can list them. It never replaces a customer id the profile already has,
// and a failure only costs the shortcut, so it is logged and not returned.
func (r *resolver) linkCustomer(ctx context.Context, userID, customerID string) {
	if customerID == "" {
		return
	}
	p, err := r.s.Store.GetProfile(ctx, userID)
	if err != nil || p.StripeCustomerID != nil {
		return
	}
	expect, now := p.UpdatedAt, r.s.now()
	if expect != nil && !now.After(*expect) {
		now = expect.Add(time.Millisecond)
	}
	p.StripeCustomerID, p.UpdatedAt = &customerID, &now
	err = r.s.Store.SaveProfile(ctx, dashboard.ProfileChange{
		Profile: p, Fields: []string{dashboard.FieldStripeCustomerID}, ExpectUpdatedAt: expect, PreviousEmail: p.Email,
	})
	if err != nil {
		r.s.logger().WarnContext(ctx, "could not link Stripe customer", slog.String("memberId", userID), slog.Any("error", err))
		return
	}
	r.byCustomer[customerID] = userID
}
