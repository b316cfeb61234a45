package authtest

import (
	"strings"
	"time"

	"github.com/thebabesclub/dashboard/auth"
)

// notBeforeAhead is how far in the future the "nbf in the future" case
// starts. The table is minted once, from the wall clock unless the config
// injects one, and then used for as long as the tests using it run: a case
// a few minutes ahead became valid while a slow, parallel suite was still
// going (issue 10). Ten years is beyond any run, so the verdict no longer
// depends on how fast the machine is. The expired case needs no such
// margin: it only gets more expired.
const notBeforeAhead = 10 * 365 * 24 * time.Hour

// claimCases are correctly signed HS256 tokens whose claims break a rule.
func claimCases(base auth.Config) []Case {
	t, lw := now(base), leeway(base)
	c := claimsFor(base, "u-claims", t)
	sign := func(p any) string { return bearer(forge(hs256, p, base.Secret)) }
	setIssuer := func(cfg *auth.Config) { cfg.Issuer = "https://id.thebabesclub.example" }
	setAudience := func(cfg *auth.Config) { cfg.Audience = "babesclub-dashboard" }
	return []Case{
		{Name: "expired beyond leeway", Header: sign(with(c, "iat", t.Add(-2*time.Hour).Unix(), "exp", t.Add(-lw-time.Minute).Unix()))},
		{Name: "nbf in the future", Header: sign(with(c, "nbf", t.Add(notBeforeAhead).Unix(), "exp", t.Add(notBeforeAhead+time.Hour).Unix()))},
		{Name: "exp missing", Header: sign(with(c, "exp", deleted))},
		{Name: "exp null", Header: sign(with(c, "exp", nil))},
		{Name: "exp as string", Header: sign(with(c, "exp", "9999999999"))},
		{Name: "exp beyond year 9999", Header: sign(with(c, "exp", 1e300))},
		{Name: "userId missing and no sub", Header: sign(with(c, "userId", deleted))},
		{Name: "userId empty", Header: sign(with(c, "userId", ""))},
		{Name: "userId empty with sub", Header: sign(with(c, "userId", "", "sub", "u-sub"))},
		{Name: "userId number", Header: sign(with(c, "userId", 12345))},
		{Name: "userId null", Header: sign(with(c, "userId", nil))},
		{Name: "userId object", Header: sign(with(c, "userId", map[string]any{"id": "u"}))},
		{Name: "userId with newline", Header: sign(with(c, "userId", "u-1\nforged log line"))},
		{Name: "sub empty, no userId", Header: sign(with(c, "userId", deleted, "sub", ""))},
		{Name: "sub number, no userId", Header: sign(with(c, "userId", deleted, "sub", 7))},
		{Name: "email not a string", Header: sign(with(c, "email", true))},
		{Name: "payload not an object", Header: sign(`["userId","u"]`)},
		{Name: "payload not JSON", Header: sign(`userId=u`)},
		{Name: "header not JSON", Header: bearer(forge(`HS256`, c, base.Secret))},
		{Name: "wrong iss when Issuer configured", Header: sign(with(c, "iss", "https://evil.example")), Adjust: setIssuer},
		{Name: "iss missing when Issuer configured", Header: sign(with(c, "iss", deleted)), Adjust: setIssuer},
		{Name: "wrong aud when Audience configured", Header: sign(with(c, "aud", "someone-else")), Adjust: setAudience},
		{Name: "aud missing when Audience configured", Header: sign(with(c, "aud", deleted)), Adjust: setAudience},
	}
}

// keyCases are signed with keys the verifier must not (or no longer) accept.
func keyCases(base auth.Config, prev []byte) []Case {
	c := claimsFor(base, "u-keys", now(base))
	return []Case{
		{
			Name:   "previous secret after PreviousSecret removed",
			Header: bearer(forge(hs256, c, prev)),
			Adjust: func(cfg *auth.Config) { cfg.PreviousSecret = nil },
		},
		{Name: "unknown secret", Header: bearer(forge(hs256, c, []byte("not-the-secret-not-the-secret-!!")))},
		{Name: "empty secret", Header: bearer(forge(hs256, c, nil))},
		{Name: "secret with a byte appended", Header: bearer(forge(hs256, c, append(append([]byte(nil), base.Secret...), 'x')))},
	}
}

// encodingCases break the compact serialization itself.
func encodingCases(base auth.Config) []Case {
	c := claimsFor(base, "u-encoding", now(base))
	tok := forge(hs256, c, base.Secret)
	p := strings.Split(tok, ".")
	big := forge(hs256, with(c, "displayName", strings.Repeat("x", auth.MaxTokenBytes)), base.Secret)
	// A 32-byte HMAC encodes to 43 characters whose last one carries two
	// unused bits; setting them keeps the bytes but breaks canonical form.
	last := strings.IndexByte(alphabet, p[2][42])
	loose := p[2][:42] + string(alphabet[last|1])
	return []Case{
		{Name: "token over 8 KiB", Header: bearer(big)},
		{Name: "bad base64 in header", Header: bearer("eyJhbGciOiJIUzI1NiJ9x." + p[1] + "." + p[2])},
		{Name: "bad base64 in payload", Header: bearer(p[0] + "." + p[1][:len(p[1])-1] + "~." + p[2])},
		{Name: "standard base64 alphabet in signature", Header: bearer(p[0] + "." + p[1] + "." + p[2][:42] + "+")},
		{Name: "padded signature", Header: bearer(tok + "=")},
		{Name: "non-canonical signature bits", Header: bearer(p[0] + "." + p[1] + "." + loose)},
		{Name: "one segment", Header: bearer(p[0])},
		{Name: "two segments", Header: bearer(p[0] + "." + p[1])},
		{Name: "four segments", Header: bearer(tok + "." + p[2])},
		{Name: "empty segments", Header: bearer("..")},
	}
}

// alphabet is the base64url alphabet, for editing encoded characters.
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
