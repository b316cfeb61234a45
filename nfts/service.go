// Package nfts holds the NFT rules: which holdings a member sees, when they
// are refreshed from the marketplace, how a sync replaces them without ever
// wiping them on an upstream failure, and how a member proves their wallet
// with Sign-In with Ethereum.
package nfts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/cursor"
)

// Defaults of the contract.
const (
	DefaultStaleAfter = time.Hour
	DefaultPageSize   = 20
	MaxPageSize       = 100
	// refreshCollapse: a member synced this recently is not synced again
	// by a queued refresh, so a burst of reads costs one marketplace sync.
	refreshCollapse = time.Minute
)

// Store is what the NFT service keeps and reads.
type Store interface {
	dashboard.HoldingStore
	dashboard.SyncStore
	dashboard.WalletStore
	dashboard.MemberWalletStore
	GetProfile(ctx context.Context, userID string) (*dashboard.Profile, error)
	SaveProfile(ctx context.Context, change dashboard.ProfileChange) error
}

// Service implements the NFT routes and jobs.
type Service struct {
	Store Store
	// Market is the marketplace; nil means none is configured (holdings
	// are served from the store and never refreshed).
	Market dashboard.Marketplace
	// MarketEnabled says a marketplace is configured for the deployment
	// even when this process holds no client (NFT_ENABLED): List then
	// still says "refreshing" and queues the refresh another function
	// performs.
	MarketEnabled bool
	// Webhooks verifies the marketplace's webhook deliveries
	// (NFT_WEBHOOK_SECRET); nil means the webhook route does not exist.
	Webhooks dashboard.MarketplaceWebhooks
	Cursors  *cursor.Signer
	// StaleAfter is NFT_STALE_AFTER (default 1 h).
	StaleAfter time.Duration
	// ChainID is the EIP-155 chain id wallet challenges name (NFT_CHAIN).
	ChainID int64
	// SiteOrigin is the web dashboard's origin (SITE_ORIGIN, scheme and
	// host[:port] only; see ParseSiteOrigin): wallet challenges name its
	// host as their domain and the origin as their uri, never anything
	// the request says. Nil makes challenges unavailable (503).
	SiteOrigin *url.URL
	// Contracts checks smart-contract wallets' signatures (ETH_RPC_URL);
	// nil verifies externally owned accounts only.
	Contracts ContractSignatures
	Logger    *slog.Logger
	Now       func() time.Time
	// TimeLeft is how long remains before a context's deadline
	// (time.Until when nil). A deadline is wall-clock time while Now may be
	// shifted (the scale harness's club lives in the future), so the two
	// are never compared; a test that moves time by hand sets both.
	TimeLeft func(deadline time.Time) time.Duration
	// Continuations takes the continuation of a poll unit that runs out
	// of time (PollUnit): the refresh queue on AWS. Nil makes running out
	// of time an error, so the unit is delivered again.
	Continuations dashboard.RefreshQueue
	// OnPollFailure, if set, is told the FailureClass of every member
	// whose sync fails in a poll (besides the log line), so a harness or
	// a metric can count failures by cause without reading logs.
	OnPollFailure func(class string)
}

func (s *Service) timeLeft(deadline time.Time) time.Duration {
	if s.TimeLeft != nil {
		return s.TimeLeft(deadline)
	}
	return time.Until(deadline)
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Millisecond)
	}
	return time.Now().UTC().Truncate(time.Millisecond)
}

func (s *Service) staleAfter() time.Duration {
	if s.StaleAfter > 0 {
		return s.StaleAfter
	}
	return DefaultStaleAfter
}

func (s *Service) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// SyncResult counts what a sync did.
type SyncResult struct {
	Synced  int `json:"synced"` // members whose holdings were replaced
	Added   int `json:"added"`
	Removed int `json:"removed"`
	// Updated counts holdings whose content changed (each one written).
	Updated int `json:"-"`
	Failed  int `json:"-"`
	// Skipped counts the poll's members already synced since the poll
	// started (through another of their wallets, or a read's refresh).
	Skipped int `json:"-"`
}

