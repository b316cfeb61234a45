// Package app assembles the dashboard from its environment (CONTRACT §7):
// the store, the services and their adapters. Every binary — the local
// `dashboard` command and each Lambda function — builds the same App, so a
// setting means the same thing everywhere.
package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/bolt"
	"github.com/thebabesclub/dashboard/cursor"
	"github.com/thebabesclub/dashboard/dynamo"
	"github.com/thebabesclub/dashboard/evm"
	"github.com/thebabesclub/dashboard/export"
	"github.com/thebabesclub/dashboard/httpapi"
	"github.com/thebabesclub/dashboard/mail"
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
	Export   *export.Service
	Stripe   bool // whether Stripe is configured: STRIPE_SECRET, or STRIPE_ENABLED
	Market   bool // whether an NFT marketplace is configured: NFT_PROVIDER, or NFT_ENABLED

	// StripeBudget is the process's one Stripe rate budget
	// (STRIPE_MAX_RPS): every Stripe request of the process — member
	// syncs, reconciliation windows, webhooks, order reads — waits for it,
	// whichever service or job sends it. Nil without STRIPE_SECRET.
	StripeBudget *stripe.Budget
}

// New opens the store and builds the services. dataDir is the embedded
// store's folder, used unless DYNAMODB_ENDPOINT or COMMERCE_TABLE name a
// DynamoDB table. logs receives the JSON log.
func New(ctx context.Context, getenv func(string) string, dataDir string, logs io.Writer) (*App, error) {
	a := &App{Logger: obs.NewLogger(logs, getenv("LOG_LEVEL"))}
	key, err := AppSecret(getenv)
	if err != nil {
		return nil, err
	}
	if a.Store, a.Where, err = OpenStore(ctx, getenv, dataDir); err != nil {
		return nil, err
	}
	a.Profiles = &profile.Service{Store: a.Store, Logger: a.Logger, CodeKey: profile.NewCodeKey(key), SiteOrigin: getenv("SITE_ORIGIN")}
	if a.Profiles.Mailer, err = mailer(getenv, dataDir, a.Logger); err != nil {
		a.Store.Close()
		return nil, err
	}
	a.Orders = &orders.Service{Store: a.Store, Cursors: cursor.NewSigner(key), Logger: a.Logger}
	if v := getenv("ORDER_STALE_AFTER"); v != "" {
		if a.Orders.StaleAfter, err = time.ParseDuration(v); err != nil || a.Orders.StaleAfter <= 0 {
			a.Store.Close()
			return nil, fmt.Errorf("ORDER_STALE_AFTER must be a positive duration such as 12h")
		}
	}
	// The fulfilment notices go out the way verification codes do.
	a.Orders.Mailer, a.Orders.SiteOrigin = a.Profiles.Mailer, a.Profiles.SiteOrigin
	a.NFTs = &nfts.Service{Store: a.Store, Cursors: a.Orders.Cursors, Logger: a.Logger}
	a.Export = &export.Service{Profiles: a.Profiles, Orders: a.Orders, NFTs: a.NFTs, Limits: a.Store, Logger: a.Logger}
	if a.NFTs.ChainID, err = ChainID(getenv("NFT_CHAIN")); err != nil {
		a.Store.Close()
		return nil, err
	}
	// SITE_ORIGIN names the site in wallet challenges; unset, they answer
	// 503 (`dashboard serve` defaults it to its own address).
	if v := getenv("SITE_ORIGIN"); v != "" {
		if a.NFTs.SiteOrigin, err = nfts.ParseSiteOrigin(v); err != nil {
			a.Store.Close()
			return nil, err
		}
	}
	if v := getenv("NFT_STALE_AFTER"); v != "" {
		if a.NFTs.StaleAfter, err = time.ParseDuration(v); err != nil || a.NFTs.StaleAfter <= 0 {
			a.Store.Close()
			return nil, fmt.Errorf("NFT_STALE_AFTER must be a positive duration such as 1h")
		}
	}
	// ETH_RPC_URL lets wallet verification ask smart-contract wallets
	// (ERC-1271, ERC-6492); empty (the stack always sets the variable)
	// means externally owned accounts only.
	if v := strings.TrimSpace(getenv("ETH_RPC_URL")); v != "" {
		contracts, err := evm.New(v)
		if err != nil {
			a.Store.Close()
			return nil, fmt.Errorf("ETH_RPC_URL: %w", err)
		}
		a.NFTs.Contracts = contracts
	}
	// NFT_WEBHOOK_SECRET opens POST /webhooks/nfts; unset, it answers 404.
	// The webhook needs no marketplace client: it only queues refreshes.
	if v := getenv("NFT_WEBHOOK_SECRET"); v != "" {
		a.NFTs.Webhooks = marketplace.Webhooks{Secret: []byte(v)}
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
			a.StripeBudget = stripe.NewBudget(cfg.MaxRPS)
			cfg.Budget = a.StripeBudget
			a.Orders.Payments, err = stripe.New(cfg)
		}
		if err != nil {
			a.Store.Close()
			return nil, err
		}
		a.Stripe = true
	}
	// STRIPE_ENABLED / NFT_ENABLED say an integration is on for the
	// deployment to a function that holds no key for it (list-orders,
	// list-nfts on AWS): it never calls the service, but decides from this
	// whether a stale list is "refreshing" and queues the refresh.
	for _, flag := range []struct {
		name string
		on   *bool
	}{{"STRIPE_ENABLED", &a.Stripe}, {"NFT_ENABLED", &a.Market}} {
		if v := getenv(flag.name); v != "" {
			on, err := strconv.ParseBool(v)
			if err != nil {
				a.Store.Close()
				return nil, fmt.Errorf("%s must be true or false", flag.name)
			}
			*flag.on = *flag.on || on
		}
	}
	a.Orders.StripeEnabled, a.NFTs.MarketEnabled = a.Stripe, a.Market
	return a, nil
}

