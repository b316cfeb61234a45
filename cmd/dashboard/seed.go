package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/app"
	"github.com/thebabesclub/dashboard/siwe"
)

const seedUsage = "usage: dashboard seed --members N [--orders-per-member M] [--nfts-per-member K] [--seed S] [--as-of TIME] [--from F] [--manifest FILE] [--data DIR]"

// seedBlock is how many members share one allocation of orders and NFTs.
// A club's totals are exact for every multiple of it, and members of a
// whole block are the same whatever the club's size, so `--from` can grow
// a club seeded before (make scale seeds a small club, measures, then
// grows it to full size and measures the same members again).
const seedBlock = 250

// seedBatchBlocks is how many blocks one Seed call writes: about 16,000
// items at the default averages.
const seedBatchBlocks = 4

// Limits of the seed flags: far beyond what a test needs, short of what
// would make a typo fill the disk.
const (
	maxSeedMembers   = 10_000_000
	maxSeedOrdersPer = 1000
	maxSeedNFTsPer   = 100
)

// runSeed runs `dashboard seed`: it fills DynamoDB Local (DYNAMODB_ENDPOINT,
// COMMERCE_TABLE; the table is created when missing) or the embedded store
// with a generated club, through the store's bulk load (dashboard.Seeder),
// so every item has the layout the product writes. The averages may be
// fractional: the totals are round(members × average), distributed
// unevenly over the members (many with none or few, a few with many). The
// club is a function of --seed and --as-of alone.
func runSeed(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	members := fs.Int("members", 0, "club size: members 0 … N-1 (required)")
	ordersPer := fs.Float64("orders-per-member", 10, "average orders per member (may be fractional; total = round(N × M))")
	nftsPer := fs.Float64("nfts-per-member", 2, "average NFT holdings per member (may be fractional; total = round(N × K))")
	seed := fs.Uint64("seed", 1, "generator seed: the same seed and --as-of give the same club")
	asOfFlag := fs.String("as-of", "", "the club's present, RFC 3339 (default: now); every time lies before it and the sync markers are at it")
	from := fs.Int("from", 0, "skip members below F, seeded before with the same --seed and --as-of (a multiple of 250)")
	manifest := fs.String("manifest", "", "also write one JSON line per seeded member (ids, counts, wallets) to FILE, for load tools; appended to with --from")
	dataDir := fs.String("data", "data", "folder of the embedded store")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	bad := func(msg string) error {
		fmt.Fprintf(stderr, "seed: %s\n%s\n", msg, seedUsage)
		return errUsage
	}
	switch {
	case fs.NArg() > 0:
		return bad("unexpected arguments")
	case *members < 1 || *members > maxSeedMembers:
		return bad(fmt.Sprintf("--members must be between 1 and %d", maxSeedMembers))
	case !(*ordersPer >= 0 && *ordersPer <= maxSeedOrdersPer):
		return bad(fmt.Sprintf("--orders-per-member must be between 0 and %d", maxSeedOrdersPer))
	case !(*nftsPer >= 0 && *nftsPer <= maxSeedNFTsPer):
		return bad(fmt.Sprintf("--nfts-per-member must be between 0 and %d", maxSeedNFTsPer))
	case *from < 0 || *from >= *members || *from%seedBlock != 0:
		return bad(fmt.Sprintf("--from must be a multiple of %d below --members", seedBlock))
	case *from > 0 && *asOfFlag == "":
		// The club's present would otherwise be this run's now, not the
		// present of the members seeded before.
		return bad("--from needs the --as-of of the run that seeded the club's first members")
	}
	asOf := time.Now().UTC().Truncate(time.Second)
	if *asOfFlag != "" {
		t, err := time.Parse(time.RFC3339, *asOfFlag)
		if err != nil {
			return bad("--as-of must be an RFC 3339 time such as 2026-01-01T00:00:00Z")
		}
		asOf = t.UTC()
	}
	// A seeded club is fake members: never let one reach a table members use.
	if getenv("COMMERCE_TABLE") != "" && getenv("DYNAMODB_ENDPOINT") == "" {
		return errors.New("seed: refusing to seed a DynamoDB table on AWS: set DYNAMODB_ENDPOINT to DynamoDB Local, or use the embedded store")
	}
	store, where, err := app.OpenStore(ctx, getenv, *dataDir)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	defer store.Close()
	seeder, ok := store.(dashboard.Seeder)
	if !ok {
		return fmt.Errorf("seed: the %s store cannot bulk-load", where)
	}
	if t, ok := store.(interface{ EnsureTable(context.Context) error }); ok {
		if err := t.EnsureTable(ctx); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	var man *json.Encoder
	if *manifest != "" {
		mode := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
		if *from > 0 {
			mode = os.O_CREATE | os.O_WRONLY | os.O_APPEND
		}
		f, err := os.OpenFile(*manifest, mode, 0o644)
		if err != nil {
			return fmt.Errorf("seed: manifest: %w", err)
		}
		defer f.Close()
		buf := bufio.NewWriterSize(f, 1<<16)
		defer buf.Flush()
		man = json.NewEncoder(buf)
	}
	c := club{seed: *seed, asOf: asOf, members: *members, ordersPer: *ordersPer, nftsPer: *nftsPer}
	bar := newProgress(stderr, "Seeding…")
	started := time.Now()
	var total seedCount
	err = c.generate(ctx, *from, func(b dashboard.SeedBatch, n seedCount, ms []manifestMember) error {
		if err := seeder.Seed(ctx, b); err != nil {
			return err
		}
		for _, m := range ms {
			if man != nil {
				if err := man.Encode(m); err != nil {
					return fmt.Errorf("manifest: %w", err)
				}
			}
		}
		total.add(n)
		elapsed := time.Since(started).Seconds()
		bar.update("%d/%d members, %d orders, %d NFTs, %.0f items/s", *from+total.Members, *members, total.Orders, total.Holdings, float64(total.Items)/max(elapsed, 1e-3))
		return nil
	})
	bar.done()
	elapsed := time.Since(started)
	fmt.Fprintf(stdout, "seeded members %d–%d into %s: %d members, %d orders, %d NFT holdings, %d wallets; %d items in %s (%.0f items/s)\n",
		*from, *from+total.Members-1, where, total.Members, total.Orders, total.Holdings, total.Wallets, total.Items,
		elapsed.Round(100*time.Millisecond), float64(total.Items)/max(elapsed.Seconds(), 1e-3))
	if err != nil {
		return fmt.Errorf("seed: %w (members below %d are in; run again with --from to go on)", err, *from+total.Members/seedBlock*seedBlock)
	}
	return nil
}

// seedCount counts what a batch holds. Items counts stored items: lookups,
// wallet index items and claims, and sync markers included.
type seedCount struct {
	Members, Orders, Holdings, Wallets, Items int
}

func (c *seedCount) add(o seedCount) {
	c.Members += o.Members
	c.Orders += o.Orders
	c.Holdings += o.Holdings
	c.Wallets += o.Wallets
	c.Items += o.Items
}

// manifestMember is one line of the manifest: what a load tool needs to
// address a seeded member.
type manifestMember struct {
	Index            int      `json:"index"`
	UserID           string   `json:"userId"`
	Email            string   `json:"email"`
	DisplayName      string   `json:"displayName"`
	StripeCustomerID string   `json:"stripeCustomerId,omitempty"`
	Orders           int      `json:"orders"`
	NewestOrder      string   `json:"newestOrder,omitempty"`
	Holdings         int      `json:"holdings"`
	Collections      []string `json:"collections,omitempty"`
	Wallets          []string `json:"wallets,omitempty"`
}

// club generates a club deterministically: member i of block b draws from
// a generator seeded with (seed, b), and each block's share of the totals
// is round(end × average) − round(start × average).
type club struct {
	seed               uint64
	asOf               time.Time
	members            int
	ordersPer, nftsPer float64
}

// generate calls write with the batches of members from..members-1, in
// order, seedBatchBlocks blocks at a time.
func (c club) generate(ctx context.Context, from int, write func(dashboard.SeedBatch, seedCount, []manifestMember) error) error {
	var (
		batch dashboard.SeedBatch
		count seedCount
		man   []manifestMember
	)
	flush := func() error {
		if count.Members == 0 {
			return nil
		}
		err := write(batch, count, man)
		batch, count, man = dashboard.SeedBatch{}, seedCount{}, nil
		return err
	}
	for start := from; start < c.members; start += seedBlock {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.block(start, min(start+seedBlock, c.members), &batch, &count, &man)
		if (start/seedBlock+1)%seedBatchBlocks == 0 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// seedMember is a member's draw before their orders and holdings.
type seedMember struct {
	profile  dashboard.Profile
	wallets  []dashboard.MemberWallet
	holding  []string // addresses whose NFTs show: the primary and the verified
	orderW   float64  // weight in the block's share of orders
	nftW     float64
	orders   int
	holdings int
	man      manifestMember
}

// block generates members start..end-1 into b.
func (c club) block(start, end int, b *dashboard.SeedBatch, n *seedCount, man *[]manifestMember) {
	rng := rand.New(rand.NewPCG(c.seed, uint64(start/seedBlock)))
	ms := make([]seedMember, 0, end-start)
	for i := start; i < end; i++ {
		ms = append(ms, c.member(rng, i))
	}
	orders := share(c.ordersPer, start, end)
	nfts := share(c.nftsPer, start, end)
	if nfts > 0 && !slices.ContainsFunc(ms, func(m seedMember) bool { return len(m.holding) > 0 }) {
		// A tiny club where nobody drew a wallet: its NFTs need one.
		c.giveWallet(rng, &ms[0])
	}
	allocate(orders, ms, func(m *seedMember) *int { return &m.orders }, func(m *seedMember) float64 { return m.orderW })
	allocate(nfts, ms, func(m *seedMember) *int { return &m.holdings }, func(m *seedMember) float64 {
		if len(m.holding) == 0 {
			return 0
		}
		return m.nftW
	})
	token := int(math.Round(float64(start) * c.nftsPer)) // token ids are unique across the club
	for k := range ms {
		m := &ms[k]
		b.Profiles = append(b.Profiles, m.profile)
		n.Members++
		n.Items += 2 // the profile and its EMAIL# lookup
		for _, w := range m.wallets {
			b.Wallets = append(b.Wallets, w)
			n.Wallets++
			n.Items += 2
			if w.VerifiedAt != nil {
				n.Items++
			}
			m.man.Wallets = append(m.man.Wallets, w.Address)
		}
		placed := c.orders(rng, m)
		b.Orders = append(b.Orders, placed...)
		n.Orders += len(placed)
		n.Items += len(placed)
		if len(placed) > 0 {
			m.man.NewestOrder = placed[len(placed)-1].OrderID
		}
		m.man.Orders = len(placed)
		hs := c.holdings(rng, m, &token)
		b.Holdings = append(b.Holdings, hs...)
		n.Holdings += len(hs)
		n.Items += len(hs)
		m.man.Holdings = len(hs)
		for _, h := range hs {
			if !slices.Contains(m.man.Collections, h.Holding.CollectionID) {
				m.man.Collections = append(m.man.Collections, h.Holding.CollectionID)
			}
		}
		// Every member was synced with Stripe at the club's present, and
		// every member whose wallets hold NFTs with the marketplace, as
		// the nightly jobs leave a club: list reads find them fresh.
		b.Synced = append(b.Synced, dashboard.SyncMark{UserID: m.profile.UserID, Kind: dashboard.SyncStripe, At: c.asOf})
		n.Items++
		if len(m.holding) > 0 {
			b.Synced = append(b.Synced, dashboard.SyncMark{UserID: m.profile.UserID, Kind: dashboard.SyncNFT, At: c.asOf})
			n.Items++
		}
		*man = append(*man, m.man)
	}
}

// share is the part of round(N × avg) that falls to members start..end-1.
func share(avg float64, start, end int) int {
	return int(math.Round(float64(end)*avg)) - int(math.Round(float64(start)*avg))
}

// allocate gives total to the members in proportion to their weights, by
// largest remainder, so the block's total is exact. With no weight at all
// it falls evenly on everyone.
func allocate(total int, ms []seedMember, count func(*seedMember) *int, weight func(*seedMember) float64) {
	if total <= 0 || len(ms) == 0 {
		return
	}
	sum := 0.0
	for k := range ms {
		sum += weight(&ms[k])
	}
	type rem struct {
		k    int
		frac float64
	}
	rems := make([]rem, 0, len(ms))
	given := 0
	for k := range ms {
		w := 1.0 / float64(len(ms))
		if sum > 0 {
			w = weight(&ms[k]) / sum
		}
		exact := float64(total) * w
		whole := int(exact)
		*count(&ms[k]) = whole
		given += whole
		rems = append(rems, rem{k, exact - float64(whole)})
	}
	slices.SortStableFunc(rems, func(a, b rem) int {
		switch {
		case a.frac > b.frac:
			return -1
		case a.frac < b.frac:
			return 1
		}
		return a.k - b.k
	})
	for i := 0; given < total; i = (i + 1) % len(rems) {
		*count(&ms[rems[i].k])++
		given++
	}
}

// memberID is the member's id: 32 hex digits, the form the identity
// service gives, derived from the seed and the member's index.
func (c club) memberID(i int) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], c.seed)
	binary.BigEndian.PutUint64(b[8:], uint64(i))
	sum := sha256.Sum256(append([]byte("babes-club-seed/"), b[:]...))
	return hex.EncodeToString(sum[:16])
}

