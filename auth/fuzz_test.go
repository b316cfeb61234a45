package auth_test

import (
	"strings"
	"testing"

	"github.com/thebabesclub/dashboard/auth"
	"github.com/thebabesclub/dashboard/internal/authtest"
)

// FuzzVerify feeds arbitrary headers and tokens to BearerToken and Verify:
// neither may panic, every refusal must be the generic unauthorized error,
// and anything accepted must name a member.
func FuzzVerify(f *testing.F) {
	base := baseConfig()
	f.Add(authtest.ValidToken(base, "0123456789abcdef0123456789abcdef"))
	f.Add(strings.TrimPrefix(authtest.ValidToken(base, "u"), "Bearer "))
	for _, c := range authtest.HostileCases(base, testPrev) {
		f.Add(c.Header)
		f.Add(strings.TrimPrefix(c.Header, "Bearer "))
	}
	v := mustVerifier(f, base)
	f.Fuzz(func(t *testing.T, in string) {
		check := func(c *auth.Claims, err error) {
			if err != nil {
				checkRefusal(t, err)
				return
			}
			if c == nil || c.UserID == "" {
				t.Fatalf("accepted without a member id: %+v", c)
			}
		}
		check(v.Verify(in))
		if tok, err := auth.BearerToken(in); err == nil {
			check(v.Verify(tok))
		} else {
			checkRefusal(t, err)
		}
	})
}