// mailer is the mail transport of CONTRACT §9 (mail.FromEnv). A Lambda
// function with no mail settings (no data folder, no MAIL_TRANSPORT, no
// SMTP_URL) sends none: it gets no mailer, and an email change there
// answers 503 instead of failing the cold start of functions that never
// mail. A setting that is present but wrong fails the start.
func mailer(getenv func(string) string, dataDir string, logger *slog.Logger) (dashboard.Mailer, error) {
	if dataDir == "" && getenv("MAIL_TRANSPORT") == "" && getenv("SMTP_URL") == "" {
		return nil, nil
	}
	return mail.FromEnv(getenv, dataDir, logger)
}

// ChainID returns the EIP-155 chain id of an NFT_CHAIN name, the chain
// wallet challenges name. The supported chains are the marketplace's one
// list (marketplace.Chains), so every chain the marketplace reads is one the
// challenges can name, and the reverse. It lives here, where the
// environment is read, so that the nfts service never imports an adapter.
func ChainID(chain string) (int64, error) {
	c, err := marketplace.LookupChain(chain)
	if err != nil {
		return 0, fmt.Errorf("app: %w", err)
	}
	return c.ID, nil
}

// DefaultAllowedOrigins is the CORS allow-list when CORS_ALLOW_ORIGINS is
// unset: the web dashboard's Vite dev server. The dashboard that `serve`
// embeds is same-origin and needs none.
const DefaultAllowedOrigins = "http://localhost:5173,http://127.0.0.1:5173"

// HTTPServer returns the HTTP API over the app's services with the settings
// every deployment shares (CORS_ALLOW_ORIGINS, INTERNAL_TOKEN). The caller
// only chooses the transport's own parts: how a member is authenticated
// (a token Verifier locally, the authorizer context on Lambda), the refresh
// queue, request ids and the static web dashboard.
func (a *App) HTTPServer(getenv func(string) string) *httpapi.Server {
	return &httpapi.Server{
		Profiles:       a.Profiles,
		Orders:         a.Orders,
		NFTs:           a.NFTs,
		Export:         a.Export,
		Logger:         a.Logger,
		AllowedOrigins: splitList(getenv("CORS_ALLOW_ORIGINS"), DefaultAllowedOrigins),
		InternalToken:  getenv("INTERNAL_TOKEN"),
	}
}

// splitList splits a comma-separated setting, dropping blanks; empty means def.
func splitList(v, def string) []string {
	if strings.TrimSpace(v) == "" {
		v = def
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// MinCursorSecretBytes is the shortest CURSOR_SECRET accepted (CONTRACT §7).
const MinCursorSecretBytes = 32

// AppSecret returns the key material of the secrets the API derives for
// itself (list cursors, verification-code hashes): CURSOR_SECRET, or
// JWT_SECRET when that is unset, as CONTRACT §7 says. Each use derives its
// own key from it with a purpose label, so no derived key is the secret.
// With neither set, a process gets a random key: its cursors then open only
// in the process that issued them, which is right for a job or a worker
// that never issues one. The HTTP functions on AWS insist on CURSOR_SECRET
// (lambdafn.API), because every instance must open every other's cursors.
func AppSecret(getenv func(string) string) ([]byte, error) {
	if v := getenv("CURSOR_SECRET"); v != "" {
		if len(v) < MinCursorSecretBytes {
			return nil, fmt.Errorf("CURSOR_SECRET must be at least %d bytes", MinCursorSecretBytes)
		}
		return []byte(v), nil
	}
	if v := getenv("JWT_SECRET"); v != "" {
		return []byte(v), nil
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("app: random key: %w", err)
	}
	return key, nil
}

// Refresh performs one queued refresh, whatever its kind: the handler of
// every refresh queue. A RECONCILE request is one window of a planned
// reconciliation (orders.Service.ReconcileWindow); an NFT_POLL request one
// wallet shard of the NFT poll (nfts.Service.PollUnit). The counts of a
// window are its log line's here; order-refresh (lambdafn) calls
// ReconcileWindow itself to emit them as metrics.
func (a *App) Refresh(ctx context.Context, r dashboard.RefreshRequest) error {
	switch r.Kind {
	case dashboard.SyncStripe:
		return a.Orders.Refresh(ctx, r)
	case dashboard.SyncNFT, dashboard.PollKind:
		return a.NFTs.Refresh(ctx, r)
	case dashboard.ReconcileKind:
		_, err := a.Orders.ReconcileWindow(ctx, dashboard.ReconcileWindow{RunID: r.RunID, From: r.From, To: r.To})
		return err
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
