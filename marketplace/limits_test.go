package marketplace

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/markettest"
)

func TestMetadataIsBounded(t *testing.T) {
	huge := map[string]any{"blob": strings.Repeat("x", 100<<10)}
	deep := map[string]any{}
	cur := deep
	for range 40 {
		next := map[string]any{"n": 1.0}
		cur["d"] = next
		cur = next
	}
	traits := make([]markettest.Trait, 100)
	for i := range traits {
		traits[i] = markettest.Trait{Type: strings.Repeat("t", 500), Value: strings.Repeat("v", 5000)}
	}
	nfts := []markettest.NFT{
		{Contract: fuzzContract, TokenID: "1", Raw: huge, Description: strings.Repeat("é", 10000), Traits: traits},
		{Contract: fuzzContract, TokenID: "2", Raw: map[string]any{"deep": deep, "big": 1e300, "small": 1e-300,
			"ok": 12.5, "": "empty key", "ctl": "a\u0000b\u202ec"}},
	}
	p, err := parseAlchemyPage(markettest.AlchemyPage(nfts, "", 2))
	if err != nil || len(p.holdings) != 2 {
		t.Fatalf("page %+v, err %v", p, err)
	}
	checkPage(t, p)
	m1 := p.holdings[0].Metadata
	if _, ok := m1["raw"]; ok {
		t.Error("100 KiB of raw metadata kept")
	}
	if d, _ := m1["description"].(string); len(d) > maxDescription || !strings.HasPrefix(d, "éé") || strings.ContainsRune(d, '\uFFFD') {
		t.Errorf("description of %d bytes, cut mid-character: %q…", len(d), d[:min(len(d), 10)])
	}
	if tr, _ := m1["traits"].([]any); len(tr) != maxTraits {
		t.Errorf("%d traits kept, want %d", len(tr), maxTraits)
	}
	raw, _ := p.holdings[1].Metadata["raw"].(map[string]any)
	if raw == nil {
		t.Fatalf("small raw metadata dropped: %v", p.holdings[1].Metadata)
	}
	if raw["big"] != "1e+300" || raw["small"] != "1e-300" || raw["ok"] != 12.5 || raw["ctl"] != "abc" {
		t.Errorf("raw = %v", raw)
	}
	if _, ok := raw[""]; ok {
		t.Error("empty key kept")
	}
	if d := depth(raw); d > maxRawDepth {
		t.Errorf("raw nested %d deep, want ≤ %d", d, maxRawDepth)
	}
}

func TestFirstHTTPS(t *testing.T) {
	cases := map[string]string{
		"https://img.example.com/a.png":        "https://img.example.com/a.png",
		"  HTTPS://img.example.com/a b.png  ":  "https://img.example.com/a%20b.png",
		"http://img.example.com/a.png":         "",
		"ipfs://QmHash/1.png":                  "",
		"ar://abc":                             "",
		"data:image/svg+xml;base64,PHN2Zz4=":   "",
		"javascript:alert(1)":                  "",
		"https://user:pw@img.example.com/a":    "",
		"https:///nohost":                      "",
		"//img.example.com/a.png":              "",
		"https://" + strings.Repeat("a", 3000): "",
	}
	for in, want := range cases {
		if got := firstHTTPS(in); got != want {
			t.Errorf("firstHTTPS(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestResponseTooLarge(t *testing.T) {
	f := markettest.NewOpenSea(t)
	f.SetHoldings(fuzzWallet, sampleNFTs(20))
	m, err := New(Config{Provider: "opensea", BaseURL: f.URL(), APIKey: f.APIKey(), MaxRPS: -1})
	if err != nil {
		t.Fatal(err)
	}
	m.(*market).c.maxBody = 1024
	hs, err := m.Holdings(t.Context(), fuzzWallet)
	if dashboard.ErrorCode(err) != dashboard.EUNAVAILABLE || hs != nil || f.Calls() != 1 {
		t.Fatalf("Holdings = %v, %v after %d calls; want EUNAVAILABLE, no retry", hs, err, f.Calls())
	}
}

// loopServer answers every request with an empty page whose next cursor
// is cursor(n) for the n-th request.
func loopServer(t *testing.T, cursor func(n int64) string) (*httptest.Server, *atomic.Int64) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		fmt.Fprintf(w, `{"nfts": [], "next": %q}`, cursor(n))
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestPaginationLoops(t *testing.T) {
	t.Run("repeating cursor", func(t *testing.T) {
		srv, calls := loopServer(t, func(int64) string { return "same" })
		m, _ := New(Config{Provider: "opensea", BaseURL: srv.URL, APIKey: "k", MaxRPS: -1})
		hs, err := m.Holdings(t.Context(), fuzzWallet)
		if dashboard.ErrorCode(err) != dashboard.EUNAVAILABLE || hs != nil || calls.Load() != 2 {
			t.Fatalf("Holdings = %v, %v after %d calls", hs, err, calls.Load())
		}
	})
	t.Run("endless cursors", func(t *testing.T) {
		srv, calls := loopServer(t, func(n int64) string { return fmt.Sprint("c", n) })
		m, _ := New(Config{Provider: "opensea", BaseURL: srv.URL, APIKey: "k", MaxRPS: -1, MaxPages: 5})
		hs, err := m.Holdings(t.Context(), fuzzWallet)
		if dashboard.ErrorCode(err) != dashboard.EUNAVAILABLE || hs != nil || calls.Load() != 5 {
			t.Fatalf("Holdings = %v, %v after %d calls; want EUNAVAILABLE after 5", hs, err, calls.Load())
		}
	})
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	var leaked atomic.Bool
	thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Store(r.Header.Get("X-API-KEY") != "")
		fmt.Fprint(w, `{"nfts": []}`)
	}))
	defer thief.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, thief.URL+r.URL.RequestURI(), http.StatusFound)
	}))
	defer redirect.Close()
	m, _ := New(Config{Provider: "opensea", BaseURL: redirect.URL, APIKey: "secret-key", MaxRPS: -1})
	hs, err := m.Holdings(t.Context(), fuzzWallet)
	if dashboard.ErrorCode(err) != dashboard.EUNAVAILABLE || hs != nil || leaked.Load() {
		t.Fatalf("Holdings = %v, %v; key sent to the redirect target: %v", hs, err, leaked.Load())
	}
}

