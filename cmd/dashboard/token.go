package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/thebabesclub/dashboard/auth"
)

// runToken prints a member token, as the identity service would issue it,
// for trying the API by hand.
func runToken(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	user := fs.String("user", "", "member id (userId claim), required")
	email := fs.String("email", "", "email claim")
	name := fs.String("name", "", "displayName claim")
	role := fs.String("role", "customer", "role claim")
	ttl := fs.Duration("ttl", 12*time.Hour, "lifetime of the token")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *user == "" {
		fmt.Fprintln(stderr, "token: --user is required")
		return errUsage
	}
	secret := getenv("JWT_SECRET")
	if secret == "" {
		return errors.New("token: JWT_SECRET is not set")
	}
	if *ttl <= 0 {
		return errors.New("token: --ttl must be positive")
	}
	tok, err := auth.Sign([]byte(secret), auth.Claims{UserID: *user, Email: *email, DisplayName: *name, Role: *role, Issuer: getenv("JWT_ISSUER"), Audience: audience(getenv("JWT_AUDIENCE"))}, time.Now(), *ttl)
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

// audience turns JWT_AUDIENCE into the token's aud claim (absent when unset).
func audience(aud string) []string {
	if aud == "" {
		return nil
	}
	return []string{aud}
}
