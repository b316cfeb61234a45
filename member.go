package dashboard

import (
	"context"
	"time"
)

// Member is the authenticated caller, as the identity service's token (or the
// API Gateway authorizer context built from it) describes them. Handlers take
// the member id only from here, never from a path, query or body.
type Member struct {
	UserID      string
	Email       string
	Role        string
	DisplayName string
	// ExpiresAt is the token's exp. It travels with the member so that the
	// HTTP layer can refuse a request past exp (plus the leeway) even when
	// API Gateway answered from its authorizer cache, which outlives tokens
	// (CONTRACT §2). The zero time means unknown, and is refused.
	ExpiresAt time.Time
}

type memberContextKey struct{}

// NewContextWithMember returns a copy of ctx that carries m.
func NewContextWithMember(ctx context.Context, m Member) context.Context {
	return context.WithValue(ctx, memberContextKey{}, m)
}

// MemberFromContext returns the member ctx carries, and whether it carries one.
func MemberFromContext(ctx context.Context) (Member, bool) {
	m, ok := ctx.Value(memberContextKey{}).(Member)
	return m, ok && m.UserID != ""
}

// MaxMemberIDBytes bounds a member id: ids are 32 hex characters today, and
// they end up inside storage keys and logs.
const MaxMemberIDBytes = 128

// ValidMemberID reports whether id is a well-formed member id: 1 to 128
// printable ASCII characters without spaces and without '#', the separator
// of the table's keys. Every door by which a member id enters — a token, an
// authorizer context, a Stripe session's metadata, a store call — applies
// this one rule, so no id is accepted by one part and refused by another.
func ValidMemberID(id string) bool {
	if id == "" || len(id) > MaxMemberIDBytes {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c > '~' || c == '#' {
			return false
		}
	}
	return true
}
