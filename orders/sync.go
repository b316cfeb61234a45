package orders

import (
	"context"
	"fmt"
	"strings"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// SyncResult counts what a sync did.
type SyncResult struct {
	Synced     int `json:"synced"`  // sessions examined
	Created    int `json:"created"` // orders stored for the first time
	Updated    int `json:"updated"` // orders whose snapshot changed
	Skipped    int `json:"skipped"` // sessions unchanged, or not the member's
	Unresolved int `json:"-"`       // sessions nobody could be found for (reconciliation)
	Errors     int `json:"-"`       // listings that failed
}

func (r *SyncResult) count(res upsertResult) {
	switch res {
	case created:
		r.Created++
	case updated:
		r.Updated++
	default:
		r.Skipped++
	}
}

// Refresh is the refresh queue's handler for Stripe refreshes: it syncs the
// member unless they were synced within the last minute, which collapses
// the refreshes that several reads in a row queue into one sync.
func (s *Service) Refresh(ctx context.Context, r dashboard.RefreshRequest) error {
	if r.Kind != dashboard.SyncStripe || r.UserID == "" {
		return nil
	}
	if r.Email != "" {
		_, err := s.SyncCheckoutEmail(ctx, r.UserID, r.Email)
		return err
	}
	last, since, err := s.markerSince(ctx, r.UserID)
	if err != nil {
		return err
	}
	if last != nil && s.now().Sub(*last) < refreshCollapse {
		return nil
	}
	_, err = s.SyncMember(ctx, r.UserID, since)
	return err
}

// SyncMemberIncremental syncs a member from their SYNC#STRIPE marker minus
// ReconcileOverlap — the sessions created since their last sync, and the
// hour before it, which covers a session created while that sync was
// listing — or their whole history when they were never synced. It is the
// per-member step of `dashboard sync stripe --all`: a member synced
// yesterday costs a page of Stripe's listing, not their whole history.
func (s *Service) SyncMemberIncremental(ctx context.Context, userID string) (*SyncResult, error) {
	_, since, err := s.markerSince(ctx, userID)
	if err != nil {
		return nil, err
	}
	return s.SyncMember(ctx, userID, since)
}

// markerSince reads the member's SYNC#STRIPE marker and returns it with
// the time an incremental sync starts from (zero: never synced, read all).
func (s *Service) markerSince(ctx context.Context, userID string) (*time.Time, time.Time, error) {
	last, err := s.Store.SyncedAt(ctx, userID, dashboard.SyncStripe)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("orders: read sync marker: %w", err)
	}
	if last == nil {
		return nil, time.Time{}, nil
	}
	return last, last.Add(-ReconcileOverlap), nil
}

// SyncMember syncs one member's sessions from Stripe, created at or after
// since (all of them when since is zero): those of their Stripe customer,
// and those placed with each of their verified checkout emails (CONTRACT
// §9). A member with neither has nothing Stripe can list for them; their
// orders arrive by webhook and by the nightly reconciliation. The member's
// SYNC#STRIPE marker moves only after every listing succeeded.
func (s *Service) SyncMember(ctx context.Context, userID string, since time.Time) (*SyncResult, error) {
	res := &SyncResult{}
	if s.Payments == nil {
		return res, nil
	}
	started := s.now()
	p, err := s.Store.GetProfile(ctx, userID)
	switch dashboard.ErrorCode(err) {
	case "", dashboard.ENOTFOUND:
	default:
		return nil, fmt.Errorf("orders: read profile: %w", err)
	}
	if p != nil && p.StripeCustomerID != nil {
		// The customer is the member's (a proof of §4), so every session
		// of it is theirs.
		q := dashboard.SessionQuery{CustomerID: *p.StripeCustomerID, CreatedFrom: since}
		if err := s.syncListing(ctx, userID, q, nil, started, res); err != nil {
			return res, err
		}
	}
	emails, err := s.Store.CheckoutEmails(ctx, userID)
	if err != nil {
		return res, fmt.Errorf("orders: read checkout emails: %w", err)
	}
	resolve := s.newResolver()
	for _, e := range emails {
		if e.VerifiedAt == nil {
			continue
		}
		for _, spelling := range spellings(e.Email) {
			q := dashboard.SessionQuery{CustomerEmail: spelling, CreatedFrom: since}
			if err := s.syncListing(ctx, userID, q, resolve, started, res); err != nil {
				return res, err
			}
		}
	}
	if err := s.Store.MarkSynced(ctx, userID, dashboard.SyncStripe, started); err != nil {
		return res, fmt.Errorf("orders: mark synced: %w", err)
	}
	return res, nil
}

