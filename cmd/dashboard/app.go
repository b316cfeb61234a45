package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/bolt"
	"github.com/thebabesclub/dashboard/cursor"
	"github.com/thebabesclub/dashboard/dynamo"
	"github.com/thebabesclub/dashboard/marketplace"
	"github.com/thebabesclub/dashboard/nfts"
	"github.com/thebabesclub/dashboard/obs"
	"github.com/thebabesclub/dashboard/orders"
	"github.com/thebabesclub/dashboard/profile"
	"github.com/thebabesclub/dashboard/queue"
	"github.com/thebabesclub/dashboard/stripe"
)

// app is everything a command needs, wired once from the environment.
type app struct {
	logger   *slog.Logger
	store    dashboard.Store
	where    string // which store, for the start-up line
	profiles *profile.Service
	orders   *orders.Service
	nfts     *nfts.Service
	stripe   bool // whether Stripe is configured
	market   bool // whether an NFT marketplace is configured
}

// newApp opens the store and builds the services. jwtSecret keys the
// pagination cursors, so that every instance of the API can open the
// cursors every other one issued.
func newApp(ctx context.Context, getenv func(string) string, dataDir string, stderr io.Writer, jwtSecret string) (*app, error) {
	a := &app{logger: obs.NewLogger(stderr, getenv("LOG_LEVEL"))}
	var err error
	if a.store, a.where, err = openStore(ctx, getenv, dataDir); err != nil {
		return nil, err
	}
	a.profiles = &profile.Service{Store: a.store, Logger: a.logger}
	a.orders = &orders.Service{Store: a.store, Cursors: cursor.NewSigner([]byte(jwtSecret)), Logger: a.logger}
	if v := getenv("ORDER_STALE_AFTER"); v != "" {
		if a.orders.StaleAfter, err = time.ParseDuration(v); err != nil || a.orders.StaleAfter <= 0 {
			a.store.Close()
			return nil, fmt.Errorf("ORDER_STALE_AFTER must be a positive duration such as 12h")
		}
	}
	a.nfts = &nfts.Service{Store: a.store, Cursors: a.orders.Cursors, Logger: a.logger}
	if a.nfts.ChainID, err = nfts.ChainID(getenv("NFT_CHAIN")); err != nil {
		a.store.Close()
		return nil, err
	}
	if v := getenv("NFT_STALE_AFTER"); v != "" {
		if a.nfts.StaleAfter, err = time.ParseDuration(v); err != nil || a.nfts.StaleAfter <= 0 {
			a.store.Close()
			return nil, fmt.Errorf("NFT_STALE_AFTER must be a positive duration such as 1h")
		}
	}
	if getenv("NFT_PROVIDER") != "" {
		cfg, err := marketplace.ConfigFromEnv(getenv)
		if err == nil {
			a.nfts.Market, err = marketplace.New(cfg)
		}
		if err != nil {
			a.store.Close()
			return nil, err
		}
		a.market = true
	}
	if getenv("STRIPE_SECRET") != "" {
		cfg, err := stripe.ConfigFromEnv(getenv)
		if err == nil {
			a.orders.Payments, err = stripe.New(cfg)
		}
		if err != nil {
			a.store.Close()
			return nil, err
		}
		a.stripe = true
	}
	return a, nil
}

// refresh performs one queued refresh, whatever its kind.
func (a *app) refresh(ctx context.Context, r dashboard.RefreshRequest) error {
	switch r.Kind {
	case dashboard.SyncStripe:
		return a.orders.Refresh(ctx, r)
	case dashboard.SyncNFT:
		return a.nfts.Refresh(ctx, r)
	default:
		return nil
	}
}

// startQueue returns the refresh queue of a serving process: SQS when
// REFRESH_QUEUE_URL names one (this process then also consumes it), else the
// in-process queue. stop drains it.
func (a *app) startQueue(ctx context.Context, getenv func(string) string) (q dashboard.RefreshQueue, stop func(), err error) {
	if getenv("REFRESH_QUEUE_URL") != "" {
		sq, err := queue.NewSQSFromEnv(ctx)
		if err != nil {
			return nil, nil, err
		}
		sq = sq.WithLogger(a.logger)
		pollCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); sq.Poll(pollCtx, a.refresh) }()
		return sq, func() { cancel(); <-done }, nil
	}
	local := queue.NewLocal(a.refresh, queue.LocalOptions{Logger: a.logger})
	return local, func() {
		c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := local.Close(c); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			a.logger.Warn("refresh queue did not drain", slog.Any("error", err))
		}
	}, nil
}

// openStore picks DynamoDB when the environment names it, and the embedded
// store otherwise.
func openStore(ctx context.Context, getenv func(string) string, dataDir string) (dashboard.Store, string, error) {
	if getenv("DYNAMODB_ENDPOINT") != "" || getenv("COMMERCE_TABLE") != "" {
		s, err := dynamo.NewFromEnv(ctx)
		if err != nil {
			return nil, "", err
		}
		return s, "DynamoDB", nil
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, "", fmt.Errorf("create data folder: %w", err)
	}
	path := filepath.Join(dataDir, "dashboard.db")
	s, err := bolt.Open(path)
	if err != nil {
		return nil, "", err
	}
	return s, "embedded, " + path, nil
}

// nftWebhook verifies a marketplace webhook and returns the wallets it names.
func nftWebhook(secret, body []byte, signature string) ([]string, error) {
	if err := marketplace.VerifyWebhook(secret, body, signature); err != nil {
		return nil, err
	}
	return marketplace.WebhookWallets(body)
}
