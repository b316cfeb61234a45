package dashboard

import "context"

// Member is the authenticated caller, as the identity service's token (or the
// API Gateway authorizer context built from it) describes them. Handlers take
// the member id only from here, never from a path, query or body.
type Member struct {
	UserID      string
	Email       string
	Role        string
	DisplayName string
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
