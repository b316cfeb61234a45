package bolt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"

	dashboard "github.com/thebabesclub/dashboard"
)

// Key parts of the profile and email-lookup items (CONTRACT §6).
const (
	userPrefix   = "USER#"
	profileSK    = "PROFILE"
	emailPrefix  = "EMAIL#"
	lookupSK     = "LOOKUP"
	stripePrefix = "STRIPE#"
	attrUserID   = "userId"
	attrEmail    = "email"
	attrGSI1PK   = "GSI1PK"
)

// GetProfile returns the stored profile (ENOTFOUND when there is no item).
func (s *Store) GetProfile(ctx context.Context, userID string) (*dashboard.Profile, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var p *dashboard.Profile
	err := s.db.View(func(tx *bbolt.Tx) (err error) {
		p, err = s.profileIn(tx.Bucket(bucketItems), userID)
		return err
	})
	return p, err
}

// profileFromItem picks the dashboard's attributes out of a profile item;
// the identity service's attributes never reach the Profile.
func profileFromItem(userID string, item map[string]any) *dashboard.Profile {
	p := &dashboard.Profile{
		UserID:                userID,
		Email:                 str(item[dashboard.FieldEmail]),
		DisplayName:           str(item[dashboard.FieldDisplayName]),
		Phone:                 strPtr(item[dashboard.FieldPhone]),
		ShippingAddress:       addressFrom(item[dashboard.FieldShippingAddress]),
		BillingAddress:        addressFrom(item[dashboard.FieldBillingAddress]),
		PreferredWallet:       strPtr(item[dashboard.FieldPreferredWallet]),
		AvatarURL:             strPtr(item[dashboard.FieldAvatarURL]),
		StripeCustomerID:      strPtr(item[dashboard.FieldStripeCustomerID]),
		WalletVerifiedAt:      parseTime(item[dashboard.FieldWalletVerifiedAt]),
		PendingEmail:          strPtr(item[dashboard.FieldPendingEmail]),
		PendingEmailExpiresAt: parseTime(item[dashboard.FieldPendingEmailExp]),
		CreatedAt:             parseTime(item[dashboard.FieldCreatedAt]),
		UpdatedAt:             parseTime(item[dashboard.FieldUpdatedAt]),
	}
	if m, ok := item[dashboard.FieldDashboardSetting].(map[string]any); ok && len(m) > 0 {
		p.Settings = make(map[string]bool, len(m))
		for k, v := range m {
			if b, ok := v.(bool); ok {
				p.Settings[k] = b
			}
		}
	}
	p.DashboardSettings = dashboard.MergeSettings(p.Settings)
	return p
}

// SaveProfile applies change in one transaction: the updatedAt check, the
// named attributes, updatedAt (and createdAt and userId when absent), the
// Stripe index and the email-lookup swap all commit together or not at all.
func (s *Store) SaveProfile(ctx context.Context, change dashboard.ProfileChange) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p := change.Profile
	if p == nil {
		return dashboard.Errorf(dashboard.EVALIDATION, "A profile is required.")
	}
	if err := checkUser(p.UserID); err != nil {
		return err
	}
	updatedAt := s.now()
	if p.UpdatedAt != nil {
		updatedAt = *p.UpdatedAt
	}
	pk := userPrefix + p.UserID
	err := s.db.Update(func(tx *bbolt.Tx) error {
		item, err := getMap(tx, pk, profileSK)
		if err != nil {
			return err
		}
		if item == nil {
			item = map[string]any{}
		}
		if !sameVersion(parseTime(item[dashboard.FieldUpdatedAt]), change.ExpectUpdatedAt) {
			return dashboard.Errorf(dashboard.EPRECONDITION, "The profile changed since it was read.")
		}
		for _, f := range change.Fields {
			if err := setProfileField(item, p, f); err != nil {
				return err
			}
		}
		if slices.Contains(change.Fields, dashboard.FieldEmail) {
			if err := swapEmail(tx, p.UserID, p.Email, change.PreviousEmail); err != nil {
				return err
			}
		}
		item["PK"], item["SK"] = pk, profileSK
		if _, ok := item[attrUserID]; !ok {
			item[attrUserID] = p.UserID
		}
		item[dashboard.FieldUpdatedAt] = formatTime(updatedAt)
		if _, ok := item[dashboard.FieldCreatedAt]; !ok {
			created := updatedAt
			if p.CreatedAt != nil {
				created = *p.CreatedAt
			}
			item[dashboard.FieldCreatedAt] = formatTime(created)
		}
		return putMap(tx, item)
	})
	var appErr *dashboard.Error
	if err == nil || errors.As(err, &appErr) {
		return err
	}
	return fmt.Errorf("bolt: save profile: %w", err)
}

