package profile

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/obs"
)

// mailRateName is the rate limit every verification mail of a member
// counts against (CONTRACT §9: at most 5 per member per hour).
const mailRateName = "VERIFICATION_MAIL"

// NewCodeKey derives the key of the verification-code hashes from the
// API's secret (CURSOR_SECRET, see app.AppSecret) with its own label, so
// the hash key is never the secret itself nor the cursor key.
func NewCodeKey(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("babesclub-dashboard/verification-code/v1"))
	return m.Sum(nil)
}

// codeHash is the keyed hash stored in place of a code. It binds the code
// to the member, its purpose, its target and the address it was mailed to,
// so a stored hash proves nothing anywhere else.
func (s *Service) codeHash(userID string, purpose dashboard.CodePurpose, target, email, code string) string {
	m := hmac.New(sha256.New, s.CodeKey)
	fmt.Fprintf(m, "%s\x00%s\x00%s\x00%s\x00%s", userID, purpose, target, strings.ToLower(strings.TrimSpace(email)), code)
	return hex.EncodeToString(m.Sum(nil))
}

// newCode returns a fresh 6-digit code for email and the stored form of it.
func (s *Service) newCode(userID string, purpose dashboard.CodePurpose, target, email string, now time.Time) (string, dashboard.VerificationCode, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", dashboard.VerificationCode{}, fmt.Errorf("profile: new code: %w", err)
	}
	code := fmt.Sprintf("%06d", n.Int64())
	return code, dashboard.VerificationCode{
		UserID: userID, Purpose: purpose, Target: target, Email: email,
		Hash: s.codeHash(userID, purpose, target, email, code), CreatedAt: now, ExpiresAt: now.Add(dashboard.CodeTTL),
	}, nil
}

