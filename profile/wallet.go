package profile

import (
	"context"
	"fmt"
	"strings"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// walletChange is what a new preferredWallet does to the member's wallets
// (CONTRACT §10): the new primary is added to them, unverified unless it
// already was proven, and the old primary stays only if it was verified —
// an unproven one (a typo, a wallet given up) goes, with its NFTs.
type walletChange struct {
	// verifiedAt is the new primary's proof, carried onto the profile's
	// walletVerifiedAt (nil: unproven).
	verifiedAt *time.Time
	// dropOld: the old primary is removed after the profile write.
	dropOld string
	// legacy: the old primary predates the wallet items, so its holdings
	// are removed the way they always were (all of the member's, then the
	// next sync reads the wallets that remain).
	legacy bool
}

// prepareWalletChange adds the new primary to the member's wallets before
// the profile names it (at most MaxWallets: EVALIDATION on preferredWallet)
// and decides what happens to the old one.
func (s *Service) prepareWalletChange(ctx context.Context, userID string, old, next *string) (*walletChange, error) {
	stored, err := s.Store.Wallets(ctx, userID)
	if err != nil {
		return nil, err
	}
	find := func(addr string) *dashboard.MemberWallet {
		for i := range stored {
			if strings.EqualFold(stored[i].Address, addr) {
				return &stored[i]
			}
		}
		return nil
	}
	c := &walletChange{}
	if next != nil {
		if w := find(*next); w != nil {
			c.verifiedAt = w.VerifiedAt
		} else {
			err := s.Store.AddWallet(ctx, dashboard.MemberWallet{UserID: userID, Address: *next, Kind: dashboard.WalletEOA, AddedAt: s.now().UTC().Truncate(time.Millisecond)})
			if dashboard.ErrorCode(err) == dashboard.EVALIDATION {
				return nil, &dashboard.Error{Code: dashboard.EVALIDATION, Message: fmt.Sprintf("You can have at most %d wallets; remove one first.", dashboard.MaxWallets),
					Fields: map[string]string{dashboard.FieldPreferredWallet: fmt.Sprintf("At most %d wallets.", dashboard.MaxWallets)}}
			} else if err != nil {
				return nil, err
			}
		}
	}
	if old != nil {
		switch w := find(*old); {
		case w == nil:
			c.legacy = true
		case w.VerifiedAt == nil:
			c.dropOld = w.Address
		}
	}
	return c, nil
}

// finishWalletChange removes what the change left behind, after the profile
// write: the unproven old primary with its NFTs, or, for a primary that
// predates the wallet items, the member's holdings; and it makes the
// member's NFTs stale, so the next read refreshes them from the wallets
// that now hold.
func (s *Service) finishWalletChange(ctx context.Context, userID string, c *walletChange) error {
	if err := s.Store.MarkSynced(ctx, userID, dashboard.SyncNFT, time.Time{}); err != nil {
		return err
	}
	if c.dropOld != "" {
		if err := s.Store.RemoveWallet(ctx, userID, c.dropOld); err != nil && dashboard.ErrorCode(err) != dashboard.ENOTFOUND {
			return err
		}
	}
	if c.legacy {
		if _, err := s.Store.RemoveHoldings(ctx, userID); err != nil {
			return err
		}
	}
	return nil
}