func TestNewAndChains(t *testing.T) {
	cases := []struct {
		cfg       Config
		wantBase  string
		wantChain string
	}{
		{Config{Provider: "opensea", APIKey: "k"}, "https://api.opensea.io", "ethereum"},
		{Config{Provider: "OpenSea", APIKey: "k", Chain: "polygon"}, "https://api.opensea.io", "matic"},
		{Config{Provider: "opensea", APIKey: "k", Chain: "base-mainnet", BaseURL: "http://127.0.0.1:9/"}, "http://127.0.0.1:9", "base"},
		{Config{Provider: "alchemy", APIKey: "k"}, "https://eth-mainnet.g.alchemy.com", ""},
		{Config{Provider: "alchemy", APIKey: "k", Chain: "base"}, "https://base-mainnet.g.alchemy.com", ""},
		{Config{Provider: "alchemy", APIKey: "k", Chain: "arbitrum"}, "https://arb-mainnet.g.alchemy.com", ""},
	}
	for _, c := range cases {
		m, err := New(c.cfg)
		if err != nil {
			t.Errorf("New(%+v): %v", c.cfg, err)
			continue
		}
		switch p := m.(*market).p.(type) {
		case *openSea:
			if p.base != c.wantBase || p.chain != c.wantChain {
				t.Errorf("%+v: base %q chain %q", c.cfg, p.base, p.chain)
			}
		case *alchemy:
			if p.base != c.wantBase {
				t.Errorf("%+v: base %q", c.cfg, p.base)
			}
		}
	}
	for _, bad := range []Config{
		{Provider: "opensea"},
		{Provider: "rarible", APIKey: "k"},
		{Provider: "", APIKey: "k"},
		{Provider: "alchemy", APIKey: "k", Chain: "evil.com/x"},
		{Provider: "opensea", APIKey: "k", BaseURL: "ftp://x"},
		{Provider: "opensea", APIKey: "k", BaseURL: "https://u:p@x"},
		{Provider: "opensea", APIKey: "k", Collections: []string{"Not A Slug"}},
	} {
		if _, err := New(bad); err == nil {
			t.Errorf("New(%+v) accepted", bad)
		}
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{
		"NFT_PROVIDER": " Alchemy ", "NFT_API_BASE_URL": "http://localhost:1", "NFT_API_KEY": "key",
		"NFT_CHAIN": "Base", "NFT_COLLECTIONS": " babes-club, 0xBABE00000000000000000000000000000000B0B0 ,,",
	}
	c, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal([]any{c.Provider, c.BaseURL, c.APIKey, c.Chain, c.Collections})
	want := `["alchemy","http://localhost:1","key","base",["babes-club","0xBABE00000000000000000000000000000000B0B0"]]`
	if string(got) != want {
		t.Errorf("config = %s, want %s", got, want)
	}
	env["NFT_COLLECTIONS"] = "babes club"
	if _, err := ConfigFromEnv(func(k string) string { return env[k] }); err == nil {
		t.Error("a collection with a space was accepted")
	}
}