func (r *SyncResult) add(d dashboard.HoldingDiff) {
	r.Synced++
	r.Added += d.Added
	r.Updated += d.Updated
	r.Removed += d.Removed
}

// Merge adds o's counts to r: the poll's total over its units.
func (r *SyncResult) Merge(o SyncResult) {
	r.Synced += o.Synced
	r.Added += o.Added
	r.Removed += o.Removed
	r.Updated += o.Updated
	r.Failed += o.Failed
	r.Skipped += o.Skipped
}

// stageError is a member sync's failure with the stage it failed in (read
// marketplace, replace holdings, ...), so FailureClass can name it.
type stageError struct {
	stage string
	err   error
}

func (e *stageError) Error() string { return "nfts: " + e.stage + ": " + e.err.Error() }
func (e *stageError) Unwrap() error { return e.err }

// stage wraps err (nil stays nil) as a failure of the named stage.
func stage(name string, err error) error {
	if err == nil {
		return nil
	}
	return &stageError{stage: name, err: err}
}

// FailureClass names the kind of a member sync's failure for counting:
// the stage it failed in and the dashboard error code of its cause, or
// "timeout"/"canceled" when its context ended; never a value (no member
// id, wallet or message text), so it can go into a report or a metric.
func FailureClass(err error) string {
	var st *stageError
	where := "sync"
	if errors.As(err, &st) {
		where = st.stage
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return where + ": timeout"
	case errors.Is(err, context.Canceled):
		return where + ": canceled"
	}
	return where + ": " + dashboard.ErrorCode(err)
}

// SyncMember replaces the member's holdings with what the marketplace
// reports for each of their holding wallets (the primary and every
// verified one, CONTRACT §3), each NFT stamped with its wallet. A member
// without such a wallet has no holdings. A marketplace failure for any
// wallet changes nothing: the previous holdings stay until a complete read
// of every wallet replaces them.
//
// The marketplace reads take a while, and the member may remove or replace
// a wallet meanwhile (which removes that wallet's holdings at once). So
// after writing, the wallets are read again: when the holding set changed,
// the holdings are written once more with only the wallets still held, and
// the SYNC#NFT marker is dropped with RemoveHoldings when none is left, so
// the next read refreshes instead of trusting a marker set by an older
// read. Old holdings can outlive a change only for that short window (and
// the list never shows them: see List).
func (s *Service) SyncMember(ctx context.Context, userID string) (dashboard.HoldingDiff, error) {
	if s.Market == nil {
		return dashboard.HoldingDiff{}, dashboard.Errorf(dashboard.EUNAVAILABLE, "No NFT marketplace is configured (NFT_PROVIDER).")
	}
	w, err := s.wallets(ctx, userID)
	if err != nil {
		return dashboard.HoldingDiff{}, stage("read wallets", err)
	}
	started := s.now()
	read := w.holding()
	var holdings []dashboard.Holding
	for _, wallet := range sortedValues(read) {
		hs, err := s.Market.Holdings(ctx, wallet)
		if err != nil {
			return dashboard.HoldingDiff{}, stage("read marketplace", err)
		}
		for i := range hs {
			hs[i].LastSyncedAt, hs[i].Wallet = started, wallet
		}
		holdings = append(holdings, hs...)
	}
	diff, err := s.Store.ReplaceHoldings(ctx, userID, holdings, started)
	if err != nil {
		return diff, stage("replace holdings", err)
	}
	after, err := s.wallets(ctx, userID)
	if err != nil {
		return diff, stage("read wallets", err)
	}
	still := after.holding()
	if sameKeys(read, still) {
		return diff, nil
	}
	var kept []dashboard.Holding
	for _, h := range holdings {
		if _, ok := still[strings.ToLower(h.Wallet)]; ok {
			kept = append(kept, h)
		}
	}
	if len(kept) == 0 {
		if _, err := s.Store.RemoveHoldings(ctx, userID); err != nil {
			return diff, stage("remove the holdings of a removed wallet", err)
		}
		return dashboard.HoldingDiff{}, nil
	}
	if _, err := s.Store.ReplaceHoldings(ctx, userID, kept, started); err != nil {
		return diff, stage("drop the holdings of a removed wallet", err)
	}
	return diff, nil
}

