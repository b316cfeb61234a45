package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/internal/stripetest"
	"github.com/thebabesclub/dashboard/marketplace"
	"github.com/thebabesclub/dashboard/nfts"
	"github.com/thebabesclub/dashboard/orders"
	"github.com/thebabesclub/dashboard/stripe"
)

// jobResult is one job over the full club.
type jobResult struct {
	name    string
	unit    string // what items counts
	items   int
	elapsed time.Duration
	dynamo  *meterCount // nil when the job ran in another process
	// upstream counts the calls to the outside system and says which.
	upstream string
	note     string
}

// jobs runs the jobs over the full club, each within cfg.JobBudget: the
// holders of the popular collection, the reconciliation, the per-member
// Stripe sync, the NFT poll, and last the Stripe members' walk and `sync
// stripe --all`.
func (h *harness) jobs(ctx context.Context, cfg Config, ms []member, env []string, stderr io.Writer) ([]jobResult, error) {
	var out []jobResult
	budget := func() (context.Context, context.CancelFunc) { return cfg.jobContext(ctx) }

	// The operator's view of the collection index.
	jctx, cancel := budget()
	before, started := h.meter.read(), time.Now()
	holders := 0
	err := h.store.EachHolder(jctx, popular, func(dashboard.Holder) error { holders++; return nil })
	cancel()
	out = append(out, jobResult{name: "holders of " + popular + " (EachHolder, GSI3)", unit: "holdings", items: holders,
		elapsed: time.Since(started), dynamo: h.since(before), note: stopped(err)})
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return nil, fmt.Errorf("holders: %w", err)
	}

	// Stripe: the day's new Checkout Sessions, after the club's present.
	fake := stripetest.Start()
	defer fake.Close()
	sessions := checkoutSessions(cfg.Sessions, ms, h.asOf)
	fake.AddSession(sessions...)
	payments, err := stripe.New(stripe.Config{SecretKey: "sk_test_scale", APIBase: fake.URL(), MaxRPS: -1})
	if err != nil {
		return nil, err
	}
	svc := &orders.Service{Store: h.store, Payments: payments, Cursors: h.cursors, Logger: h.logger,
		Now: func() time.Time { return h.asOf.Add(3 * time.Hour) }}
	// Last night's run ended at the club's present, as in a club that has
	// been running: tonight's covers the sessions since.
	if err := h.plain.SetWatermark(ctx, orders.WatermarkName, h.asOf); err != nil {
		return nil, err
	}
	jctx, cancel = budget()
	fake.ResetCalls()
	before, started = h.meter.read(), time.Now()
	res, err := svc.Reconcile(jctx, nil)
	cancel()
	r := jobResult{name: "reconciliation (orders.Service.Reconcile)", unit: "sessions", elapsed: time.Since(started), dynamo: h.since(before),
		upstream: fmt.Sprintf("%d Stripe list calls", fake.Calls("/v1/checkout/sessions"))}
	if res != nil {
		r.items = res.Synced
		r.note = fmt.Sprintf("%d created, %d unresolved", res.Created, res.Unresolved)
	}
	r.note = join(r.note, stopped(err))
	out = append(out, r)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return nil, fmt.Errorf("reconcile: %w", err)
	}

	// The per-member step of `sync stripe --all` and of a queued refresh,
	// in this process so its DynamoDB calls are counted: members with a
	// Stripe customer, spread over the club.
	var customers []string
	for _, m := range ms {
		if m.StripeCustomerID != "" {
			customers = append(customers, m.UserID)
		}
	}
	step := max(1, len(customers)/memberSyncs(cfg))
	jctx, cancel = budget()
	fake.ResetCalls()
	before, started = h.meter.read(), time.Now()
	r = jobResult{name: "member sync (orders.Service.SyncMemberIncremental)", unit: "members"}
	for i := 0; i < len(customers) && r.items < memberSyncs(cfg) && jctx.Err() == nil; i += step {
		if _, err := svc.SyncMemberIncremental(jctx, customers[i]); err != nil {
			if jctx.Err() != nil {
				break
			}
			cancel()
			return nil, fmt.Errorf("member sync: %w", err)
		}
		r.items++
	}
	r.elapsed, r.dynamo = time.Since(started), h.since(before)
	r.upstream = fmt.Sprintf("%d Stripe list calls", fake.Calls("/v1/checkout/sessions"))
	r.note = stopped(jctx.Err())
	cancel()
	out = append(out, r)

	// The NFT poll, against a marketplace that holds what the club holds.
	t := &tb{}
	defer t.cleanup()
	market := markettest.NewOpenSea(t)
	jctx, cancel = budget()
	wallets, err := h.marketHoldings(jctx, ms, market)
	cancel()
	if err != nil {
		return nil, err
	}
	m, err := marketplace.New(marketplace.Config{Provider: "opensea", BaseURL: market.URL(), APIKey: market.APIKey(), MaxRPS: -1, Logger: h.logger})
	if err != nil {
		return nil, err
	}
	// The poll as AWS runs it: nft-sync's plan (one unit per wallet
	// shard), each unit an order-refresh invocation with the worker's
	// deadline, queuing its continuation when it runs out of time. The
	// units run one after another here; on AWS they run side by side.
	units := &unitQueue{}
	failures := map[string]int{}
	// The real clock: a unit's deadline is real time, and the club was
	// seeded (and its markers set) at asOf, before the poll starts.
	poll := &nfts.Service{Store: h.store, Market: m, Cursors: h.cursors, Logger: h.logger, ChainID: 1,
		Continuations: units, OnPollFailure: func(class string) { failures[class]++ }}
	jctx, cancel = budget()
	before, started = h.meter.read(), time.Now()
	calls := market.Calls()
	pres := &nfts.SyncResult{}
	units.reqs = nfts.PollRequests(time.Now())
	invocations, slowest := 0, time.Duration(0)
	for len(units.reqs) > 0 && jctx.Err() == nil {
		if dl, ok := jctx.Deadline(); ok && time.Until(dl) < time.Minute {
			// Too little of the job's budget is left for a unit to sync
			// anyone (it keeps its last 30 s free): the job stops here.
			err = context.DeadlineExceeded
			break
		}
		unit := units.reqs[0]
		units.reqs = units.reqs[1:]
		uctx, ucancel := context.WithTimeout(jctx, pollWorkerTimeout)
		ustart := time.Now()
		res, uerr := poll.PollUnit(uctx, unit, nil)
		ucancel()
		invocations++
		slowest = max(slowest, time.Since(ustart))
		if res != nil {
			pres.Merge(*res)
		}
		if uerr != nil {
			err = uerr
			failures["unit: "+nfts.FailureClass(uerr)]++
		}
	}
	if err == nil {
		err = jctx.Err()
	}
	cancel()
	r = jobResult{name: "NFT poll (16 shard units, nfts.Service.PollUnit)", unit: "members", elapsed: time.Since(started), dynamo: h.since(before),
		upstream: fmt.Sprintf("%d marketplace calls", market.Calls()-calls)}
	r.items = pres.Synced + pres.Failed
	r.note = fmt.Sprintf("%d wallets; %d invocations (slowest %s); %d failed%s, %d skipped, %d added, %d updated, %d removed",
		wallets, invocations, slowest.Round(time.Millisecond), pres.Failed, failureClasses(failures), pres.Skipped, pres.Added, pres.Updated, pres.Removed)
	r.note = join(r.note, stopped(err))
	out = append(out, r)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return nil, fmt.Errorf("poll: %w", err)
	}

	// Last, the walk `sync stripe --all` finds its members with (a Scan
	// of the sparse GSI1 index, not of the table), and the command itself.
	jctx, cancel = budget()
	before, started = h.meter.read(), time.Now()
	walked := 0
	err = h.store.EachStripeMember(jctx, func(string, string) error { walked++; return nil })
	cancel()
	out = append(out, jobResult{name: "Stripe members (EachStripeMember: GSI1 Scan, under `sync stripe --all`)", unit: "members", items: walked,
		elapsed: time.Since(started), dynamo: h.since(before), note: stopped(err)})
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return nil, fmt.Errorf("each stripe member: %w", err)
	}

	// `dashboard sync stripe --all`, the binary, against the same fake.
	fake.ResetCalls()
	r, err = h.syncAll(ctx, cfg, env, fake)
	if err != nil {
		return nil, err
	}
	r.upstream = fmt.Sprintf("%d Stripe list calls", fake.Calls("/v1/checkout/sessions"))
	out = append(out, r)
	return out, nil
}

