package nfts

import (
	"context"
	"strings"
	"sync"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// List is one page of a member's NFTs, as the list route answers.
type List struct {
	NFTs           []dashboard.Holding `json:"nfts"`
	NextCursor     *string             `json:"nextCursor"`
	Wallet         *string             `json:"wallet"`
	WalletVerified bool                `json:"walletVerified"`
	SyncedAt       *time.Time          `json:"syncedAt"`
	Refreshing     bool                `json:"refreshing"`
	// Refresh, when set, is the refresh to queue once the answer is sent.
	Refresh *dashboard.RefreshRequest `json:"-"`
}

// pageState is what an NFT cursor carries: where the next page starts and
// the collection filter it was issued for.
type pageState struct {
	After      string `json:"a"`
	Collection string `json:"c,omitempty"`
}

// List returns one page of m's holdings (of one collection when
// collectionID is set). The holdings page, the profile (wallet and its
// verification) and the sync marker are read concurrently, so the page
// costs one round trip. Unverified wallets still show their holdings,
// flagged walletVerified: false. Only the holdings of the profile's current
// wallet are shown (see shown), so a replaced or cleared wallet's holdings
// never appear, even while a store still holds them.
func (s *Service) List(ctx context.Context, m dashboard.Member, collectionID string, limit int, cur string) (*List, error) {
	if limit < 1 || limit > MaxPageSize {
		return nil, &dashboard.Error{Code: dashboard.EVALIDATION, Message: "limit must be between 1 and 100.",
			Fields: map[string]string{"limit": "Must be an integer from 1 to 100."}}
	}
	if len(collectionID) > 200 {
		return nil, &dashboard.Error{Code: dashboard.EVALIDATION, Message: "collectionId is too long.",
			Fields: map[string]string{"collectionId": "At most 200 characters."}}
	}
	var st pageState
	if cur != "" {
		if err := s.Cursors.Open(m.UserID, cur, &st); err != nil {
			return nil, err
		}
		if st.After == "" || st.Collection != collectionID {
			return nil, dashboard.Errorf(dashboard.EINVALIDCURSOR, "The cursor belongs to another listing; start from the first page.")
		}
	}
	var (
		wg                   sync.WaitGroup
		page                 dashboard.HoldingPage
		prof                 *dashboard.Profile
		synced               *time.Time
		errPage, errP, errSy error
	)
	wg.Add(3)
	go func() {
		defer wg.Done()
		page, errPage = s.Store.ListHoldings(ctx, m.UserID, collectionID, limit, st.After)
	}()
	go func() { defer wg.Done(); prof, errP = s.Store.GetProfile(ctx, m.UserID) }()
	go func() { defer wg.Done(); synced, errSy = s.Store.SyncedAt(ctx, m.UserID, dashboard.SyncNFT) }()
	wg.Wait()
	if dashboard.ErrorCode(errP) == dashboard.ENOTFOUND {
		prof, errP = &dashboard.Profile{UserID: m.UserID}, nil
	}
	for _, err := range []error{errPage, errP, errSy} {
		if err != nil {
			return nil, err
		}
	}
	out := &List{NFTs: shown(page.Holdings, prof.PreferredWallet), SyncedAt: synced, Wallet: prof.PreferredWallet}
	for i := range out.NFTs {
		if out.NFTs[i].Metadata == nil {
			out.NFTs[i].Metadata = map[string]any{}
		}
	}
	out.WalletVerified = prof.PreferredWallet != nil && prof.WalletVerifiedAt != nil
	if page.Next != "" {
		c, err := s.Cursors.Seal(m.UserID, pageState{After: page.Next, Collection: collectionID})
		if err != nil {
			return nil, err
		}
		out.NextCursor = &c
	}
	// Holdings of another wallet mean the stored set predates a wallet
	// change: refresh it as if it were stale, whatever the marker says.
	foreign := len(out.NFTs) < len(page.Holdings)
	if (s.Market != nil || s.MarketEnabled) && prof.PreferredWallet != nil && (foreign || synced == nil || s.now().Sub(*synced) > s.staleAfter()) {
		out.Refreshing = true
		out.Refresh = &dashboard.RefreshRequest{Kind: dashboard.SyncNFT, UserID: m.UserID}
	}
	return out, nil
}

// shown returns the holdings of wallet among hs, each naming wallet as the
// profile spells it (EIP-55): those stamped with it (compared
// case-insensitively) and those stored before holdings named their wallet,
// which can only be the current wallet's because a wallet change removes
// the old holdings. Without a wallet no holding is shown. It never returns
// nil.
func shown(hs []dashboard.Holding, wallet *string) []dashboard.Holding {
	out := make([]dashboard.Holding, 0, len(hs))
	if wallet == nil {
		return out
	}
	for _, h := range hs {
		if h.Wallet != "" && !strings.EqualFold(h.Wallet, *wallet) {
			continue
		}
		h.Wallet = *wallet
		out = append(out, h)
	}
	return out
}

// All returns every NFT the member's list shows, all pages at once, built
// from the store alone (no marketplace call): the data export's NFTs
// (CONTRACT §12).
func (s *Service) All(ctx context.Context, m dashboard.Member) ([]dashboard.Holding, error) {
	prof, err := s.Store.GetProfile(ctx, m.UserID)
	if dashboard.ErrorCode(err) == dashboard.ENOTFOUND {
		prof, err = &dashboard.Profile{UserID: m.UserID}, nil
	}
	if err != nil {
		return nil, err
	}
	out := []dashboard.Holding{}
	for after := ""; ; {
		page, err := s.Store.ListHoldings(ctx, m.UserID, "", MaxPageSize, after)
		if err != nil {
			return nil, err
		}
		for _, h := range shown(page.Holdings, prof.PreferredWallet) {
			if h.Metadata == nil {
				h.Metadata = map[string]any{}
			}
			out = append(out, h)
		}
		if after = page.Next; after == "" {
			return out, nil
		}
	}
}
