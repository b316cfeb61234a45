package marketplace

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/markettest"
)

const (
	fuzzContract = "0xBABE00000000000000000000000000000000B0B0"
	fuzzWallet   = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"
)

// sampleNFTs returns n NFTs with every field filled, traits and raw
// metadata, as a realistic page.
func sampleNFTs(n int) []markettest.NFT {
	out := make([]markettest.NFT, n)
	for i := range out {
		id := string(rune('0'+i%10)) + strings.Repeat("7", i/10)
		out[i] = markettest.NFT{
			Contract: fuzzContract, TokenID: id, Collection: "babes-club", CollectionName: "The Babes Club",
			Name: "Babe #" + id, Description: strings.Repeat("A babe of the club. ", 10),
			ImageURL: "https://img.example.com/" + id + ".png", ThumbnailURL: "https://img.example.com/" + id + "-s.png",
			Traits: []markettest.Trait{{Type: "Background", Value: "Pink"}, {Type: "Eyes", Value: "Star"},
				{Type: "Level", Value: i}, {Type: "Rare", Value: i%7 == 0}},
			Raw: map[string]any{"external_url": "https://babes.club/" + id, "edition": i},
		}
	}
	return out
}

func fuzzSeeds(f *testing.F, page []byte) {
	f.Add(page)
	for _, s := range []string{
		``, `{}`, `null`, `[]`, `{"nfts": null}`, `{"ownedNfts": null}`, `{"nfts": [], "next": ""}`,
		`{"ownedNfts": [], "pageKey": null}`, `{"nfts": [null, 1, "x", {}]}`, `{"ownedNfts": [null, 1, "x", {}]}`,
		`{"nfts": [{"identifier": "1", "contract": "` + fuzzContract + `", "traits": [{"value": 1e300}]}]}`,
		`{"ownedNfts": [{"tokenId": "1", "contract": {"address": "` + fuzzContract + `"}, "raw": {"metadata": {"a": [[[[[[[[[[[1]]]]]]]]]]], "": 1e-300}}}]}`,
		`{"ownedNfts": [{"tokenId": "1", "contract": {"address": "` + fuzzContract + `"}, "balance": 3, "raw": {"metadata": "oops"}}]}`,
		`{"nfts": [{"identifier": "1", "contract": "` + fuzzContract + `", "collection": "Bad Slug#", "name": "\u0000\u202e"}]}`,
	} {
		f.Add([]byte(s))
	}
}

// checkPage asserts what every accepted page must satisfy.
func checkPage(t *testing.T, p page) {
	t.Helper()
	if p.dropped < 0 || len(p.next) > maxCursor {
		t.Fatalf("dropped %d, next %d bytes", p.dropped, len(p.next))
	}
	for _, h := range p.holdings {
		if !isAddress(h.ContractAddress) || h.ContractAddress != strings.ToLower(h.ContractAddress) {
			t.Fatalf("contract %q", h.ContractAddress)
		}
		if !tokenIDRE.MatchString(h.TokenID) {
			t.Fatalf("token id %q", h.TokenID)
		}
		if h.CollectionID != h.ContractAddress && !slugRE.MatchString(h.CollectionID) {
			t.Fatalf("collection id %q", h.CollectionID)
		}
		if h.TokenName == "" || len(h.TokenName) > maxName {
			t.Fatalf("token name %q", h.TokenName)
		}
		for _, u := range []string{h.ImageURL, h.ThumbnailURL} {
			if u != "" && !strings.HasPrefix(u, "https://") {
				t.Fatalf("image URL %q", u)
			}
		}
		b, err := json.Marshal(h.Metadata)
		if err != nil || len(b) > MaxMetadataBytes || h.Metadata == nil {
			t.Fatalf("metadata of %d bytes (%v)", len(b), err)
		}
		if depth(h.Metadata) > maxRawDepth+2 {
			t.Fatalf("metadata nested %d deep", depth(h.Metadata))
		}
	}
}

func depth(v any) int {
	d := 0
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			d = max(d, depth(e))
		}
		return d + 1
	case []any:
		for _, e := range v {
			d = max(d, depth(e))
		}
		return d + 1
	}
	return 0
}

func FuzzOpenSeaPage(f *testing.F) {
	fuzzSeeds(f, markettest.OpenSeaPage("ethereum", sampleNFTs(3), "next-cursor"))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parseOpenSeaPage(body)
		if err == nil {
			checkPage(t, p)
		}
	})
}

func FuzzAlchemyPage(f *testing.F) {
	fuzzSeeds(f, markettest.AlchemyPage(sampleNFTs(3), "page-key", 3))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parseAlchemyPage(body)
		if err == nil {
			checkPage(t, p)
		}
	})
}

func FuzzWebhookWallets(f *testing.F) {
	f.Add([]byte(markettest.NFTActivity("").Transfer(fuzzContract, "1", fuzzWallet, markettest.ZeroAddress).JSON()))
	f.Add([]byte(markettest.AddressActivity("").Transfer1155(fuzzContract, "2", 5, markettest.ZeroAddress, fuzzWallet).JSON()))
	for _, s := range []string{``, `{}`, `null`, `{"type": "NFT_ACTIVITY", "event": {"activity": [{}]}}`, `{"type": "X"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ws, err := WebhookWallets(body)
		if err != nil {
			if dashboard.ErrorCode(err) != dashboard.EINVALIDREQUEST || ws != nil {
				t.Fatalf("err %v with %v", err, ws)
			}
			return
		}
		seen := map[string]bool{}
		for _, w := range ws {
			if !isAddress(w) || w != strings.ToLower(w) || w == zeroAddress || seen[w] {
				t.Fatalf("wallet %q in %v", w, ws)
			}
			seen[w] = true
		}
	})
}

func BenchmarkParseOpenSeaPage(b *testing.B) {
	body := markettest.OpenSeaPage("ethereum", sampleNFTs(openSeaPageSize), "next-cursor")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if p, err := parseOpenSeaPage(body); err != nil || len(p.holdings) != openSeaPageSize {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseAlchemyPage(b *testing.B) {
	body := markettest.AlchemyPage(sampleNFTs(alchemyPageSize), "page-key", 1000)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if p, err := parseAlchemyPage(body); err != nil || len(p.holdings) != alchemyPageSize {
			b.Fatal(err)
		}
	}
}
