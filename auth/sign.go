package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// signedClaims is the identity service's claim shape, so that tokens from
// Sign are indistinguishable from real ones to every consumer.
type signedClaims struct {
	UserID      string `json:"userId"`
	Email       string `json:"email"`
	Role        string `json:"role"`
	DisplayName string `json:"displayName"`
	jwt.RegisteredClaims
}

// Sign issues an HS256 token with the identity service's claim shape
// {userId, email, role, displayName, iat, exp, jti} (plus iss and aud when c
// sets them). It exists for the `dashboard token` command, the demo and
// tests; production tokens come from the identity service. c.ExpiresAt is
// ignored: exp is issuedAt+ttl. An empty c.TokenID gets a random jti.
func Sign(secret []byte, c Claims, issuedAt time.Time, ttl time.Duration) (string, error) {
	switch {
	case len(secret) == 0:
		return "", errors.New("auth: a signing secret is required")
	case c.UserID == "":
		return "", errors.New("auth: a user id is required")
	case ttl <= 0:
		return "", errors.New("auth: ttl must be positive")
	}
	jti := c.TokenID
	if jti == "" {
		var b [16]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
		jti = hex.EncodeToString(b[:])
	}
	claims := signedClaims{
		UserID:      c.UserID,
		Email:       c.Email,
		Role:        c.Role,
		DisplayName: c.DisplayName,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    c.Issuer,
			Audience:  c.Audience,
			IssuedAt:  jwt.NewNumericDate(issuedAt),
			ExpiresAt: jwt.NewNumericDate(issuedAt.Add(ttl)),
			ID:        jti,
		},
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
}