// validCode reports whether code has the shape of a mailed code.
func validCode(code string) bool {
	if len(code) != 6 {
		return false
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// emailChange is an email change an update asked for: the address, the
// code to mail and its stored form.
type emailChange struct {
	email string
	code  string
	saved dashboard.VerificationCode
}

// startEmailChange checks that email can become the member's, counts the
// mail against the member's hourly limit, stores a new code (replacing any
// pending one) and mails it, with a notice to oldEmail. It runs before the
// profile write that records the pending address, once per request however
// often that write is retried. Should that write then fail, the mailed code
// confirms nothing: confirmation needs the pending address on the profile.
func (s *Service) startEmailChange(ctx context.Context, m dashboard.Member, oldEmail, email string) (*emailChange, error) {
	if s.Mailer == nil {
		return nil, &dashboard.Error{Code: dashboard.EUNAVAILABLE, Message: "Email changes are not available right now; try again later.", RetryAfter: time.Minute}
	}
	if err := s.checkEmailFree(ctx, m.UserID, email); err != nil {
		return nil, err
	}
	now := s.now()
	if err := s.takeMailRate(ctx, m.UserID, now); err != nil {
		return nil, err
	}
	code, saved, err := s.newCode(m.UserID, dashboard.CodeProfileEmail, dashboard.CodeTargetProfile, email, now)
	if err != nil {
		return nil, err
	}
	if err := s.Store.SaveCode(ctx, saved); err != nil {
		return nil, err
	}
	c := &emailChange{email: email, code: code, saved: saved}
	if err := s.mailEmailChange(ctx, oldEmail, c); err != nil {
		return nil, err
	}
	return c, nil
}

// takeMailRate counts one verification mail against the member's hourly
// limit (CONTRACT §9), which email changes and checkout emails share.
func (s *Service) takeMailRate(ctx context.Context, userID string, now time.Time) error {
	err := s.Store.TakeRate(ctx, userID, mailRateName, dashboard.VerificationMailsPerHour, time.Hour, now)
	if dashboard.ErrorCode(err) == dashboard.ERATELIMITED {
		return &dashboard.Error{Code: dashboard.ERATELIMITED, RetryAfter: dashboard.ErrorRetryAfter(err),
			Message: "Too many verification emails were sent in the last hour; try again later."}
	}
	return err
}

// checkEmailFree fails with ECONFLICT when another member's login email is
// the address, or when it is anyone's verified checkout email (a checkout
// email is never a login email, CONTRACT §9). Both are checked again,
// atomically, when the change is confirmed: the store claims the EMAIL#
// lookup on condition that neither exists.
func (s *Service) checkEmailFree(ctx context.Context, userID, email string) error {
	owner, err := s.Store.UserIDByEmail(ctx, email)
	switch dashboard.ErrorCode(err) {
	case dashboard.ENOTFOUND:
	case "":
		if owner != userID {
			return emailTaken()
		}
		return nil
	default:
		return err
	}
	holder, err := s.Store.UserIDByCheckoutEmail(ctx, email)
	switch dashboard.ErrorCode(err) {
	case dashboard.ENOTFOUND:
		return nil
	case "":
		if holder == userID {
			return &dashboard.Error{Code: dashboard.ECONFLICT, Message: "That address is one of your checkout emails; remove it there first.",
				Fields: map[string]string{dashboard.FieldEmail: "One of your checkout emails."}}
		}
		return emailTaken()
	default:
		return err
	}
}

func emailTaken() error {
	return &dashboard.Error{
		Code: dashboard.ECONFLICT, Message: "That email address is already in use.",
		Fields: map[string]string{dashboard.FieldEmail: "Already in use by another member."},
	}
}

// mailEmailChange sends the code to the new address and a notice without
// the code to the old one, so a member whose account is misused learns of it.
func (s *Service) mailEmailChange(ctx context.Context, oldEmail string, c *emailChange) error {
	if err := s.Mailer.Send(ctx, codeMessage(c.email, c.code, s.SiteOrigin, whatLoginEmail, kindEmailChange)); err != nil {
		s.logger().WarnContext(ctx, "verification mail not sent", slog.Any("error", err))
		return &dashboard.Error{Code: dashboard.EUNAVAILABLE, RetryAfter: time.Minute,
			Message: "The verification email could not be sent; try again shortly."}
	}
	if strings.TrimSpace(oldEmail) != "" {
		if err := s.Mailer.Send(ctx, changeNoticeMessage(oldEmail, c.email, s.SiteOrigin)); err != nil {
			// The change still needs the code from the new address; a lost
			// notice is logged, not fatal.
			s.logger().WarnContext(ctx, "email change notice not sent", slog.Any("error", err))
		}
	}
	return nil
}

// ConfirmEmail completes the member's pending email change with the code
// that was mailed to the new address (CONTRACT §9). A wrong code is
// EINVALIDCODE; the fifth wrong code, an expired change or a replaced code
// voids the change (ECODEEXPIRED); an address another member took meanwhile
// is ECONFLICT. On success the EMAIL# login lookup moves to the new address
// in the same transaction that sets the email and clears the pending fields.
func (s *Service) ConfirmEmail(ctx context.Context, m dashboard.Member, code string) (*dashboard.Profile, error) {
	code = strings.TrimSpace(code)
	if !validCode(code) {
		return nil, &dashboard.Error{Code: dashboard.EVALIDATION, Message: "The code is the 6 digits from the email.",
			Fields: map[string]string{"code": "Must be 6 digits."}}
	}
	tried := false
	for attempt := 1; ; attempt++ {
		cur, stored, err := s.load(ctx, m)
		if err != nil {
			return nil, err
		}
		if !stored || cur.PendingEmail == nil {
			return nil, codeExpired("No email change is waiting for a code; change your email again.")
		}
		now := s.now()
		if cur.PendingEmailExpiresAt == nil || !now.Before(*cur.PendingEmailExpiresAt) {
			s.voidEmailChange(ctx, cur)
			return nil, codeExpired("The code has expired; change your email again to get a new one.")
		}
		if !tried {
			check := codeCheck{userID: cur.UserID, purpose: dashboard.CodeProfileEmail, target: dashboard.CodeTargetProfile,
				email: *cur.PendingEmail, again: "change your email again", void: func() { s.voidEmailChange(ctx, cur) }}
			if err := s.tryCode(ctx, check, code, now); err != nil {
				return nil, err
			}
			tried = true
		}
		next := *cur
		next.Email, next.PendingEmail, next.PendingEmailExpiresAt = *cur.PendingEmail, nil, nil
		next.UpdatedAt = s.nextVersion(cur.UpdatedAt)
		err = s.Store.SaveProfile(ctx, dashboard.ProfileChange{
			Profile:         &next,
			Fields:          []string{dashboard.FieldEmail, dashboard.FieldPendingEmail, dashboard.FieldPendingEmailExp},
			ExpectUpdatedAt: cur.UpdatedAt, PreviousEmail: cur.Email,
		})
		switch dashboard.ErrorCode(err) {
		case "":
		case dashboard.EPRECONDITION:
			if attempt < maxWriteAttempts {
				continue // another write landed in between: re-read, the code stays proven
			}
			return nil, dashboard.Errorf(dashboard.ECONFLICT, "The profile is being changed elsewhere; try again.")
		case dashboard.ECONFLICT:
			s.voidEmailChange(ctx, cur)
			return nil, emailTaken()
		default:
			return nil, err
		}
		// The pending fields are gone, so the code can no longer confirm
		// anything even if this delete fails; the TTL removes it then.
		s.deleteCode(ctx, m.UserID, dashboard.CodeProfileEmail, dashboard.CodeTargetProfile)
		next.DashboardSettings = dashboard.MergeSettings(next.Settings)
		obs.Audit(obs.WithMemberID(ctx, m.UserID), s.logger(), obs.EventProfileUpdated,
			slog.Any("fields", []string{dashboard.FieldEmail}), slog.Bool("emailVerified", true))
		return &next, nil
	}
}

// codeCheck names one mailed code to try: whose, for what, the address it
// must have been mailed to, how the member gets a new one (for messages)
// and what voids what it proves once the code is used up or gone.
type codeCheck struct {
	userID  string
	purpose dashboard.CodePurpose
	target  string
	email   string
	again   string
	void    func()
}

// tryCode counts one try against the stored code and checks code against
// it in constant time. The try is counted before the comparison, so no
// more than MaxCodeAttempts guesses are ever compared, however many
// requests race.
func (s *Service) tryCode(ctx context.Context, c codeCheck, code string, now time.Time) error {
	stored, err := s.Store.GetCode(ctx, c.userID, c.purpose, c.target, now)
	if dashboard.ErrorCode(err) == dashboard.ENOTFOUND || (err == nil && !strings.EqualFold(stored.Email, c.email)) {
		c.void()
		return codeExpired("The code is no longer valid; " + c.again + " to get a new one.")
	} else if err != nil {
		return err
	}
	tries, err := s.Store.TakeCodeAttempt(ctx, c.userID, c.purpose, c.target, stored.Hash)
	if dashboard.ErrorCode(err) == dashboard.ENOTFOUND {
		c.void()
		return codeExpired("Too many wrong codes; " + c.again + " to get a new one.")
	} else if err != nil {
		return err
	}
	want := s.codeHash(c.userID, c.purpose, c.target, stored.Email, code)
	if hmac.Equal([]byte(want), []byte(stored.Hash)) {
		return nil
	}
	if tries >= dashboard.MaxCodeAttempts {
		c.void()
		return codeExpired("Too many wrong codes; " + c.again + " to get a new one.")
	}
	left := dashboard.MaxCodeAttempts - tries
	return &dashboard.Error{Code: dashboard.EINVALIDCODE, Message: fmt.Sprintf("That code is not right; %d %s left.", left, plural(left, "try", "tries")),
		Fields: map[string]string{"code": "Not the code that was sent."}}
}

// voidEmailChange clears the pending fields and deletes the code. It is
// best effort: a write that loses a race leaves fields that the next
// confirmation finds expired or without a code, and voids again.
func (s *Service) voidEmailChange(ctx context.Context, cur *dashboard.Profile) {
	next := *cur
	next.PendingEmail, next.PendingEmailExpiresAt = nil, nil
	next.UpdatedAt = s.nextVersion(cur.UpdatedAt)
	err := s.Store.SaveProfile(ctx, dashboard.ProfileChange{
		Profile: &next, Fields: []string{dashboard.FieldPendingEmail, dashboard.FieldPendingEmailExp},
		ExpectUpdatedAt: cur.UpdatedAt, PreviousEmail: cur.Email,
	})
	if err != nil && dashboard.ErrorCode(err) != dashboard.EPRECONDITION {
		s.logger().WarnContext(ctx, "void email change", slog.Any("error", err))
	}
	s.deleteCode(ctx, cur.UserID, dashboard.CodeProfileEmail, dashboard.CodeTargetProfile)
}

func codeExpired(msg string) error {
	return &dashboard.Error{Code: dashboard.ECODEEXPIRED, Message: msg}
}

// nextVersion is the updatedAt of a write over a profile last written at
// prev: now, or a millisecond after prev, since updatedAt must move.
func (s *Service) nextVersion(prev *time.Time) *time.Time {
	now := s.now().UTC().Truncate(time.Millisecond)
	if prev != nil && !now.After(*prev) {
		now = prev.Add(time.Millisecond)
	}
	return &now
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
