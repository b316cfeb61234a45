package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
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
	if what == "nfts" {
		return errors.New("sync nfts: NFT holdings sync is not available yet")
	}
	a, err := newApp(ctx, getenv, *dataDir, stderr, getenv("JWT_SECRET"))
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	defer a.store.Close()
	if !a.stripe {
		return errors.New("sync stripe: STRIPE_SECRET is not set")
	}
	if *user != "" {
		res, err := a.orders.SyncMemberByID(ctx, *user, "", nil)
		if err != nil {
			return fmt.Errorf("sync stripe: %w", err)
		}
		fmt.Fprintf(stdout, "member %s: %d sessions, %d created, %d updated, %d unchanged\n", *user, res.Synced, res.Created, res.Updated, res.Skipped)
		return nil
	}
	var members, failed int
	total := orders.SyncResult{}
	bar := newProgress(stderr, "Syncing members from Stripe…")
	err = a.store.EachProfile(ctx, func(p *dashboard.Profile) error {
		if p.StripeCustomerID == nil {
			return nil
		}
		members++
		res, err := a.orders.SyncMember(ctx, p.UserID, time.Time{})
		if err != nil {
			failed++
			a.logger.WarnContext(ctx, "member sync failed", "memberId", p.UserID, "error", err)
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
	a, err := newApp(ctx, getenv, *dataDir, stderr, getenv("JWT_SECRET"))
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	defer a.store.Close()
	if !a.stripe {
		return errors.New("reconcile: STRIPE_SECRET is not set")
	}
	bar := newProgress(stderr, "Reconciling Stripe sessions…")
	res, err := a.orders.Reconcile(ctx, func(r orders.SyncResult) {
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