var (
	seedFirst = []string{"Ava", "Mia", "Luna", "Zoe", "Chloe", "Isla", "Nora", "Maya", "Ruby", "Ivy", "Jade", "Lola", "Nina",
		"Sofia", "Elena", "Aria", "Hazel", "Stella", "Leah", "Emma", "Olivia", "Amara", "Priya", "Yuki", "Camila", "Freya",
		"Sam", "Alex", "Jordan", "Taylor", "Riley", "Noah", "Leo", "Kai", "Milo", "Theo"}
	seedLast = []string{"Rivera", "Chen", "Okafor", "Smith", "Garcia", "Kim", "Nguyen", "Patel", "Johnson", "Müller", "Rossi",
		"Silva", "Brown", "Martin", "Dubois", "Kowalski", "Haddad", "Tanaka", "Lopez", "Walker", "Young", "Moreau", "Novak"}
	seedDomains = []string{"example.com", "example.net", "example.org", "mail.example", "inbox.example"}
	seedPlaces  = []struct{ city, state, postal, country string }{
		{"Los Angeles", "CA", "90012", "US"}, {"New York", "NY", "10001", "US"}, {"Austin", "TX", "78701", "US"},
		{"Miami", "FL", "33101", "US"}, {"Chicago", "IL", "60601", "US"}, {"Seattle", "WA", "98101", "US"},
		{"Atlanta", "GA", "30303", "US"}, {"Denver", "CO", "80202", "US"}, {"Toronto", "ON", "M5V 2T6", "CA"},
		{"London", "", "SW1A 1AA", "GB"}, {"Manchester", "", "M1 1AE", "GB"}, {"Sydney", "NSW", "2000", "AU"},
		{"Berlin", "", "10115", "DE"}, {"Paris", "", "75001", "FR"}, {"Amsterdam", "", "1011", "NL"},
	}
	seedStreets = []string{"Sunset Blvd", "Main St", "Rose Ave", "Harbor Rd", "Maple Dr", "Ocean Ave", "Market St", "King St"}
	// seedCatalog is the shop: name, SKU and price in cents.
	seedCatalog = []struct {
		name, sku string
		price     int64
	}{
		{"Babes Club Tee — Pink", "TEE-PNK", 3500}, {"Babes Club Tee — Black", "TEE-BLK", 3500},
		{"Cropped Hoodie", "HOOD-CRP", 7200}, {"Logo Cap", "CAP-LOGO", 2800}, {"Sticker Pack", "STK-PACK", 900},
		{"Tote Bag", "TOTE-01", 2400}, {"Enamel Pin", "PIN-ENM", 1200}, {"Phone Case", "CASE-PH", 3000},
		{"Genesis Print (A3)", "PRT-A3", 4500}, {"Club Jacket", "JKT-CLB", 14900}, {"Socks (3 pairs)", "SOCK-3", 1800},
		{"Holiday Bundle", "BNDL-HOL", 9900},
	}
	seedCarriers = []string{"USPS", "UPS", "FedEx", "DHL", "Royal Mail"}
	// seedCollections are the NFT collections, the first one by far the
	// most held (its weight), as a club's own collection is.
	seedCollections = []struct {
		slug, name string
		weight     float64
	}{
		{"babes-club", "Babes Club", 0.62}, {"babes-club-genesis", "Babes Club Genesis", 0.2},
		{"babes-afterparty", "Babes Afterparty", 0.12}, {"babes-passes", "Babes Club Passes", 0.06},
	}
	seedTraits = [][2][]string{
		{{"Background"}, {"Pink", "Lilac", "Peach", "Mint", "Midnight", "Gold"}},
		{{"Hair"}, {"Bob", "Braids", "Curls", "Pixie", "Long", "Bun"}},
		{{"Eyes"}, {"Wink", "Stars", "Hearts", "Classic", "Sleepy"}},
		{{"Accessory"}, {"Pearls", "Hoops", "Shades", "Choker", "None"}},
	}
)

