package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard/bolt"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/internal/stripetest"
)

// TestReconcileAndSyncCommands runs the jobs as an operator would, against
// the Stripe fake, on an embedded store.
func TestReconcileAndSyncCommands(t *testing.T) {
	dir := t.TempDir()
	const member, noCustomer = "0123456789abcdef0123456789abcdef", "00000000000000000000000000000abc"
	s, err := bolt.Open(filepath.Join(dir, "dashboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range []map[string]any{
		{"PK": "USER#" + member, "SK": "PROFILE", "userId": member, "email": "op@example.com", "stripeCustomerId": "cus_op", "GSI1PK": "STRIPE#cus_op"},
		{"PK": "EMAIL#op@example.com", "SK": "LOOKUP", "userId": member, "email": "op@example.com"},
		// A member without a Stripe customer: --all does not walk them.
		{"PK": "USER#" + noCustomer, "SK": "PROFILE", "userId": noCustomer, "email": "nocus@example.com"},
	} {
		if err := s.PutRawItem(context.Background(), item); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	fake := stripetest.New(t)
	for i, id := range []string{"cs_test_cli_a", "cs_test_cli_b", "cs_test_cli_c"} {
		fake.AddSession(stripetest.NewSession(id, time.Now().Add(-time.Duration(i+1)*time.Hour)).WithCustomer("cus_op").Paid())
	}
	fake.AddSession(stripetest.NewSession("cs_test_cli_nobody", time.Now().Add(-time.Minute)).WithEmail("who@example.com").Paid())
	// A first reconciliation lists its 720 windows (most of them empty,
	// since 2019): a high rate keeps that quick here.
	getenv := env(map[string]string{"STRIPE_SECRET": "sk_test_cli", "STRIPE_API_BASE": fake.URL(), "JWT_SECRET": "cli", "STRIPE_MAX_RPS": "1000"})

	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"reconcile", "--status", "--data", dir}, getenv, &out, &errOut); err != nil ||
		out.String() != "no reconciliation run yet; watermark unset\n" {
		t.Fatalf("reconcile --status before any run: %v, %q", err, out.String())
	}
	out.Reset()

	if err := run(context.Background(), []string{"reconcile", "--data", dir}, getenv, &out, &errOut); err != nil {
		t.Fatalf("reconcile: %v (%s)", err, errOut.String())
	}
	if !strings.Contains(out.String(), "processed 4, created 3, updated 0, unchanged 0, unresolved 1, errors 0") {
		t.Errorf("reconcile summary = %q", out.String())
	}

	out.Reset()
	if err := run(context.Background(), []string{"reconcile", "--status", "--data", dir}, getenv, &out, &errOut); err != nil ||
		!strings.Contains(out.String(), " in 720 windows of ") || !strings.Contains(out.String(), "; 720 done, 0 not done; watermark 20") {
		t.Errorf("reconcile --status after a run: %v, %q", err, out.String())
	}

	out.Reset()
	if err := run(context.Background(), []string{"sync", "stripe", "--user", member, "--data", dir}, getenv, &out, &errOut); err != nil {
		t.Fatalf("sync --user: %v (%s)", err, errOut.String())
	}
	if !strings.Contains(out.String(), "3 sessions, 0 created, 0 updated, 3 unchanged") {
		t.Errorf("sync summary = %q", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"sync", "stripe", "--all", "--data", dir}, getenv, &out, &errOut); err != nil {
		t.Fatalf("sync --all: %v (%s)", err, errOut.String())
	}
	// --all starts from the member's marker (just set by --user) minus an
	// hour: the sessions, created an hour and more before it, are not
	// read again.
	if !strings.Contains(out.String(), "members: 1 synced, 0 failed; sessions: 0 processed") {
		t.Errorf("sync --all summary = %q, want the member synced from their marker (0 sessions)", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"sync", "stripe", "--all", "--incremental=false", "--data", dir}, getenv, &out, &errOut); err != nil ||
		!strings.Contains(out.String(), "members: 1 synced, 0 failed; sessions: 3 processed") {
		t.Errorf("sync --all --incremental=false: %v, %q; want the whole history (3 sessions)", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"sync", "stripe", "--user", member, "--incremental", "--data", dir}, getenv, &out, &errOut); err != nil ||
		!strings.Contains(out.String(), "0 sessions") {
		t.Errorf("sync --user --incremental: %v, %q; want 0 sessions", err, out.String())
	}
	if err := run(context.Background(), []string{"sync", "stripe", "--user", "fedcba9876543210fedcba9876543210", "--incremental", "--data", dir}, getenv, &out, &errOut); err == nil {
		t.Error("sync --user --incremental of an unknown member succeeded")
	}
	// Usage errors.
	for _, args := range [][]string{{"sync"}, {"sync", "stripe"}, {"sync", "stripe", "--user", "x", "--all"}} {
		if err := run(context.Background(), args, getenv, &out, &errOut); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
	if err := run(context.Background(), []string{"reconcile", "--data", dir}, env(nil), &out, &errOut); err == nil {
		t.Error("reconcile without STRIPE_SECRET succeeded")
	}
}

// TestNFTCommands syncs NFTs through the marketplace fake and lists the
// holders of a collection, as an operator would.
func TestNFTCommands(t *testing.T) {
	dir := t.TempDir()
	const member = "0123456789abcdef0123456789abcde0"
	const wallet = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
	s, err := bolt.Open(filepath.Join(dir, "dashboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutRawItem(context.Background(), map[string]any{"PK": "USER#" + member, "SK": "PROFILE", "userId": member, "preferredWallet": wallet}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	fake := markettest.NewOpenSea(t)
	fake.SetHoldings(wallet, []markettest.NFT{
		{Contract: "0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", TokenID: "7", Collection: "babes-genesis", Name: "Babe #7"},
		{Contract: "0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", TokenID: "8", Collection: "babes-genesis", Name: "Babe #8"},
	})
	getenv := env(map[string]string{"NFT_PROVIDER": "opensea", "NFT_API_BASE_URL": fake.URL(), "NFT_API_KEY": fake.APIKey(), "JWT_SECRET": "cli"})
	var out, errOut bytes.Buffer
	// The profile predates the wallet items: the poll finds it once the
	// migration has given it its wallet.
	if err := run(context.Background(), []string{"sync", "nfts", "--all", "--data", dir}, getenv, &out, &errOut); err != nil || !strings.Contains(out.String(), "members: 0 synced") {
		t.Fatalf("sync nfts --all before the migration: %v, %q", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"migrate", "wallets", "--data", dir}, getenv, &out, &errOut); err != nil {
		t.Fatalf("migrate wallets: %v (%s)", err, errOut.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"sync", "nfts", "--all", "--data", dir}, getenv, &out, &errOut); err != nil {
		t.Fatalf("sync nfts --all: %v (%s)", err, errOut.String())
	}
	if !strings.Contains(out.String(), "members: 1 synced, 0 failed; holdings: 2 added, 0 removed") {
		t.Errorf("summary = %q", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"sync", "nfts", "--user", member, "--data", dir}, getenv, &out, &errOut); err != nil {
		t.Fatalf("sync nfts --user: %v", err)
	}
	if !strings.Contains(out.String(), "0 added, 0 updated, 0 removed") {
		t.Errorf("summary = %q", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"holders", "--collection", "babes-genesis", "--data", dir}, getenv, &out, &errOut); err != nil {
		t.Fatalf("holders: %v", err)
	}
	if !strings.Contains(out.String(), member+"   2") || !strings.Contains(out.String(), "1 members hold 2 tokens of babes-genesis") {
		t.Errorf("holders = %q", out.String())
	}
	// The wallet's members, from the wallet index, in any spelling.
	out.Reset()
	if err := run(context.Background(), []string{"holders", "--wallet", strings.ToLower(wallet), "--data", dir}, getenv, &out, &errOut); err != nil {
		t.Fatalf("holders --wallet: %v", err)
	}
	if out.String() != "MEMBER\n"+member+"\n1 members have this wallet\n" {
		t.Errorf("holders --wallet = %q", out.String())
	}
	for _, args := range [][]string{
		{"holders", "--data", dir},
		{"holders", "--collection", "babes-genesis", "--wallet", wallet, "--data", dir},
		{"holders", "--wallet", "0x123", "--data", dir},
		{"sync", "nfts", "--all", "--incremental", "--data", dir},
	} {
		if err := run(context.Background(), args, getenv, &out, &errOut); !errors.Is(err, errUsage) {
			t.Errorf("%v: %v, want a usage error", args[1:], err)
		}
	}
	if err := run(context.Background(), []string{"sync", "nfts", "--all", "--data", dir}, env(nil), &out, &errOut); err == nil {
		t.Error("sync nfts without NFT_PROVIDER succeeded")
	}
}
