package orders

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// Defaults of the reconciliation's windows (ReconcileOptions).
const (
	// DefaultReconcileWindow is a window's length. An hour of a club's
	// sessions is a few pages of Stripe's listing even on a busy night, so
	// one window usually finishes inside one worker invocation
	// (order-refresh: 3 minutes, a batch of 5 messages), and a nightly run
	// (25 hours with the overlap) is 25 windows.
	DefaultReconcileWindow = time.Hour
	// DefaultMaxReconcileWindows caps a run's windows: a backlog longer
	// than 30 days of hourly windows is cut into this many longer ones, so
	// a first run (from ReconcileEpoch) or a month-long outage is still a
	// bounded plan. A longer window still completes: a queued window that
	// runs out of time having filed sessions queues itself again
	// (Service.Continuations) and resumes from its checkpoint, in as many
	// invocations as it needs; SQS's receive limit counts only deliveries
	// that made no progress.
	DefaultMaxReconcileWindows = 720
	// DefaultReconcileResumeWithin is how long after planning a run whose
	// windows are not all done is taken to be still in flight: the refresh
	// queue's maxReceiveCount (5) times its visibility timeout (6 ×
	// order-refresh's 3 minutes), the longest a window's message keeps
	// being retried before the dead-letter queue takes it (infra/stack.go).
	// A plan within it resumes that run instead of planning a new one
	// (PlanReconciliation).
	DefaultReconcileResumeWithin = 90 * time.Minute
)

// ReconcileEpoch is where a first reconciliation (no watermark yet)
// starts: before Stripe introduced Checkout Sessions, so it covers every
// session an account can have.
var ReconcileEpoch = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)

// checkpointEvery is how many sessions a window files between two
// checkpoints: one page of Stripe's listing, so a retry resumes at the
// first page that was not finished and re-reads nothing before it.
const checkpointEvery = 100

// errWindowDone stops a window's listing when another delivery of the
// same window has marked it done.
var errWindowDone = errors.New("orders: the window is already done")

// windowDeadlineMargin is kept free before a worker's deadline: a window
// stops listing that much earlier, so its checkpoint is written, its
// continuation queued and the batch answered before Lambda ends the
// invocation.
const windowDeadlineMargin = 10 * time.Second

// minWindowSlice is the least time a queued window starts with besides
// windowDeadlineMargin: with less left (the windows before it in the
// batch used the invocation up), it is queued again untouched rather than
// started, so it neither counts an attempt nor spends one of SQS's
// receives on nothing.
const minWindowSlice = 20 * time.Second

// errOutOfTime stops a window's listing windowDeadlineMargin before its
// context's deadline.
var errOutOfTime = errors.New("orders: the window ran out of time")

// ReconcileOptions tunes the reconciliation's plan; zero fields take the
// defaults above.
type ReconcileOptions struct {
	Window     time.Duration
	MaxWindows int
	// Epoch is where a first run starts (default ReconcileEpoch).
	Epoch time.Time
	// ResumeWithin is DefaultReconcileResumeWithin unless set.
	ResumeWithin time.Duration
}

// ReconcilePlan is what planning a run did.
type ReconcilePlan struct {
	Run dashboard.ReconcileRun
	// Windows are the run's windows, in order.
	Windows []dashboard.ReconcileWindow
	// Watermark is the watermark after advancing it over the previous run.
	Watermark time.Time
	// PreviousRunID names the previous run, and Unfinished counts its
	// windows that are not done: they are covered again by this run.
	PreviousRunID string
	Unfinished    int
	// Resumed says that Run is the previous run, planned less than
	// ResumeWithin ago with windows not done: Windows are those, queued
	// again under its id (a retried or repeated plan), and Unfinished is 0
	// because they are not failures yet.
	Resumed bool
}

