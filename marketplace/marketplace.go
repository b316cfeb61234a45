// Package marketplace implements dashboard.Marketplace on two NFT APIs,
// OpenSea API v2 and Alchemy NFT API v3, selected by NFT_PROVIDER, and
// verifies and reads the Alchemy Notify webhooks that tell the dashboard
// which wallets to sync again.
//
// Both adapters share one HTTP layer: a client-side rate limiter (MaxRPS),
// a timeout per attempt (Timeout, body included), and bounded retries of
// 429s, 5xx answers and network failures with exponential backoff and full
// jitter, honouring Retry-After. Holdings reads every page before it
// returns, so any failure — retries exhausted, a refused API key, an
// unreadable or oversized page, a pagination loop — yields an error and no
// holdings: the NFT sync must never mistake half a wallet for all of it.
// Every failure is a dashboard.Error with code EUNAVAILABLE (and a
// RetryAfter hint), except an invalid wallet (EVALIDATION) and the caller's
// own cancellation (context.Canceled).
//
// Errors and logs never carry the API key (Alchemy puts it in the URL
// path) or the wallet address: the HTTP layer drops the URL from transport
// errors.
//
// docs/marketplace.md lists every provider field the package relies on.
package marketplace

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/thebabesclub/dashboard"
)

// Providers, as NFT_PROVIDER names them.
const (
	ProviderOpenSea = "opensea"
	ProviderAlchemy = "alchemy"
)

// Defaults of Config.
const (
	// DefaultMaxRPS stays under the free tiers of both providers
	// (OpenSea allows a few requests per second per key).
	DefaultMaxRPS     = 4
	DefaultMaxRetries = 4
	DefaultTimeout    = 10 * time.Second
	// DefaultMaxPages bounds one Holdings call: 100 pages are 20,000
	// OpenSea or 10,000 Alchemy NFTs, far beyond any member's wallet, and
	// a provider that keeps answering with a new cursor cannot keep a sync
	// running forever.
	DefaultMaxPages = 100
	DefaultChain    = "ethereum"
)

// Config configures a Marketplace. Zero fields take the defaults above.
type Config struct {
	// Provider is "opensea" or "alchemy" (NFT_PROVIDER).
	Provider string
	// BaseURL overrides the provider's public base URL (NFT_API_BASE_URL):
	// https://api.opensea.io, or https://{network}.g.alchemy.com where
	// network follows from Chain. Tests point it at markettest.
	BaseURL string
	// APIKey is the provider's key (NFT_API_KEY); required.
	APIKey string
	// Chain names the chain (NFT_CHAIN, default "ethereum"): any name
	// of one of Chains (OpenSea's chain name such as ethereum, matic or
	// polygon, base; or Alchemy's network name such as eth-mainnet).
	Chain string
	// Collections are the contract addresses (0x…) and OpenSea collection
	// slugs to keep (NFT_COLLECTIONS); empty keeps everything.
	Collections []string
	// MaxRPS caps requests per second, retries included; a negative value
	// turns the limiter off (tests).
	MaxRPS float64
	// MaxRetries bounds the retries after a first attempt; negative: none.
	MaxRetries int
	// Timeout bounds one attempt, reading the body included.
	Timeout time.Duration
	// MaxPages bounds the pages one Holdings call reads.
	MaxPages int
	// HTTPClient carries the requests; its Timeout is ignored in favour of
	// Timeout, and it never follows redirects (a redirect could carry the
	// X-API-KEY header to another host).
	HTTPClient *http.Client
	// Sleep waits between retries; tests replace it to record the waits.
	// It returns early with ctx's error.
	Sleep func(ctx context.Context, d time.Duration) error
	// Logger receives key refusals (error), retries and dropped entries
	// (debug); slog.Default() when nil.
	Logger *slog.Logger
}

// ConfigFromEnv reads the NFT_* variables of CONTRACT §7 through getenv
// (os.Getenv in production, a map in tests). It validates NFT_COLLECTIONS
// entries here, so a typo fails at start-up rather than silently hiding
// every holding.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Provider: strings.ToLower(strings.TrimSpace(getenv("NFT_PROVIDER"))),
		BaseURL:  strings.TrimSpace(getenv("NFT_API_BASE_URL")),
		APIKey:   strings.TrimSpace(getenv("NFT_API_KEY")),
		Chain:    strings.ToLower(strings.TrimSpace(getenv("NFT_CHAIN"))),
	}
	for _, s := range strings.Split(getenv("NFT_COLLECTIONS"), ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !isAddress(s) && !slugRE.MatchString(s) {
			return Config{}, fmt.Errorf("marketplace: NFT_COLLECTIONS entry %q is neither a contract address (0x + 40 hex) nor a collection slug", s)
		}
		c.Collections = append(c.Collections, s)
	}
	return c, nil
}

