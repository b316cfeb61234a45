package nfts

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/siwe"
)

// ContractSignatures checks the signature of a smart-contract wallet
// (ERC-1271 isValidSignature, or ERC-6492 for a wallet not deployed yet)
// on the challenge's chain: the evm adapter, when ETH_RPC_URL is set. ok is
// true only for a signature the wallet accepts; a failure to ask (timeout,
// RPC error) is an error, never ok.
type ContractSignatures interface {
	CheckSignature(ctx context.Context, chainID int64, address string, hash [32]byte, signature []byte) (ok bool, err error)
}

// maxContractSignatureBytes bounds a contract wallet's signature (a Safe
// with many owners, an ERC-6492 wrapper with its factory call).
const maxContractSignatureBytes = 8 << 10

// memberWallets is what the NFT rules need to know of a member's wallets:
// the primary one (the profile's preferredWallet) and every stored wallet.
type memberWallets struct {
	primary *string
	// primaryVerifiedAt is the profile's record of the primary's proof,
	// for a primary that predates the wallet items (before `dashboard
	// migrate wallets` ran).
	primaryVerifiedAt *time.Time
	stored            []dashboard.MemberWallet
}

// memberReads are the reads wallets needs: the Store's own, or those of a
// snapshot of it (dashboard.Snapshot).
type memberReads interface {
	GetProfile(ctx context.Context, userID string) (*dashboard.Profile, error)
	Wallets(ctx context.Context, userID string) ([]dashboard.MemberWallet, error)
}

// wallets reads the member's profile and wallets. On a store that reads
// locally (dashboard.SnapshotReader) both come from one snapshot, one after
// the other; on any other the two reads run concurrently: one round trip
// of latency.
func (s *Service) wallets(ctx context.Context, userID string) (*memberWallets, error) {
	if sr, ok := s.Store.(dashboard.SnapshotReader); ok {
		var w *memberWallets
		err := sr.ReadSnapshot(ctx, func(r dashboard.Snapshot) (err error) {
			w, err = walletsOf(ctx, r, userID)
			return err
		})
		return w, err
	}
	return s.walletsConcurrently(ctx, userID)
}

// walletsConcurrently is wallets on a store without snapshots.
func (s *Service) walletsConcurrently(ctx context.Context, userID string) (*memberWallets, error) {
	var (
		p               *dashboard.Profile
		stored          []dashboard.MemberWallet
		errP, errStored error
		wg              sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		stored, errStored = s.Store.Wallets(ctx, userID)
	}()
	p, errP = readProfile(ctx, s.Store, userID)
	wg.Wait()
	return newMemberWallets(p, errP, stored, errStored)
}

// walletsOf reads the member's profile and wallets from r, one after the
// other (r is a snapshot: nothing to wait for).
func walletsOf(ctx context.Context, r memberReads, userID string) (*memberWallets, error) {
	p, errP := readProfile(ctx, r, userID)
	if errP != nil {
		return nil, errP
	}
	stored, errStored := r.Wallets(ctx, userID)
	return newMemberWallets(p, nil, stored, errStored)
}

// newMemberWallets is the member's wallets from their profile and wallet
// items, or the first of the two reads' errors.
func newMemberWallets(p *dashboard.Profile, errP error, stored []dashboard.MemberWallet, errStored error) (*memberWallets, error) {
	if errP != nil {
		return nil, errP
	}
	if errStored != nil {
		return nil, fmt.Errorf("nfts: read wallets: %w", errStored)
	}
	primary := p.PreferredWallet
	if primary != nil {
		if sum, ok := checksum(*primary); ok {
			primary = &sum
		}
	}
	return &memberWallets{primary: primary, primaryVerifiedAt: p.WalletVerifiedAt, stored: stored}, nil
}

// checksumCacheSize bounds checksums; past it the cache starts over.
const checksumCacheSize = 4096