// pollWorkerTimeout is the deadline of one poll unit: order-refresh's
// timeout (infra's refreshWorkerTimeout).
const pollWorkerTimeout = 3 * time.Minute

// unitQueue is the refresh queue as the poll's units use it here: the
// units left to run, continuations appended as they are queued.
type unitQueue struct{ reqs []dashboard.RefreshRequest }

// Enqueue appends r.
func (q *unitQueue) Enqueue(_ context.Context, r dashboard.RefreshRequest) error {
	q.reqs = append(q.reqs, r)
	return nil
}

// failureClasses formats the poll's failures by class, " (class: n, ...)"
// in class order, or "" when none failed, so the report names each cause.
func failureClasses(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	var parts []string
	for _, class := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s: %d", class, m[class]))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// since is what the meter counted after before.
func (h *harness) since(before meterCount) *meterCount {
	d := h.meter.read().sub(before)
	return &d
}

// memberSyncs is how many members the member-sync job syncs.
func memberSyncs(cfg Config) int {
	if cfg.Quick {
		return 300
	}
	return 2_000
}

// stopped says a job ran out of its budget.
func stopped(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "stopped at the budget"
	}
	return ""
}

func join(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "; " + b
}

// checkoutSessions are n paid sessions created in the two hours after the
// club's present, of members spread over the club: half name the member
// (metadata.userId), three in ten only their Stripe customer, two in ten
// only their email, as guest checkouts do.
func checkoutSessions(n int, ms []member, asOf time.Time) []stripetest.Session {
	out := make([]stripetest.Session, 0, n)
	for k := range n {
		m := ms[(k*7919)%len(ms)]
		created := asOf.Add(time.Minute + time.Duration(k)*2*time.Hour/time.Duration(n))
		s := stripetest.NewSession(fmt.Sprintf("cs_live_scale%019d", k), created).
			WithItem("Babes Club Tee — Pink", 1+int64(k%2), 3500).Paid()
		switch {
		case k%10 < 5:
			s = s.WithUserID(m.UserID)
			if m.StripeCustomerID != "" {
				s = s.WithCustomer(m.StripeCustomerID)
			}
		case k%10 < 8 && m.StripeCustomerID != "":
			s = s.WithCustomer(m.StripeCustomerID)
		default:
			s = s.WithEmail(m.Email)
		}
		out = append(out, s)
	}
	return out
}

