package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/bolt"
	"github.com/thebabesclub/dashboard/dynamo"
	"github.com/thebabesclub/dashboard/internal/apitest"
	"github.com/thebabesclub/dashboard/internal/dynamotest"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

// The club the seed tests ask for: 300 members in two runs (the second
// grows the first with --from), fractional averages.
const (
	seedMembers   = 300
	seedFirstRun  = 250
	seedOrdersPer = "2.5"
	seedNFTsPer   = "1.5"
	seedOrders    = 750 // round(300 × 2.5)
	seedNFTs      = 450 // round(300 × 1.5)
)

// TestSeedEmbedded seeds a club into the embedded store and reads all of
// it back through the API.
func TestSeedEmbedded(t *testing.T) {
	dir := t.TempDir()
	getenv := env(nil)
	manifest := seedClub(t, getenv, dir)
	s, err := bolt.Open(filepath.Join(dir, "dashboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	checkSeededClub(t, s, manifest, getenv, dir)
}

// TestSeedDynamo seeds a club into DynamoDB Local and reads all of it back
// through the API.
func TestSeedDynamo(t *testing.T) {
	client, table := dynamotest.NewTable(t)
	vars := map[string]string{"DYNAMODB_ENDPOINT": dynamotest.Endpoint(t), "COMMERCE_TABLE": table}
	for k, v := range vars {
		t.Setenv(k, v) // dynamo.NewFromEnv reads the process environment
	}
	getenv := env(vars)
	manifest := seedClub(t, getenv, t.TempDir())
	checkSeededClub(t, dynamo.New(client, table), manifest, getenv, "")
}

// seedClub runs the two seed commands and returns the manifest's members.
func seedClub(t *testing.T, getenv func(string) string, dir string) []manifestMember {
	t.Helper()
	manifest := filepath.Join(t.TempDir(), "club.jsonl")
	// The club's present is a day after now (minted here, when it is used),
	// so that every list and order reads as fresh to the stack's clock.
	asOf := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	for _, args := range [][]string{
		{"--members", strconv.Itoa(seedFirstRun)},
		{"--members", strconv.Itoa(seedMembers), "--from", strconv.Itoa(seedFirstRun)},
	} {
		var out, errOut bytes.Buffer
		args = append([]string{"seed", "--orders-per-member", seedOrdersPer, "--nfts-per-member", seedNFTsPer, "--seed", "7",
			"--as-of", asOf, "--manifest", manifest, "--data", dir}, args...)
		if err := run(context.Background(), args, getenv, &out, &errOut); err != nil {
			t.Fatalf("%v: %v (%s)", args, err, errOut.String())
		}
		if !strings.Contains(out.String(), "members,") {
			t.Errorf("no summary: %q", out.String())
		}
	}
	return readManifest(t, manifest)
}

func readManifest(t *testing.T, path string) []manifestMember {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ms []manifestMember
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m manifestMember
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	return ms
}

// checkSeededClub reads every member of the club through the API (the real
// services on store, every answer validated against the OpenAPI document)
// and the holders command, and holds the counts to what was asked.
func checkSeededClub(t *testing.T, store dashboard.Store, ms []manifestMember, getenv func(string) string, dir string) {
	t.Helper()
	// The seeded club's present is after the stack's clock (seedClub): every
	// list and order reads as fresh, so nothing asks the Stripe or
	// marketplace fakes and every answer is the seeded data alone.
	st := apitest.NewStack(t, store, nil)
	if len(ms) != seedMembers {
		t.Fatalf("manifest has %d members, want %d", len(ms), seedMembers)
	}
	ids := map[string]bool{}
	var orders, nfts, popular, wallets, withOrders int
	for i, m := range ms {
		if m.Index != i || !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(m.UserID) || ids[m.UserID] {
			t.Fatalf("member %d: index %d, id %q (32 hex digits, unique)", i, m.Index, m.UserID)
		}
		ids[m.UserID] = true
		tok := st.Token(t, dashboard.Member{UserID: m.UserID, Email: m.Email, DisplayName: m.DisplayName})
		var prof struct {
			Profile dashboard.Profile `json:"profile"`
		}
		apiGet(t, st, tok, "/dashboard/profile", &prof)
		if prof.Profile.UserID != m.UserID || prof.Profile.Email != m.Email || prof.Profile.CreatedAt == nil ||
			(m.StripeCustomerID != "" && (prof.Profile.StripeCustomerID == nil || *prof.Profile.StripeCustomerID != m.StripeCustomerID)) {
			t.Errorf("member %d: profile %+v", i, prof.Profile)
		}
		n := pages(t, st, tok, "/dashboard/orders", "orders")
		if n != m.Orders {
			t.Errorf("member %d: %d orders through the API, the manifest says %d", i, n, m.Orders)
		}
		orders += n
		if m.Orders > 0 {
			withOrders++
			var detail struct {
				Order dashboard.OrderDetail `json:"order"`
			}
			apiGet(t, st, tok, "/dashboard/orders/"+m.NewestOrder, &detail)
			if detail.Order.OrderID != m.NewestOrder || len(detail.Order.Items) == 0 || detail.Order.Amount <= 0 {
				t.Errorf("member %d: order detail %+v", i, detail.Order)
			}
		}
		n = pages(t, st, tok, "/dashboard/nfts", "nfts")
		if n != m.Holdings {
			t.Errorf("member %d: %d NFTs through the API, the manifest says %d", i, n, m.Holdings)
		}
		nfts += n
		popular += pages(t, st, tok, "/dashboard/nfts?collectionId=babes-club", "nfts")
		var ws struct {
			Wallets []dashboard.Wallet `json:"wallets"`
		}
		apiGet(t, st, tok, "/dashboard/wallets", &ws)
		if len(ws.Wallets) != len(m.Wallets) {
			t.Errorf("member %d: %d wallets through the API, the manifest says %d", i, len(ws.Wallets), len(m.Wallets))
		}
		wallets += len(ws.Wallets)
	}
	if orders != seedOrders || nfts != seedNFTs {
		t.Errorf("the club has %d orders and %d NFTs through the API, want %d and %d", orders, nfts, seedOrders, seedNFTs)
	}
	// A realistic club: most members ordered and some did not; a good
	// share has wallets; the club's own collection is the most held.
	if withOrders < seedMembers/2 || withOrders == seedMembers || wallets < seedMembers/5 || popular*2 < nfts {
		t.Errorf("unrealistic club: %d of %d members ordered, %d wallets, %d of %d NFTs in babes-club", withOrders, seedMembers, wallets, popular, nfts)
	}
	store.Close()

	// The operator's views of the two indexes.
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"holders", "--collection", "babes-club", "--data", dir}, getenv, &out, &errOut); err != nil {
		t.Fatalf("holders: %v (%s)", err, errOut.String())
	}
	if want := fmt.Sprintf(" hold %d tokens of babes-club", popular); !strings.Contains(out.String(), want) {
		t.Errorf("holders --collection: %q, want %q", lastLine(out.String()), want)
	}
	for _, m := range ms {
		if len(m.Wallets) == 0 {
			continue
		}
		out.Reset()
		if err := run(context.Background(), []string{"holders", "--wallet", m.Wallets[0], "--data", dir}, getenv, &out, &errOut); err != nil {
			t.Fatalf("holders --wallet: %v (%s)", err, errOut.String())
		}
		if !strings.Contains(out.String(), m.UserID+"\n1 members have this wallet") {
			t.Errorf("holders --wallet of member %d: %q", m.Index, out.String())
		}
		break
	}
}

