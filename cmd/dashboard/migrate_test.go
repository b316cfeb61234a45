package main

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/bolt"
)

// TestMigrateWallets runs `dashboard migrate wallets` twice on an embedded
// store seeded with the profiles an earlier release left: the first run
// gives each preferredWallet its wallet items, verified when the profile
// was; the second changes nothing.
func TestMigrateWallets(t *testing.T) {
	dir := t.TempDir()
	const (
		plain    = "0123456789abcdef0123456789abcd01" // a wallet, unverified
		verified = "0123456789abcdef0123456789abcd02" // a verified wallet
		none     = "0123456789abcdef0123456789abcd03" // no wallet
		legacy   = "0123456789abcdef0123456789abcd04" // a lower-cased wallet
		broken   = "0123456789abcdef0123456789abcd05" // not an address
		twin     = "0123456789abcdef0123456789abcd06" // verified the same wallet as verified
		done     = "0123456789abcdef0123456789abcd07" // migrated already

		w1 = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
		w2 = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"
		w4 = "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB"
		w7 = "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"
	)
	updated := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	proved := time.Date(2025, 2, 1, 9, 30, 0, 0, time.UTC)
	earlier := time.Date(2025, 1, 5, 8, 0, 0, 0, time.UTC)
	stamp := func(t time.Time) string { return t.Format(time.RFC3339Nano) }
	profile := func(id string, attrs map[string]any) map[string]any {
		item := map[string]any{"PK": "USER#" + id, "SK": "PROFILE", "userId": id, "updatedAt": stamp(updated)}
		for k, v := range attrs {
			item[k] = v
		}
		return item
	}

	s, err := bolt.Open(filepath.Join(dir, "dashboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, item := range []map[string]any{
		profile(plain, map[string]any{"preferredWallet": w1}),
		profile(verified, map[string]any{"preferredWallet": w2, "walletVerifiedAt": stamp(proved)}),
		profile(none, nil),
		profile(legacy, map[string]any{"preferredWallet": strings.ToLower(w4)}),
		profile(broken, map[string]any{"preferredWallet": "0x123"}),
		profile(twin, map[string]any{"preferredWallet": w2, "walletVerifiedAt": stamp(proved.Add(time.Hour))}),
		profile(done, map[string]any{"preferredWallet": w7, "walletVerifiedAt": stamp(proved)}),
	} {
		if err := s.PutRawItem(ctx, item); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddWallet(ctx, dashboard.MemberWallet{UserID: done, Address: w7, AddedAt: earlier}); err != nil {
		t.Fatal(err)
	}
	if err := s.VerifyWallet(ctx, done, w7, dashboard.WalletContract, earlier); err != nil {
		t.Fatal(err)
	}
	s.Close()

	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"migrate", "wallets", "--data", dir}, env(nil), &out, &errOut); err != nil {
		t.Fatalf("migrate wallets: %v (%s)", err, errOut.String())
	}
	const first = "profiles read: 7; wallets added: 4, verified: 1; skipped: 1 up to date, 1 without a wallet, 2 refused; failed: 0"
	if !strings.Contains(out.String(), first) {
		t.Errorf("first run summary = %q, want %q", out.String(), first)
	}
	for _, id := range []string{broken, twin} {
		if !strings.Contains(errOut.String(), "member "+id+": ") {
			t.Errorf("the refused member %s is not reported: %q", id, errOut.String())
		}
	}
	for _, w := range []string{w1, w2, w4, w7, "0x123"} {
		if strings.Contains(strings.ToLower(errOut.String()+out.String()), strings.ToLower(w)) {
			t.Errorf("the output names a wallet address: %q %q", out.String(), errOut.String())
		}
	}

	s, err = bolt.Open(filepath.Join(dir, "dashboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		id     string
		wallet *dashboard.MemberWallet
	}
	at := func(t time.Time) *time.Time { return &t }
	for _, c := range []want{
		{plain, &dashboard.MemberWallet{UserID: plain, Address: w1, Kind: dashboard.WalletEOA, AddedAt: updated}},
		{verified, &dashboard.MemberWallet{UserID: verified, Address: w2, Kind: dashboard.WalletEOA, AddedAt: proved, VerifiedAt: at(proved)}},
		{none, nil},
		{legacy, &dashboard.MemberWallet{UserID: legacy, Address: w4, Kind: dashboard.WalletEOA, AddedAt: updated}},
		{broken, nil},
		{twin, &dashboard.MemberWallet{UserID: twin, Address: w2, Kind: dashboard.WalletEOA, AddedAt: proved.Add(time.Hour)}},
		{done, &dashboard.MemberWallet{UserID: done, Address: w7, Kind: dashboard.WalletContract, AddedAt: earlier, VerifiedAt: at(earlier)}},
	} {
		ws, err := s.Wallets(ctx, c.id)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case c.wallet == nil && len(ws) != 0:
			t.Errorf("member %s: wallets %+v, want none", c.id, ws)
		case c.wallet != nil && (len(ws) != 1 || !reflect.DeepEqual(ws[0], *c.wallet)):
			t.Errorf("member %s: wallets %+v, want %+v", c.id, ws, *c.wallet)
		}
	}
	claim, err := s.RawItem(ctx, "WALLET#"+strings.ToLower(w2), "VERIFIED")
	if err != nil || claim["userId"] != verified || claim["verifiedAt"] != stamp(proved) {
		t.Errorf("claim of the wallet two profiles verified = %v, %v; want the first member's", claim, err)
	}
	index, err := s.RawItem(ctx, "WALLET#"+strings.ToLower(w2), "USER#"+verified)
	if err != nil || index["verifiedAt"] != stamp(proved) || index["address"] != w2 {
		t.Errorf("index item = %v, %v", index, err)
	}
	if ids, err := s.WalletMembers(ctx, w2); err != nil || !slices.Equal(ids, []string{verified, twin}) {
		t.Errorf("WalletMembers = %v, %v; want both members", ids, err)
	}
	snapshot := func() map[string]map[string]any {
		m := map[string]map[string]any{}
		for _, k := range [][2]string{
			{"USER#" + plain, "WALLET#" + strings.ToLower(w1)}, {"WALLET#" + strings.ToLower(w1), "USER#" + plain},
			{"USER#" + verified, "WALLET#" + strings.ToLower(w2)}, {"WALLET#" + strings.ToLower(w2), "USER#" + verified},
			{"USER#" + twin, "WALLET#" + strings.ToLower(w2)}, {"WALLET#" + strings.ToLower(w2), "USER#" + twin},
			{"WALLET#" + strings.ToLower(w2), "VERIFIED"},
			{"USER#" + legacy, "WALLET#" + strings.ToLower(w4)}, {"WALLET#" + strings.ToLower(w4), "USER#" + legacy},
			{"USER#" + done, "WALLET#" + strings.ToLower(w7)}, {"WALLET#" + strings.ToLower(w7), "VERIFIED"},
		} {
			item, err := s.RawItem(ctx, k[0], k[1])
			if err != nil || item == nil {
				t.Fatalf("%s/%s = %v, %v", k[0], k[1], item, err)
			}
			m[k[0]+" "+k[1]] = item
		}
		return m
	}
	before := snapshot()
	s.Close()

	out.Reset()
	errOut.Reset()
	if err := run(ctx, []string{"migrate", "wallets", "--data", dir}, env(nil), &out, &errOut); err != nil {
		t.Fatalf("second migrate wallets: %v (%s)", err, errOut.String())
	}
	const second = "profiles read: 7; wallets added: 0, verified: 0; skipped: 4 up to date, 1 without a wallet, 2 refused; failed: 0"
	if !strings.Contains(out.String(), second) {
		t.Errorf("second run summary = %q, want %q", out.String(), second)
	}
	s, err = bolt.Open(filepath.Join(dir, "dashboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if after := snapshot(); !reflect.DeepEqual(before, after) {
		t.Errorf("the second run changed items:\nbefore %v\nafter  %v", before, after)
	}

	for _, args := range [][]string{{"migrate"}, {"migrate", "profiles"}, {"migrate", "wallets", "extra"}} {
		if err := run(ctx, append(args, "--data", dir), env(nil), &out, &errOut); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
}
