// Package authtest holds hostile member tokens shared by every layer that
// authenticates members (the auth package, the HTTP middleware and the API
// Gateway authorizer), so that all of them are held to the same list.
package authtest

import (
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/thebabesclub/dashboard/auth"
)

// Case is one Authorization header that must be refused.
type Case struct {
	Name string
	// Header is the full Authorization header value to send ("" = header absent).
	Header string
	// Adjust, when set, changes the verifier config for this case (e.g. set Issuer, remove PreviousSecret).
	Adjust func(*auth.Config)
}

// ValidToken returns a valid Authorization header for userID signed with
// base.Secret (carrying base's issuer and audience when set), so tests have
// a positive control next to the hostile cases.
func ValidToken(base auth.Config, userID string) string {
	c := auth.Claims{UserID: userID, Email: "member@example.com", Role: "customer", DisplayName: "Test Member", Issuer: base.Issuer}
	if base.Audience != "" {
		c.Audience = []string{base.Audience}
	}
	tok, err := auth.Sign(base.Secret, c, now(base), time.Hour)
	if err != nil {
		panic("authtest: ValidToken: " + err.Error()) // base.Secret or userID is empty
	}
	return "Bearer " + tok
}

// HostileCases returns the headers that must all be refused by a verifier
// built from base (with Adjust applied). base must have Secret set and
// PreviousSecret set to prev. Every case is otherwise well-formed, so each
// one isolates a single defect.
func HostileCases(base auth.Config, prev []byte) []Case {
	var cases []Case
	cases = append(cases, headerCases(base)...)
	cases = append(cases, algCases(base)...)
	cases = append(cases, tamperCases(base)...)
	cases = append(cases, claimCases(base)...)
	cases = append(cases, keyCases(base, prev)...)
	cases = append(cases, encodingCases(base)...)
	return cases
}

// bearer prefixes tok with the scheme.
func bearer(tok string) string { return "Bearer " + tok }

// headerCases break the Authorization header around a valid token.
func headerCases(base auth.Config) []Case {
	tok := strings.TrimPrefix(ValidToken(base, "u-header"), "Bearer ")
	return []Case{
		{Name: "header absent", Header: ""},
		{Name: "empty bearer", Header: "Bearer "},
		{Name: "scheme only", Header: "Bearer"},
		{Name: "bearer missing (raw token)", Header: tok},
		{Name: "bearer doubled", Header: "Bearer Bearer " + tok},
		{Name: "basic scheme", Header: "Basic dXNlcjpwYXNzd29yZA=="},
		{Name: "basic scheme with token", Header: "Basic " + tok},
		{Name: "other scheme", Header: "Token " + tok},
		{Name: "two spaces", Header: "Bearer  " + tok},
		{Name: "tab separator", Header: "Bearer\t" + tok},
		{Name: "extra segment after token", Header: "Bearer " + tok + " extra"},
		{Name: "two tokens comma separated", Header: "Bearer " + tok + ", Bearer " + tok},
	}
}

// algCases carry a signature made with the right secret under a header
// whose alg is anything but exactly HS256.
func algCases(base auth.Config) []Case {
	t := now(base)
	c := claimsFor(base, "u-alg", t)
	input := seg(map[string]any{"alg": "none", "typ": "JWT"}) + "." + seg(c)
	rsInput := seg(map[string]any{"alg": "RS256", "typ": "JWT"}) + "." + seg(c)
	return []Case{
		{Name: "alg none, empty signature", Header: bearer(input + ".")},
		{Name: "alg none, hmac signature", Header: bearer(input + "." + b64(mac(base.Secret, input)))},
		{Name: "alg None mixed case", Header: bearer(forge(map[string]any{"alg": "None"}, c, base.Secret))},
		{Name: "alg HS384", Header: bearer(signWith(jwt.SigningMethodHS384, c, base.Secret))},
		{Name: "alg HS512", Header: bearer(signWith(jwt.SigningMethodHS512, c, base.Secret))},
		{Name: "alg RS256, hmac signature (key confusion)", Header: bearer(rsInput + "." + b64(mac(base.Secret, rsInput)))},
		{Name: "alg RS256, rsa-sized signature", Header: bearer(rsInput + "." + b64(make([]byte, 256)))},
		{Name: "alg ES256", Header: bearer(forge(map[string]any{"alg": "ES256", "typ": "JWT"}, c, base.Secret))},
		{Name: "alg lowercase hs256", Header: bearer(forge(map[string]any{"alg": "hs256", "typ": "JWT"}, c, base.Secret))},
		{Name: "alg with trailing space", Header: bearer(forge(map[string]any{"alg": "HS256 "}, c, base.Secret))},
		{Name: "alg missing", Header: bearer(forge(map[string]any{"typ": "JWT"}, c, base.Secret))},
		{Name: "alg not a string", Header: bearer(forge(map[string]any{"alg": []string{"HS256"}}, c, base.Secret))},
		{Name: "crit header", Header: bearer(forge(map[string]any{"alg": "HS256", "typ": "JWT", "crit": []string{"b64"}, "b64": false}, c, base.Secret))},
	}
}

// tamperCases change a validly signed token after signing.
func tamperCases(base auth.Config) []Case {
	t := now(base)
	c := claimsFor(base, "u-tamper", t)
	tok := forge(hs256, c, base.Secret)
	parts := strings.Split(tok, ".")
	sig := parts[2]
	flipped := "A"
	if sig[0] == 'A' {
		flipped = "B"
	}
	return []Case{
		{Name: "tampered header", Header: bearer(seg(map[string]any{"alg": "HS256", "typ": "JWT", "kid": "x"}) + "." + parts[1] + "." + sig)},
		{Name: "tampered payload", Header: bearer(parts[0] + "." + seg(with(c, "userId", "someone-else")) + "." + sig)},
		{Name: "tampered signature", Header: bearer(parts[0] + "." + parts[1] + "." + flipped + sig[1:])},
		{Name: "signature stripped", Header: bearer(parts[0] + "." + parts[1] + ".")},
		{Name: "signature truncated", Header: bearer(parts[0] + "." + parts[1] + "." + sig[:len(sig)-4])},
		{Name: "signature of another token", Header: bearer(parts[0] + "." + seg(with(c, "role", "admin")) + "." + sig)},
	}
}