// SyncCheckoutEmail files the sessions placed with one of the member's
// verified checkout emails, all of them: the sync a verification queues,
// which brings the member's past guest orders (CONTRACT §9). An address
// that is not (or no longer) a verified checkout email of the member syncs
// nothing. It leaves the member's SYNC#STRIPE marker alone: it synced one
// address, not the member.
func (s *Service) SyncCheckoutEmail(ctx context.Context, userID, email string) (*SyncResult, error) {
	res := &SyncResult{}
	if s.Payments == nil {
		return res, nil
	}
	emails, err := s.Store.CheckoutEmails(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("orders: read checkout emails: %w", err)
	}
	for _, e := range emails {
		if e.VerifiedAt != nil && strings.EqualFold(e.Email, email) {
			resolve, started := s.newResolver(), s.now()
			for _, spelling := range spellings(e.Email) {
				q := dashboard.SessionQuery{CustomerEmail: spelling}
				if err := s.syncListing(ctx, userID, q, resolve, started, res); err != nil {
					return res, err
				}
			}
			return res, nil
		}
	}
	return res, nil
}

// spellings are the forms of an address a Stripe listing is asked for:
// Stripe's customer_details[email] filter matches exactly, so the address
// as the member entered it and, when it differs, lower-cased (what most
// checkouts store); sessions typed in another mix of cases are found by the
// webhook and the reconciliation, which compare without case.
func spellings(email string) []string {
	if lower := strings.ToLower(email); lower != email {
		return []string{email, lower}
	}
	return []string{email}
}

// syncListing files the sessions q lists under userID. With resolve nil the
// query itself proves them the member's (their Stripe customer); otherwise
// each session goes through the ownership rules and only those that come
// out as userID's are filed — a session placed with a checkout email but
// carrying another member's id stays that member's.
func (s *Service) syncListing(ctx context.Context, userID string, q dashboard.SessionQuery, resolve *resolver, started time.Time, res *SyncResult) error {
	err := s.Payments.ListSessions(ctx, q, func(sess *dashboard.CheckoutSession) error {
		res.Synced++
		if resolve != nil {
			owner, err := resolve.owner(ctx, sess)
			if err != nil {
				return err
			}
			if owner != userID {
				res.Skipped++
				return nil
			}
		}
		if !sess.LineItemsComplete {
			full, err := s.Payments.Session(ctx, sess.ID)
			if err != nil {
				return err
			}
			sess = full
		}
		r, err := s.upsert(ctx, userID, sess, evidence{StatusOfSession(sess), started})
		res.count(r)
		return err
	})
	if err != nil {
		res.Errors++
		return fmt.Errorf("orders: sync member: %w", err)
	}
	return nil
}

// Progress reports a running reconciliation: the run's totals so far.
type Progress func(done SyncResult)

// SyncMemberByID syncs a member named by member id or by Stripe customer
// id (the internal sync route). An unknown member is ENOTFOUND.
func (s *Service) SyncMemberByID(ctx context.Context, userID, customerID string, since *time.Time) (*SyncResult, error) {
	if userID == "" {
		id, err := s.Store.UserIDByStripeCustomer(ctx, customerID)
		if err != nil {
			return nil, err
		}
		userID = id
	} else if _, err := s.Store.GetProfile(ctx, userID); err != nil {
		return nil, err
	}
	var from time.Time
	if since != nil {
		from = *since
	}
	return s.SyncMember(ctx, userID, from)
}