// checksums remembers the EIP-55 forms already computed: every NFT and
// wallet list puts the profile's wallet in that form, and each costs a
// Keccak-256 hash of the address.
var checksums struct {
	mu sync.Mutex
	m  map[string]string
}

// checksum is siwe.ChecksumAddress, remembered for valid addresses.
func checksum(address string) (string, bool) {
	checksums.mu.Lock()
	sum, ok := checksums.m[address]
	checksums.mu.Unlock()
	if ok {
		return sum, true
	}
	if sum, ok = siwe.ChecksumAddress(address); !ok {
		return "", false
	}
	checksums.mu.Lock()
	if checksums.m == nil || len(checksums.m) >= checksumCacheSize {
		checksums.m = make(map[string]string)
	}
	checksums.m[address] = sum
	checksums.mu.Unlock()
	return sum, true
}

// readProfile reads the member's profile from r; a member without one has
// an empty profile.
func readProfile(ctx context.Context, r memberReads, userID string) (*dashboard.Profile, error) {
	p, err := r.GetProfile(ctx, userID)
	if err == nil {
		return p, nil
	}
	if dashboard.ErrorCode(err) == dashboard.ENOTFOUND {
		return &dashboard.Profile{UserID: userID}, nil
	}
	return nil, fmt.Errorf("nfts: read profile: %w", err)
}

// list is the member's wallets as the API shows them: every stored one,
// oldest first, after the primary when it has no item yet (a primary from
// before the wallet items, which is the oldest).
func (w *memberWallets) list() []dashboard.Wallet {
	out := make([]dashboard.Wallet, 0, len(w.stored)+1)
	if w.primary != nil && !w.isStored(*w.primary) {
		out = append(out, dashboard.Wallet{Address: *w.primary, Verified: w.primaryVerifiedAt != nil, VerifiedAt: w.primaryVerifiedAt,
			Primary: true, Kind: dashboard.WalletEOA})
	}
	for _, m := range w.stored {
		kind := m.Kind
		if kind == "" {
			kind = dashboard.WalletEOA
		}
		out = append(out, dashboard.Wallet{Address: m.Address, Verified: m.VerifiedAt != nil, VerifiedAt: m.VerifiedAt,
			Primary: w.primary != nil && strings.EqualFold(*w.primary, m.Address), Kind: kind})
	}
	return out
}

// holding returns the wallets whose NFTs the member holds (CONTRACT §3): the
// primary and every verified wallet, by lower-cased address, each mapped to
// its EIP-55 form.
func (w *memberWallets) holding() map[string]string {
	// As list() shows them, without building the list: every NFT list
	// asks.
	out := make(map[string]string, len(w.stored)+1)
	if w.primary != nil && !w.isStored(*w.primary) {
		out[strings.ToLower(*w.primary)] = *w.primary
	}
	for _, m := range w.stored {
		if m.VerifiedAt != nil || (w.primary != nil && strings.EqualFold(*w.primary, m.Address)) {
			out[strings.ToLower(m.Address)] = m.Address
		}
	}
	return out
}

// primaryVerified reports whether the primary wallet is verified: find's
// answer for it, without building the list.
func (w *memberWallets) primaryVerified() bool {
	if w.primary == nil {
		return false
	}
	for _, m := range w.stored {
		if strings.EqualFold(*w.primary, m.Address) {
			return m.VerifiedAt != nil
		}
	}
	return w.primaryVerifiedAt != nil
}

// find returns the member's wallet with address, if any.
func (w *memberWallets) find(address string) (dashboard.Wallet, bool) {
	for _, x := range w.list() {
		if strings.EqualFold(x.Address, address) {
			return x, true
		}
	}
	return dashboard.Wallet{}, false
}

// Wallets lists the member's wallets (CONTRACT §10).
func (s *Service) Wallets(ctx context.Context, m dashboard.Member) ([]dashboard.Wallet, error) {
	w, err := s.wallets(ctx, m.UserID)
	if err != nil {
		return nil, err
	}
	return w.list(), nil
}

