package auth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard/auth"
	"github.com/thebabesclub/dashboard/internal/authtest"
)

func TestVerifyRefusesHostileCases(t *testing.T) {
	cases := authtest.HostileCases(baseConfig(), testPrev)
	if len(cases) < 25 {
		t.Fatalf("only %d hostile cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			cfg := baseConfig()
			if tc.Adjust != nil {
				tc.Adjust(&cfg)
			}
			v := mustVerifier(t, cfg)
			c, err := verifyHeader(v, tc.Header)
			if err == nil {
				t.Fatalf("accepted, claims = %+v", c)
			}
			checkRefusal(t, err)
			// The same config must still accept a good token, so the case
			// is refused for its defect and not for a broken config.
			if _, err := verifyHeader(v, authtest.ValidToken(cfg, "control")); err != nil {
				t.Fatalf("control token refused: %v", err)
			}
		})
	}
}

func TestVerifyAccepts(t *testing.T) {
	member := auth.Claims{UserID: "0123456789abcdef0123456789abcdef", Email: "ada@example.com", Role: "customer", DisplayName: "Ada", TokenID: "jti-1"}
	withIss := func(c auth.Claims) auth.Claims {
		c.Issuer, c.Audience = "https://id.example", []string{"other", "dashboard"}
		return c
	}
	tests := []struct {
		name   string
		token  func(t *testing.T) string
		adjust func(*auth.Config)
		want   auth.Claims
	}{
		{
			name: "valid token",
			token: func(t *testing.T) string {
				return mustSign(t, testSecret, member, testNow.Add(-time.Minute), time.Hour)
			},
			want: member,
		},
		{
			name: "expired but within leeway",
			token: func(t *testing.T) string {
				return mustSign(t, testSecret, member, testNow.Add(-time.Hour-30*time.Second), time.Hour)
			},
			want: member,
		},
		{
			name:  "previous secret while set",
			token: func(t *testing.T) string { return mustSign(t, testPrev, member, testNow, time.Hour) },
			want:  member,
		},
		{
			name:   "iss and aud matching",
			token:  func(t *testing.T) string { return mustSign(t, testSecret, withIss(member), testNow, time.Hour) },
			adjust: func(c *auth.Config) { c.Issuer, c.Audience = "https://id.example", "dashboard" },
			want:   withIss(member),
		},
		{
			name:  "sub fallback",
			token: func(t *testing.T) string { return forgeHS256(t, `{"sub":"u-sub","exp":1764200000,"nbf":1764190000}`) },
			want:  auth.Claims{UserID: "u-sub"},
		},
		{
			name:  "userId wins over sub",
			token: func(t *testing.T) string { return forgeHS256(t, `{"userId":"u-id","sub":"u-sub","exp":1764200000}`) },
			want:  auth.Claims{UserID: "u-id"},
		},
		{
			name: "escaped strings",
			token: func(t *testing.T) string {
				return forgeHS256(t, `{"userId":"u\u002d1","displayName":"Zo\u00eb \"Z\"","exp":1764200000}`)
			},
			want: auth.Claims{UserID: "u-1", DisplayName: `Zoë "Z"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig()
			if tt.adjust != nil {
				tt.adjust(&cfg)
			}
			got, err := mustVerifier(t, cfg).Verify(tt.token(t))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got.ExpiresAt.IsZero() || got.ExpiresAt.Location() != time.UTC {
				t.Errorf("ExpiresAt = %v, want a UTC time", got.ExpiresAt)
			}
			got.ExpiresAt = time.Time{}
			if got.UserID != tt.want.UserID || got.Email != tt.want.Email || got.Role != tt.want.Role ||
				got.DisplayName != tt.want.DisplayName || got.TokenID != tt.want.TokenID || got.Issuer != tt.want.Issuer ||
				strings.Join(got.Audience, ",") != strings.Join(tt.want.Audience, ",") {
				t.Errorf("claims = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestVerifyExpiryBoundaries(t *testing.T) {
	v := mustVerifier(t, baseConfig())
	member := auth.Claims{UserID: "u-1"}
	// exp exactly 59 s ago is inside the 60 s leeway; 61 s ago is outside.
	if _, err := v.Verify(mustSign(t, testSecret, member, testNow.Add(-time.Hour-59*time.Second), time.Hour)); err != nil {
		t.Errorf("exp 59s ago refused: %v", err)
	}
	_, err := v.Verify(mustSign(t, testSecret, member, testNow.Add(-time.Hour-61*time.Second), time.Hour))
	checkRefusal(t, err)
	nbf := func(d time.Duration) string {
		return forgeHS256(t, `{"userId":"u","exp":1764200000,"nbf":`+itoa(testNow.Add(d).Unix())+`}`)
	}
	if _, err := v.Verify(nbf(59 * time.Second)); err != nil {
		t.Errorf("nbf 59s ahead refused: %v", err)
	}
	_, err = v.Verify(nbf(61 * time.Second))
	checkRefusal(t, err)
}

func TestVerifyCustomLeeway(t *testing.T) {
	cfg := baseConfig()
	cfg.Leeway = 5 * time.Second
	v := mustVerifier(t, cfg)
	_, err := v.Verify(mustSign(t, testSecret, auth.Claims{UserID: "u"}, testNow.Add(-time.Hour-30*time.Second), time.Hour))
	checkRefusal(t, err)
}

func TestVerifyCopiesSecrets(t *testing.T) {
	secret := []byte(string(testSecret))
	v := mustVerifier(t, auth.Config{Secret: secret, Now: func() time.Time { return testNow }})
	tok := mustSign(t, testSecret, auth.Claims{UserID: "u"}, testNow, time.Hour)
	secret[0] ^= 0xff
	if _, err := v.Verify(tok); err != nil {
		t.Fatalf("changing the caller's slice changed the verifier: %v", err)
	}
}

func TestNilVerifierRefuses(t *testing.T) {
	var v *auth.Verifier
	_, err := v.Verify("a.b.c")
	checkRefusal(t, err)
}
