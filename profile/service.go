// Package profile holds the profile rules: what a member sees, what they may
// change, and how a change is written so that it never clobbers the identity
// service's attributes nor loses a concurrent update.
package profile

import (
	"context"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/obs"
)

// maxWriteAttempts bounds the retries of an update that lost a race with
// another write (without If-Match, the member expects last-writer-wins on
// fields, not an error).
const maxWriteAttempts = 4

// Store is what the profile service keeps and reads.
type Store interface {
	dashboard.ProfileStore
	dashboard.CodeStore
	dashboard.RateStore
	dashboard.CheckoutEmailStore
	dashboard.MemberWalletStore
	// MarkSynced sets a member's sync marker (dashboard.SyncStore): a new
	// primary wallet makes the member's NFTs stale.
	MarkSynced(ctx context.Context, userID string, kind dashboard.SyncKind, at time.Time) error
	// RemoveHoldings deletes the member's NFT holdings and their sync
	// marker (dashboard.HoldingStore): a replaced wallet takes them along.
	RemoveHoldings(ctx context.Context, userID string) (int, error)
}

// Service implements the profile routes.
type Service struct {
	Store  Store
	Logger *slog.Logger
	// Mailer sends verification codes; nil turns email changes off (503).
	Mailer dashboard.Mailer
	// CodeKey keys the stored hashes of verification codes (NewCodeKey).
	CodeKey []byte
	// SiteOrigin, when set, is the dashboard's address named in mails.
	SiteOrigin string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// UpdateResult is what an update returns to the member.
type UpdateResult struct {
	Profile *dashboard.Profile
	// EmailVerificationSent: a new email is pending and its code was mailed.
	EmailVerificationSent bool
	// Changed lists the names of the fields whose values changed.
	Changed []string
}

// Get returns the member's profile. A member the identity service signed up
// but who never saved a profile gets one built from their token (200, not
// 404), so the dashboard works from the first sign-in.
func (s *Service) Get(ctx context.Context, m dashboard.Member) (*dashboard.Profile, error) {
	p, _, err := s.load(ctx, m)
	return p, err
}

// load reads the stored profile, or builds one from m; stored reports which.
func (s *Service) load(ctx context.Context, m dashboard.Member) (p *dashboard.Profile, stored bool, err error) {
	return loadFrom(ctx, s.Store, m)
}

// profileReader is the read load needs: the Store's own, or a snapshot's
// (dashboard.Snapshot).
type profileReader interface {
	GetProfile(ctx context.Context, userID string) (*dashboard.Profile, error)
}

// loadFrom is load with the profile read from r.
func loadFrom(ctx context.Context, r profileReader, m dashboard.Member) (p *dashboard.Profile, stored bool, err error) {
	p, err = r.GetProfile(ctx, m.UserID)
	switch {
	case err == nil: // first, and without ErrorCode's allocation: every profile read passes here
		stored = true
	case dashboard.ErrorCode(err) == dashboard.ENOTFOUND:
		p = &dashboard.Profile{UserID: m.UserID}
	default:
		return nil, false, err
	}
	p.UserID = m.UserID
	if p.Email == "" {
		p.Email = m.Email
	}
	if p.DisplayName == "" {
		p.DisplayName = m.DisplayName
	}
	p.DashboardSettings = dashboard.MergeSettings(p.Settings)
	return p, stored, nil
}

// Update applies a validated partial update for m. ifMatch, when not empty,
// must equal the stored updatedAt (quoted or not) or the update fails with
// EPRECONDITION. A new email never takes effect here (CONTRACT §9): a code
// is mailed to it and a notice to the old address, then it becomes
// pendingEmail, and ConfirmEmail completes the change. The mail goes before
// the write, so a change is never shown pending for a code that was not
// sent. An address another member holds fails with ECONFLICT.
func (s *Service) Update(ctx context.Context, m dashboard.Member, u *Update, ifMatch string) (*UpdateResult, error) {
	var change *emailChange
	holdingsRemoved := false
	for attempt := 1; ; attempt++ {
		cur, stored, err := s.load(ctx, m)
		if err != nil {
			return nil, err
		}
		if ifMatch != "" && !matches(ifMatch, cur.UpdatedAt) {
			return nil, dashboard.Errorf(dashboard.EPRECONDITION, "The profile changed since it was read; reload it and try again.")
		}
		next, changed := apply(cur, u)
		// The web client sends the whole form, email included: the same
		// address in any case is not a change and mails nothing.
		if u.Has(dashboard.FieldEmail) && !strings.EqualFold(strings.TrimSpace(cur.Email), u.email) {
			if change == nil {
				if change, err = s.startEmailChange(ctx, m, cur.Email, u.email); err != nil {
					return nil, err
				}
			}
			next.PendingEmail, next.PendingEmailExpiresAt = &change.email, &change.saved.ExpiresAt
			changed = append(changed, dashboard.FieldPendingEmail, dashboard.FieldPendingEmailExp)
		}
		if len(changed) == 0 {
			return &UpdateResult{Profile: cur}, nil
		}
		fields := append([]string(nil), changed...)
		if !stored {
			// The first save creates the item: keep what the token said.
			fields = appendMissing(fields, dashboard.FieldEmail, dashboard.FieldDisplayName)
		}
		walletChanged := slices.Contains(changed, dashboard.FieldPreferredWallet)
		var wallets *walletChange
		if walletChanged {
			// The new primary joins the member's wallets before the profile
			// names it; what the old one leaves goes after the write.
			if wallets, err = s.prepareWalletChange(ctx, m.UserID, cur.PreferredWallet, next.PreferredWallet); err != nil {
				return nil, err
			}
			if !equalPtr(cur.WalletVerifiedAt, wallets.verifiedAt) {
				next.WalletVerifiedAt = wallets.verifiedAt
				fields = append(fields, dashboard.FieldWalletVerifiedAt)
			}
			if wallets.legacy && !holdingsRemoved {
				// A primary from before the wallet items: its holdings go
				// before the wallet does, so a failure here changes nothing
				// and the member can retry.
				if _, err := s.Store.RemoveHoldings(ctx, m.UserID); err != nil {
					return nil, err
				}
				holdingsRemoved = true
			}
		}
		next.UpdatedAt = s.nextVersion(cur.UpdatedAt)
		if next.CreatedAt == nil {
			next.CreatedAt = next.UpdatedAt
		}
		previousEmail := ""
		if stored {
			previousEmail = cur.Email
		}
		err = s.Store.SaveProfile(ctx, dashboard.ProfileChange{
			Profile: next, Fields: fields, ExpectUpdatedAt: cur.UpdatedAt, PreviousEmail: previousEmail,
		})
		switch code := dashboard.ErrorCode(err); {
		case code == dashboard.EPRECONDITION && ifMatch == "" && attempt < maxWriteAttempts:
			continue // someone else wrote in between: re-read and re-apply
		case code == dashboard.EPRECONDITION && ifMatch == "":
			return nil, dashboard.Errorf(dashboard.ECONFLICT, "The profile is being changed elsewhere; try again.")
		case code == dashboard.EPRECONDITION:
			return nil, dashboard.Errorf(dashboard.EPRECONDITION, "The profile changed since it was read; reload it and try again.")
		case code == dashboard.ECONFLICT:
			return nil, emailTaken()
		case err != nil:
			return nil, err
		}
		if walletChanged {
			// After the write (again, for a legacy primary: a sync of the
			// old wallet that ran in between may have stored its holdings
			// anew; the NFT sync re-checks the wallets after it writes too).
			if err := s.finishWalletChange(ctx, m.UserID, wallets); err != nil {
				s.logger().WarnContext(ctx, "the replaced wallet was not cleaned up after the write", slog.Any("error", err))
			}
		}
		next.DashboardSettings = dashboard.MergeSettings(next.Settings)
		obs.Audit(obs.WithMemberID(ctx, m.UserID), s.logger(), obs.EventProfileUpdated,
			slog.Any("fields", changed))
		res := &UpdateResult{Profile: next, Changed: changed}
		res.EmailVerificationSent = change != nil
		return res, nil
	}
}

// apply returns a copy of cur with u laid over it, and the names of the
// fields whose values actually changed (in a stable order).
func apply(cur *dashboard.Profile, u *Update) (*dashboard.Profile, []string) {
	next := *cur
	next.Settings = maps.Clone(cur.Settings)
	var changed []string
	set := func(field string, differs bool) {
		if u.Has(field) && differs {
			changed = append(changed, field)
		}
	}
	if u.Has(dashboard.FieldDisplayName) {
		set(dashboard.FieldDisplayName, next.DisplayName != u.displayName)
		next.DisplayName = u.displayName
	}
	if u.Has(dashboard.FieldPhone) {
		set(dashboard.FieldPhone, !equalPtr(next.Phone, u.phone))
		next.Phone = u.phone
	}
	if u.Has(dashboard.FieldShippingAddress) {
		set(dashboard.FieldShippingAddress, !reflect.DeepEqual(next.ShippingAddress, u.shippingAddress))
		next.ShippingAddress = u.shippingAddress
	}
	if u.Has(dashboard.FieldBillingAddress) {
		set(dashboard.FieldBillingAddress, !reflect.DeepEqual(next.BillingAddress, u.billingAddress))
		next.BillingAddress = u.billingAddress
	}
	if u.Has(dashboard.FieldPreferredWallet) {
		// Compare case-insensitively: the same wallet in another case is
		// not a new wallet and must not reset its verification.
		differs := (next.PreferredWallet == nil) != (u.preferredWallet == nil) ||
			(next.PreferredWallet != nil && !strings.EqualFold(*next.PreferredWallet, *u.preferredWallet))
		set(dashboard.FieldPreferredWallet, differs)
		next.PreferredWallet = u.preferredWallet
	}
	if u.Has(dashboard.FieldAvatarURL) {
		set(dashboard.FieldAvatarURL, !equalPtr(next.AvatarURL, u.avatarURL))
		next.AvatarURL = u.avatarURL
	}
	if u.Has(dashboard.FieldDashboardSetting) {
		settings := map[string]bool{}
		if !u.settingsCleared {
			maps.Copy(settings, next.Settings)
			maps.Copy(settings, u.settings)
		}
		set(dashboard.FieldDashboardSetting, !maps.Equal(settings, next.Settings) && !(len(settings) == 0 && len(next.Settings) == 0))
		next.Settings = settings
	}
	return &next, changed
}

// matches reports whether an If-Match value names updatedAt. It accepts the
// timestamp bare or as an (optionally weak) entity tag, and "*" for "any
// stored version".
func matches(ifMatch string, updatedAt *time.Time) bool {
	v := strings.TrimSpace(ifMatch)
	if updatedAt == nil {
		return false
	}
	if v == "*" {
		return true
	}
	v = strings.Trim(strings.TrimPrefix(v, "W/"), `"`)
	t, err := time.Parse(time.RFC3339Nano, v)
	return err == nil && t.Equal(*updatedAt)
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func equalPtr[T comparable](a, b *T) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func appendMissing(list []string, names ...string) []string {
	for _, n := range names {
		if !slices.Contains(list, n) {
			list = append(list, n)
		}
	}
	return list
}
