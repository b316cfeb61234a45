package auth

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"

	dashboard "github.com/thebabesclub/dashboard"
)

// maxNumericDate is 9999-12-31T23:59:59Z: later (or negative) dates are
// refused rather than overflowing time arithmetic.
const maxNumericDate = 253402300799

var (
	errNotString = errors.New("auth: claim is not a string")
	errNotDate   = errors.New("auth: claim is not a numeric date")
)

// tokenClaims is the wire shape Verify decodes. It implements jwt.Claims
// itself, instead of embedding jwt.RegisteredClaims, so that decoding does
// not allocate a NumericDate per time claim on every request, and so that
// claims of the wrong JSON type fail the decode instead of reading as absent.
type tokenClaims struct {
	UserID      strictString     `json:"userId"`
	Subject     strictString     `json:"sub"`
	Email       string           `json:"email"`
	Role        string           `json:"role"`
	DisplayName string           `json:"displayName"`
	Issuer      string           `json:"iss"`
	Audience    jwt.ClaimStrings `json:"aud"`
	ExpiresAt   numericDate      `json:"exp"`
	NotBefore   numericDate      `json:"nbf"`
	IssuedAt    numericDate      `json:"iat"`
	ID          string           `json:"jti"`
}

// GetExpirationTime implements jwt.Claims.
func (c *tokenClaims) GetExpirationTime() (*jwt.NumericDate, error) { return c.ExpiresAt.get() }

// GetNotBefore implements jwt.Claims.
func (c *tokenClaims) GetNotBefore() (*jwt.NumericDate, error) { return c.NotBefore.get() }

// GetIssuedAt implements jwt.Claims.
func (c *tokenClaims) GetIssuedAt() (*jwt.NumericDate, error) { return c.IssuedAt.get() }

// GetIssuer implements jwt.Claims.
func (c *tokenClaims) GetIssuer() (string, error) { return c.Issuer, nil }

// GetSubject implements jwt.Claims.
func (c *tokenClaims) GetSubject() (string, error) { return c.Subject.s, nil }

// GetAudience implements jwt.Claims.
func (c *tokenClaims) GetAudience() (jwt.ClaimStrings, error) { return c.Audience, nil }

// memberID applies CONTRACT §2: userId when present, else sub. A userId that
// is present must itself be usable; it never silently falls back to sub.
func (c *tokenClaims) memberID() (string, bool) {
	id := c.Subject.s
	if c.UserID.set {
		id = c.UserID.s
	}
	if !dashboard.ValidMemberID(id) {
		return "", false
	}
	return id, true
}

// strictString decodes a claim that must be a JSON string when present:
// null, numbers, objects and arrays fail the whole decode instead of being
// read as "absent", and set records that the claim was there at all.
type strictString struct {
	s   string
	set bool
}

// UnmarshalJSON implements json.Unmarshaler. encoding/json has already
// checked that b is well-formed, so a literal without escapes, control
// characters or invalid UTF-8 is taken as is; anything else goes through
// encoding/json for exact unescaping.
func (s *strictString) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' {
		return errNotString
	}
	s.set = true
	body := b[1 : len(b)-1]
	for _, c := range body {
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			return json.Unmarshal(b, &s.s)
		}
	}
	s.s = string(body)
	return nil
}

// numericDate decodes an RFC 7519 NumericDate: a JSON number of seconds
// since the epoch. Strings, null and out-of-range values fail the decode.
type numericDate struct {
	d   jwt.NumericDate
	set bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *numericDate) UnmarshalJSON(b []byte) error {
	if len(b) == 0 || (b[0] != '-' && (b[0] < '0' || b[0] > '9')) {
		return errNotDate
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || f < 0 || f > maxNumericDate {
		return errNotDate
	}
	sec, frac := math.Modf(f)
	n.d = jwt.NumericDate{Time: time.Unix(int64(sec), int64(frac*1e9))}
	n.set = true
	return nil
}

// get returns the date for the jwt validator, nil when the claim is absent.
func (n *numericDate) get() (*jwt.NumericDate, error) {
	if !n.set {
		return nil, nil
	}
	return &n.d, nil
}
