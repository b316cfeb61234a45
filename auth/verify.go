package auth

import (
	"bytes"
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Verifier checks member tokens against one configuration. It is safe for
// concurrent use and is built once at start-up, so that per-request work is
// only parsing and one or two HMACs.
type Verifier struct {
	parser  *jwt.Parser
	keys    any // a jwt.VerificationKeySet, boxed once so Verify does not allocate it
	keyFunc jwt.Keyfunc
	now     func() time.Time
	leeway  time.Duration
	cache   tokenCache
}

// NewVerifier validates cfg and returns a Verifier for it. The secrets are
// copied, so later changes to cfg's slices cannot change what is accepted.
func NewVerifier(cfg Config) (*Verifier, error) {
	if len(cfg.Secret) == 0 {
		return nil, errors.New("auth: a JWT secret is required")
	}
	if cfg.Leeway < 0 {
		return nil, errors.New("auth: leeway must not be negative")
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = DefaultLeeway
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	keys := []jwt.VerificationKey{bytes.Clone(cfg.Secret)}
	if len(cfg.PreviousSecret) > 0 && !bytes.Equal(cfg.PreviousSecret, cfg.Secret) {
		keys = append(keys, bytes.Clone(cfg.PreviousSecret))
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithTimeFunc(cfg.Now),
		jwt.WithStrictDecoding(),
	}
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	if cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(cfg.Audience))
	}
	v := &Verifier{parser: jwt.NewParser(opts...), keys: jwt.VerificationKeySet{Keys: keys}, now: cfg.Now, leeway: cfg.Leeway}
	v.keyFunc = v.key
	return v, nil
}

// key is the jwt.Keyfunc. It re-checks the header itself rather than trusting
// WithValidMethods alone: alg must be exactly "HS256" and no "crit"
// extension may be present, before any key is handed out.
func (v *Verifier) key(t *jwt.Token) (any, error) {
	if alg, _ := t.Header["alg"].(string); alg != "HS256" || t.Method != jwt.SigningMethodHS256 {
		return nil, errBadHeader
	}
	if _, ok := t.Header["crit"]; ok {
		return nil, errBadHeader
	}
	return v.keys, nil
}

// errBadHeader makes the parser stop before any signature check; its text
// never reaches a client.
var errBadHeader = errors.New("auth: token header refused")

// Verify checks token (without the "Bearer " prefix) and returns its claims.
// Every failure, whatever the cause, is a *dashboard.Error with code
// EUNAUTHORIZED and the same generic message, so responses reveal nothing
// about which check failed.
func (v *Verifier) Verify(token string) (*Claims, error) {
	if v == nil || v.parser == nil || token == "" || len(token) > MaxTokenBytes {
		return nil, unauthorized()
	}
	if hit, ok := v.cache.get(token); ok {
		if !hit.inWindow(v.now(), v.leeway) {
			return nil, unauthorized()
		}
		return hit.copyClaims(), nil
	}
	var tc tokenClaims
	t, err := v.parser.ParseWithClaims(token, &tc, v.keyFunc)
	if err != nil || t == nil || !t.Valid {
		return nil, unauthorized()
	}
	userID, ok := tc.memberID()
	if !ok || !tc.ExpiresAt.set {
		return nil, unauthorized()
	}
	entry := verified{claims: Claims{
		UserID:      userID,
		Email:       tc.Email,
		Role:        tc.Role,
		DisplayName: tc.DisplayName,
		ExpiresAt:   tc.ExpiresAt.d.UTC(),
		TokenID:     tc.ID,
		Issuer:      tc.Issuer,
		Audience:    tc.Audience,
	}}
	if tc.NotBefore.set {
		entry.notBefore = tc.NotBefore.d.UTC()
	}
	v.cache.put(token, entry)
	return entry.copyClaims(), nil
}
