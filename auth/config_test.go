package auth_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/thebabesclub/dashboard/auth"
)

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{
		"JWT_SECRET": " s3cret ", "JWT_SECRET_PREVIOUS": "old", "JWT_ISSUER": " https://id.example ", "JWT_AUDIENCE": "dashboard",
	}
	cfg, err := auth.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if string(cfg.Secret) != " s3cret " || string(cfg.PreviousSecret) != "old" || cfg.Issuer != "https://id.example" || cfg.Audience != "dashboard" {
		t.Errorf("cfg = %+v", cfg)
	}
	cfg, err = auth.ConfigFromEnv(func(k string) string { return map[string]string{"JWT_SECRET": "x"}[k] })
	if err != nil || cfg.PreviousSecret != nil || cfg.Issuer != "" || cfg.Audience != "" {
		t.Errorf("minimal env: cfg = %+v, err = %v", cfg, err)
	}
	if _, err := auth.ConfigFromEnv(func(string) string { return "" }); err == nil {
		t.Error("missing JWT_SECRET accepted")
	}
	if _, err := auth.ConfigFromEnv(nil); err == nil {
		t.Error("nil getenv accepted")
	}
}

func TestNewVerifierRejectsBadConfig(t *testing.T) {
	if _, err := auth.NewVerifier(auth.Config{}); err == nil {
		t.Error("empty secret accepted")
	}
	if _, err := auth.NewVerifier(auth.Config{Secret: []byte("x"), Leeway: -time.Second}); err == nil {
		t.Error("negative leeway accepted")
	}
}

func TestSign(t *testing.T) {
	tok := mustSign(t, testSecret, auth.Claims{UserID: "u-1", Email: "e@example.com", Role: "customer", DisplayName: "E"}, testNow, time.Hour)
	claims := jwt.MapClaims{}
	parsed, err := jwt.ParseWithClaims(tok, claims, func(*jwt.Token) (any, error) { return testSecret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(func() time.Time { return testNow }))
	if err != nil {
		t.Fatal(err)
	}
	if parsed.Header["alg"] != "HS256" || parsed.Header["typ"] != "JWT" {
		t.Errorf("header = %v", parsed.Header)
	}
	keys := slices.Sorted(maps.Keys(claims))
	if got := strings.Join(keys, ","); got != "displayName,email,exp,iat,jti,role,userId" {
		t.Errorf("claim names = %s, want the identity service's shape", got)
	}
	if claims["exp"].(float64) != float64(testNow.Add(time.Hour).Unix()) || claims["iat"].(float64) != float64(testNow.Unix()) {
		t.Errorf("iat/exp = %v/%v", claims["iat"], claims["exp"])
	}
	if jti, _ := claims["jti"].(string); len(jti) != 32 {
		t.Errorf("jti = %q, want 32 random hex characters", jti)
	}
	other := mustSign(t, testSecret, auth.Claims{UserID: "u-1"}, testNow, time.Hour)
	if other == mustSign(t, testSecret, auth.Claims{UserID: "u-1"}, testNow, time.Hour) {
		t.Error("two tokens share a jti")
	}
	for name, f := range map[string]func() (string, error){
		"no secret":    func() (string, error) { return auth.Sign(nil, auth.Claims{UserID: "u"}, testNow, time.Hour) },
		"no user":      func() (string, error) { return auth.Sign(testSecret, auth.Claims{}, testNow, time.Hour) },
		"zero ttl":     func() (string, error) { return auth.Sign(testSecret, auth.Claims{UserID: "u"}, testNow, 0) },
		"negative ttl": func() (string, error) { return auth.Sign(testSecret, auth.Claims{UserID: "u"}, testNow, -time.Hour) },
	} {
		if _, err := f(); err == nil {
			t.Errorf("%s: Sign succeeded", name)
		}
	}
}
