// Package export builds a member's data export (CONTRACT §12): everything
// the member can see in the dashboard, as one JSON document, from the store
// alone — the services that show each part decide what is visible, so the
// export shows exactly what the dashboard does.
package export

import (
	"context"
	"log/slog"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/obs"
)

// rateName is the member's export limit (LIMIT#EXPORT): one a minute.
const rateName = "EXPORT"

// Document is the export, as GET /dashboard/export answers it.
type Document struct {
	ExportedAt time.Time               `json:"exportedAt"`
	Profile    *dashboard.Profile      `json:"profile"`
	Emails     []dashboard.MemberEmail `json:"emails"`
	Wallets    []dashboard.Wallet      `json:"wallets"`
	Orders     []dashboard.OrderDetail `json:"orders"`
	NFTs       []dashboard.Holding     `json:"nfts"`
}

// The parts of the services an export reads.
type (
	// Profiles is the profile service.
	Profiles interface {
		Get(ctx context.Context, m dashboard.Member) (*dashboard.Profile, error)
		Emails(ctx context.Context, m dashboard.Member) ([]dashboard.MemberEmail, error)
	}
	// Orders is the orders service.
	Orders interface {
		All(ctx context.Context, m dashboard.Member) ([]dashboard.OrderDetail, error)
	}
	// NFTs is the NFT service.
	NFTs interface {
		All(ctx context.Context, m dashboard.Member) ([]dashboard.Holding, error)
	}
)

// Service builds exports.
type Service struct {
	Profiles Profiles
	Orders   Orders
	NFTs     NFTs
	// Limits keeps the one-a-minute limit.
	Limits dashboard.RateStore
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Export returns the member's data. At most one export a minute per member:
// another is ERATELIMITED with RetryAfter.
func (s *Service) Export(ctx context.Context, m dashboard.Member) (*Document, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	at := now().UTC().Truncate(time.Millisecond)
	if err := s.Limits.TakeRate(ctx, m.UserID, rateName, 1, time.Minute, at); err != nil {
		if dashboard.ErrorCode(err) == dashboard.ERATELIMITED {
			return nil, &dashboard.Error{Code: dashboard.ERATELIMITED, RetryAfter: dashboard.ErrorRetryAfter(err),
				Message: "You can download your data once a minute."}
		}
		return nil, err
	}
	doc := &Document{ExportedAt: at, Wallets: []dashboard.Wallet{}}
	var err error
	if doc.Profile, err = s.Profiles.Get(ctx, m); err != nil {
		return nil, err
	}
	if doc.Emails, err = s.Profiles.Emails(ctx, m); err != nil {
		return nil, err
	}
	if w := doc.Profile.PreferredWallet; w != nil {
		doc.Wallets = append(doc.Wallets, dashboard.Wallet{Address: *w, Verified: doc.Profile.WalletVerifiedAt != nil,
			VerifiedAt: doc.Profile.WalletVerifiedAt, Primary: true, Kind: dashboard.WalletEOA})
	}
	if doc.Orders, err = s.Orders.All(ctx, m); err != nil {
		return nil, err
	}
	if doc.NFTs, err = s.NFTs.All(ctx, m); err != nil {
		return nil, err
	}
	logger := s.Logger
	if logger == nil {
		logger = slog.Default()
	}
	obs.Audit(obs.WithMemberID(ctx, m.UserID), logger, obs.EventDataExported,
		slog.Int("orders", len(doc.Orders)), slog.Int("nfts", len(doc.NFTs)))
	return doc, nil
}