// Chain is one supported chain: its EIP-155 id (the chain wallet
// challenges name) and its name at each provider. Chains is the one list of
// supported NFT_CHAIN values; the NFT service takes its chain id from here
// (app.ChainID), so the marketplace never reads a chain the challenges do
// not name.
type Chain struct {
	ID      int64  // EIP-155 chain id
	OpenSea string // OpenSea's chain name, also the canonical NFT_CHAIN value
	Alchemy string // Alchemy's network name, accepted as NFT_CHAIN too
	// Aliases are further accepted NFT_CHAIN spellings.
	Aliases []string
}

// chains lists the supported chains. An unknown chain is refused, because
// the Alchemy name becomes part of the API host name.
var chains = []Chain{
	{ID: 1, OpenSea: "ethereum", Alchemy: "eth-mainnet", Aliases: []string{"mainnet"}},
	{ID: 11155111, OpenSea: "sepolia", Alchemy: "eth-sepolia"},
	{ID: 137, OpenSea: "matic", Alchemy: "polygon-mainnet", Aliases: []string{"polygon"}},
	{ID: 80002, OpenSea: "amoy", Alchemy: "polygon-amoy"},
	{ID: 42161, OpenSea: "arbitrum", Alchemy: "arb-mainnet"},
	{ID: 421614, OpenSea: "arbitrum_sepolia", Alchemy: "arb-sepolia"},
	{ID: 10, OpenSea: "optimism", Alchemy: "opt-mainnet"},
	{ID: 8453, OpenSea: "base", Alchemy: "base-mainnet"},
	{ID: 84532, OpenSea: "base_sepolia", Alchemy: "base-sepolia"},
	{ID: 7777777, OpenSea: "zora", Alchemy: "zora-mainnet"},
	{ID: 81457, OpenSea: "blast", Alchemy: "blast-mainnet"},
	{ID: 43114, OpenSea: "avalanche", Alchemy: "avax-mainnet"},
}

// Chains returns a copy of the supported chains.
func Chains() []Chain {
	out := make([]Chain, len(chains))
	for i, c := range chains {
		c.Aliases = slices.Clone(c.Aliases)
		out[i] = c
	}
	return out
}

// Names returns every NFT_CHAIN spelling that names c.
func (c Chain) Names() []string {
	return append([]string{c.OpenSea, c.Alchemy}, c.Aliases...)
}

// LookupChain returns the chain an NFT_CHAIN value names, case-insensitively
// and ignoring surrounding space; empty means DefaultChain.
func LookupChain(name string) (Chain, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "" {
		n = DefaultChain
	}
	for _, c := range chains {
		if slices.Contains(c.Names(), n) {
			return c, nil
		}
	}
	return Chain{}, fmt.Errorf("marketplace: NFT_CHAIN %q is not a supported chain", name)
}

// provider is what differs between OpenSea and Alchemy: how a page is
// asked for and how it is read.
type provider interface {
	name() string
	// request returns the URL and headers of the page after cursor ("" for
	// the first) of wallet (lower-case, validated).
	request(wallet, cursor string) (string, http.Header)
	// parse reads one page; it fails on anything but the documented shape.
	parse(body []byte) (page, error)
}

// page is one parsed page: its holdings, how many entries were dropped as
// unusable, and the cursor of the next page ("" at the end).
type page struct {
	holdings []dashboard.Holding
	dropped  int
	next     string
}

// market is the dashboard.Marketplace both providers share.
type market struct {
	p        provider
	c        *client
	filter   filter
	maxPages int
	log      *slog.Logger
}

var _ dashboard.Marketplace = (*market)(nil)

