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
		w                    *memberWallets
		synced               *time.Time
		errPage, errP, errSy error
	)
	wg.Add(3)
	go func() {
		defer wg.Done()
		page, errPage = s.Store.ListHoldings(ctx, m.UserID, collectionID, limit, st.After)
	}()
	go func() { defer wg.Done(); w, errP = s.wallets(ctx, m.UserID) }()
	go func() { defer wg.Done(); synced, errSy = s.Store.SyncedAt(ctx, m.UserID, dashboard.SyncNFT) }()
	wg.Wait()
	for _, err := range []error{errPage, errP, errSy} {
		if err != nil {
			return nil, err
		}
	}
	if synced != nil && synced.IsZero() {
		synced = nil // set to the zero time by a wallet change: never synced with these wallets
	}
	out := &List{NFTs: shown(page.Holdings, w.holding()), SyncedAt: synced, Wallet: w.primary}
	for i := range out.NFTs {
		if out.NFTs[i].Metadata == nil {
			out.NFTs[i].Metadata = map[string]any{}
		}
	}
	if w.primary != nil {
		primary, _ := w.find(*w.primary)
		out.WalletVerified = primary.Verified
	}
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
	if (s.Market != nil || s.MarketEnabled) && len(w.holding()) > 0 && (foreign || synced == nil || s.now().Sub(*synced) > s.staleAfter()) {
		out.Refreshing = true
		out.Refresh = &dashboard.RefreshRequest{Kind: dashboard.SyncNFT, UserID: m.UserID}
	}
	return out, nil
}

// shown returns the holdings among hs of the member's holding wallets (by
// lower-cased address, see memberWallets.holding), each naming its wallet
// in EIP-55 form. A holding stored before holdings named their wallet can
// only be the primary's (a wallet change removed the older ones), so it is
// shown when there is exactly one holding wallet. It never returns nil.
func shown(hs []dashboard.Holding, wallets map[string]string) []dashboard.Holding {
	out := make([]dashboard.Holding, 0, len(hs))
	for _, h := range hs {
		if h.Wallet == "" && len(wallets) == 1 {
			for _, only := range wallets {
				h.Wallet = only
			}
		}
		sum, ok := wallets[strings.ToLower(h.Wallet)]
		if !ok {
			continue
		}
		h.Wallet = sum
		out = append(out, h)
	}
	return out
}

// All returns every NFT the member's list shows, all pages at once, built
// from the store alone (no marketplace call): the data export's NFTs
// (CONTRACT §12).
func (s *Service) All(ctx context.Context, m dashboard.Member) ([]dashboard.Holding, error) {
	w, err := s.wallets(ctx, m.UserID)
	if err != nil {
		return nil, err
	}
	holding := w.holding()
	out := []dashboard.Holding{}
	for after := ""; ; {
		page, err := s.Store.ListHoldings(ctx, m.UserID, "", MaxPageSize, after)
		if err != nil {
			return nil, err
		}
		for _, h := range shown(page.Holdings, holding) {
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
