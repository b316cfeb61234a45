package profile

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/obs"
)

// PendingCheckoutEmail answers an added checkout email: its code is mailed
// and works until ExpiresAt.
type PendingCheckoutEmail struct {
	Email     string    `json:"email"`
	Verified  bool      `json:"verified"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// CheckoutEmailVerification answers a verified checkout email. Refresh is
// the Stripe sync of that address to queue once the answer is sent, which
// brings the member's past orders placed with it (CONTRACT §9).
type CheckoutEmailVerification struct {
	Email    string                    `json:"email"`
	Verified bool                      `json:"verified"`
	Refresh  *dashboard.RefreshRequest `json:"-"`
}

// Emails lists the member's addresses: the profile email (primary; the
// identity service verified it) and every checkout email, oldest first.
func (s *Service) Emails(ctx context.Context, m dashboard.Member) ([]dashboard.MemberEmail, error) {
	p, list, err := s.emailReads(ctx, m)
	if err != nil {
		return nil, err
	}
	out := make([]dashboard.MemberEmail, 0, len(list)+1)
	if p.Email != "" {
		out = append(out, dashboard.MemberEmail{Email: p.Email, Verified: true, Primary: true})
	}
	for _, c := range list {
		added := c.AddedAt
		out = append(out, dashboard.MemberEmail{Email: c.Email, Verified: c.VerifiedAt != nil, AddedAt: &added, VerifiedAt: c.VerifiedAt})
	}
	return out, nil
}

// emailReads reads what Emails lists: the profile and the checkout emails.
// On a store that reads locally (dashboard.SnapshotReader) both come from
// one read transaction, which costs the route one transaction less and
// sees both as of one commit; on any other they are read one after the
// other.
func (s *Service) emailReads(ctx context.Context, m dashboard.Member) (*dashboard.Profile, []dashboard.CheckoutEmail, error) {
	if sr, ok := s.Store.(dashboard.SnapshotReader); ok {
		var (
			p    *dashboard.Profile
			list []dashboard.CheckoutEmail
		)
		err := sr.ReadSnapshot(ctx, func(r dashboard.Snapshot) (err error) {
			if p, _, err = loadFrom(ctx, r, m); err != nil {
				return err
			}
			list, err = r.CheckoutEmails(ctx, m.UserID)
			return err
		})
		return p, list, err
	}
	p, _, err := s.load(ctx, m)
	if err != nil {
		return nil, nil, err
	}
	list, err := s.Store.CheckoutEmails(ctx, m.UserID)
	return p, list, err
}

// AddCheckoutEmail adds an address the member used at checkout, unverified,
// and mails it a code; adding a pending address again mails a new code (a
// resend). The code is mailed before the address is stored, so no address
// shows as pending for a code that never went out. The address must be
// well formed, nobody's login email and nobody else's verified checkout
// email, and the member may have at most MaxCheckoutEmails; every mail
// counts against the member's hourly limit of verification mails.
func (s *Service) AddCheckoutEmail(ctx context.Context, m dashboard.Member, email string) (*PendingCheckoutEmail, error) {
	email = strings.TrimSpace(email)
	if !validEmail(email) {
		return nil, &dashboard.Error{Code: dashboard.EVALIDATION, Message: "Enter a valid email address.",
			Fields: map[string]string{dashboard.FieldEmail: "Not a valid email address."}}
	}
	if s.Mailer == nil {
		return nil, &dashboard.Error{Code: dashboard.EUNAVAILABLE, Message: "Checkout emails are not available right now; try again later.", RetryAfter: time.Minute}
	}
	p, _, err := s.load(ctx, m)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(p.Email, email) {
		return nil, dashboard.Errorf(dashboard.ECONFLICT, "That is your account email; its orders are already yours.")
	}
	if err := s.checkCheckoutEmailFree(ctx, m.UserID, email); err != nil {
		return nil, err
	}
	list, err := s.Store.CheckoutEmails(ctx, m.UserID)
	if err != nil {
		return nil, err
	}
	known := false
	for _, c := range list {
		if strings.EqualFold(c.Email, email) {
			if c.VerifiedAt != nil {
				return nil, dashboard.Errorf(dashboard.ECONFLICT, "That address is already verified.")
			}
			known, email = true, c.Email
		}
	}
	if !known && len(list) >= dashboard.MaxCheckoutEmails {
		return nil, tooManyCheckoutEmails()
	}
	now := s.now()
	if err := s.takeMailRate(ctx, m.UserID, now); err != nil {
		return nil, err
	}
	target := strings.ToLower(email)
	code, saved, err := s.newCode(m.UserID, dashboard.CodeCheckoutEmail, target, email, now)
	if err != nil {
		return nil, err
	}
	if err := s.Store.SaveCode(ctx, saved); err != nil {
		return nil, err
	}
	if err := s.Mailer.Send(ctx, codeMessage(email, code, s.SiteOrigin, whatCheckoutEmail, kindCheckoutEmail)); err != nil {
		s.logger().WarnContext(ctx, "checkout email code not sent", slog.Any("error", err))
		return nil, &dashboard.Error{Code: dashboard.EUNAVAILABLE, RetryAfter: time.Minute,
			Message: "The verification email could not be sent; try again shortly."}
	}
	if !known {
		err := s.Store.AddCheckoutEmail(ctx, dashboard.CheckoutEmail{UserID: m.UserID, Email: email, AddedAt: now.UTC().Truncate(time.Millisecond)})
		if err != nil {
			s.deleteCode(ctx, m.UserID, dashboard.CodeCheckoutEmail, target)
			if dashboard.ErrorCode(err) == dashboard.EVALIDATION {
				return nil, tooManyCheckoutEmails()
			}
			return nil, err
		}
		obs.Audit(obs.WithMemberID(ctx, m.UserID), s.logger(), obs.EventCheckoutEmailAdded)
	}
	return &PendingCheckoutEmail{Email: email, ExpiresAt: saved.ExpiresAt}, nil
}

// checkCheckoutEmailFree fails with ECONFLICT when the address is a login
// email or another member's verified checkout email. The store checks both
// again, atomically, when the address is verified.
func (s *Service) checkCheckoutEmailFree(ctx context.Context, userID, email string) error {
	if _, err := s.Store.UserIDByEmail(ctx, email); err == nil {
		return checkoutEmailTaken()
	} else if dashboard.ErrorCode(err) != dashboard.ENOTFOUND {
		return err
	}
	holder, err := s.Store.UserIDByCheckoutEmail(ctx, email)
	switch dashboard.ErrorCode(err) {
	case "":
		if holder != userID {
			return checkoutEmailTaken()
		}
		return nil
	case dashboard.ENOTFOUND:
		return nil
	default:
		return err
	}
}

// VerifyCheckoutEmail confirms a checkout email with the code mailed to it
// (the rules of CONTRACT §9: a wrong code is EINVALIDCODE, the fifth wrong
// one or an expired code is ECODEEXPIRED). On success the address is the
// member's alone for matching orders, and the answer carries the Stripe
// sync of that address to queue. An address the member does not have is
// ENOTFOUND; one another member verified meanwhile, or that became a login
// email, is ECONFLICT.
func (s *Service) VerifyCheckoutEmail(ctx context.Context, m dashboard.Member, email, code string) (*CheckoutEmailVerification, error) {
	email, code = strings.TrimSpace(email), strings.TrimSpace(code)
	if !validEmail(email) {
		return nil, &dashboard.Error{Code: dashboard.EVALIDATION, Message: "Enter a valid email address.",
			Fields: map[string]string{dashboard.FieldEmail: "Not a valid email address."}}
	}
	if !validCode(code) {
		return nil, &dashboard.Error{Code: dashboard.EVALIDATION, Message: "The code is the 6 digits from the email.",
			Fields: map[string]string{"code": "Must be 6 digits."}}
	}
	list, err := s.Store.CheckoutEmails(ctx, m.UserID)
	if err != nil {
		return nil, err
	}
	var entry *dashboard.CheckoutEmail
	for i := range list {
		if strings.EqualFold(list[i].Email, email) {
			entry = &list[i]
		}
	}
	if entry == nil {
		return nil, dashboard.Errorf(dashboard.ENOTFOUND, "That address is not one of your checkout emails; add it first.")
	}
	target := strings.ToLower(entry.Email)
	refresh := &dashboard.RefreshRequest{Kind: dashboard.SyncStripe, UserID: m.UserID, Email: entry.Email}
	if entry.VerifiedAt != nil {
		return &CheckoutEmailVerification{Email: entry.Email, Verified: true, Refresh: refresh}, nil
	}
	now := s.now()
	check := codeCheck{userID: m.UserID, purpose: dashboard.CodeCheckoutEmail, target: target, email: entry.Email,
		again: "add the address again", void: func() { s.deleteCode(ctx, m.UserID, dashboard.CodeCheckoutEmail, target) }}
	if err := s.tryCode(ctx, check, code, now); err != nil {
		return nil, err
	}
	err = s.Store.VerifyCheckoutEmail(ctx, m.UserID, entry.Email, now.UTC().Truncate(time.Millisecond))
	s.deleteCode(ctx, m.UserID, dashboard.CodeCheckoutEmail, target)
	switch dashboard.ErrorCode(err) {
	case "":
	case dashboard.ECONFLICT:
		return nil, checkoutEmailTaken()
	case dashboard.ENOTFOUND:
		return nil, dashboard.Errorf(dashboard.ENOTFOUND, "That address is not one of your checkout emails; add it first.")
	default:
		return nil, err
	}
	obs.Audit(obs.WithMemberID(ctx, m.UserID), s.logger(), obs.EventCheckoutEmailVerified)
	return &CheckoutEmailVerification{Email: entry.Email, Verified: true, Refresh: refresh}, nil
}

// DeleteCheckoutEmail removes one of the member's checkout emails, pending
// or verified: later orders placed with it no longer match the member;
// orders already filed stay (CONTRACT §9). The profile email is changed,
// never removed, so naming it is EVALIDATION.
func (s *Service) DeleteCheckoutEmail(ctx context.Context, m dashboard.Member, email string) error {
	email = strings.TrimSpace(email)
	p, _, err := s.load(ctx, m)
	if err != nil {
		return err
	}
	if strings.EqualFold(p.Email, email) {
		return &dashboard.Error{Code: dashboard.EVALIDATION, Message: "Your account email can be changed in your profile, not removed.",
			Fields: map[string]string{dashboard.FieldEmail: "The account email."}}
	}
	if err := s.Store.DeleteCheckoutEmail(ctx, m.UserID, email); err != nil {
		if dashboard.ErrorCode(err) == dashboard.ENOTFOUND {
			return dashboard.Errorf(dashboard.ENOTFOUND, "That address is not one of your checkout emails.")
		}
		return err
	}
	s.deleteCode(ctx, m.UserID, dashboard.CodeCheckoutEmail, strings.ToLower(email))
	obs.Audit(obs.WithMemberID(ctx, m.UserID), s.logger(), obs.EventCheckoutEmailRemoved)
	return nil
}

// deleteCode removes a code that can prove nothing any more; a failure is
// logged, since the code's TTL removes it anyway.
func (s *Service) deleteCode(ctx context.Context, userID string, purpose dashboard.CodePurpose, target string) {
	if err := s.Store.DeleteCode(ctx, userID, purpose, target); err != nil {
		s.logger().WarnContext(ctx, "code not deleted", slog.Any("error", err))
	}
}

func tooManyCheckoutEmails() error {
	return &dashboard.Error{Code: dashboard.EVALIDATION, Message: fmt.Sprintf("You can add at most %d checkout emails; remove one first.", dashboard.MaxCheckoutEmails),
		Fields: map[string]string{dashboard.FieldEmail: fmt.Sprintf("At most %d checkout emails.", dashboard.MaxCheckoutEmails)}}
}

func checkoutEmailTaken() error {
	return &dashboard.Error{Code: dashboard.ECONFLICT, Message: "That address is already in use by another account.",
		Fields: map[string]string{dashboard.FieldEmail: "Already in use."}}
}
