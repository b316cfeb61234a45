package orders

import (
	"context"
	"fmt"
	"log/slog"
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
	last, err := s.Store.SyncedAt(ctx, r.UserID, dashboard.SyncStripe)
	if err != nil {
		return fmt.Errorf("orders: read sync marker: %w", err)
	}
	if last != nil && s.now().Sub(*last) < refreshCollapse {
		return nil
	}
	var since time.Time
	if last != nil {
		since = last.Add(-ReconcileOverlap)
	}
	_, err = s.SyncMember(ctx, r.UserID, since)
	return err
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

// Progress reports a running reconciliation.
type Progress func(done SyncResult)

// Reconcile lists every Checkout Session created since the stored watermark
// minus an overlap (all of them on the first run), files each under its
// owner, and advances the watermark to the run's start only when the whole
// listing succeeded — so a failure midway leaves the watermark where it was
// and the next run covers the same ground again, writing nothing twice.
func (s *Service) Reconcile(ctx context.Context, progress Progress) (*SyncResult, error) {
	res := &SyncResult{}
	if s.Payments == nil {
		return res, dashboard.Errorf(dashboard.EUNAVAILABLE, "Stripe is not configured (STRIPE_SECRET).")
	}
	started := s.now()
	wm, err := s.Store.Watermark(ctx, WatermarkName)
	if err != nil {
		return nil, fmt.Errorf("orders: read watermark: %w", err)
	}
	var from time.Time
	if !wm.IsZero() {
		from = wm.Add(-ReconcileOverlap)
	}
	res2 := s.newResolver()
	err = s.Payments.ListSessions(ctx, dashboard.SessionQuery{CreatedFrom: from}, func(sess *dashboard.CheckoutSession) error {
		res.Synced++
		defer func() {
			if progress != nil {
				progress(*res)
			}
		}()
		owner, err := res2.owner(ctx, sess)
		if err != nil {
			return err
		}
		if owner == "" {
			res.Unresolved++
			s.logger().InfoContext(ctx, "unresolved checkout session", slog.String("orderId", sess.ID))
			return nil
		}
		if !sess.LineItemsComplete {
			if sess, err = s.Payments.Session(ctx, sess.ID); err != nil {
				return err
			}
		}
		r, err := s.upsert(ctx, owner, sess, evidence{StatusOfSession(sess), started})
		res.count(r)
		return err
	})
	if err != nil {
		res.Errors++
		return res, fmt.Errorf("orders: reconcile: %w", err)
	}
	if err := s.Store.SetWatermark(ctx, WatermarkName, started); err != nil {
		return res, fmt.Errorf("orders: advance watermark: %w", err)
	}
	s.logger().InfoContext(ctx, "reconciliation finished", slog.Int("processed", res.Synced), slog.Int("created", res.Created),
		slog.Int("updated", res.Updated), slog.Int("unresolved", res.Unresolved))
	return res, nil
}

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
