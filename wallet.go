package dashboard

import (
	"context"
	"strings"
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

// MaxWallets is how many wallets a member may have (CONTRACT §10).
const MaxWallets = 5

// MemberWallet is one of a member's wallets as stored (CONTRACT §6, §10):
// USER#<userId> / WALLET#<lower-cased address>, written with its index item
// WALLET#<lower-cased address> / USER#<userId>, which finds a wallet's
// members with one Query. A verified wallet is one member's alone: the
// WALLET#<lower-cased address> / VERIFIED claim names them.
type MemberWallet struct {
	UserID string
	// Address is EIP-55 checksummed.
	Address string
	// Kind is how its proof was checked (eoa until verified).
	Kind    WalletKind
	AddedAt time.Time
	// VerifiedAt is when the member proved control; nil while unproven.
	VerifiedAt *time.Time
}

// MemberWalletStore keeps members' wallets. Addresses are compared
// lower-cased; every method takes them in any case.
type MemberWalletStore interface {
	// Wallets returns the member's wallets, oldest first.
	Wallets(ctx context.Context, userID string) ([]MemberWallet, error)
	// AddWallet stores w unverified, with its index item, in one
	// transaction. Adding a wallet the member already has changes nothing
	// and is not an error. It fails with EVALIDATION when the member
	// already has MaxWallets.
	AddWallet(ctx context.Context, w MemberWallet) error
	// VerifyWallet marks the member's wallet verified at at, of kind, and
	// writes the VERIFIED claim, in one transaction (the index item carries
	// verifiedAt too). It fails with ENOTFOUND when the member has no such
	// wallet and ECONFLICT when another member's claim names it; then
	// nothing changes. Verifying again keeps the first verifiedAt.
	VerifyWallet(ctx context.Context, userID, address string, kind WalletKind, at time.Time) error
	// RemoveWallet deletes the member's wallet, its index item and (when
	// this member holds it) its claim, then the member's holdings stamped
	// with that wallet and their collection-index entries (CONTRACT §3: a
	// removed wallet takes its holdings with it at once). ENOTFOUND when
	// the member has no such wallet.
	RemoveWallet(ctx context.Context, userID, address string) error
	// WalletMembers returns the ids of the members who have the wallet,
	// verified or not, with one Query of its index items (no Scan).
	WalletMembers(ctx context.Context, address string) ([]string, error)
	// EachWalletMember calls fn with the lower-cased address and member id
	// of every wallet index item, shard by shard (WalletShardKey), with
	// Queries of the sparse wallet-shard index and never a Scan: how the
	// scheduled NFT poll finds every member with a wallet. A member with
	// several wallets is visited once per wallet. It stops at fn's first
	// error.
	EachWalletMember(ctx context.Context, fn func(address, userID string) error) error
	// EachShardWalletMember is EachWalletMember for one shard (a key of
	// WalletShardKeys), resuming after the index item of afterAddress and
	// afterUserID when they are set (both empty: from the start): how one
	// unit of the fanned-out NFT poll walks its shard and a continuation
	// resumes where the previous invocation stopped. The order is the
	// store's own but stable, so a walk resumed after any item it yielded
	// visits exactly the items after it. An unknown shard is EVALIDATION.
	EachShardWalletMember(ctx context.Context, shard, afterAddress, afterUserID string, fn func(address, userID string) error) error
}

// WalletShards is how many shards the wallet-shard index has. The index
// item of a wallet carries GSI1PK = WalletShardKey(address), so the poll
// can list every wallet with WalletShards Queries and no Scan, and no
// index partition takes every wallet's writes.
const WalletShards = 16

// WalletShardKey returns the wallet-shard index key of the lower-cased
// address a ("0x" and 40 hex digits, as WalletKey returns it):
// "WALLETS#" and its last hex digit. An address is the tail of a Keccak
// hash, so its last digit spreads wallets evenly over the 16 shards.
func WalletShardKey(a string) string { return "WALLETS#" + a[len(a)-1:] }

// WalletShardKeys returns the WalletShards keys WalletShardKey can return.
func WalletShardKeys() []string {
	keys := make([]string, 0, WalletShards)
	for _, d := range "0123456789abcdef" {
		keys = append(keys, "WALLETS#"+string(d))
	}
	return keys
}

// WalletKey returns the lower-cased address that store keys use
// (WALLET#<lower>), and false when address is not "0x" and 40 hex digits:
// anything else could never be a wallet and must not reach a key. Both
// stores use it, so they accept the same addresses.
func WalletKey(address string) (string, bool) {
	a := strings.ToLower(strings.TrimSpace(address))
	if len(a) != 42 || !strings.HasPrefix(a, "0x") {
		return "", false
	}
	for _, c := range a[2:] {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return "", false
		}
	}
	return a, true
}
