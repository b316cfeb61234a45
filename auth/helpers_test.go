package auth_test

import (
	"errors"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/auth"
)

var (
	testNow    = time.Date(2025, 11, 26, 21, 28, 24, 0, time.UTC)
	testSecret = []byte("current-secret-0123456789abcdef0123")
	testPrev   = []byte("previous-secret-0123456789abcdef012")
)

// baseConfig is the verifier config every test starts from: both secrets
// set and a fixed clock.
func baseConfig() auth.Config {
	return auth.Config{Secret: testSecret, PreviousSecret: testPrev, Now: func() time.Time { return testNow }}
}

// mustVerifier builds a verifier or fails the test.
func mustVerifier(t testing.TB, cfg auth.Config) *auth.Verifier {
	t.Helper()
	v, err := auth.NewVerifier(cfg)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}

// mustSign signs c with secret at issuedAt or fails the test.
func mustSign(t testing.TB, secret []byte, c auth.Claims, issuedAt time.Time, ttl time.Duration) string {
	t.Helper()
	tok, err := auth.Sign(secret, c, issuedAt, ttl)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return tok
}

// checkRefusal fails unless err is the generic unauthorized *dashboard.Error,
// whose text is fixed and so cannot echo the token.
func checkRefusal(t testing.TB, err error) {
	t.Helper()
	var de *dashboard.Error
	if !errors.As(err, &de) {
		t.Fatalf("error = %v (%T), want *dashboard.Error", err, err)
	}
	if de.Code != dashboard.EUNAUTHORIZED {
		t.Fatalf("code = %q, want %q", de.Code, dashboard.EUNAUTHORIZED)
	}
	if de.Message != "A valid member token is required." {
		t.Fatalf("message = %q, want the generic message", de.Message)
	}
	if got, want := err.Error(), (&dashboard.Error{Code: dashboard.EUNAUTHORIZED, Message: de.Message}).Error(); got != want {
		t.Fatalf("error text = %q, want %q", got, want)
	}
}

// verifyHeader runs the full member check: header parsing, then Verify.
func verifyHeader(v *auth.Verifier, header string) (*auth.Claims, error) {
	tok, err := auth.BearerToken(header)
	if err != nil {
		return nil, err
	}
	return v.Verify(tok)
}