// sameVersion reports whether the stored updatedAt is the one the caller
// read. Both are compared at the stored (millisecond) precision, so a
// caller may pass back the exact time it wrote.
func sameVersion(stored, expect *time.Time) bool {
	if stored == nil || expect == nil {
		return stored == nil && expect == nil
	}
	return normTime(*stored).Equal(normTime(*expect))
}

// setProfileField copies the attribute named field from p into item; a
// nil pointer, empty string or empty map removes it.
func setProfileField(item map[string]any, p *dashboard.Profile, field string) error {
	var v any
	switch field {
	case dashboard.FieldEmail:
		v = nonEmpty(strings.TrimSpace(p.Email))
	case dashboard.FieldDisplayName:
		v = nonEmpty(p.DisplayName)
	case dashboard.FieldPhone:
		v = deref(p.Phone)
	case dashboard.FieldPreferredWallet:
		v = deref(p.PreferredWallet)
	case dashboard.FieldAvatarURL:
		v = deref(p.AvatarURL)
	case dashboard.FieldShippingAddress:
		v = addressMap(p.ShippingAddress)
	case dashboard.FieldBillingAddress:
		v = addressMap(p.BillingAddress)
	case dashboard.FieldDashboardSetting:
		if len(p.Settings) > 0 {
			m := make(map[string]any, len(p.Settings))
			for k, b := range p.Settings {
				m[k] = b
			}
			v = m
		}
	case dashboard.FieldWalletVerifiedAt:
		if p.WalletVerifiedAt != nil {
			v = formatTime(*p.WalletVerifiedAt)
		}
	case dashboard.FieldPendingEmail:
		v = deref(p.PendingEmail)
	case dashboard.FieldPendingEmailExp:
		if p.PendingEmailExpiresAt != nil {
			v = formatTime(*p.PendingEmailExpiresAt)
		}
	case dashboard.FieldStripeCustomerID:
		v = deref(p.StripeCustomerID)
		if v != nil {
			item[attrGSI1PK] = stripePrefix + *p.StripeCustomerID
		} else {
			delete(item, attrGSI1PK)
		}
	case dashboard.FieldCreatedAt, dashboard.FieldUpdatedAt:
		return nil // the store maintains both; createdAt is set only once
	default:
		return fmt.Errorf("unknown profile field %q", field)
	}
	if v == nil {
		delete(item, field)
	} else {
		item[field] = v
	}
	return nil
}