// New returns the Marketplace cfg selects. It makes no request.
func New(cfg Config) (dashboard.Marketplace, error) {
	if cfg.APIKey == "" {
		return nil, errors.New("marketplace: NFT_API_KEY is required")
	}
	ch, err := LookupChain(cfg.Chain)
	if err != nil {
		return nil, err
	}
	f, err := newFilter(cfg.Collections)
	if err != nil {
		return nil, err
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	var p provider
	switch strings.ToLower(cfg.Provider) {
	case ProviderOpenSea:
		if base == "" {
			base = "https://api.opensea.io"
		}
		p = &openSea{base: base, key: cfg.APIKey, chain: ch.OpenSea, slug: f.singleSlug()}
	case ProviderAlchemy:
		if base == "" {
			base = "https://" + ch.Alchemy + ".g.alchemy.com"
		}
		p = &alchemy{base: base, key: cfg.APIKey, contracts: f.serverSideContracts()}
	default:
		return nil, fmt.Errorf("marketplace: NFT_PROVIDER %q is not one of %q, %q", cfg.Provider, ProviderOpenSea, ProviderAlchemy)
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.User != nil {
		return nil, fmt.Errorf("marketplace: NFT_API_BASE_URL must be an http(s) URL without query or credentials, got %q", base)
	}
	m := &market{p: p, filter: f, maxPages: cfg.MaxPages, log: cfg.Logger}
	if m.maxPages <= 0 {
		m.maxPages = DefaultMaxPages
	}
	if m.log == nil {
		m.log = slog.Default()
	}
	m.c = newClient(cfg, p.name(), m.log)
	return m, nil
}

// newLimiter returns the limiter for rps (0: default, negative: none).
func newLimiter(rps float64) *rate.Limiter {
	switch {
	case rps < 0 || math.IsInf(rps, 1):
		return rate.NewLimiter(rate.Inf, 1)
	case rps == 0 || math.IsNaN(rps):
		rps = DefaultMaxRPS
	}
	return rate.NewLimiter(rate.Limit(rps), max(1, int(math.Ceil(rps))))
}

// Holdings implements dashboard.Marketplace: it validates wallet, then
// reads every page, keeping the configured collections. Duplicates (a
// token that moved between pages while they were read) are kept once.
func (m *market) Holdings(ctx context.Context, wallet string) ([]dashboard.Holding, error) {
	if !isAddress(wallet) {
		return nil, &dashboard.Error{Code: dashboard.EVALIDATION, Message: "The wallet is not an EVM address.",
			Fields: map[string]string{"wallet": "must be 0x followed by 40 hexadecimal digits"}}
	}
	wallet = strings.ToLower(wallet)
	out := []dashboard.Holding{}
	seen := map[string]bool{}
	cursors := map[string]bool{}
	dropped, cursor := 0, ""
	for n := 1; ; n++ {
		if n > m.maxPages {
			return nil, unavailable(msgUnreadable, time.Minute,
				fmt.Errorf("%s: more than %d pages", m.p.name(), m.maxPages))
		}
		u, hdr := m.p.request(wallet, cursor)
		what := m.p.name() + " page " + strconv.Itoa(n)
		body, err := m.c.get(ctx, u, hdr, what)
		if err != nil {
			return nil, err
		}
		pg, err := m.p.parse(body)
		if err != nil {
			return nil, unavailable(msgUnreadable, time.Minute, fmt.Errorf("%s: %w", what, err))
		}
		dropped += pg.dropped
		for _, h := range pg.holdings {
			key := h.ContractAddress + "#" + h.TokenID
			if !m.filter.keep(h) || seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, h)
		}
		if pg.next == "" {
			break
		}
		if cursors[pg.next] {
			return nil, unavailable(msgUnreadable, time.Minute,
				fmt.Errorf("%s: pagination cursor repeats", what))
		}
		cursors[pg.next], cursor = true, pg.next
	}
	if dropped > 0 {
		m.log.DebugContext(ctx, "marketplace dropped unusable entries",
			slog.String("provider", m.p.name()), slog.Int("dropped", dropped))
	}
	return out, nil
}

var (
	addressRE = regexp.MustCompile(`^0x[0-9a-fA-F]{40}$`)
	// slugRE is what an OpenSea collection slug looks like; anything else
	// is not trusted as a collection id (it ends up in a storage key).
	slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,99}$`)
)

// isAddress reports whether s is an EVM address (0x + 40 hex, any case).
func isAddress(s string) bool { return addressRE.MatchString(s) }

// filter keeps the NFT_COLLECTIONS: contract addresses compared
// lower-cased, slugs compared exactly.
type filter struct {
	contracts map[string]bool
	slugs     map[string]bool
}

func newFilter(entries []string) (filter, error) {
	f := filter{contracts: map[string]bool{}, slugs: map[string]bool{}}
	for _, e := range entries {
		e = strings.TrimSpace(e)
		switch {
		case e == "":
		case isAddress(e):
			f.contracts[strings.ToLower(e)] = true
		case slugRE.MatchString(e):
			f.slugs[e] = true
		default:
			return filter{}, fmt.Errorf("marketplace: collection %q is neither a contract address nor a slug", e)
		}
	}
	return f, nil
}

func (f filter) keep(h dashboard.Holding) bool {
	if len(f.contracts) == 0 && len(f.slugs) == 0 {
		return true
	}
	return f.contracts[h.ContractAddress] || f.slugs[h.CollectionID]
}

// singleSlug returns the slug when the filter is exactly one slug, which
// OpenSea can apply server-side (?collection=) and so read fewer pages.
func (f filter) singleSlug() string {
	if len(f.contracts) == 0 && len(f.slugs) == 1 {
		for s := range f.slugs {
			return s
		}
	}
	return ""
}

// serverSideContracts returns the contracts Alchemy can filter on
// (contractAddresses[], at most 45) when the filter holds contracts only;
// with a slug among them Alchemy must return everything.
func (f filter) serverSideContracts() []string {
	if len(f.slugs) > 0 || len(f.contracts) == 0 || len(f.contracts) > 45 {
		return nil
	}
	out := make([]string, 0, len(f.contracts))
	for c := range f.contracts {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}