// apiGet reads one API answer into v, failing on anything but 200.
func apiGet(t *testing.T, st *apitest.Stack, tok, path string, v any) {
	t.Helper()
	resp, body := st.Client.Do(apitest.NewRequest("GET", path, tok, ""))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// pages counts the entries of key over every page of a list route.
func pages(t *testing.T, st *apitest.Stack, tok, path, key string) int {
	t.Helper()
	n, cursor := 0, ""
	for range 1000 {
		u, _ := url.Parse(path)
		q := u.Query()
		q.Set("limit", "100")
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		u.RawQuery = q.Encode()
		var page map[string]json.RawMessage
		apiGet(t, st, tok, u.String(), &page)
		var entries []json.RawMessage
		if err := json.Unmarshal(page[key], &entries); err != nil {
			t.Fatalf("GET %s: %s: %v", u, key, err)
		}
		n += len(entries)
		var next *string
		json.Unmarshal(page["nextCursor"], &next)
		if next == nil {
			return n
		}
		cursor = *next
	}
	t.Fatalf("GET %s: more than 1000 pages", path)
	return n
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestSeedDeterministic: the same seed and present give the same club;
// another seed another one.
func TestSeedDeterministic(t *testing.T) {
	club := func(seed string) []byte {
		manifest := filepath.Join(t.TempDir(), "club.jsonl")
		var out, errOut bytes.Buffer
		err := run(context.Background(), []string{"seed", "--members", "40", "--seed", seed, "--as-of", "2030-01-01T00:00:00Z",
			"--manifest", manifest, "--data", t.TempDir()}, env(nil), &out, &errOut)
		if err != nil {
			t.Fatalf("seed: %v (%s)", err, errOut.String())
		}
		b, err := os.ReadFile(manifest)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b, c := club("3"), club("3"), club("4")
	if !bytes.Equal(a, b) {
		t.Error("two clubs of seed 3 differ")
	}
	if bytes.Equal(a, c) {
		t.Error("the clubs of seeds 3 and 4 are the same")
	}
}

// TestSeedRefuses: bad flags are usage errors that write nothing, and a
// table on AWS is never seeded.
func TestSeedRefuses(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		env  map[string]string
	}{
		"no members":         {[]string{"--members", "0"}, nil},
		"negative orders":    {[]string{"--members", "10", "--orders-per-member", "-1"}, nil},
		"NaN nfts":           {[]string{"--members", "10", "--nfts-per-member", "NaN"}, nil},
		"from off a block":   {[]string{"--members", "1000", "--from", "100"}, nil},
		"from past the end":  {[]string{"--members", "250", "--from", "250"}, nil},
		"from without as-of": {[]string{"--members", "500", "--from", "250"}, nil},
		"bad as-of":          {[]string{"--members", "10", "--as-of", "yesterday"}, nil},
		"extra argument":     {[]string{"--members", "10", "more"}, nil},
		"a table on AWS":     {[]string{"--members", "10"}, map[string]string{"COMMERCE_TABLE": "babesclub-commerce"}},
	} {
		dir := filepath.Join(t.TempDir(), "data")
		var out, errOut bytes.Buffer
		err := run(context.Background(), append([]string{"seed", "--data", dir}, tc.args...), env(tc.env), &out, &errOut)
		if err == nil {
			t.Errorf("%s: seed succeeded", name)
		}
		if _, statErr := os.Stat(dir); !os.IsNotExist(statErr) {
			t.Errorf("%s: the data folder was created", name)
		}
	}
}
