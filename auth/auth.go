// Package auth verifies the member tokens the identity service issues, so
// that the HTTP middleware and the API Gateway authorizer apply exactly the
// same rules (CONTRACT §2): HS256 only, exp required with a small leeway, nbf
// honoured, iss and aud checked when configured, and key rotation through a
// previous secret.
package auth

import (
	"errors"
	"strings"
	"time"

	"github.com/thebabesclub/dashboard"
)

// MaxTokenBytes bounds the size of a token Verify will look at, so that an
// oversized header cannot make every request pay for base64 and JSON work.
const MaxTokenBytes = 8 << 10

// DefaultLeeway is the clock skew allowed on exp and nbf when Config.Leeway
// is zero, because the identity service and this service keep separate clocks.
const DefaultLeeway = 60 * time.Second

// unauthorizedMessage is the one client-safe message every failure carries,
// so that a caller learns nothing about why a token was refused.
const unauthorizedMessage = "A valid member token is required."

// Claims are the member claims the identity service issues, reduced to what
// handlers and the authorizer context need.
type Claims struct {
	UserID      string    // "userId" claim, falling back to "sub"
	Email       string    // "email" claim
	Role        string    // "role" claim, "customer" for members today
	DisplayName string    // "displayName" claim
	ExpiresAt   time.Time // "exp" claim, in UTC
	TokenID     string    // "jti" claim
	// Issuer and Audience are the "iss" and "aud" claims; Sign writes them
	// only when set, so tokens minted locally can pass a verifier that
	// checks them.
	Issuer   string
	Audience []string
}

// Member returns the member the claims describe, ExpiresAt included, so
// that every layer building a dashboard.Member from a token (the local
// middleware, tests) carries the token's expiry the same way the
// authorizer context does.
func (c *Claims) Member() dashboard.Member {
	return dashboard.Member{UserID: c.UserID, Email: c.Email, Role: c.Role, DisplayName: c.DisplayName, ExpiresAt: c.ExpiresAt}
}

// Config holds what a Verifier needs; ConfigFromEnv reads it from the
// environment variables of CONTRACT §7.
type Config struct {
	Secret         []byte           // JWT_SECRET (required, non-empty)
	PreviousSecret []byte           // JWT_SECRET_PREVIOUS: also accepted while set (rotation)
	Issuer         string           // JWT_ISSUER: checked when set
	Audience       string           // JWT_AUDIENCE: checked when set
	Leeway         time.Duration    // default 60s when zero
	Now            func() time.Time // default time.Now
}

// ConfigFromEnv reads JWT_SECRET, JWT_SECRET_PREVIOUS, JWT_ISSUER and
// JWT_AUDIENCE through getenv, so that the local server and the Lambda
// functions configure verification identically. Secrets are taken byte for
// byte (the identity service signs with them as they are); a missing
// JWT_SECRET is an error because a verifier without a key must not start.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	if getenv == nil {
		return Config{}, errors.New("auth: no environment to read")
	}
	cfg := Config{
		Secret:   []byte(getenv("JWT_SECRET")),
		Issuer:   strings.TrimSpace(getenv("JWT_ISSUER")),
		Audience: strings.TrimSpace(getenv("JWT_AUDIENCE")),
	}
	if len(cfg.Secret) == 0 {
		return Config{}, errors.New("auth: JWT_SECRET is not set")
	}
	if prev := getenv("JWT_SECRET_PREVIOUS"); prev != "" {
		cfg.PreviousSecret = []byte(prev)
	}
	return cfg, nil
}

// unauthorized returns the error every refusal uses: code EUNAUTHORIZED and
// a generic message that never echoes the token or the reason.
func unauthorized() error {
	return &dashboard.Error{Code: dashboard.EUNAUTHORIZED, Message: unauthorizedMessage}
}
