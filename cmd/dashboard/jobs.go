package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/app"
	"github.com/thebabesclub/dashboard/nfts"
	"github.com/thebabesclub/dashboard/orders"
)

// runSync runs `dashboard sync stripe --user ID | --all`.
func runSync(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "stripe" && args[0] != "nfts") {
		fmt.Fprintln(stderr, "usage: dashboard sync stripe|nfts [--user ID | --all] [--data DIR]")
		return errUsage
	}
	what := args[0]
	fs := flag.NewFlagSet("sync "+what, flag.ContinueOnError)
	fs.SetOutput(stderr)
	user := fs.String("user", "", "sync this member only")
	all := fs.Bool("all", false, "sync every member")
	dataDir := fs.String("data", "data", "folder of the embedded store")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	if (*user == "") == !*all {
		fmt.Fprintln(stderr, "sync: give exactly one of --user ID or --all")
		return errUsage
	}
	a, err := app.New(ctx, getenv, *dataDir, stderr)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	defer a.Store.Close()
	if what == "nfts" {
		return syncNFTs(ctx, a, *user, stdout, stderr)
	}
	if !a.Stripe {
		return errors.New("sync stripe: STRIPE_SECRET is not set")
	}
	if *user != "" {
		res, err := a.Orders.SyncMemberByID(ctx, *user, "", nil)
		if err != nil {
			return fmt.Errorf("sync stripe: %w", err)
		}
		fmt.Fprintf(stdout, "member %s: %d sessions, %d created, %d updated, %d unchanged\n", *user, res.Synced, res.Created, res.Updated, res.Skipped)
		return nil
	}
	var members, failed int
	total := orders.SyncResult{}
	bar := newProgress(stderr, "Syncing members from Stripe…")
	err = a.Store.EachProfile(ctx, func(p *dashboard.Profile) error {
		if p.StripeCustomerID == nil {
			return nil
		}
		members++
		res, err := a.Orders.SyncMember(ctx, p.UserID, time.Time{})
		if err != nil {
			failed++
			a.Logger.WarnContext(ctx, "member sync failed", "memberId", p.UserID, "error", err)
		} else {
			total.Synced += res.Synced
			total.Created += res.Created
			total.Updated += res.Updated
			total.Skipped += res.Skipped
		}
		bar.update("%d members, %d sessions, %d failed", members, total.Synced, failed)
		return ctx.Err()
	})
	bar.done()
	fmt.Fprintf(stdout, "members: %d synced, %d failed; sessions: %d processed, %d created, %d updated, %d unchanged\n",
		members-failed, failed, total.Synced, total.Created, total.Updated, total.Skipped)
	if err != nil {
		return fmt.Errorf("sync stripe: %w", err)
	}
	if failed > 0 {
		return fmt.Errorf("sync stripe: %d members failed", failed)
	}
	return nil
}

// runReconcile runs the nightly reconciliation on demand.
func runReconcile(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reconcile", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", "data", "folder of the embedded store")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	a, err := app.New(ctx, getenv, *dataDir, stderr)
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	defer a.Store.Close()
	if !a.Stripe {
		return errors.New("reconcile: STRIPE_SECRET is not set")
	}
	bar := newProgress(stderr, "Reconciling Stripe sessions…")
	res, err := a.Orders.Reconcile(ctx, func(r orders.SyncResult) {
		bar.update("%d processed, %d created, %d updated, %d unresolved", r.Synced, r.Created, r.Updated, r.Unresolved)
	})
	bar.done()
	if res != nil {
		fmt.Fprintf(stdout, "processed %d, created %d, updated %d, unchanged %d, unresolved %d, errors %d\n",
			res.Synced, res.Created, res.Updated, res.Skipped, res.Unresolved, res.Errors)
	}
	if err != nil {
		return fmt.Errorf("reconcile: %w (the watermark did not move; run again)", err)
	}
	return nil
}

// syncNFTs runs `dashboard sync nfts --user ID | --all`.
func syncNFTs(ctx context.Context, a *app.App, user string, stdout, stderr io.Writer) error {
	if !a.Market {
		return errors.New("sync nfts: NFT_PROVIDER is not set")
	}
	if user != "" {
		d, err := a.NFTs.SyncMember(ctx, user)
		if err != nil {
			return fmt.Errorf("sync nfts: %w", err)
		}
		fmt.Fprintf(stdout, "member %s: %d added, %d updated, %d removed\n", user, d.Added, d.Updated, d.Removed)
		return nil
	}
	bar := newProgress(stderr, "Syncing NFT holdings…")
	res, err := a.NFTs.Poll(ctx, func(r nfts.SyncResult) {
		bar.update("%d members synced, %d failed", r.Synced, r.Failed)
	})
	bar.done()
	if res != nil {
		fmt.Fprintf(stdout, "members: %d synced, %d failed; holdings: %d added, %d removed\n", res.Synced, res.Failed, res.Added, res.Removed)
	}
	if err != nil {
		return fmt.Errorf("sync nfts: %w", err)
	}
	if res.Failed > 0 {
		return fmt.Errorf("sync nfts: %d members failed", res.Failed)
	}
	return nil
}

// runHolders prints the members holding NFTs of one collection (the
// collection index), or the members who have one wallet (the wallet
// index, one Query): the operator's views of the two indexes.
func runHolders(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("holders", flag.ContinueOnError)
	fs.SetOutput(stderr)
	collection := fs.String("collection", "", "collection id (slug or contract address)")
	wallet := fs.String("wallet", "", "wallet address: list the members who have it")
	dataDir := fs.String("data", "data", "folder of the embedded store")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if (*collection == "") == (*wallet == "") {
		fmt.Fprintln(stderr, "holders: give either --collection or --wallet")
		return errUsage
	}
	if *wallet != "" {
		if _, ok := dashboard.WalletKey(*wallet); !ok {
			fmt.Fprintln(stderr, "holders: --wallet must be 0x followed by 40 hex digits")
			return errUsage
		}
	}
	a, err := app.New(ctx, getenv, *dataDir, stderr)
	if err != nil {
		return fmt.Errorf("holders: %w", err)
	}
	defer a.Store.Close()
	if *wallet != "" {
		ids, err := a.Store.WalletMembers(ctx, *wallet)
		if err != nil {
			return fmt.Errorf("holders: %w", err)
		}
		fmt.Fprintln(stdout, "MEMBER")
		for _, id := range ids {
			fmt.Fprintln(stdout, id)
		}
		fmt.Fprintf(stdout, "%d members have this wallet\n", len(ids))
		return nil
	}
	count := map[string]int{}
	var order []string
	err = a.Store.EachHolder(ctx, *collection, func(h dashboard.Holder) error {
		if count[h.UserID] == 0 {
			order = append(order, h.UserID)
		}
		count[h.UserID]++
		return nil
	})
	if err != nil {
		return fmt.Errorf("holders: %w", err)
	}
	fmt.Fprintf(stdout, "%-34s %s\n", "MEMBER", "TOKENS")
	total := 0
	for _, id := range order {
		fmt.Fprintf(stdout, "%-34s %d\n", id, count[id])
		total += count[id]
	}
	fmt.Fprintf(stdout, "%d members hold %d tokens of %s\n", len(order), total, *collection)
	return nil
}