// swapEmail claims EMAIL#<email> for userID and releases EMAIL#<previous>
// when the lower-cased addresses differ. A lookup naming another member,
// or a CHECKOUTEMAIL#<email> lookup of anyone, fails with ECONFLICT; the previous lookup is deleted only if it names
// userID, so a stale PreviousEmail never frees someone else's address.
func swapEmail(tx *bbolt.Tx, userID, email, previous string) error {
	next := strings.ToLower(strings.TrimSpace(email))
	prev := strings.ToLower(strings.TrimSpace(previous))
	if next == prev {
		return nil
	}
	if next != "" {
		// A verified checkout email (any member's) never becomes a login
		// email (CONTRACT §9).
		if tx.Bucket(bucketItems).Get(itemKey(checkoutPrefix+next, lookupSK)) != nil {
			return dashboard.Errorf(dashboard.ECONFLICT, "That email address is already in use.")
		}
		lookup, err := getMap(tx, emailPrefix+next, lookupSK)
		if err != nil {
			return err
		}
		if lookup != nil && str(lookup[attrUserID]) != userID {
			return dashboard.Errorf(dashboard.ECONFLICT, "That email address is already in use.")
		}
		if lookup == nil {
			lookup = map[string]any{"PK": emailPrefix + next, "SK": lookupSK}
		}
		lookup[attrUserID], lookup[attrEmail] = userID, strings.TrimSpace(email)
		if err := putMap(tx, lookup); err != nil {
			return err
		}
	}
	if prev != "" {
		lookup, err := getMap(tx, emailPrefix+prev, lookupSK)
		if err != nil {
			return err
		}
		if lookup != nil && str(lookup[attrUserID]) == userID {
			return deleteItem(tx, emailPrefix+prev, lookupSK)
		}
	}
	return nil
}

// UserIDByEmail resolves EMAIL#<lower-cased email> (ENOTFOUND if absent).
func (s *Store) UserIDByEmail(ctx context.Context, email string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	key := strings.ToLower(strings.TrimSpace(email))
	var id string
	err := s.db.View(func(tx *bbolt.Tx) error {
		if key == "" {
			return nil
		}
		item, err := getMap(tx, emailPrefix+key, lookupSK)
		id = str(item[attrUserID])
		return err
	})
	if err != nil {
		return "", fmt.Errorf("bolt: user by email: %w", err)
	}
	if id == "" {
		return "", dashboard.Errorf(dashboard.ENOTFOUND, "No member has that email address.")
	}
	return id, nil
}

// UserIDByStripeCustomer resolves the GSI1 entry STRIPE#<customerID>
// (ENOTFOUND if absent).
func (s *Store) UserIDByStripeCustomer(ctx context.Context, customerID string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	var id string
	err := s.db.View(func(tx *bbolt.Tx) error {
		if customerID == "" {
			return nil
		}
		v := lookupIndex(tx, attrGSI1PK, stripePrefix+customerID)
		if v == nil {
			return nil
		}
		var item struct {
			PK     string `json:"PK"`
			UserID any    `json:"userId"`
		}
		if err := json.Unmarshal(v, &item); err != nil {
			return err
		}
		if id = str(item.UserID); id == "" {
			id = strings.TrimPrefix(item.PK, userPrefix)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("bolt: user by stripe customer: %w", err)
	}
	if id == "" {
		return "", dashboard.Errorf(dashboard.ENOTFOUND, "No member has that Stripe customer.")
	}
	return id, nil
}

// addressMap is the stored form of an address: a map, or an untyped nil
// (remove the attribute) when a is nil.
func addressMap(a *dashboard.Address) any {
	if a == nil {
		return nil
	}
	m := map[string]any{
		"line1": a.Line1, "city": a.City, "state": a.State, "postalCode": a.PostalCode, "country": a.Country,
	}
	if a.Name != "" {
		m["name"] = a.Name
	}
	if a.Line2 != "" {
		m["line2"] = a.Line2
	}
	return m
}

// addressFrom reads a stored address map (nil unless it is a map).
func addressFrom(v any) *dashboard.Address {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	return &dashboard.Address{
		Name: str(m["name"]), Line1: str(m["line1"]), Line2: str(m["line2"]), City: str(m["city"]),
		State: str(m["state"]), PostalCode: str(m["postalCode"]), Country: str(m["country"]),
	}
}

// str returns v if it is a string, and "" otherwise.
func str(v any) string {
	s, _ := v.(string)
	return s
}

// strPtr returns a pointer to v if it is a string, and nil otherwise.
func strPtr(v any) *string {
	if s, ok := v.(string); ok {
		return &s
	}
	return nil
}

// deref returns *p as an attribute value, or nil (remove) when p is nil.
func deref(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// nonEmpty returns s as an attribute value, or nil (remove) when empty.
func nonEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
