// Package app assembles the dashboard from its environment (CONTRACT §7):
// the store, the services and their adapters. Every binary — the local
// `dashboard` command and each Lambda function — builds the same App, so a
// setting means the same thing everywhere.
package app

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

// App is everything a binary needs, wired once from the environment.
type App struct {
	Logger   *slog.Logger
	Store    dashboard.Store
	Where    string // which store, for the start-up line
	Profiles *profile.Service
	Orders   *orders.Service
	NFTs     *nfts.Service
	Stripe   bool // whether Stripe is configured
	Market   bool // whether an NFT marketplace is configured
}

// New opens the store and builds the services. jwtSecret keys the
// pagination cursors, so that every instance of the API can open the
// cursors every other one issued. dataDir is the embedded store's folder,
// used unless DYNAMODB_ENDPOINT or COMMERCE_TABLE name a DynamoDB table.
// logs receives the JSON log.
func New(ctx context.Context, getenv func(string) string, dataDir string, logs io.Writer, jwtSecret string) (*App, error) {
	a := &App{Logger: obs.NewLogger(logs, getenv("LOG_LEVEL"))}
	var err error
	if a.Store, a.Where, err = OpenStore(ctx, getenv, dataDir); err != nil {
		return nil, err
	}
	a.Profiles = &profile.Service{Store: a.Store, Logger: a.Logger}
	a.Orders = &orders.Service{Store: a.Store, Cursors: cursor.NewSigner([]byte(jwtSecret)), Logger: a.Logger}
	if v := getenv("ORDER_STALE_AFTER"); v != "" {
		if a.Orders.StaleAfter, err = time.ParseDuration(v); err != nil || a.Orders.StaleAfter <= 0 {
			a.Store.Close()
			return nil, fmt.Errorf("ORDER_STALE_AFTER must be a positive duration such as 12h")
		}
	}
	a.NFTs = &nfts.Service{Store: a.Store, Cursors: a.Orders.Cursors, Logger: a.Logger}
	if a.NFTs.ChainID, err = nfts.ChainID(getenv("NFT_CHAIN")); err != nil {
		a.Store.Close()
		return nil, err
	}
	if v := getenv("NFT_STALE_AFTER"); v != "" {
		if a.NFTs.StaleAfter, err = time.ParseDuration(v); err != nil || a.NFTs.StaleAfter <= 0 {
			a.Store.Close()
			return nil, fmt.Errorf("NFT_STALE_AFTER must be a positive duration such as 1h")
		}
	}
	if getenv("NFT_PROVIDER") != "" {
		cfg, err := marketplace.ConfigFromEnv(getenv)
		if err == nil {
			a.NFTs.Market, err = marketplace.New(cfg)
		}
		if err != nil {
			a.Store.Close()
			return nil, err
		}
		a.Market = true
	}
	if getenv("STRIPE_SECRET") != "" {
		cfg, err := stripe.ConfigFromEnv(getenv)
		if err == nil {
			a.Orders.Payments, err = stripe.New(cfg)
		}
		if err != nil {
			a.Store.Close()
			return nil, err
		}
		a.Stripe = true
	}
	return a, nil
}

// Refresh performs one queued refresh, whatever its kind: the handler of
// every refresh queue.
func (a *App) Refresh(ctx context.Context, r dashboard.RefreshRequest) error {
	switch r.Kind {
	case dashboard.SyncStripe:
		return a.Orders.Refresh(ctx, r)
	case dashboard.SyncNFT:
		return a.NFTs.Refresh(ctx, r)
	default:
		return nil
	}
}

// StartQueue returns the refresh queue of a serving process: SQS when
// REFRESH_QUEUE_URL names one (this process then also consumes it), else the
// in-process queue. stop drains it.
func (a *App) StartQueue(ctx context.Context, getenv func(string) string) (q dashboard.RefreshQueue, stop func(), err error) {
	if getenv("REFRESH_QUEUE_URL") != "" {
		sq, err := queue.NewSQSFromEnv(ctx)
		if err != nil {
			return nil, nil, err
		}
		sq = sq.WithLogger(a.Logger)
		pollCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); sq.Poll(pollCtx, a.Refresh) }()
		return sq, func() { cancel(); <-done }, nil
	}
	local := queue.NewLocal(a.Refresh, queue.LocalOptions{Logger: a.Logger})
	return local, func() {
		c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := local.Close(c); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			a.Logger.Warn("refresh queue did not drain", slog.Any("error", err))
		}
	}, nil
}

// OpenStore picks DynamoDB when the environment names it, and the embedded
// store otherwise.
func OpenStore(ctx context.Context, getenv func(string) string, dataDir string) (dashboard.Store, string, error) {
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

// NFTWebhook verifies a marketplace webhook and returns the wallets it names.
func NFTWebhook(secret, body []byte, signature string) ([]string, error) {
	if err := marketplace.VerifyWebhook(secret, body, signature); err != nil {
		return nil, err
	}
	return marketplace.WebhookWallets(body)
}