// parseAddress returns address in EIP-55 form, or EVALIDATION naming field.
func parseAddress(address, field string) (string, error) {
	sum, ok := siwe.ChecksumAddress(strings.TrimSpace(address))
	if !ok {
		return "", &dashboard.Error{Code: dashboard.EVALIDATION, Message: "That is not a wallet address (0x and 40 hex digits, with a valid checksum when mixed-case).",
			Fields: map[string]string{field: "Not a valid EVM address."}}
	}
	return sum, nil
}

// ChallengeAddress adds address to the member's wallets, unverified, when
// it is not one of them yet (at most MaxWallets: EVALIDATION), and issues a
// Sign-In with Ethereum challenge for it (CONTRACT §10).
func (s *Service) ChallengeAddress(ctx context.Context, m dashboard.Member, address string) (*Challenge, error) {
	addr, err := parseAddress(address, "address")
	if err != nil {
		return nil, err
	}
	if err := s.checkSiteOrigin(ctx); err != nil {
		return nil, err
	}
	w, err := s.wallets(ctx, m.UserID)
	if err != nil {
		return nil, err
	}
	if !w.isStored(addr) {
		if err := s.addWallet(ctx, m.UserID, addr); err != nil {
			return nil, err
		}
	}
	return s.issue(ctx, m, addr)
}

// isStored reports whether address has a wallet item.
func (w *memberWallets) isStored(address string) bool {
	for _, x := range w.stored {
		if strings.EqualFold(x.Address, address) {
			return true
		}
	}
	return false
}

// addWallet stores address as the member's, unverified.
func (s *Service) addWallet(ctx context.Context, userID, address string) error {
	err := s.Store.AddWallet(ctx, dashboard.MemberWallet{UserID: userID, Address: address, Kind: dashboard.WalletEOA, AddedAt: s.now().UTC().Truncate(time.Millisecond)})
	if dashboard.ErrorCode(err) == dashboard.EVALIDATION {
		return &dashboard.Error{Code: dashboard.EVALIDATION, Message: fmt.Sprintf("You can have at most %d wallets; remove one first.", dashboard.MaxWallets),
			Fields: map[string]string{"address": fmt.Sprintf("At most %d wallets.", dashboard.MaxWallets)}}
	}
	return err
}

// VerifyAddress checks a signed challenge (any of the member's wallets) and
// marks that wallet verified, and the member's alone: another member's
// verified wallet is ECONFLICT. A signature that ecrecover does not match
// is asked of the wallet contract when Contracts is configured; the wallet
// is then of kind contract.
func (s *Service) VerifyAddress(ctx context.Context, m dashboard.Member, message, signature string) (*dashboard.Wallet, error) {
	c, kind, err := s.prove(ctx, m, message, signature)
	if err != nil {
		return nil, err
	}
	return s.complete(ctx, m, c.Wallet, kind)
}