// PlanReconciliation is the scheduled job on AWS (stripe-order-sync): it
// advances the watermark over the previous run's done windows, plans a run
// over [watermark − ReconcileOverlap, now) (from Epoch on the first run),
// records it, and sends one RECONCILE request per window through q, which
// the queue's workers (order-refresh) process with ReconcileWindow. It
// reads nothing from Stripe. A window that fails fails only its own
// message; the next run starts where the done windows stop, so a failed
// window is covered again.
//
// If the previous run was planned less than ResumeWithin ago and has
// windows not done — Lambda retrying a planner that failed part-way, or an
// operator planning again while windows are queued — those windows are
// still in flight, not failed: the plan resumes that run, queuing its
// windows not done again under its id (a duplicate of a queued window
// finds it done, or resumes from its checkpoint), instead of counting
// them as failures and queuing the same span under a new id.
func (s *Service) PlanReconciliation(ctx context.Context, q dashboard.RefreshQueue) (*ReconcilePlan, error) {
	plan, err := s.planReconciliation(ctx, true)
	if err != nil {
		return nil, err
	}
	for i, w := range plan.Windows {
		if err := q.Enqueue(ctx, w.Request()); err != nil {
			// The windows already sent still run; the ones not sent are
			// never done, so the watermark stops before them.
			return plan, fmt.Errorf("orders: queue window %d of %d: %w", i+1, len(plan.Windows), err)
		}
	}
	s.logger().InfoContext(ctx, "reconciliation planned", slog.String("runId", plan.Run.ID), slog.Int("windows", len(plan.Windows)),
		slog.Time("from", plan.Run.From), slog.Time("to", plan.Run.To), slog.Int("previousUnfinished", plan.Unfinished),
		slog.Bool("resumed", plan.Resumed))
	return plan, nil
}

// Reconcile is the reconciliation in one process (`dashboard reconcile`,
// the schedule under `serve`): it plans a run as PlanReconciliation does,
// processes its windows one after another here, and advances the watermark
// over the done ones. A window that fails does not stop the others; the
// error then counts the failed windows, and the watermark stops at the
// first of them, so the next run covers it again (writing nothing twice).
// progress, if not nil, sees the run's totals after every session.
func (s *Service) Reconcile(ctx context.Context, progress Progress) (*SyncResult, error) {
	if s.Payments == nil {
		return &SyncResult{}, dashboard.Errorf(dashboard.EUNAVAILABLE, "Stripe is not configured (STRIPE_SECRET).")
	}
	plan, err := s.planReconciliation(ctx, false)
	if err != nil {
		return nil, err
	}
	total := &SyncResult{}
	resolve := s.newResolver()
	var failed []error
	for _, w := range plan.Windows {
		done := *total
		res, err := s.reconcileWindow(ctx, w, resolve, func(r *SyncResult) {
			if progress != nil {
				progress(done.plus(r))
			}
		})
		*total = total.plus(res)
		if err != nil {
			failed = append(failed, err)
			if ctx.Err() != nil {
				break
			}
		}
	}
	// The run's context may be what ended it: the watermark still moves
	// over the windows done, on a moment of its own, and the failed
	// windows' errors are kept.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	wm, unfinished, err := s.advanceWatermark(wctx, plan.Run)
	cancel()
	if err != nil {
		if len(failed) > 0 {
			err = errors.Join(fmt.Errorf("orders: reconcile: %d of %d windows failed: %w", len(failed), len(plan.Windows), errors.Join(failed...)), err)
		}
		return total, err
	}
	s.logger().InfoContext(ctx, "reconciliation finished", slog.String("runId", plan.Run.ID), slog.Int("windows", len(plan.Windows)),
		slog.Int("unfinished", unfinished), slog.Int("processed", total.Synced), slog.Int("created", total.Created),
		slog.Int("updated", total.Updated), slog.Int("unresolved", total.Unresolved), slog.Time("watermark", wm))
	if len(failed) > 0 {
		return total, fmt.Errorf("orders: reconcile: %d of %d windows failed: %w", len(failed), len(plan.Windows), errors.Join(failed...))
	}
	return total, nil
}

