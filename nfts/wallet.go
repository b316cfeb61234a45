package nfts

import (
	"context"
	"fmt"
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

// Challenge issues a Sign-In with Ethereum message for m's preferred wallet,
// with a fresh single-use nonce valid for ten minutes. origin is the site the
// member is on (scheme://host[:port]); its host is the message's domain, which
// the member's wallet shows them and which Verify checks.
func (s *Service) Challenge(ctx context.Context, m dashboard.Member, origin string) (*Challenge, error) {
	p, err := s.Store.GetProfile(ctx, m.UserID)
	if err != nil && dashboard.ErrorCode(err) != dashboard.ENOTFOUND {
		return nil, err
	}
	if p == nil || p.PreferredWallet == nil {
		return nil, dashboard.Errorf(dashboard.ECONFLICT, "Set a preferred wallet in your profile first.")
	}
	domain, uri, err := splitOrigin(origin)
	if err != nil {
		return nil, err
	}
	nonce, err := siwe.NewNonce()
	if err != nil {
		return nil, fmt.Errorf("nfts: nonce: %w", err)
	}
	now := s.now().Truncate(time.Second)
	msg := siwe.Message{
		Domain: domain, Address: *p.PreferredWallet, Statement: statement, URI: uri, Version: "1",
		ChainID: s.chainID(), Nonce: nonce, IssuedAt: now, ExpirationTime: now.Add(dashboard.WalletChallengeTTL),
	}
	c := dashboard.WalletChallenge{
		UserID: m.UserID, Nonce: nonce, Wallet: *p.PreferredWallet, Domain: domain, Message: msg.String(),
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

// Verify checks a signed challenge and marks m's wallet verified. The
// challenge is consumed by the first attempt, right or wrong, so a nonce
// can never be tried twice. The message must be exactly the one issued (so
// every field — domain, address, nonce, expiry — is the one the server
// chose), unexpired, for the wallet the profile still names, and signed by
// that wallet.
func (s *Service) Verify(ctx context.Context, m dashboard.Member, message, signature string) (*Verification, error) {
	invalid := func(field, msg string) error {
		return &dashboard.Error{Code: dashboard.EINVALID, Message: "The wallet could not be verified: " + msg,
			Fields: map[string]string{field: msg}}
	}
	parsed, err := siwe.Parse(message)
	if err != nil {
		return nil, invalid("message", "This is not a challenge message.")
	}
	c, err := s.Store.TakeWalletChallenge(ctx, m.UserID, parsed.Nonce)
	switch dashboard.ErrorCode(err) {
	case "":
	case dashboard.ENOTFOUND:
		return nil, invalid("nonce", "The challenge is unknown or was already used; request a new one.")
	default:
		return nil, err
	}
	now := s.now()
	if c.Message != message {
		return nil, invalid("message", "The message is not the one issued.")
	}
	if !now.Before(c.ExpiresAt) {
		return nil, invalid("expired", "The challenge expired; request a new one.")
	}
	if _, err := siwe.Verify(message, signature, c.Wallet, now, siwe.Expect{Domain: c.Domain, ChainID: s.chainID(), Nonce: c.Nonce}); err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		p, err := s.Store.GetProfile(ctx, m.UserID)
		if err != nil {
			return nil, err
		}
		if p.PreferredWallet == nil || !strings.EqualFold(*p.PreferredWallet, c.Wallet) {
			return nil, dashboard.Errorf(dashboard.ECONFLICT, "Your preferred wallet changed since the challenge; request a new one.")
		}
		expect, stamp := p.UpdatedAt, now
		if expect != nil && !stamp.After(*expect) {
			stamp = expect.Add(time.Millisecond)
		}
		p.WalletVerifiedAt, p.UpdatedAt = &now, &stamp
		err = s.Store.SaveProfile(ctx, dashboard.ProfileChange{
			Profile: p, Fields: []string{dashboard.FieldWalletVerifiedAt}, ExpectUpdatedAt: expect, PreviousEmail: p.Email,
		})
		if dashboard.ErrorCode(err) == dashboard.EPRECONDITION && attempt < maxVerifyAttempts {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &Verification{Wallet: *p.PreferredWallet, WalletVerified: true}, nil
	}
}

func (s *Service) chainID() int64 {
	if s.ChainID != 0 {
		return s.ChainID
	}
	return 1
}

// splitOrigin turns "https://host:port" into the message's domain
// ("host:port") and URI ("https://host:port").
func splitOrigin(origin string) (domain, uri string, err error) {
	scheme, rest, ok := strings.Cut(origin, "://")
	if !ok || (scheme != "https" && scheme != "http") || rest == "" || strings.ContainsAny(rest, "/?#@ ") {
		return "", "", dashboard.Errorf(dashboard.EBADREQUEST, "The request's origin could not be determined.")
	}
	return rest, scheme + "://" + rest, nil
}