// complete records a proven wallet: verified, the member's alone, its NFTs
// due (the member's NFT marker is made stale, so the next read refreshes
// with the new wallet), and, for the primary, on the profile too.
func (s *Service) complete(ctx context.Context, m dashboard.Member, wallet string, kind dashboard.WalletKind) (*dashboard.Wallet, error) {
	w, err := s.wallets(ctx, m.UserID)
	if err != nil {
		return nil, err
	}
	if _, ok := w.find(wallet); !ok {
		return nil, dashboard.Errorf(dashboard.ECONFLICT, "That wallet was removed since the challenge; add it again.")
	}
	if !w.isStored(wallet) {
		if err := s.addWallet(ctx, m.UserID, wallet); err != nil {
			return nil, err
		}
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	if err := s.markVerified(ctx, m.UserID, wallet, kind, now); err != nil {
		return nil, err
	}
	if w.primary != nil && strings.EqualFold(*w.primary, wallet) {
		if err := s.recordPrimaryProof(ctx, m.UserID, wallet, now); err != nil {
			return nil, err
		}
	}
	if err := s.Store.MarkSynced(ctx, m.UserID, dashboard.SyncNFT, time.Time{}); err != nil {
		s.logger().WarnContext(ctx, "NFT marker not reset after a wallet proof", slog.Any("error", err))
	}
	w, err = s.wallets(ctx, m.UserID)
	if err != nil {
		return nil, err
	}
	out, _ := w.find(wallet)
	return &out, nil
}

// markVerified writes the proof of a wallet, mapping the store's refusals.
func (s *Service) markVerified(ctx context.Context, userID, address string, kind dashboard.WalletKind, at time.Time) error {
	err := s.Store.VerifyWallet(ctx, userID, address, kind, at)
	switch dashboard.ErrorCode(err) {
	case "":
		return nil
	case dashboard.ECONFLICT:
		return dashboard.Errorf(dashboard.ECONFLICT, "That wallet is verified by another member.")
	case dashboard.ENOTFOUND:
		return dashboard.Errorf(dashboard.ECONFLICT, "That wallet was removed since the challenge; add it again.")
	default:
		return err
	}
}

// prove consumes the member's challenge named by message and checks
// message and signature against it. The challenge is consumed by the first
// attempt, right or wrong, so a nonce can never be tried twice; only when
// the wallet's contract could not be asked (EUNAVAILABLE) is it restored,
// as no answer was given. The
// message must be exactly the one issued, unexpired, and signed by the
// wallet it names: by its key (ecrecover) or, for a contract wallet, as the
// contract says (ERC-1271/6492).
func (s *Service) prove(ctx context.Context, m dashboard.Member, message, signature string) (*dashboard.WalletChallenge, dashboard.WalletKind, error) {
	invalid := func(field, msg string) error {
		return &dashboard.Error{Code: dashboard.EVALIDATION, Message: "The wallet could not be verified: " + msg,
			Fields: map[string]string{field: msg}}
	}
	parsed, err := siwe.Parse(message)
	if err != nil {
		return nil, "", invalid("message", "This is not a challenge message.")
	}
	c, err := s.Store.TakeWalletChallenge(ctx, m.UserID, parsed.Nonce)
	switch dashboard.ErrorCode(err) {
	case "":
	case dashboard.ENOTFOUND:
		return nil, "", invalid("nonce", "The challenge is unknown or was already used; request a new one.")
	default:
		return nil, "", err
	}
	now := s.now()
	if c.Message != message {
		return nil, "", invalid("message", "The message is not the one issued.")
	}
	if !now.Before(c.ExpiresAt) {
		return nil, "", invalid("expired", "The challenge expired; request a new one.")
	}
	if _, err := siwe.Check(message, c.Wallet, now, siwe.Expect{Domain: c.Domain, ChainID: s.chainID(), Nonce: c.Nonce}); err != nil {
		return nil, "", err
	}
	sigErr := siwe.CheckSignature(message, signature, c.Wallet)
	if sigErr == nil {
		return c, dashboard.WalletEOA, nil
	}
	if s.Contracts == nil {
		return nil, "", sigErr
	}
	raw, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(signature), "0x"))
	if err != nil || len(raw) == 0 || len(raw) > maxContractSignatureBytes {
		return nil, "", sigErr
	}
	var hash [32]byte
	copy(hash[:], siwe.PersonalHash(message))
	ok, err := s.Contracts.CheckSignature(ctx, s.chainID(), c.Wallet, hash, raw)
	if err != nil {
		s.logger().WarnContext(ctx, "contract wallet signature could not be checked", slog.Any("error", err))
		// Nothing was decided about the signature, so the challenge is put
		// back: the member retries with the same signed message instead of
		// signing again. It keeps its expiry, and a concurrent attempt that
		// found it taken meanwhile was told to request a new one.
		if err := s.Store.SaveWalletChallenge(context.WithoutCancel(ctx), *c); err != nil {
			s.logger().WarnContext(ctx, "wallet challenge not restored after an unavailable contract", slog.Any("error", err))
		}
		return nil, "", &dashboard.Error{Code: dashboard.EUNAVAILABLE, RetryAfter: 30 * time.Second,
			Message: "The wallet's contract could not be asked right now; try again shortly with the same signature."}
	}
	if !ok {
		return nil, "", sigErr
	}
	return c, dashboard.WalletContract, nil
}