var syncSummary = regexp.MustCompile(`members: (\d+) synced, (\d+) failed; sessions: (\d+) processed`)

// syncAll runs `dashboard sync stripe --all` against the Stripe fake with
// the rate limiter out of the way (it measures this side; live Stripe's
// limit is in docs/scale.md), interrupted at the budget as an operator's
// Ctrl-C would, and reads its summary.
func (h *harness) syncAll(ctx context.Context, cfg Config, env []string, fake *stripetest.Server) (jobResult, error) {
	jctx, cancel := cfg.jobContext(ctx)
	defer cancel()
	cmd := exec.CommandContext(jctx, cfg.Dashboard, "sync", "stripe", "--all")
	cmd.Env = append(os.Environ(), env...)
	cmd.Env = append(cmd.Env, "STRIPE_SECRET=sk_test_scale", "STRIPE_API_BASE="+fake.URL(), "STRIPE_MAX_RPS=1000000")
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = time.Minute
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	started := time.Now()
	err := cmd.Run()
	r := jobResult{name: "`dashboard sync stripe --all` (the binary)", unit: "members", elapsed: time.Since(started)}
	m := syncSummary.FindStringSubmatch(out.String())
	if m == nil {
		return r, fmt.Errorf("sync stripe --all: %v: %s%s", err, out.String(), tail(errOut.String()))
	}
	synced, _ := strconv.Atoi(m[1])
	failed, _ := strconv.Atoi(m[2])
	r.items = synced + failed
	r.note = fmt.Sprintf("%s sessions seen, %d failed", m[3], failed)
	if jctx.Err() != nil {
		r.note = join(r.note, "stopped at the budget")
	} else if err != nil {
		return r, fmt.Errorf("sync stripe --all: %w: %s%s", err, out.String(), tail(errOut.String()))
	}
	return r, nil
}

func tail(s string) string {
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}

// marketHoldings gives the marketplace fake every wallet's NFTs as the
// club holds them (read through the collection index), in the shape the
// OpenSea adapter maps back to the stored holding; it returns how many
// wallets hold any.
func (h *harness) marketHoldings(ctx context.Context, ms []member, market *markettest.Server) (int, error) {
	collections := map[string]bool{}
	for _, m := range ms {
		for _, c := range m.Collections {
			collections[c] = true
		}
	}
	byWallet := map[string][]markettest.NFT{}
	for c := range collections {
		err := h.plain.EachHolder(ctx, c, func(x dashboard.Holder) error {
			hd := x.Holding
			n := markettest.NFT{Contract: hd.ContractAddress, TokenID: hd.TokenID, Collection: hd.CollectionID,
				Name: hd.TokenName, ImageURL: hd.ImageURL, ThumbnailURL: hd.ThumbnailURL}
			n.CollectionName, _ = hd.Metadata["collectionName"].(string)
			n.Standard, _ = hd.Metadata["tokenStandard"].(string)
			traits, _ := hd.Metadata["traits"].([]any)
			for _, t := range traits {
				if tm, ok := t.(map[string]any); ok {
					typ, _ := tm["trait_type"].(string)
					n.Traits = append(n.Traits, markettest.Trait{Type: typ, Value: tm["value"]})
				}
			}
			w := strings.ToLower(hd.Wallet)
			byWallet[w] = append(byWallet[w], n)
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("read holders of %s: %w", c, err)
		}
	}
	for w, list := range byWallet {
		market.SetHoldings(w, list)
	}
	return len(byWallet), nil
}

// tb lets the test fakes that start inside a test start in this binary:
// it keeps their cleanups and fails loudly on the rest.
type tb struct {
	testing.TB
	cleanups []func()
}

func (t *tb) Helper()             {}
func (t *tb) Cleanup(f func())    { t.cleanups = append(t.cleanups, f) }
func (t *tb) Name() string        { return "scale" }
func (t *tb) Logf(string, ...any) {}
func (t *tb) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf("scale: "+format, args...))
}
func (t *tb) Fatal(args ...any) { panic(fmt.Sprint(append([]any{"scale: "}, args...)...)) }

func (t *tb) cleanup() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}
