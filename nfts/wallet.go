package nfts

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/siwe"
)

// statement is the sentence the wallet shows the member above the message.
const statement = "Prove that you own this wallet to show its Babes Club NFTs on your dashboard."

// maxVerifyAttempts bounds the retries of the verification write when the
// profile changes between read and write.
const maxVerifyAttempts = 4

// Challenge is the answer to a challenge request.
type Challenge struct {
	Message   string    `json:"message"`
	Nonce     string    `json:"nonce"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Challenge issues a Sign-In with Ethereum challenge for m's primary
// wallet (the v1 route). A member without a wallet is ECONFLICT; a service
// without SiteOrigin is EUNAVAILABLE (a deployment that lacks
// SITE_ORIGIN), checked after the wallet so a member is told first what
// they can fix.
func (s *Service) Challenge(ctx context.Context, m dashboard.Member) (*Challenge, error) {
	p, err := s.Store.GetProfile(ctx, m.UserID)
	if err != nil && dashboard.ErrorCode(err) != dashboard.ENOTFOUND {
		return nil, err
	}
	if p == nil || p.PreferredWallet == nil {
		return nil, dashboard.Errorf(dashboard.ECONFLICT, "Set a preferred wallet in your profile first.")
	}
	if err := s.checkSiteOrigin(ctx); err != nil {
		return nil, err
	}
	return s.issue(ctx, m, *p.PreferredWallet)
}

// checkSiteOrigin is EUNAVAILABLE when the deployment lacks SITE_ORIGIN:
// challenges are never issued for a domain guessed from the request.
func (s *Service) checkSiteOrigin(ctx context.Context) error {
	if s.SiteOrigin == nil {
		s.logger().ErrorContext(ctx, "wallet challenge refused: SITE_ORIGIN is not configured")
		return &dashboard.Error{Code: dashboard.EUNAVAILABLE, RetryAfter: siteOriginRetryAfter,
			Message: "Wallet verification is not available right now; try again later."}
	}
	return nil
}

// issue stores and returns a Sign-In with Ethereum message for wallet, with
// a fresh single-use nonce valid for ten minutes. Its domain and uri are
// SiteOrigin's (CONTRACT §10), never taken from the request, so a challenge
// cannot be minted for another site: the domain is what the member's
// wallet shows them and compares with the page they are on.
func (s *Service) issue(ctx context.Context, m dashboard.Member, wallet string) (*Challenge, error) {
	domain, uri := s.SiteOrigin.Host, s.SiteOrigin.Scheme+"://"+s.SiteOrigin.Host
	nonce, err := siwe.NewNonce()
	if err != nil {
		return nil, fmt.Errorf("nfts: nonce: %w", err)
	}
	now := s.now().Truncate(time.Second)
	msg := siwe.Message{
		Domain: domain, Address: wallet, Statement: statement, URI: uri, Version: "1",
		ChainID: s.chainID(), Nonce: nonce, IssuedAt: now, ExpirationTime: now.Add(dashboard.WalletChallengeTTL),
	}
	c := dashboard.WalletChallenge{
		UserID: m.UserID, Nonce: nonce, Wallet: wallet, Domain: domain, Message: msg.String(),
		IssuedAt: now, ExpiresAt: msg.ExpirationTime,
	}
	if err := s.Store.SaveWalletChallenge(ctx, c); err != nil {
		return nil, err
	}
	return &Challenge{Message: c.Message, Nonce: nonce, ExpiresAt: c.ExpiresAt}, nil
}

// Verification is the answer to a successful verification.
type Verification struct {
	Wallet         string `json:"wallet"`
	WalletVerified bool   `json:"walletVerified"`
}

// Verify checks a signed challenge for m's primary wallet (the v1 route)
// and marks it verified, as VerifyAddress does for any wallet; a primary
// wallet that changed since the challenge is ECONFLICT.
func (s *Service) Verify(ctx context.Context, m dashboard.Member, message, signature string) (*Verification, error) {
	c, kind, err := s.prove(ctx, m, message, signature)
	if err != nil {
		return nil, err
	}
	p, err := s.profile(ctx, m.UserID)
	if err != nil {
		return nil, err
	}
	if p.PreferredWallet == nil || !strings.EqualFold(*p.PreferredWallet, c.Wallet) {
		return nil, dashboard.Errorf(dashboard.ECONFLICT, "Your preferred wallet changed since the challenge; request a new one.")
	}
	w, err := s.complete(ctx, m, c.Wallet, kind)
	if err != nil {
		return nil, err
	}
	return &Verification{Wallet: w.Address, WalletVerified: w.Verified}, nil
}

func (s *Service) chainID() int64 {
	if s.ChainID != 0 {
		return s.ChainID
	}
	return 1
}

// siteOriginRetryAfter is the Retry-After of a challenge refused for want
// of SITE_ORIGIN: a configuration change, not a blip, so minutes, not
// seconds.
const siteOriginRetryAfter = 5 * time.Minute

// ParseSiteOrigin reads SITE_ORIGIN: an http or https origin, scheme and
// host[:port] only (no user, path other than "/", query or fragment), whose
// host is a DNS name or an IP address. The host is lower-cased and a
// default port dropped, as a browser writes an origin, so the domain a
// wallet compares with the page's matches.
func ParseSiteOrigin(s string) (*url.URL, error) {
	bad := func(why string) error { return fmt.Errorf("nfts: SITE_ORIGIN %q %s", s, why) }
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, bad("is not a URL")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, bad("must start with https:// or http://")
	}
	if u.Opaque != "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.RawFragment != "" {
		return nil, bad("must be an origin: scheme and host[:port] only")
	}
	host := strings.ToLower(u.Host)
	if port := u.Port(); (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		host = strings.TrimSuffix(host, ":"+port)
	}
	if !siwe.ValidDomain(host) {
		return nil, bad("does not name a valid host")
	}
	return &url.URL{Scheme: u.Scheme, Host: host}, nil
}