// recordPrimaryProof keeps the profile's walletVerifiedAt (what the v1
// routes and the NFT list's walletVerified read) in step with the primary
// wallet's proof.
func (s *Service) recordPrimaryProof(ctx context.Context, userID, address string, at time.Time) error {
	for attempt := 1; ; attempt++ {
		p, err := s.Store.GetProfile(ctx, userID)
		if err != nil {
			return err
		}
		if p.PreferredWallet == nil || !strings.EqualFold(*p.PreferredWallet, address) {
			return nil // the primary changed meanwhile: nothing to record
		}
		expect, stamp := p.UpdatedAt, at
		if expect != nil && !stamp.After(*expect) {
			stamp = expect.Add(time.Millisecond)
		}
		p.WalletVerifiedAt, p.UpdatedAt = &at, &stamp
		err = s.Store.SaveProfile(ctx, dashboard.ProfileChange{
			Profile: p, Fields: []string{dashboard.FieldWalletVerifiedAt}, ExpectUpdatedAt: expect, PreviousEmail: p.Email,
		})
		if dashboard.ErrorCode(err) == dashboard.EPRECONDITION && attempt < maxVerifyAttempts {
			continue
		}
		return err
	}
}

// RemoveWallet removes one of the member's wallets and, with it at once,
// its NFTs (list, collection index, holders). Removing the primary wallet
// clears the profile's preferredWallet. An address the member does not
// have is ENOTFOUND.
func (s *Service) RemoveWallet(ctx context.Context, m dashboard.Member, address string) error {
	addr, err := parseAddress(address, "address")
	if err != nil {
		return err
	}
	w, err := s.wallets(ctx, m.UserID)
	if err != nil {
		return err
	}
	if _, ok := w.find(addr); !ok {
		return dashboard.Errorf(dashboard.ENOTFOUND, "That wallet is not one of yours.")
	}
	if w.isStored(addr) {
		if err := s.Store.RemoveWallet(ctx, m.UserID, addr); err != nil && dashboard.ErrorCode(err) != dashboard.ENOTFOUND {
			return err
		}
	}
	if w.primary != nil && strings.EqualFold(*w.primary, addr) {
		return s.clearPrimary(ctx, m.UserID, addr)
	}
	return nil
}

// clearPrimary clears the profile's preferredWallet if it is still address,
// and removes holdings that no wallet holds any more.
func (s *Service) clearPrimary(ctx context.Context, userID, address string) error {
	for attempt := 1; ; attempt++ {
		p, err := s.Store.GetProfile(ctx, userID)
		if err != nil {
			return err
		}
		if p.PreferredWallet == nil || !strings.EqualFold(*p.PreferredWallet, address) {
			return nil
		}
		expect, stamp := p.UpdatedAt, s.now()
		if expect != nil && !stamp.After(*expect) {
			stamp = expect.Add(time.Millisecond)
		}
		p.PreferredWallet, p.WalletVerifiedAt, p.UpdatedAt = nil, nil, &stamp
		err = s.Store.SaveProfile(ctx, dashboard.ProfileChange{
			Profile: p, Fields: []string{dashboard.FieldPreferredWallet, dashboard.FieldWalletVerifiedAt}, ExpectUpdatedAt: expect, PreviousEmail: p.Email,
		})
		if dashboard.ErrorCode(err) == dashboard.EPRECONDITION && attempt < maxVerifyAttempts {
			continue
		}
		return err
	}
}
