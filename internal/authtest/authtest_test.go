package authtest

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/thebabesclub/dashboard/auth"
)

var (
	secret = []byte("authtest-secret-0123456789abcdef")
	prev   = []byte("authtest-previous-0123456789abcd")
	fixed  = time.Date(2025, 11, 26, 12, 0, 0, 0, time.UTC)
)

func base() auth.Config {
	return auth.Config{Secret: secret, PreviousSecret: prev, Now: func() time.Time { return fixed }}
}

func verify(t *testing.T, cfg auth.Config, header string) error {
	t.Helper()
	v, err := auth.NewVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := auth.BearerToken(header)
	if err != nil {
		return err
	}
	_, err = v.Verify(tok)
	return err
}

// TestBuildersMakeAcceptedTokens guards the cases' premise: the hand-made
// signatures and payloads are valid until a case breaks one thing.
func TestBuildersMakeAcceptedTokens(t *testing.T) {
	cfg := base()
	cfg.Issuer, cfg.Audience = "https://id.example", "dashboard"
	c := claimsFor(cfg, "u-1", fixed)
	for name, header := range map[string]string{
		"forge":           bearer(forge(hs256, c, secret)),
		"forge, previous": bearer(forge(hs256, c, prev)),
		"jwt signer":      bearer(signWith(jwt.SigningMethodHS256, c, secret)),
		"ValidToken":      ValidToken(cfg, "u-1"),
	} {
		if err := verify(t, cfg, header); err != nil {
			t.Errorf("%s: refused: %v", name, err)
		}
	}
}

func TestHostileCasesShape(t *testing.T) {
	cases := HostileCases(base(), prev)
	if len(cases) < 25 {
		t.Fatalf("%d cases, want at least 25", len(cases))
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if c.Name == "" || seen[c.Name] {
			t.Errorf("case name %q empty or repeated", c.Name)
		}
		seen[c.Name] = true
		if err := verify(t, adjusted(c), c.Header); err == nil {
			t.Errorf("%s: accepted", c.Name)
		}
	}
	for _, want := range []string{"alg none", "HS384", "HS512", "RS256", "tampered header", "tampered payload",
		"tampered signature", "expired", "nbf", "exp missing", "userId missing", "userId empty", "userId number",
		"wrong iss", "wrong aud", "previous secret", "unknown secret", "8 KiB", "bad base64", "two segments",
		"four segments", "bearer missing", "bearer doubled", "empty bearer", "basic", "header absent"} {
		if !anyName(cases, want) {
			t.Errorf("no case named like %q", want)
		}
	}
}

func TestOversizedCaseIsOversized(t *testing.T) {
	for _, c := range HostileCases(base(), prev) {
		if strings.Contains(c.Name, "8 KiB") && len(c.Header) <= len("Bearer ")+auth.MaxTokenBytes {
			t.Errorf("%s: only %d bytes", c.Name, len(c.Header))
		}
	}
}

func adjusted(c Case) auth.Config {
	cfg := base()
	if c.Adjust != nil {
		c.Adjust(&cfg)
	}
	return cfg
}

func anyName(cases []Case, part string) bool {
	for _, c := range cases {
		if strings.Contains(c.Name, part) {
			return true
		}
	}
	return false
}

// TestHostileCasesOutlastASlowRun holds the table to the rule that no test
// may depend on how fast the machine is: minted at one instant, every case
// must still be refused when it is used later, as when a slow, parallel
// suite reaches it minutes after the table was built. The later clocks
// stay inside the hour the well-formed cases are valid for, so each case
// is still refused for its own defect.
func TestHostileCasesOutlastASlowRun(t *testing.T) {
	cases := HostileCases(base(), prev)
	for _, later := range []time.Duration{5 * time.Minute, 30 * time.Minute, 55 * time.Minute} {
		for _, c := range cases {
			cfg := adjusted(c)
			cfg.Now = func() time.Time { return fixed.Add(later) }
			if err := verify(t, cfg, c.Header); err == nil {
				t.Errorf("%s: accepted %v after the table was minted", c.Name, later)
			}
		}
		// The positive control of the same instant is still accepted then.
		cfg := base()
		ctl := ValidToken(cfg, "u-control")
		cfg.Now = func() time.Time { return fixed.Add(later) }
		if err := verify(t, cfg, ctl); err != nil {
			t.Errorf("control token refused %v after minting: %v", later, err)
		}
	}
}