// ReconcileWindow files the sessions created in [w.From, w.To) under their
// owners: the refresh queue's handler of a RECONCILE request. It resumes
// after the window's checkpoint, writes a new one every page of sessions
// (and, when the listing fails, at the last session filed), and marks the
// window done at the end; a done window returns at once. So a retried
// window (SQS redelivery, the dead-letter queue's redrive, the in-process
// queue's retry) neither restarts nor files a session twice.
//
// When ctx has a deadline and s.Continuations is set, a window queues
// itself again and succeeds instead of failing in two cases: it stopped
// windowDeadlineMargin before the deadline having filed sessions (its
// checkpoint moved, so the next delivery resumes after them), or it was
// handed less than windowDeadlineMargin + minWindowSlice (then it does not
// start: no checkpoint read or written, no attempt counted). A window
// that ran out of time without filing anything fails, so a window that
// cannot progress still reaches the dead-letter queue after SQS's
// receives.
func (s *Service) ReconcileWindow(ctx context.Context, w dashboard.ReconcileWindow) (*SyncResult, error) {
	if s.Payments == nil {
		return &SyncResult{}, dashboard.Errorf(dashboard.EUNAVAILABLE, "Stripe is not configured (STRIPE_SECRET).")
	}
	deadline, limited := ctx.Deadline()
	if limited && s.Continuations != nil && s.timeLeft(deadline) < windowDeadlineMargin+minWindowSlice {
		if err := s.continueWindow(ctx, w); err != nil {
			return &SyncResult{}, err
		}
		s.logger().InfoContext(ctx, "reconciliation window deferred: too little time left", slog.String("runId", w.RunID), slog.Time("from", w.From))
		return &SyncResult{}, nil
	}
	res, err := s.reconcileWindow(ctx, w, s.newResolver(), nil)
	if !errors.Is(err, errOutOfTime) || res.Synced == 0 || s.Continuations == nil {
		return res, err
	}
	if qerr := s.continueWindow(ctx, w); qerr != nil {
		return res, errors.Join(err, qerr)
	}
	s.logger().InfoContext(ctx, "reconciliation window continues", slog.String("runId", w.RunID), slog.Time("from", w.From),
		slog.Int("processed", res.Synced))
	return res, nil
}

// continueWindow queues w again on s.Continuations, on a moment of its own
// (the margin kept it free; ctx may be spent).
func (s *Service) continueWindow(ctx context.Context, w dashboard.ReconcileWindow) error {
	qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.Continuations.Enqueue(qctx, w.Request()); err != nil {
		return fmt.Errorf("orders: queue the continuation of window %s: %w", w.From.UTC().Format(time.RFC3339), err)
	}
	return nil
}

// reconcileWindow is ReconcileWindow with the resolver (whose caches a
// run in one process shares across its windows) and a tick after every
// session with the window's running counts.
func (s *Service) reconcileWindow(ctx context.Context, w dashboard.ReconcileWindow, resolve *resolver, tick func(*SyncResult)) (*SyncResult, error) {
	res := &SyncResult{}
	cp, err := s.Store.ReconcileCheckpoint(ctx, w.RunID, w.From)
	if err != nil {
		return res, fmt.Errorf("orders: read window checkpoint: %w", err)
	}
	if cp == nil {
		cp = &dashboard.ReconcileCheckpoint{}
	}
	if cp.Done {
		return res, nil
	}
	base := *cp
	cp.ReconcileWindow = w
	cp.Attempts++
	deadline, limited := ctx.Deadline()
	if limited {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-windowDeadlineMargin))
		defer cancel()
	}
	save := func(ctx context.Context, done bool) error {
		cp.Done = done
		cp.Synced, cp.Created = base.Synced+res.Synced, base.Created+res.Created
		cp.Updated, cp.Unresolved = base.Updated+res.Updated, base.Unresolved+res.Unresolved
		cp.UpdatedAt = s.now()
		return s.Store.SaveReconcileCheckpoint(ctx, *cp)
	}
	started := s.now()
	last, unsaved := "", 0
	q := dashboard.SessionQuery{CreatedFrom: w.From, CreatedBefore: w.To, StartingAfter: cp.After}
	// With less than the margin left, nothing is listed: the attempt is
	// recorded and the window fails as out of time.
	err = errOutOfTime
	if !limited || s.timeLeft(deadline) >= windowDeadlineMargin {
		err = s.Payments.ListSessions(ctx, q, func(sess *dashboard.CheckoutSession) error {
			if limited && s.timeLeft(deadline) < windowDeadlineMargin {
				return errOutOfTime
			}
			if err := s.fileSession(ctx, sess, resolve, started, res); err != nil {
				return err
			}
			res.Synced++
			last, unsaved = sess.ID, unsaved+1
			if tick != nil {
				tick(res)
			}
			if unsaved < checkpointEvery {
				return nil
			}
			cp.After, unsaved = last, 0
			if err := save(ctx, false); err != nil {
				if dashboard.ErrorCode(err) == dashboard.EPRECONDITION {
					return errWindowDone
				}
				return err
			}
			return nil
		})
	}
	switch {
	case errors.Is(err, errWindowDone):
		// Another delivery of this window finished it meanwhile.
		return res, nil
	case err != nil:
		if errors.Is(ctx.Err(), context.DeadlineExceeded) && !errors.Is(err, errOutOfTime) {
			err = fmt.Errorf("%w: %w", errOutOfTime, err)
		}
		res.Errors++
		if last != "" {
			cp.After = last
		}
		// The attempt and its progress are recorded; the listing's context
		// may be why it failed, so the checkpoint gets a moment of its own.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if serr := save(sctx, false); serr != nil && dashboard.ErrorCode(serr) != dashboard.EPRECONDITION {
			s.logger().WarnContext(ctx, "could not checkpoint a failed window", slog.String("runId", w.RunID), slog.Any("error", serr))
		}
		cancel()
		return res, fmt.Errorf("orders: reconcile window %s: %w", w.From.UTC().Format(time.RFC3339), err)
	}
	cp.After = last
	// Done even if the listing used up the window's time: the margin
	// before the real deadline is for this write.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := save(dctx, true); err != nil && dashboard.ErrorCode(err) != dashboard.EPRECONDITION {
		return res, fmt.Errorf("orders: mark window done: %w", err)
	}
	s.logger().InfoContext(ctx, "reconciliation window done", slog.String("runId", w.RunID), slog.Time("from", w.From),
		slog.Int("processed", res.Synced), slog.Int("created", res.Created), slog.Int("updated", res.Updated),
		slog.Int("unresolved", res.Unresolved), slog.Int("attempt", cp.Attempts))
	return res, nil
}

