package dashboard

import (
	"context"
	"time"
)

// WalletChallengeTTL is how long a wallet-verification challenge stays valid.
const WalletChallengeTTL = 10 * time.Minute

// WalletChallenge is an issued Sign-In with Ethereum challenge: the exact
// message the member is asked to sign, for one wallet, usable once.
type WalletChallenge struct {
	UserID    string
	Nonce     string
	Wallet    string // the EIP-55 address the message names
	Domain    string // the site the member signs in to
	Message   string // the exact EIP-4361 text
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// WalletStore keeps wallet-verification challenges. Each is stored as
// USER#<userId> / WALLET_CHALLENGE#<nonce> with a TTL (expiresAt).
type WalletStore interface {
	// SaveWalletChallenge stores c.
	SaveWalletChallenge(ctx context.Context, c WalletChallenge) error
	// TakeWalletChallenge deletes and returns the member's challenge with
	// this nonce in one atomic step, so a nonce verifies at most once even
	// under concurrent attempts (ENOTFOUND when there is none). Expiry is
	// the caller's check.
	TakeWalletChallenge(ctx context.Context, userID, nonce string) (*WalletChallenge, error)
}

// WalletKind says how a wallet proves a signature: an externally owned
// account by ecrecover, a contract by ERC-1271 (CONTRACT §10).
type WalletKind string

// Wallet kinds.
const (
	WalletEOA      WalletKind = "eoa"
	WalletContract WalletKind = "contract"
)

// Wallet is one of a member's wallets as the API shows it (CONTRACT §10).
type Wallet struct {
	Address    string     `json:"address"` // EIP-55
	Verified   bool       `json:"verified"`
	VerifiedAt *time.Time `json:"verifiedAt"`
	// Primary marks the profile's preferredWallet.
	Primary bool       `json:"primary"`
	Kind    WalletKind `json:"kind"`
}