// sortedValues returns m's values in key order, so a member's wallets are
// always read in the same order.
func sortedValues(m map[string]string) []string {
	keys := slices.Sorted(maps.Keys(m))
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

func sameKeys(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			return false
		}
	}
	return true
}

// profile reads the member's profile; a member without one has no wallet.
func (s *Service) profile(ctx context.Context, userID string) (*dashboard.Profile, error) {
	return readProfile(ctx, s.Store, userID)
}

// Refresh is the refresh queue's handler for NFT refreshes. A request names
// a member (skipped when synced within the last minute) or a wallet (every
// member who has it, found with one Query of the wallet index), or it is
// one unit of the poll (PollKind, see PollUnit).
func (s *Service) Refresh(ctx context.Context, r dashboard.RefreshRequest) error {
	if r.Kind == dashboard.PollKind && s.Market != nil {
		_, err := s.PollUnit(ctx, r, nil)
		return err
	}
	if r.Kind != dashboard.SyncNFT || s.Market == nil {
		return nil
	}
	if r.UserID != "" {
		last, err := s.Store.SyncedAt(ctx, r.UserID, dashboard.SyncNFT)
		if err != nil {
			return fmt.Errorf("nfts: read sync marker: %w", err)
		}
		if last != nil && s.now().Sub(*last) < refreshCollapse {
			return nil
		}
		_, err = s.SyncMember(ctx, r.UserID)
		return err
	}
	if r.Wallet != "" {
		_, err := s.SyncWallet(ctx, r.Wallet)
		return err
	}
	return nil
}

// SyncWallet syncs every member who has wallet, found through the wallet
// index (WALLET#<address>, one Query; CONTRACT §10): the marketplace
// webhook's path, which never scans the table.
func (s *Service) SyncWallet(ctx context.Context, wallet string) (*SyncResult, error) {
	res := &SyncResult{}
	members, err := s.Store.WalletMembers(ctx, wallet)
	if err != nil {
		return nil, fmt.Errorf("nfts: find wallet owners: %w", err)
	}
	for _, id := range members {
		d, err := s.SyncMember(ctx, id)
		if err != nil {
			return res, err
		}
		res.add(d)
	}
	return res, nil
}

// SyncRequested syncs a member named by id, or every member of a wallet
// (the internal sync route). An unknown member is ENOTFOUND; a request
// naming neither is EVALIDATION.
func (s *Service) SyncRequested(ctx context.Context, userID, wallet string) (*SyncResult, error) {
	switch {
	case userID != "":
		if _, err := s.Store.GetProfile(ctx, userID); err != nil {
			return nil, err
		}
		d, err := s.SyncMember(ctx, userID)
		if err != nil {
			return nil, err
		}
		res := &SyncResult{}
		res.add(d)
		return res, nil
	case wallet != "":
		if len(wallet) != 42 || !strings.HasPrefix(wallet, "0x") {
			return nil, &dashboard.Error{Code: dashboard.EVALIDATION, Message: "wallet must be 0x followed by 40 hex digits.",
				Fields: map[string]string{"wallet": "Must be 0x followed by 40 hex digits."}}
		}
		return s.SyncWallet(ctx, wallet)
	default:
		return nil, &dashboard.Error{Code: dashboard.EVALIDATION, Message: "Name a member (userId) or a wallet.",
			Fields: map[string]string{"userId": "userId or wallet is required."}}
	}
}
