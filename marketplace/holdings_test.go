package marketplace_test

import (
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/marketplace"
)

func TestHoldingsReadsEveryPageAndMaps(t *testing.T) {
	for _, kind := range providers {
		t.Run(kind, func(t *testing.T) {
			fx := setup(t, kind)
			fx.fake.SetHoldings(wallet, five())
			fx.fake.SetPageSize(2)
			hs, err := fx.market.Holdings(t.Context(), wallet)
			if err != nil {
				t.Fatal(err)
			}
			if n := fx.fake.Calls(); n != 3 {
				t.Errorf("%d requests, want 3 pages", n)
			}
			if len(hs) != 5 {
				t.Fatalf("%d holdings, want 5: %+v", len(hs), hs)
			}
			by := holdingsByKey(hs)
			lb := strings.ToLower(babes)

			h1 := by[lb+"#1"]
			want1 := dashboard.Holding{
				TokenID: "1", ContractAddress: lb, CollectionID: "babes-club", TokenName: "Babe #1",
				ThumbnailURL: "https://img.example.com/1-small.png", ImageURL: "https://img.example.com/1.png",
			}
			got1 := h1
			got1.Metadata = nil
			if !reflect.DeepEqual(got1, want1) {
				t.Errorf("holding 1 = %+v\nwant %+v", got1, want1)
			}
			if h1.Metadata["description"] != "The first babe.\nPink." || h1.Metadata["tokenStandard"] != "erc721" {
				t.Errorf("holding 1 metadata = %v", h1.Metadata)
			}
			wantTraits := []any{
				map[string]any{"trait_type": "Background", "value": "Pink"},
				map[string]any{"trait_type": "Level", "value": float64(3)},
			}
			if !reflect.DeepEqual(h1.Metadata["traits"], wantTraits) {
				t.Errorf("traits = %#v, want %#v", h1.Metadata["traits"], wantTraits)
			}

			// No name: "<collection> #<id>"; http and ipfs images: none.
			h2 := by[lb+"#2"]
			wantName := map[string]string{markettest.OpenSea: "babes-club #2", markettest.Alchemy: "The Babes Club #2"}[kind]
			if h2.TokenName != wantName || h2.ImageURL != "" || h2.ThumbnailURL != "" {
				t.Errorf("holding 2 = %+v, want name %q and no images", h2, wantName)
			}
			if h := by[lb+"#115792089237316195423570985008687907853269984665640564039457584007913129639935"]; h.TokenName != "Babe max" {
				t.Errorf("uint256-max token id lost: %+v", h)
			}

			// No slug: the collection is the contract; one image serves both.
			e7 := by[strings.ToLower(editions)+"#7"]
			if e7.CollectionID != strings.ToLower(editions) || e7.ThumbnailURL != "https://img.example.com/e7.png" ||
				e7.ImageURL != e7.ThumbnailURL || e7.Metadata["tokenStandard"] != "erc1155" {
				t.Errorf("edition 7 = %+v", e7)
			}
			if kind == markettest.Alchemy && e7.Metadata["balance"] != "3" {
				t.Errorf("edition 7 balance = %v, want \"3\"", e7.Metadata["balance"])
			}
			for _, h := range hs {
				if !h.LastSyncedAt.IsZero() || h.Metadata == nil {
					t.Errorf("%s: LastSyncedAt %v, metadata %v", h.TokenID, h.LastSyncedAt, h.Metadata)
				}
			}
		})
	}
}

func TestCollectionFilter(t *testing.T) {
	for _, kind := range providers {
		t.Run(kind, func(t *testing.T) {
			// A slug and an upper-cased address.
			fx := setup(t, kind, func(c *marketplace.Config) {
				c.Collections = []string{"babes-club", strings.ToUpper(editions[2:])}
				c.Collections[1] = "0x" + c.Collections[1]
			})
			fx.fake.SetHoldings(wallet, five())
			hs, err := fx.market.Holdings(t.Context(), wallet)
			if err != nil {
				t.Fatal(err)
			}
			if len(hs) != 4 {
				t.Fatalf("%d holdings, want the 3 babes and the edition: %+v", len(hs), hs)
			}
			for _, h := range hs {
				if h.ContractAddress == strings.ToLower(other) {
					t.Errorf("kept %+v", h)
				}
			}
		})
	}
}

