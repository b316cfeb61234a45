package auth_test

import (
	"testing"
	"time"

	"github.com/thebabesclub/dashboard/auth"
)

// BenchmarkVerify measures the per-request cost of verifying a typical
// identity-service token with the current secret, as a member's repeated
// requests pay it (the token is in the Verifier's cache after the first).
func BenchmarkVerify(b *testing.B) {
	now := time.Unix(1_750_000_000, 0)
	secret := []byte("bench-secret-0123456789abcdef0123456789")
	v, err := auth.NewVerifier(auth.Config{Secret: secret, PreviousSecret: []byte("previous-secret-0123456789abcdef"), Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	tok, err := auth.Sign(secret, auth.Claims{
		UserID: "0123456789abcdef0123456789abcdef", Email: "member@example.com",
		Role: "customer", DisplayName: "Ada Member",
	}, now, 12*time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyFirstSeen measures a token the Verifier has not seen yet:
// the full HS256 check (a member's first request, or a cache miss).
func BenchmarkVerifyFirstSeen(b *testing.B) {
	now := time.Unix(1_750_000_000, 0)
	secret := []byte("bench-secret-0123456789abcdef0123456789")
	tok, err := auth.Sign(secret, auth.Claims{
		UserID: "0123456789abcdef0123456789abcdef", Email: "member@example.com",
		Role: "customer", DisplayName: "Ada Member",
	}, now, 12*time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	verifiers := make([]*auth.Verifier, b.N)
	for i := range verifiers {
		if verifiers[i], err = auth.NewVerifier(auth.Config{Secret: secret, Now: func() time.Time { return now }}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := verifiers[i].Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}
