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

// runSync runs `dashboard sync stripe|nfts --user ID | --all`. A Stripe
// sync of every member is incremental (each from their SYNC#STRIPE marker
// minus the reconciliation's overlap; a member never synced reads all); one
// member's is their whole history. --incremental[=false] says otherwise.
func runSync(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "stripe" && args[0] != "nfts") {
		fmt.Fprintln(stderr, "usage: dashboard sync stripe|nfts [--user ID | --all] [--incremental[=false]] [--data DIR]")
		return errUsage
	}
	what := args[0]
	fs := flag.NewFlagSet("sync "+what, flag.ContinueOnError)
	fs.SetOutput(stderr)
	user := fs.String("user", "", "sync this member only")
	all := fs.Bool("all", false, "sync every member")
	incremental := fs.Bool("incremental", false, "stripe: start each member from their last sync minus an hour, not their whole history (the default with --all; --incremental=false reads everything)")
	dataDir := fs.String("data", "data", "folder of the embedded store")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	if (*user == "") == !*all {
		fmt.Fprintln(stderr, "sync: give exactly one of --user ID or --all")
		return errUsage
	}
	// --all is incremental unless told otherwise; --user reads the
	// member's whole history (a repair) unless told otherwise.
	fromMarker := *all
	incrementalSet := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "incremental" {
			fromMarker, incrementalSet = *incremental, true
		}
	})
	if incrementalSet && what != "stripe" {
		// An NFT sync always reads the whole wallet: the marketplace has
		// no "since".
		fmt.Fprintln(stderr, "sync nfts: --incremental is for sync stripe only")
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
		var res *orders.SyncResult
		if fromMarker {
			if _, err = a.Store.GetProfile(ctx, *user); err == nil {
				res, err = a.Orders.SyncMemberIncremental(ctx, *user)
			}
		} else {
			res, err = a.Orders.SyncMemberByID(ctx, *user, "", nil)
		}
		if err != nil {
			return fmt.Errorf("sync stripe: %w", err)
		}
		fmt.Fprintf(stdout, "member %s: %d sessions, %d created, %d updated, %d unchanged\n", *user, res.Synced, res.Created, res.Updated, res.Skipped)
		return nil
	}
	var members, failed int
	total := orders.SyncResult{}
	bar := newProgress(stderr, "Syncing members from Stripe…")
	// The members with a Stripe customer come from the sparse GSI1 index
	// (EachStripeMember), never from a Scan of the table.
	err = a.Store.EachStripeMember(ctx, func(userID, _ string) error {
		members++
		var res *orders.SyncResult
		var err error
		if fromMarker {
			res, err = a.Orders.SyncMemberIncremental(ctx, userID)
		} else {
			res, err = a.Orders.SyncMember(ctx, userID, time.Time{})
		}
		if err != nil {
			failed++
			a.Logger.WarnContext(ctx, "member sync failed", "memberId", userID, "error", err)
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

// runReconcile runs the nightly reconciliation on demand, in this
// process: it plans a run from the watermark, files its windows one after
// another (each checkpointed), and advances the watermark over the done
// ones. With --status it only shows the latest run (this process's or the
// AWS planner's) and its windows that are not done.
func runReconcile(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reconcile", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", "data", "folder of the embedded store")
	status := fs.Bool("status", false, "show the latest run and its unfinished windows; reconcile nothing")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	a, err := app.New(ctx, getenv, *dataDir, stderr)
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	defer a.Store.Close()
	if *status {
		return reconcileStatus(ctx, a, stdout)
	}
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
		return fmt.Errorf("reconcile: %w (the watermark stops before the first failed window; run again)", err)
	}
	return nil
}

// reconcileStatus prints the latest reconciliation run, the watermark and
// the run's windows that are not done, with how far each got.
func reconcileStatus(ctx context.Context, a *app.App, stdout io.Writer) error {
	wm, err := a.Store.Watermark(ctx, orders.WatermarkName)
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	run, err := a.Store.LatestReconcileRun(ctx)
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	if run == nil {
		fmt.Fprintf(stdout, "no reconciliation run yet; watermark %s\n", formatWatermark(wm))
		return nil
	}
	cps, err := a.Store.ReconcileCheckpoints(ctx, run.ID)
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	byFrom := map[int64]dashboard.ReconcileCheckpoint{}
	for _, c := range cps {
		byFrom[c.From.UnixMilli()] = c
	}
	windows := run.Windows()
	var open []string
	for _, w := range windows {
		c, ok := byFrom[w.From.UnixMilli()]
		switch {
		case !ok:
			open = append(open, fmt.Sprintf("%s  not started", w.From.Format(time.RFC3339)))
		case !c.Done:
			open = append(open, fmt.Sprintf("%s  %d attempts, %d sessions filed, resumes after %q", w.From.Format(time.RFC3339), c.Attempts, c.Synced, c.After))
		}
	}
	fmt.Fprintf(stdout, "run %s: %s to %s in %d windows of %s; %d done, %d not done; watermark %s\n",
		run.ID, run.From.Format(time.RFC3339), run.To.Format(time.RFC3339), len(windows), run.Window, len(windows)-len(open), len(open), formatWatermark(wm))
	for _, line := range open {
		fmt.Fprintln(stdout, "  "+line)
	}
	return nil
}

func formatWatermark(t time.Time) string {
	if t.IsZero() {
		return "unset"
	}
	return t.UTC().Format(time.RFC3339)
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
