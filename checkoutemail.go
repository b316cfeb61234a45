package dashboard

import (
	"context"
	"time"
)

// MaxCheckoutEmails is how many checkout emails a member may have besides
// the profile email (CONTRACT §9), pending and verified together.
const MaxCheckoutEmails = 3

// CheckoutEmail is an address a member used at checkout (as a guest, say)
// and adds to their account so that those orders are theirs (CONTRACT §9).
// It is kept as USER#<userId> / CHECKOUTEMAIL#<lower-cased email> from the
// moment it is added; once verified, the CHECKOUTEMAIL#<lower-cased email> /
// LOOKUP item names its one holder, and only then does it match orders.
type CheckoutEmail struct {
	UserID string
	// Email is the address as the member entered it.
	Email   string
	AddedAt time.Time
	// VerifiedAt is when its mailed code was confirmed; nil while pending.
	VerifiedAt *time.Time
}

// CheckoutEmailStore keeps checkout emails. Addresses are compared
// lower-cased; every method takes them as entered.
type CheckoutEmailStore interface {
	// CheckoutEmails returns the member's checkout emails, pending and
	// verified, oldest first.
	CheckoutEmails(ctx context.Context, userID string) ([]CheckoutEmail, error)
	// AddCheckoutEmail stores c as pending (VerifiedAt is ignored). Adding
	// an address the member already has changes nothing and is not an
	// error. It fails with EVALIDATION when the member already has
	// MaxCheckoutEmails addresses.
	AddCheckoutEmail(ctx context.Context, c CheckoutEmail) error
	// VerifyCheckoutEmail marks the member's checkout email verified at at
	// and writes its CHECKOUTEMAIL# lookup, in one transaction. It fails
	// with ENOTFOUND when the member has no such address (it was deleted),
	// and with ECONFLICT when another member holds the address (its
	// CHECKOUTEMAIL# lookup) or it is any member's login email (its EMAIL#
	// lookup); then nothing changes. Verifying again is not an error.
	VerifyCheckoutEmail(ctx context.Context, userID, email string, at time.Time) error
	// DeleteCheckoutEmail removes the member's checkout email and, when
	// this member holds it, its lookup, in one transaction (ENOTFOUND when
	// the member has no such address). Orders already filed stay.
	DeleteCheckoutEmail(ctx context.Context, userID, email string) error
	// UserIDByCheckoutEmail returns the member who verified email as a
	// checkout email (ENOTFOUND when nobody did).
	UserIDByCheckoutEmail(ctx context.Context, email string) (string, error)
}

// MemberEmail is one of a member's addresses as GET /dashboard/emails and
// the data export list them: the profile (login) email first, marked
// Primary, then the checkout emails.
type MemberEmail struct {
	Email      string     `json:"email"`
	Verified   bool       `json:"verified"`
	Primary    bool       `json:"primary"`
	AddedAt    *time.Time `json:"addedAt"`
	VerifiedAt *time.Time `json:"verifiedAt"`
}
