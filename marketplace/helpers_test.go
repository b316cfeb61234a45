package marketplace_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/clocktest"
	"github.com/thebabesclub/dashboard/internal/logtest"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/marketplace"
)

// Test wallets and contracts. wallet is EIP-55 mixed case on purpose.
const (
	wallet   = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
	babes    = "0xBABE00000000000000000000000000000000B0B0"
	other    = "0x0000000000000000000000000000000000000c0c"
	editions = "0xEd1710Ed1710Ed1710Ed1710Ed1710Ed1710Ed17"
)

var providers = []string{markettest.OpenSea, markettest.Alchemy}

// fixture is one market against one fake, with its recorded sleeps and
// debug log.
type fixture struct {
	fake   *markettest.Server
	market dashboard.Marketplace
	sleeps *clocktest.Sleeps
	log    *logtest.Buffer
}

func newFake(t *testing.T, kind string) *markettest.Server {
	if kind == markettest.Alchemy {
		return markettest.NewAlchemy(t)
	}
	return markettest.NewOpenSea(t)
}

// setup starts a fake of kind and a market on it with no rate limit,
// recorded sleeps and the given changes to its Config.
func setup(t *testing.T, kind string, change ...func(*marketplace.Config)) *fixture {
	t.Helper()
	fx := &fixture{fake: newFake(t, kind), sleeps: &clocktest.Sleeps{}, log: &logtest.Buffer{}}
	cfg := marketplace.Config{
		Provider: kind,
		BaseURL:  fx.fake.URL(),
		APIKey:   fx.fake.APIKey(),
		MaxRPS:   -1,
		Sleep:    fx.sleeps.Sleep,
		Logger:   slog.New(slog.NewJSONHandler(fx.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, f := range change {
		f(&cfg)
	}
	m, err := marketplace.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fx.market = m
	return fx
}

// noLeak fails the test when text carries the wallet or the API key.
func noLeak(t *testing.T, what, text string) {
	t.Helper()
	for _, secret := range []string{strings.ToLower(wallet[2:]), wallet[2:], markettest.DefaultAPIKey} {
		if strings.Contains(text, secret) {
			t.Errorf("%s leaks %q: %s", what, secret, text)
		}
	}
}

// five is a wallet's worth of NFTs: three pages at page size 2.
func five() []markettest.NFT {
	return []markettest.NFT{
		{Contract: babes, TokenID: "1", Collection: "babes-club", CollectionName: "The Babes Club",
			Name: "Babe #1", Description: "The first babe.\nPink.", ImageURL: "https://img.example.com/1.png",
			ThumbnailURL: "https://img.example.com/1-small.png",
			Traits:       []markettest.Trait{{Type: "Background", Value: "Pink"}, {Type: "Level", Value: 3}}},
		{Contract: babes, TokenID: "2", Collection: "babes-club", CollectionName: "The Babes Club",
			ImageURL: "http://img.example.com/2.png", ThumbnailURL: "ipfs://QmHash/2.png"},
		{Contract: babes, TokenID: "115792089237316195423570985008687907853269984665640564039457584007913129639935",
			Collection: "babes-club", CollectionName: "The Babes Club", Name: "Babe max"},
		{Contract: editions, TokenID: "7", Standard: "erc1155", Balance: 3, Name: "Edition 7",
			ImageURL: "https://img.example.com/e7.png"},
		{Contract: other, TokenID: "42", Collection: "other-club", Name: "Other #42"},
	}
}

func holdingsByKey(hs []dashboard.Holding) map[string]dashboard.Holding {
	out := map[string]dashboard.Holding{}
	for _, h := range hs {
		out[h.ContractAddress+"#"+h.TokenID] = h
	}
	return out
}