// fileSession files one listed session under its owner, as every
// reconciliation does: an unresolvable session is counted and logged by
// id only, a session with more line items than the listing embeds is
// fetched whole first, and the upsert writes only what changed.
func (s *Service) fileSession(ctx context.Context, sess *dashboard.CheckoutSession, resolve *resolver, started time.Time, res *SyncResult) error {
	owner, err := resolve.owner(ctx, sess)
	if err != nil {
		return err
	}
	if owner == "" {
		res.Unresolved++
		s.logger().InfoContext(ctx, "unresolved checkout session", slog.String("orderId", sess.ID))
		return nil
	}
	if !sess.LineItemsComplete {
		if sess, err = s.Payments.Session(ctx, sess.ID); err != nil {
			return err
		}
	}
	r, err := s.upsert(ctx, owner, sess, evidence{StatusOfSession(sess), started})
	if err != nil {
		return err
	}
	res.count(r)
	return nil
}

// planReconciliation advances the watermark over the previous run, then
// plans and records a run from the watermark minus the overlap to now. With
// resume, a previous run planned less than ResumeWithin ago whose windows
// are not all done is returned instead, with those windows (Resumed).
func (s *Service) planReconciliation(ctx context.Context, resume bool) (*ReconcilePlan, error) {
	plan := &ReconcilePlan{}
	prev, err := s.Store.LatestReconcileRun(ctx)
	if err != nil {
		return nil, fmt.Errorf("orders: read the last reconciliation run: %w", err)
	}
	if prev != nil {
		plan.PreviousRunID = prev.ID
		wm, missing, err := s.advanceOver(ctx, *prev)
		if err != nil {
			return nil, err
		}
		if resume && len(missing) > 0 && s.now().Sub(prev.PlannedAt) < s.Reconciliation.resumeWithin() {
			s.logger().InfoContext(ctx, "the previous reconciliation is still in flight; resuming it",
				slog.String("runId", prev.ID), slog.Int("unfinished", len(missing)))
			plan.Run, plan.Windows, plan.Watermark, plan.Resumed = *prev, missing, wm, true
			return plan, nil
		}
		plan.Unfinished = len(missing)
		if plan.Unfinished > 0 {
			s.logger().WarnContext(ctx, "the previous reconciliation left windows unfinished; this run covers them again",
				slog.String("runId", prev.ID), slog.Int("unfinished", plan.Unfinished))
		}
	}
	if plan.Watermark, err = s.Store.Watermark(ctx, WatermarkName); err != nil {
		return nil, fmt.Errorf("orders: read watermark: %w", err)
	}
	now := s.now().Truncate(time.Second)
	from := s.Reconciliation.epoch()
	if !plan.Watermark.IsZero() {
		from = plan.Watermark.Add(-ReconcileOverlap)
	}
	run, err := s.Reconciliation.plan(from, now)
	if err != nil {
		return nil, err
	}
	run.PlannedAt = now
	if err := s.Store.SaveReconcileRun(ctx, run); err != nil {
		return nil, fmt.Errorf("orders: record the reconciliation run: %w", err)
	}
	plan.Run, plan.Windows = run, run.Windows()
	return plan, nil
}

