// Package dashboard holds the domain of the Babes Club member dashboard: the
// types members see (Profile, Order, Holding), the application errors, and the
// interfaces that stores and adapters implement. It imports no database, no
// HTTP and no vendor SDK; the packages below it adapt the outside world to it.
package dashboard

import (
	"context"
	"time"
)

// Address is a postal address as members enter it and Stripe reports it.
type Address struct {
	Name       string `json:"name,omitempty"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	State      string `json:"state"`
	PostalCode string `json:"postalCode"`
	Country    string `json:"country"`
}

// DashboardSettings are the member's display preferences.
type DashboardSettings struct {
	ShowOrderHistory   bool `json:"showOrderHistory"`
	ShowNftHoldings    bool `json:"showNftHoldings"`
	EmailNotifications bool `json:"emailNotifications"`
}

// DefaultDashboardSettings is what a member sees for every key they never set.
func DefaultDashboardSettings() DashboardSettings {
	return DashboardSettings{ShowOrderHistory: true, ShowNftHoldings: true, EmailNotifications: true}
}

// Settings keys, as they appear in payloads and in the stored map.
const (
	SettingShowOrderHistory   = "showOrderHistory"
	SettingShowNftHoldings    = "showNftHoldings"
	SettingEmailNotifications = "emailNotifications"
)

// MergeSettings returns the defaults with every key present in stored laid over them.
// The store keeps only the keys a member set, so a new default reaches
// everyone who never chose otherwise.
func MergeSettings(stored map[string]bool) DashboardSettings {
	s := DefaultDashboardSettings()
	if v, ok := stored[SettingShowOrderHistory]; ok {
		s.ShowOrderHistory = v
	}
	if v, ok := stored[SettingShowNftHoldings]; ok {
		s.ShowNftHoldings = v
	}
	if v, ok := stored[SettingEmailNotifications]; ok {
		s.EmailNotifications = v
	}
	return s
}

// Profile is the member-owned part of the profile item the dashboard shares
// with the identity service. Optional fields are pointers so that "unset"
// (JSON null, attribute absent) differs from an empty value.
type Profile struct {
	UserID          string   `json:"userId"`
	Email           string   `json:"email"`
	DisplayName     string   `json:"displayName"`
	Phone           *string  `json:"phone"`
	ShippingAddress *Address `json:"shippingAddress"`
	BillingAddress  *Address `json:"billingAddress"`
	PreferredWallet *string  `json:"preferredWallet"`
	AvatarURL       *string  `json:"avatarUrl"`
	// StripeCustomerID is set by Stripe syncs, never by the member.
	StripeCustomerID *string `json:"stripeCustomerId"`
	// Settings holds only the keys the member set; DashboardSettings merges
	// them over the defaults for display.
	Settings          map[string]bool   `json:"-"`
	DashboardSettings DashboardSettings `json:"dashboardSettings"`
	CreatedAt         *time.Time        `json:"createdAt"`
	UpdatedAt         *time.Time        `json:"updatedAt"`
	// PendingEmail is a new email waiting for its mailed code (CONTRACT §9);
	// it never matches orders nor claims a login lookup until verified.
	PendingEmail          *string    `json:"pendingEmail,omitempty"`
	PendingEmailExpiresAt *time.Time `json:"pendingEmailExpiresAt,omitempty"`
	// WalletVerifiedAt is when the member proved control of PreferredWallet
	// (Sign-In with Ethereum); nil while unproven. Not part of the payload.
	WalletVerifiedAt *time.Time `json:"-"`
}

// Profile attribute names. They are the JSON names of the payload and the
// attribute names of the stored item alike.
const (
	FieldEmail            = "email"
	FieldDisplayName      = "displayName"
	FieldPhone            = "phone"
	FieldShippingAddress  = "shippingAddress"
	FieldBillingAddress   = "billingAddress"
	FieldPreferredWallet  = "preferredWallet"
	FieldAvatarURL        = "avatarUrl"
	FieldDashboardSetting = "dashboardSettings"
	FieldStripeCustomerID = "stripeCustomerId"
	FieldWalletVerifiedAt = "walletVerifiedAt"
	FieldPendingEmail     = "pendingEmail"
	FieldPendingEmailExp  = "pendingEmailExpiresAt"
	FieldCreatedAt        = "createdAt"
	FieldUpdatedAt        = "updatedAt"
)

// ProfileChange is one write of a member's profile. The store applies it as
// a single atomic change that touches only the attributes named in Fields
// (plus updatedAt, createdAt when absent, and the lookup items), so
// attributes owned by the identity service (password hash, status, roles…)
// survive untouched.
type ProfileChange struct {
	// Profile carries the new values. For each name in Fields, a nil pointer
	// (or empty map for dashboardSettings) removes the attribute.
	Profile *Profile
	// Fields lists the attribute names to write (Field* constants).
	Fields []string
	// ExpectUpdatedAt is the updatedAt the caller read; the write succeeds
	// only if the stored item still has it. Nil means the caller saw no
	// updatedAt (no item, or an item only the identity service wrote).
	// A mismatch fails with EPRECONDITION.
	ExpectUpdatedAt *time.Time
	// PreviousEmail is the email the caller read. When Fields includes email
	// and the lower-cased address differs, the store claims
	// EMAIL#<new> (failing with ECONFLICT when it names another member) and
	// deletes EMAIL#<previous> if, and only if, it names this member — all
	// in the same transaction as the profile write.
	PreviousEmail string
}

// ProfileStore keeps member profiles and the email lookup.
type ProfileStore interface {
	// GetProfile returns the stored profile (ENOTFOUND when there is no
	// item). It reads the item with one consistent read.
	GetProfile(ctx context.Context, userID string) (*Profile, error)
	// SaveProfile applies change atomically (see ProfileChange).
	SaveProfile(ctx context.Context, change ProfileChange) error
	// UserIDByEmail resolves EMAIL#<lower-cased email> (ENOTFOUND if absent).
	UserIDByEmail(ctx context.Context, email string) (string, error)
	// UserIDByStripeCustomer resolves the GSI1 reverse lookup
	// STRIPE#<customer id> (ENOTFOUND if absent).
	UserIDByStripeCustomer(ctx context.Context, customerID string) (string, error)
	// EachProfile calls fn for every stored profile, stopping at fn's first
	// error. It reads the whole table (on DynamoDB a Scan): only for an
	// operator's one-off migrations, never for a request or a job.
	EachProfile(ctx context.Context, fn func(*Profile) error) error
	// EachStripeMember calls fn with the user id and Stripe customer id of
	// every member whose profile carries a customer, each once, stopping at
	// fn's first error. It reads only the sparse GSI1 entries
	// (STRIPE#<customer id> and the wallet shards), never the members'
	// orders or holdings, so it costs in proportion to the members, not the
	// table; `sync stripe --all` walks the members with it. The index is
	// eventually consistent: a customer linked a moment ago may be missed
	// and is caught by the next run.
	EachStripeMember(ctx context.Context, fn func(userID, customerID string) error) error
}
