package nfts

import (
	"context"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

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
// verification) and the sync marker are read together (see listReads), so
// the page costs one round trip. Unverified wallets still show their
// holdings, flagged walletVerified: false. Only the holdings of the profile's current
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
	page, w, synced, err := s.listReads(ctx, m.UserID, collectionID, limit, st.After)
	if err != nil {
		return nil, err
	}
	if synced != nil && synced.IsZero() {
		synced = nil // set to the zero time by a wallet change: never synced with these wallets
	}
	holding := w.holding()
	out := &List{NFTs: shown(page.Holdings, holding), SyncedAt: synced, Wallet: w.primary}
	for i := range out.NFTs {
		if out.NFTs[i].Metadata == nil {
			out.NFTs[i].Metadata = map[string]any{}
		}
		seenAt(&out.NFTs[i], synced)
	}
	if w.primary != nil {
		out.WalletVerified = w.primaryVerified()
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
	if (s.Market != nil || s.MarketEnabled) && len(holding) > 0 && (foreign || synced == nil || s.now().Sub(*synced) > s.staleAfter()) {
		out.Refreshing = true
		out.Refresh = &dashboard.RefreshRequest{Kind: dashboard.SyncNFT, UserID: m.UserID}
	}
	return out, nil
}

// seenAt sets h's lastSyncedAt to the member's last NFT sync when that is
// later. A sync writes only the holdings whose content changed (see
// dashboard.HoldingStore.ReplaceHoldings), so a stored holding keeps the
// time it was last written, and the SYNC#NFT marker, written last by every
// complete sync, says when it was last seen: the later of the two is when
// the marketplace last reported it (CONTRACT §3).
func seenAt(h *dashboard.Holding, synced *time.Time) {
	if synced != nil && synced.After(h.LastSyncedAt) {
		h.LastSyncedAt = *synced
	}
}

// listReads reads what a page of the list needs: the holdings page, the
// member's wallets (profile and wallet items) and the NFT sync marker. A
// store that reads locally (dashboard.SnapshotReader) gives them from one
// snapshot, read one after the other; from any other they are read
// concurrently, so the page costs one round trip. Errors are returned in
// that order of precedence either way.
func (s *Service) listReads(ctx context.Context, userID, collectionID string, limit int, after string) (dashboard.HoldingPage, *memberWallets, *time.Time, error) {
	if sr, ok := s.Store.(dashboard.SnapshotReader); ok {
		// One result the callback fills: capturing each result variable
		// instead would move each to the heap.
		var out struct {
			page   dashboard.HoldingPage
			w      *memberWallets
			synced *time.Time
		}
		err := sr.ReadSnapshot(ctx, func(r dashboard.Snapshot) (err error) {
			if out.page, err = r.ListHoldings(ctx, userID, collectionID, limit, after); err != nil {
				return err
			}
			if out.w, err = walletsOf(ctx, r, userID); err != nil {
				return err
			}
			out.synced, err = r.SyncedAt(ctx, userID, dashboard.SyncNFT)
			return err
		})
		return out.page, out.w, out.synced, err
	}
	return s.listReadsConcurrently(ctx, userID, collectionID, limit, after)
}

// listReadsConcurrently is listReads on a store without snapshots: the
// three reads run concurrently, one round trip of latency.
func (s *Service) listReadsConcurrently(ctx context.Context, userID, collectionID string, limit int, after string) (page dashboard.HoldingPage, w *memberWallets, synced *time.Time, err error) {
	var (
		wg                  sync.WaitGroup
		errPage, errW, errS error
	)
	wg.Add(3)
	go func() {
		defer wg.Done()
		page, errPage = s.Store.ListHoldings(ctx, userID, collectionID, limit, after)
	}()
	go func() { defer wg.Done(); w, errW = s.wallets(ctx, userID) }()
	go func() { defer wg.Done(); synced, errS = s.Store.SyncedAt(ctx, userID, dashboard.SyncNFT) }()
	wg.Wait()
	for _, err := range []error{errPage, errW, errS} {
		if err != nil {
			return dashboard.HoldingPage{}, nil, nil, err
		}
	}
	return page, w, synced, nil
}

// shown returns the holdings among hs of the member's holding wallets (by
// lower-cased address, see memberWallets.holding), each naming its wallet
// in EIP-55 form. A holding stored before holdings named their wallet can
// only be the primary's (a wallet change removed the older ones), so it is
// shown when there is exactly one holding wallet. It never returns nil. It
// filters in place: hs is a page the caller read and owns, and its length
// stays as it was.
func shown(hs []dashboard.Holding, wallets map[string]string) []dashboard.Holding {
	if hs == nil {
		return []dashboard.Holding{}
	}
	out := hs[:0]
	var key [64]byte // room for a lower-cased address (42 bytes)
	for _, h := range hs {
		if h.Wallet == "" && len(wallets) == 1 {
			for _, only := range wallets {
				h.Wallet = only
			}
		}
		sum, ok := wallets[string(appendLower(key[:0], h.Wallet))]
		if !ok {
			continue
		}
		h.Wallet = sum
		out = append(out, h)
	}
	return out
}

// appendLower appends s lower-cased as strings.ToLower does. With a
// buffer on the stack and the result used as a map key (m[string(b)]),
// nothing is allocated, where strings.ToLower allocates for every EIP-55
// address (they are mixed-case).
func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return append(dst, strings.ToLower(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
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
	synced, err := s.Store.SyncedAt(ctx, m.UserID, dashboard.SyncNFT)
	if err != nil {
		return nil, err
	}
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
			seenAt(&h, synced)
			out = append(out, h)
		}
		if after = page.Next; after == "" {
			return out, nil
		}
	}
}