func TestServerSideFilters(t *testing.T) {
	t.Run("opensea one slug", func(t *testing.T) {
		fx := setup(t, markettest.OpenSea, func(c *marketplace.Config) { c.Collections = []string{"other-club"} })
		fx.fake.SetHoldings(wallet, five())
		hs, err := fx.market.Holdings(t.Context(), wallet)
		if err != nil || len(hs) != 1 || hs[0].TokenID != "42" {
			t.Fatalf("holdings %+v, err %v", hs, err)
		}
		q := fx.fake.Requests()[0].Query
		if q.Get("collection") != "other-club" || q.Get("limit") != "200" {
			t.Errorf("query = %v", q)
		}
	})
	t.Run("alchemy contracts", func(t *testing.T) {
		fx := setup(t, markettest.Alchemy, func(c *marketplace.Config) { c.Collections = []string{babes} })
		fx.fake.SetHoldings(wallet, five())
		hs, err := fx.market.Holdings(t.Context(), wallet)
		if err != nil || len(hs) != 3 {
			t.Fatalf("holdings %+v, err %v", hs, err)
		}
		q := fx.fake.Requests()[0].Query
		if got := q["contractAddresses[]"]; len(got) != 1 || got[0] != strings.ToLower(babes) ||
			q.Get("withMetadata") != "true" || q.Get("pageSize") != "100" || q.Get("owner") != strings.ToLower(wallet) {
			t.Errorf("query = %v", q)
		}
	})
}

func TestDuplicatesAcrossPagesKeptOnce(t *testing.T) {
	for _, kind := range providers {
		t.Run(kind, func(t *testing.T) {
			fx := setup(t, kind)
			nfts := five()
			fx.fake.SetHoldings(wallet, append(nfts, nfts[0]))
			fx.fake.SetPageSize(2)
			hs, err := fx.market.Holdings(t.Context(), wallet)
			if err != nil || len(hs) != 5 {
				t.Fatalf("%d holdings, err %v; want 5", len(hs), err)
			}
		})
	}
}

func TestEmptyWalletIsEmptyNotNil(t *testing.T) {
	for _, kind := range providers {
		t.Run(kind, func(t *testing.T) {
			fx := setup(t, kind)
			hs, err := fx.market.Holdings(t.Context(), wallet)
			if err != nil || hs == nil || len(hs) != 0 {
				t.Fatalf("holdings %#v, err %v; want an empty slice", hs, err)
			}
		})
	}
}

func TestUnusableEntriesDropped(t *testing.T) {
	for _, kind := range providers {
		t.Run(kind, func(t *testing.T) {
			fx := setup(t, kind)
			fx.fake.SetHoldings(wallet, []markettest.NFT{
				{Contract: babes, TokenID: "1"},
				{Contract: "", TokenID: "2"},
				{Contract: babes, TokenID: ""},
				{Contract: "0xnothex", TokenID: "3"},
				{Contract: babes, TokenID: "0x1f"},
				{Contract: babes, TokenID: "1#evil"},
			})
			hs, err := fx.market.Holdings(t.Context(), wallet)
			if err != nil || len(hs) != 1 || hs[0].TokenID != "1" {
				t.Fatalf("holdings %+v, err %v; want token 1 only", hs, err)
			}
			if log := fx.log.String(); !strings.Contains(log, `"dropped":5`) {
				t.Errorf("drop not logged: %s", log)
			}
			noLeak(t, "log", fx.log.String())
		})
	}
}

func TestInvalidWalletMakesNoCall(t *testing.T) {
	for _, kind := range providers {
		t.Run(kind, func(t *testing.T) {
			fx := setup(t, kind)
			for _, w := range []string{"", "0x", wallet[:41], wallet + "0", "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00",
				"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeZ", "vitalik.eth", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe/"} {
				hs, err := fx.market.Holdings(t.Context(), w)
				if dashboard.ErrorCode(err) != dashboard.EVALIDATION || hs != nil {
					t.Errorf("Holdings(%q) = %v, %v; want EVALIDATION", w, hs, err)
				}
			}
			if n := fx.fake.Calls(); n != 0 {
				t.Errorf("%d requests made", n)
			}
		})
	}
}

func TestConcurrentHoldings(t *testing.T) {
	for _, kind := range providers {
		t.Run(kind, func(t *testing.T) {
			fx := setup(t, kind)
			fx.fake.SetHoldings(wallet, five())
			fx.fake.SetPageSize(2)
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					if hs, err := fx.market.Holdings(t.Context(), wallet); err != nil || len(hs) != 5 {
						t.Errorf("%d holdings, err %v", len(hs), err)
					}
				})
			}
			wg.Wait()
		})
	}
}