// collectionContract is the contract address of collection k: fixed, so
// every club has the same collections.
func collectionContract(k int) string {
	sum := sha256.Sum256([]byte("babes-collection/" + seedCollections[k].slug))
	return "0x" + hex.EncodeToString(sum[:20])
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func randString(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = base62[rng.IntN(len(base62))]
	}
	return string(b)
}

// between is a time drawn uniformly between a and b.
func between(rng *rand.Rand, a, b time.Time) time.Time {
	if !b.After(a) {
		return a
	}
	return a.Add(time.Duration(rng.Int64N(int64(b.Sub(a))))).Truncate(time.Millisecond)
}

func ptr[T any](v T) *T { return &v }

// member draws member i: profile, wallets and weights.
func (c club) member(rng *rand.Rand, i int) seedMember {
	id := c.memberID(i)
	first, last := seedFirst[rng.IntN(len(seedFirst))], seedLast[rng.IntN(len(seedLast))]
	email := fmt.Sprintf("%s.%s.%d@%s", strings.ToLower(first), strings.ToLower(strings.ReplaceAll(last, "ü", "u")), i, seedDomains[rng.IntN(len(seedDomains))])
	// Members joined over four years, more of them recently.
	age := time.Duration(float64(4*365*24*time.Hour) * math.Pow(rng.Float64(), 1.5))
	created := c.asOf.Add(-age).Truncate(time.Millisecond)
	updated := between(rng, created, c.asOf)
	p := dashboard.Profile{
		UserID: id, Email: email, DisplayName: first + " " + last, CreatedAt: &created, UpdatedAt: &updated,
	}
	if rng.Float64() < 0.5 {
		p.Phone = ptr(fmt.Sprintf("+1555%07d", rng.IntN(10_000_000)))
	}
	if rng.Float64() < 0.75 {
		pl := seedPlaces[rng.IntN(len(seedPlaces))]
		p.ShippingAddress = &dashboard.Address{
			Name: p.DisplayName, Line1: fmt.Sprintf("%d %s", 1+rng.IntN(2000), seedStreets[rng.IntN(len(seedStreets))]),
			City: pl.city, State: pl.state, PostalCode: pl.postal, Country: pl.country,
		}
		if rng.Float64() < 0.3 {
			p.ShippingAddress.Line2 = fmt.Sprintf("Apt %d", 1+rng.IntN(40))
		}
		if rng.Float64() < 0.2 {
			b := *p.ShippingAddress
			b.Line1 = fmt.Sprintf("%d %s", 1+rng.IntN(2000), seedStreets[rng.IntN(len(seedStreets))])
			p.BillingAddress = &b
		}
	}
	if rng.Float64() < 0.3 {
		p.AvatarURL = ptr("https://cdn.babesclub.example/avatars/" + id + ".jpg")
	}
	if rng.Float64() < 0.85 {
		p.StripeCustomerID = ptr("cus_" + randString(rng, 14))
	}
	if rng.Float64() < 0.15 {
		p.Settings = map[string]bool{}
		for _, k := range []string{dashboard.SettingShowOrderHistory, dashboard.SettingShowNftHoldings, dashboard.SettingEmailNotifications} {
			if rng.Float64() < 0.5 {
				p.Settings[k] = false
			}
		}
		if len(p.Settings) == 0 {
			p.Settings[dashboard.SettingEmailNotifications] = false
		}
	}
	m := seedMember{profile: p}
	// A quarter never ordered; the rest order with a long tail.
	if rng.Float64() >= 0.25 {
		m.orderW = math.Exp(1.1 * rng.NormFloat64())
	}
	m.nftW = math.Exp(1.0 * rng.NormFloat64())
	if rng.Float64() < 0.45 {
		n := 1
		if r := rng.Float64(); r < 0.05 {
			n = 3
		} else if r < 0.2 {
			n = 2
		}
		for range n {
			c.addWallet(rng, &m)
		}
	}
	m.man = manifestMember{Index: i, UserID: id, Email: email, DisplayName: p.DisplayName, StripeCustomerID: deref(p.StripeCustomerID)}
	return m
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// addWallet gives m one more wallet: the first is the primary for most
// members; seven in ten are verified, a few of them smart-contract wallets.
func (c club) addWallet(rng *rand.Rand, m *seedMember) {
	var raw [20]byte
	for k := range raw {
		raw[k] = byte(rng.IntN(256))
	}
	address, _ := siwe.ChecksumAddress("0x" + hex.EncodeToString(raw[:]))
	p := &m.profile
	w := dashboard.MemberWallet{UserID: p.UserID, Address: address, Kind: dashboard.WalletEOA, AddedAt: between(rng, *p.CreatedAt, c.asOf)}
	if rng.Float64() < 0.7 {
		at := between(rng, w.AddedAt, c.asOf)
		w.VerifiedAt = &at
		if rng.Float64() < 0.05 {
			w.Kind = dashboard.WalletContract
		}
	}
	primary := len(m.wallets) == 0 && rng.Float64() < 0.9
	if primary {
		p.PreferredWallet = ptr(address)
		p.WalletVerifiedAt = w.VerifiedAt
	}
	m.wallets = append(m.wallets, w)
	if primary || w.VerifiedAt != nil {
		m.holding = append(m.holding, address)
	}
}

// giveWallet makes m a member with a verified primary wallet.
func (c club) giveWallet(rng *rand.Rand, m *seedMember) {
	for len(m.holding) == 0 {
		c.addWallet(rng, m)
	}
}

// orders draws m.orders orders, oldest first, between the member's
// joining and the club's present.
func (c club) orders(rng *rand.Rand, m *seedMember) []dashboard.OrderSnapshot {
	if m.orders == 0 {
		return nil
	}
	p := &m.profile
	times := make([]time.Time, m.orders)
	for k := range times {
		times[k] = between(rng, *p.CreatedAt, c.asOf).Truncate(time.Second)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	out := make([]dashboard.OrderSnapshot, 0, m.orders)
	for _, created := range times {
		out = append(out, c.order(rng, p, created))
	}
	return out
}

// order draws one order of p created at created.
func (c club) order(rng *rand.Rand, p *dashboard.Profile, created time.Time) dashboard.OrderSnapshot {
	id := "cs_live_" + randString(rng, 24)
	o := dashboard.OrderDetail{Order: dashboard.Order{
		OrderID: id, OrderNumber: dashboard.OrderNumber(id), Currency: "usd", CreatedAt: created,
		CustomerEmail: ptr(p.Email), ShippingAddress: p.ShippingAddress,
	}}
	if p.ShippingAddress != nil && p.ShippingAddress.Country != "US" && rng.Float64() < 0.6 {
		o.Currency = map[string]string{"GB": "gbp", "CA": "cad", "AU": "aud"}[p.ShippingAddress.Country]
		if o.Currency == "" {
			o.Currency = "eur"
		}
	}
	lines := 1 + int(math.Min(3, math.Floor(rng.ExpFloat64()*0.8)))
	for range lines {
		item := seedCatalog[rng.IntN(len(seedCatalog))]
		qty := int64(1)
		if rng.Float64() < 0.2 {
			qty = 2 + rng.Int64N(2)
		}
		o.Items = append(o.Items, dashboard.LineItem{
			Name: item.name, Quantity: qty, UnitPrice: item.price, AmountTotal: qty * item.price, Currency: o.Currency,
			SKU: item.sku, ImageURL: "https://cdn.babesclub.example/shop/" + strings.ToLower(item.sku) + ".jpg",
			StripePriceID: "price_" + item.sku, StripeProductID: "prod_" + item.sku,
		})
		o.ItemCount += qty
		o.AmountSubtotal += qty * item.price
	}
	o.Discounts = []dashboard.Discount{}
	o.Amount = o.AmountSubtotal
	if rng.Float64() < 0.12 {
		d := o.AmountSubtotal / 10
		o.Discounts = append(o.Discounts, dashboard.Discount{Code: "BABES10", Name: "10% off", Amount: d})
		o.Amount -= d
	}
	if o.AmountSubtotal < 5000 {
		o.Amount += 599 // shipping
	}
	if p.Phone != nil && rng.Float64() < 0.5 {
		o.CustomerPhone = p.Phone
	}
	age := c.asOf.Sub(created)
	r := rng.Float64()
	switch {
	case age < 24*time.Hour && r < 0.05:
		o.Status = dashboard.OrderPending
	case r < 0.10:
		o.Status = dashboard.OrderExpired
	case r < 0.12:
		o.Status = dashboard.OrderFailed
	case r < 0.13:
		o.Status = dashboard.OrderCanceled
	case r < 0.16:
		o.Status = dashboard.OrderRefunded
	case r < 0.18:
		o.Status = dashboard.OrderPartiallyRefunded
	default:
		o.Status = dashboard.OrderCompleted
	}
	statusAt := created
	switch o.Status {
	case dashboard.OrderPending, dashboard.OrderExpired, dashboard.OrderCanceled:
		o.StripePaymentStatus = "unpaid"
		if o.Status == dashboard.OrderExpired {
			statusAt = created.Add(24 * time.Hour)
		}
	case dashboard.OrderFailed:
		o.StripePaymentStatus = "unpaid"
		o.StripePaymentIntentID = ptr("pi_" + randString(rng, 24))
		statusAt = created.Add(time.Duration(1+rng.IntN(30)) * time.Minute)
	default:
		o.StripePaymentStatus = "paid"
		o.StripePaymentIntentID = ptr("pi_" + randString(rng, 24))
		done := created.Add(time.Duration(30+rng.IntN(600)) * time.Second)
		o.CompletedAt = &done
		o.ReceiptURL = ptr("https://pay.stripe.com/receipts/payment/" + randString(rng, 40))
		statusAt = done
		switch o.Status {
		case dashboard.OrderRefunded:
			o.AmountRefunded = o.Amount
		case dashboard.OrderPartiallyRefunded:
			o.AmountRefunded = o.Amount / 2
		}
		if o.AmountRefunded > 0 {
			statusAt = between(rng, done, minTime(done.Add(30*24*time.Hour), c.asOf))
		}
		c.fulfil(rng, &o, done)
	}
	o.UpdatedAt = minTime(statusAt, c.asOf)
	return dashboard.OrderSnapshot{UserID: p.UserID, OrderDetail: o, StatusAt: o.UpdatedAt}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// fulfil gives a paid order the parcel timeline its age suggests: a day
// to ship, a few days to arrive.
func (c club) fulfil(rng *rand.Rand, o *dashboard.OrderDetail, paid time.Time) {
	shipped := paid.Add(time.Duration(12+rng.IntN(48)) * time.Hour)
	if shipped.After(c.asOf) {
		if rng.Float64() < 0.5 {
			return
		}
		f := &dashboard.Fulfillment{Status: dashboard.FulfillmentProcessing, Events: []dashboard.FulfillmentStep{{Status: dashboard.FulfillmentProcessing, At: paid.Add(time.Hour)}}}
		o.Fulfillment, o.FulfillmentStatus = f, ptr(f.Status)
		return
	}
	carrier := seedCarriers[rng.IntN(len(seedCarriers))]
	tracking := strings.ToUpper(randString(rng, 18))
	f := &dashboard.Fulfillment{
		Status: dashboard.FulfillmentShipped, Carrier: ptr(carrier), TrackingNumber: ptr(tracking),
		TrackingURL: ptr("https://track.babesclub.example/" + strings.ToLower(strings.ReplaceAll(carrier, " ", "-")) + "/" + tracking),
		Events:      []dashboard.FulfillmentStep{{Status: dashboard.FulfillmentShipped, At: shipped}},
	}
	if delivered := shipped.Add(time.Duration(2+rng.IntN(6)) * 24 * time.Hour); delivered.Before(c.asOf) {
		f.Status = dashboard.FulfillmentDelivered
		f.Events = append(f.Events, dashboard.FulfillmentStep{Status: dashboard.FulfillmentDelivered, At: delivered})
	}
	o.Fulfillment, o.FulfillmentStatus = f, ptr(f.Status)
}

// holdings draws m.holdings NFTs in m's holding wallets; *token numbers
// them across the club.
func (c club) holdings(rng *rand.Rand, m *seedMember, token *int) []dashboard.Holder {
	out := make([]dashboard.Holder, 0, m.holdings)
	for range m.holdings {
		k, r := 0, rng.Float64()
		for k < len(seedCollections)-1 && r >= seedCollections[k].weight {
			r -= seedCollections[k].weight
			k++
		}
		col := seedCollections[k]
		contract := collectionContract(k)
		id := strconv.Itoa(*token)
		*token++
		standard := "erc721"
		if col.slug == "babes-passes" {
			standard = "erc1155"
		}
		traits := make([]any, 0, len(seedTraits))
		for _, t := range seedTraits {
			traits = append(traits, map[string]any{"trait_type": t[0][0], "value": t[1][rng.IntN(len(t[1]))]})
		}
		image := "https://img.babesclub.example/" + col.slug + "/" + id + ".png"
		out = append(out, dashboard.Holder{UserID: m.profile.UserID, Holding: dashboard.Holding{
			TokenID: id, ContractAddress: contract, CollectionID: col.slug, TokenName: col.name + " #" + id,
			ThumbnailURL: image, ImageURL: image, LastSyncedAt: c.asOf, Wallet: m.holding[rng.IntN(len(m.holding))],
			// What the OpenSea adapter keeps of such a token, so the
			// first poll of a seeded club finds nothing changed and
			// writes no holding (OpenSea's NFT carries no collection
			// name, so neither does the seed).
			Metadata: map[string]any{
				"tokenStandard": standard, "traits": traits,
				"openseaUrl": "https://opensea.io/assets/ethereum/" + contract + "/" + id,
			},
		}})
	}
	return out
}
