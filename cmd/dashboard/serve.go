package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/thebabesclub/dashboard/app"
	"github.com/thebabesclub/dashboard/auth"
	"github.com/thebabesclub/dashboard/demo"
	"github.com/thebabesclub/dashboard/nfts"
	"github.com/thebabesclub/dashboard/web"
)

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	dataDir := fs.String("data", "data", "folder of the embedded store")
	withDemo := fs.Bool("demo", false, "seed a demo member and print a sign-in link")
	webDir := fs.String("web", "", "serve the web dashboard from this built folder (e.g. web/dist) instead of the one embedded in the binary: for development")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	gcDefault(getenv)
	static, staticFrom, err := webDashboard(*webDir)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}

	secret := getenv("JWT_SECRET")
	if secret == "" && *withDemo {
		secret = randomSecret()
		fmt.Fprintf(stdout, "JWT_SECRET was not set; this demo run signs tokens with a random secret:\n  JWT_SECRET=%s\n", secret)
	}
	env := getenv
	getenv = func(k string) string {
		if k == "JWT_SECRET" {
			return secret
		}
		return env(k)
	}
	authCfg, err := auth.ConfigFromEnv(getenv)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	verifier, err := auth.NewVerifier(authCfg)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}

	a, err := app.New(ctx, getenv, *dataDir, stderr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer a.Store.Close()
	refresh, stopQueue, err := a.StartQueue(ctx, getenv)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer stopQueue()
	logger, store, where := a.Logger, a.Store, a.Where
	if a.Market {
		go runSchedule(ctx, logger, "nft-sync", hourly, func(ctx context.Context) error {
			_, err := a.NFTs.Poll(ctx, nil)
			return err
		})
	}
	if a.Stripe {
		go runSchedule(ctx, logger, "stripe-order-sync", dailyAt(2), func(ctx context.Context) error {
			_, err := a.Orders.Reconcile(ctx, nil)
			return err
		})
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	base := "http://" + ln.Addr().String()
	if a.NFTs.SiteOrigin == nil {
		if a.NFTs.SiteOrigin, err = ownOrigin(*addr, ln.Addr()); err != nil {
			return fmt.Errorf("serve: %w", err)
		}
	}

	// The transport's own parts: tokens verified here, the in-process (or
	// SQS) queue, the embedded web dashboard.
	srv := a.HTTPServer(getenv)
	srv.Refresh, srv.Verifier, srv.Static = refresh, verifier, static

	fmt.Fprintf(stdout, "Serving the dashboard API on %s (store: %s)\n", base, where)
	if staticFrom != "" {
		fmt.Fprintf(stdout, "Web dashboard at %s/ (%s)\n", base, staticFrom)
	} else {
		fmt.Fprintln(stdout, "Web dashboard: none in this binary, built before the web dashboard was: run `make web`, then rebuild (or `make run`)")
	}
	if *withDemo {
		if err := demo.Seed(ctx, store, time.Now()); err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		tok, err := auth.Sign([]byte(secret), auth.Claims{
			UserID: demo.Member.UserID, Email: demo.Member.Email, Role: demo.Member.Role, DisplayName: demo.Member.DisplayName,
			Issuer: authCfg.Issuer, Audience: audience(authCfg.Audience),
		}, time.Now(), 12*time.Hour)
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		fmt.Fprintf(stdout, "Demo member %s is ready.\n  Sign in:  %s/#demo-token=%s\n  Token:    %s\n  Try:      curl -H 'Authorization: Bearer %s' %s/dashboard/profile\n",
			demo.Member.UserID, base, tok, tok, tok, base)
	}

	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	return nil
}

// serveGCPercent is serve's garbage-collector target when GOGC is not set:
// the heap may grow to five times what is live before a collection, not
// twice. serve's live heap is small (the embedded store is mapped, not on
// the heap), so this costs a few MiB, and the read routes, which allocate
// per request, spend markedly less time collecting: the orders list gained
// about 7 points of its ceiling in `make bench`. GOGC (any value, "off"
// included) overrides it, and GOMEMLIMIT caps the heap as usual.
const serveGCPercent = 400

// gcDefault applies serveGCPercent unless the environment sets GOGC.
func gcDefault(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
}

// embeddedWeb is web.Dist, a variable so that tests can serve what the
// binary of a fresh clone (or of a web build) embeds, whatever web/dist holds
// when they run.
var embeddedWeb = web.Dist

// webDashboard returns the handler of "/" and where its files come from, for
// the start-up line ("" when this binary has no dashboard to serve): the
// dashboard embedded in the binary (package web), or with --web the built
// folder dir, read from disk on each request so that a web rebuild needs no Go
// rebuild. A --web folder with no index.html is a mistake and an error, not a
// silently empty "/".
func webDashboard(dir string) (static http.Handler, from string, err error) {
	if dir != "" {
		fsys := os.DirFS(dir)
		if !web.Built(fsys) {
			return nil, "", fmt.Errorf("--web %s: no index.html there (build the web dashboard with `make web`)", dir)
		}
		return web.Handler(fsys), "from " + dir, nil
	}
	dist, ok := embeddedWeb()
	if !ok {
		return web.Handler(dist), "", nil
	}
	return web.Handler(dist), "embedded in the binary", nil
}

// ownOrigin is SITE_ORIGIN's default for `serve`: http://<--addr>, with the
// port the listener got (for --addr host:0) and "localhost" for a wildcard
// host (":8080", "0.0.0.0:8080"), which no browser can visit.
func ownOrigin(addr string, bound net.Addr) (*url.URL, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("--addr %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	if tcp, ok := bound.(*net.TCPAddr); ok {
		port = strconv.Itoa(tcp.Port)
	}
	return nfts.ParseSiteOrigin("http://" + net.JoinHostPort(host, port))
}

func randomSecret() string {
	var b [32]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
