package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/app"
	"github.com/thebabesclub/dashboard/siwe"
)

const migrateUsage = "usage: dashboard migrate wallets [--data DIR]"

// runMigrate runs `dashboard migrate wallets`: the one-off migration of
// issue 13 that gives every profile's preferredWallet its wallet items
// (CONTRACT §6, §10), so that members who set a wallet before several
// wallets existed keep it, verified or not, and the wallet index finds
// them. It opens only the store (no secrets needed).
func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "wallets" {
		fmt.Fprintln(stderr, migrateUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("migrate wallets", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", "data", "folder of the embedded store")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, migrateUsage)
		return errUsage
	}
	store, _, err := app.OpenStore(ctx, getenv, *dataDir)
	if err != nil {
		return fmt.Errorf("migrate wallets: %w", err)
	}
	defer store.Close()
	bar := newProgress(stderr, "Migrating wallets…")
	res, err := migrateWallets(ctx, store, time.Now, func(r walletMigration) {
		bar.update("%d profiles, %d wallets added, %d verified, %d failed", r.Read, r.Added, r.Verified, r.Failed)
	}, func(userID, why string) {
		bar.done()
		fmt.Fprintf(stderr, "member %s: %s\n", userID, why)
	})
	bar.done()
	fmt.Fprintf(stdout, "profiles read: %d; wallets added: %d, verified: %d; skipped: %d up to date, %d without a wallet, %d refused; failed: %d\n",
		res.Read, res.Added, res.Verified, res.UpToDate, res.NoWallet, res.Refused, res.Failed)
	if err != nil {
		return fmt.Errorf("migrate wallets: %w", err)
	}
	if res.Failed > 0 {
		return fmt.Errorf("migrate wallets: %d members failed; run again", res.Failed)
	}
	return nil
}

// walletMigration counts what migrateWallets did. Every profile read is
// counted once among UpToDate, NoWallet, Refused, Failed, or as migrated
// (its wallet Added, Verified or both).
type walletMigration struct {
	Read     int // profiles read
	Added    int // wallets added
	Verified int // wallets verified
	UpToDate int // profiles whose wallet needed nothing
	NoWallet int // profiles without a preferredWallet
	Refused  int // profiles whose wallet the rules refuse (reported)
	Failed   int // profiles whose migration failed (reported; run again)
}

// migrateWallets adds each profile's preferredWallet as one of the
// member's wallets (AddWallet, in EIP-55 form), and verifies it as an eoa
// at the profile's walletVerifiedAt when that is set: the only proof the
// profile kept was a Sign-In with Ethereum signature, which ecrecover
// checked. A wallet added before is left alone and a verified one keeps
// its verifiedAt, so a second run changes nothing. The new wallet's
// addedAt is the earliest time the profile shows it held the wallet:
// walletVerifiedAt, else updatedAt, else now.
//
// It reads the profiles with EachProfile, a full-table Scan, which is
// accepted here and only here among the wallet paths: CONTRACT §10 bars
// Scans from requests, webhooks and jobs, and this is a one-off operator
// migration, run before the wallet index it builds exists. A member whose wallet cannot be migrated is
// reported through skip with their id and why, never the address. It stops
// early only when the context ends or the store cannot be read.
func migrateWallets(ctx context.Context, store dashboard.Store, now func() time.Time, progress func(walletMigration), skip func(userID, why string)) (walletMigration, error) {
	var r walletMigration
	err := store.EachProfile(ctx, func(p *dashboard.Profile) error {
		r.Read++
		migrateProfile(ctx, store, p, now, &r, skip)
		progress(r)
		return ctx.Err()
	})
	return r, err
}

// migrateProfile migrates one profile's wallet and counts the outcome.
func migrateProfile(ctx context.Context, store dashboard.Store, p *dashboard.Profile, now func() time.Time, r *walletMigration, skip func(userID, why string)) {
	if p.PreferredWallet == nil || strings.TrimSpace(*p.PreferredWallet) == "" {
		r.NoWallet++
		return
	}
	address, ok := siwe.ChecksumAddress(strings.TrimSpace(*p.PreferredWallet))
	if !ok {
		r.Refused++
		skip(p.UserID, "preferredWallet is not an Ethereum address (or its checksum is wrong); left as it is")
		return
	}
	fail := func(step string, err error) {
		switch dashboard.ErrorCode(err) {
		case dashboard.EVALIDATION, dashboard.ECONFLICT, dashboard.ENOTFOUND:
			r.Refused++
			skip(p.UserID, step+": "+dashboard.ErrorMessage(err))
		default:
			r.Failed++
			skip(p.UserID, step+" failed: "+err.Error())
		}
	}
	wallets, err := store.Wallets(ctx, p.UserID)
	if err != nil {
		fail("reading the wallets", err)
		return
	}
	i := slices.IndexFunc(wallets, func(w dashboard.MemberWallet) bool { return strings.EqualFold(w.Address, address) })
	added := i >= 0
	verified := added && wallets[i].VerifiedAt != nil
	changed := false
	if !added {
		at := now()
		switch {
		case p.WalletVerifiedAt != nil:
			at = *p.WalletVerifiedAt
		case p.UpdatedAt != nil:
			at = *p.UpdatedAt
		}
		if err := store.AddWallet(ctx, dashboard.MemberWallet{UserID: p.UserID, Address: address, Kind: dashboard.WalletEOA, AddedAt: at}); err != nil {
			fail("adding the wallet", err)
			return
		}
		r.Added++
		changed = true
	}
	if p.WalletVerifiedAt != nil && !verified {
		if err := store.VerifyWallet(ctx, p.UserID, address, dashboard.WalletEOA, *p.WalletVerifiedAt); err != nil {
			fail("verifying the wallet", err)
			return
		}
		r.Verified++
		changed = true
	}
	if !changed {
		r.UpToDate++
	}
}
