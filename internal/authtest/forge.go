package authtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/thebabesclub/dashboard/auth"
)

// b64 encodes a JWT segment (base64url without padding).
func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// seg encodes v as a JSON segment; v may be a string of literal JSON.
func seg(v any) string {
	if s, ok := v.(string); ok {
		return b64([]byte(s))
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic("authtest: " + err.Error()) // only fixed, marshalable values reach here
	}
	return b64(b)
}

// forge builds header.payload.signature with an HMAC-SHA256 signature made
// by hand, so that headers jwt's signer would never produce (alg none,
// RS256, lowercase alg, crit) still carry a signature valid for secret.
func forge(header, payload any, secret []byte) string {
	input := seg(header) + "." + seg(payload)
	return input + "." + b64(mac(secret, input))
}

// mac returns HMAC-SHA256(secret, input).
func mac(secret []byte, input string) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(input))
	return h.Sum(nil)
}

// signWith signs payload with jwt's own signer for method (HS384, HS512).
func signWith(method jwt.SigningMethod, payload map[string]any, secret []byte) string {
	tok, err := jwt.NewWithClaims(method, jwt.MapClaims(payload)).SignedString(secret)
	if err != nil {
		panic("authtest: " + err.Error())
	}
	return tok
}

// hs256 is the header the identity service sends.
var hs256 = map[string]any{"alg": "HS256", "typ": "JWT"}

// claimsFor returns a payload that base would accept for userID at now, in
// the identity service's shape; cases change one thing in it.
func claimsFor(base auth.Config, userID string, now time.Time) map[string]any {
	c := map[string]any{
		"userId":      userID,
		"email":       "member@example.com",
		"role":        "customer",
		"displayName": "Test Member",
		"iat":         now.Unix(),
		"exp":         now.Add(time.Hour).Unix(),
		"jti":         "authtest-jti",
	}
	if base.Issuer != "" {
		c["iss"] = base.Issuer
	}
	if base.Audience != "" {
		c["aud"] = base.Audience
	}
	return c
}

// with returns a copy of c with the given keys set (or deleted when the
// value is the deleted marker).
func with(c map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(c)+len(kv)/2)
	for k, v := range c {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == deleted {
			delete(out, k)
		} else {
			out[k] = kv[i+1]
		}
	}
	return out
}

// deleted marks a claim for removal in with.
var deleted = &struct{ byte }{}

// now returns base's clock, falling back to the wall clock like auth does.
func now(base auth.Config) time.Time {
	if base.Now != nil {
		return base.Now()
	}
	return time.Now()
}

// leeway returns base's effective leeway.
func leeway(base auth.Config) time.Duration {
	if base.Leeway > 0 {
		return base.Leeway
	}
	return auth.DefaultLeeway
}