// plan cuts [from, to) into windows. Bounds are whole seconds, Stripe's
// precision for created, so that consecutive windows neither overlap nor
// leave a second out.
func (o ReconcileOptions) plan(from, to time.Time) (dashboard.ReconcileRun, error) {
	from, to = from.UTC().Truncate(time.Second), to.UTC().Truncate(time.Second)
	if !from.Before(to) {
		return dashboard.ReconcileRun{}, fmt.Errorf("orders: nothing to reconcile between %s and %s", from, to)
	}
	size, most := o.Window, o.MaxWindows
	if size <= 0 {
		size = DefaultReconcileWindow
	}
	size = max(size.Truncate(time.Second), time.Second)
	if most <= 0 {
		most = DefaultMaxReconcileWindows
	}
	if span := to.Sub(from); span > size*time.Duration(most) {
		// Longer windows, in whole minutes, so the run keeps its cap.
		size = (span + time.Duration(most) - 1) / time.Duration(most)
		size = (size + time.Minute - 1).Truncate(time.Minute)
	}
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		return dashboard.ReconcileRun{}, fmt.Errorf("orders: run id: %w", err)
	}
	id := to.Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
	return dashboard.ReconcileRun{ID: id, From: from, To: to, Window: size}, nil
}

func (o ReconcileOptions) resumeWithin() time.Duration {
	if o.ResumeWithin <= 0 {
		return DefaultReconcileResumeWithin
	}
	return o.ResumeWithin
}

func (o ReconcileOptions) epoch() time.Time {
	if o.Epoch.IsZero() {
		return ReconcileEpoch
	}
	return o.Epoch
}

// advanceWatermark moves the watermark to the end of the longest run of
// done windows at the start of run — never past a window that is not done,
// and never backwards — and returns it with the number of run's windows
// not done.
func (s *Service) advanceWatermark(ctx context.Context, run dashboard.ReconcileRun) (time.Time, int, error) {
	wm, missing, err := s.advanceOver(ctx, run)
	return wm, len(missing), err
}

// advanceOver is advanceWatermark returning run's windows not done.
func (s *Service) advanceOver(ctx context.Context, run dashboard.ReconcileRun) (time.Time, []dashboard.ReconcileWindow, error) {
	cps, err := s.Store.ReconcileCheckpoints(ctx, run.ID)
	if err != nil {
		return time.Time{}, nil, fmt.Errorf("orders: read window checkpoints: %w", err)
	}
	done := map[int64]bool{}
	for _, c := range cps {
		if c.Done {
			done[c.From.UnixMilli()] = true
		}
	}
	var end time.Time
	var missing []dashboard.ReconcileWindow
	for _, w := range run.Windows() {
		switch {
		case !done[w.From.UnixMilli()]:
			missing = append(missing, w)
		case len(missing) == 0:
			end = w.To
		}
	}
	wm, err := s.Store.Watermark(ctx, WatermarkName)
	if err != nil {
		return time.Time{}, nil, fmt.Errorf("orders: read watermark: %w", err)
	}
	if end.After(wm) {
		if err := s.Store.SetWatermark(ctx, WatermarkName, end); err != nil {
			return time.Time{}, nil, fmt.Errorf("orders: advance watermark: %w", err)
		}
		wm = end
	}
	return wm, missing, nil
}

// plus is r with o's counts added.
func (r SyncResult) plus(o *SyncResult) SyncResult {
	if o == nil {
		return r
	}
	r.Synced += o.Synced
	r.Created += o.Created
	r.Updated += o.Updated
	r.Skipped += o.Skipped
	r.Unresolved += o.Unresolved
	r.Errors += o.Errors
	return r
}
