package nfts_test

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/bolt"
	"github.com/thebabesclub/dashboard/cursor"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/marketplace"
	"github.com/thebabesclub/dashboard/nfts"
	"github.com/thebabesclub/dashboard/siwe"
)

// Wallets of the well-known test keys (see keyA and keyB in wallet_test.go),
// in their EIP-55 spelling.
const (
	walletA = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
	walletB = "0x63FaC9201494f0bd17B9892B9fae4d52fe3BD377"
	walletC = "0x52908400098527886E0F7030069857D2E4169EE7"
	babes   = "0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"
)

// kit is one scenario: the NFT service on the embedded store, reading the
// marketplace fake through the real OpenSea adapter, with a clock the test
// moves.
type kit struct {
	t      *testing.T
	ctx    context.Context
	store  *bolt.Store
	market *markettest.Server
	svc    *nfts.Service
	now    time.Time
}

func newKit(t *testing.T) *kit {
	t.Helper()
	store, err := bolt.Open(filepath.Join(t.TempDir(), "dashboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	market := markettest.NewOpenSea(t)
	mk, err := marketplace.New(marketplace.Config{Provider: "opensea", BaseURL: market.URL(), APIKey: market.APIKey(),
		MaxRPS: -1, MaxRetries: -1, Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	// The clock starts at the wall clock (whole seconds) because the store
	// sweeps expired challenges by its own clock; the test only moves it.
	k := &kit{t: t, ctx: context.Background(), store: store, market: market, now: time.Now().UTC().Truncate(time.Second)}
	k.svc = &nfts.Service{Store: store, Market: mk, Cursors: cursor.NewSigner([]byte("nfts-test-secret-0123456789abcdef")),
		ChainID: 1, SiteOrigin: &url.URL{Scheme: "https", Host: "dashboard.babesclub.example"},
		Now: func() time.Time { return k.now },
		// Time moves only when the test moves it, deadlines included.
		TimeLeft: func(deadline time.Time) time.Duration { return deadline.Sub(k.now) }}
	return k
}

// setWallet stores userID's preferred wallet ("" clears it) as the profile
// service would write it.
func (k *kit) setWallet(userID, wallet string) {
	k.t.Helper()
	p := &dashboard.Profile{UserID: userID, Email: userID + "@example.com"}
	fields := []string{dashboard.FieldPreferredWallet}
	var expect *time.Time
	if old, err := k.store.GetProfile(k.ctx, userID); err == nil {
		p, expect = old, old.UpdatedAt
	} else {
		fields = append(fields, dashboard.FieldEmail)
	}
	old := p.PreferredWallet
	if old != nil {
		old = new(*old)
	}
	p.PreferredWallet = nil
	if wallet != "" {
		p.PreferredWallet = &wallet
	}
	stamp := k.now
	if expect != nil && !stamp.After(*expect) {
		stamp = expect.Add(time.Millisecond)
	}
	p.UpdatedAt = &stamp
	if err := k.store.SaveProfile(k.ctx, dashboard.ProfileChange{Profile: p, Fields: fields, ExpectUpdatedAt: expect}); err != nil {
		k.t.Fatal(err)
	}
	// As the profile service does: the new primary is one of the member's
	// wallets, and the old one goes.
	if old != nil && !strings.EqualFold(*old, wallet) {
		if err := k.store.RemoveWallet(k.ctx, userID, *old); err != nil {
			k.t.Fatal(err)
		}
	}
	if wallet != "" {
		sum, ok := siwe.ChecksumAddress(wallet)
		if !ok {
			k.t.Fatalf("setWallet(%q): not an address", wallet)
		}
		if err := k.store.AddWallet(k.ctx, dashboard.MemberWallet{UserID: userID, Address: sum, AddedAt: k.now}); err != nil {
			k.t.Fatal(err)
		}
	}
}

// holdings returns every stored holding of userID, as the store keeps them.
func (k *kit) holdings(userID string) []dashboard.Holding {
	k.t.Helper()
	page, err := k.store.ListHoldings(k.ctx, userID, "", nfts.MaxPageSize, "")
	if err != nil {
		k.t.Fatal(err)
	}
	return page.Holdings
}

// syncedAt returns userID's SYNC#NFT marker.
func (k *kit) syncedAt(userID string) *time.Time {
	k.t.Helper()
	at, err := k.store.SyncedAt(k.ctx, userID, dashboard.SyncNFT)
	if err != nil {
		k.t.Fatal(err)
	}
	return at
}

// byToken indexes holdings by token id.
func byToken(hs []dashboard.Holding) map[string]dashboard.Holding {
	out := map[string]dashboard.Holding{}
	for _, h := range hs {
		out[h.TokenID] = h
	}
	return out
}

func babe(id, name string) markettest.NFT {
	return markettest.NFT{Contract: babes, TokenID: id, Collection: "babes-club", CollectionName: "Babes Club", Name: name,
		ImageURL: "https://img.example/" + id + ".png"}
}
