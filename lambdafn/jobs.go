package lambdafn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/app"
	"github.com/thebabesclub/dashboard/obs"
	"github.com/thebabesclub/dashboard/queue"
)

// SQSHandler handles SQS event source batches with partial batch responses.
type SQSHandler func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)

// ScheduleHandler handles EventBridge (CloudWatch Events) scheduled events.
type ScheduleHandler func(context.Context, events.EventBridgeEvent) error

// Job is a scheduled job's work.
type Job func(ctx context.Context) error

// RefreshWorker is the builder of the order-refresh function: the consumer
// of the refresh queue, syncing members from Stripe and the marketplace,
// filing reconciliation windows and polling the NFT poll's shards. A poll
// unit or window that runs out of time queues its continuation on the
// refresh queue (REFRESH_QUEUE_URL); without the variable it fails instead
// and SQS delivers it again whole (a unit skips the members already synced,
// a window resumes from its checkpoint), so the worker still starts, with a
// warning.
func RefreshWorker(ctx context.Context, f *Function) (SQSHandler, error) {
	a, err := f.App(ctx)
	if err != nil {
		return nil, err
	}
	// A poll unit or a reconciliation window that runs out of time queues
	// its continuation on the refresh queue it came from.
	if f.getenv("REFRESH_QUEUE_URL") != "" {
		q, err := queue.NewSQSFromEnv(ctx)
		if err != nil {
			return nil, fmt.Errorf("lambdafn: the worker queues continuations: %w", err)
		}
		a.NFTs.Continuations, a.Orders.Continuations = q, q
	} else {
		f.Logger.WarnContext(ctx, "REFRESH_QUEUE_URL is not set: an NFT poll unit or reconciliation window that runs out of time is retried whole")
	}
	return f.SQSWorker(refreshHandler(f, a)), nil
}

// refreshHandler is the worker's handler: the app's (app.App.Refresh),
// except that an NFT poll unit also counts its failed members as
// SyncFailures (one message can be hundreds of members, of whom a few
// failing does not fail the message: the next hour retries them) and logs
// its totals. A reconciliation window counts its sessions (reconcileWindow).
func refreshHandler(f *Function, a *app.App) dashboard.RefreshHandler {
	return func(ctx context.Context, r dashboard.RefreshRequest) error {
		if r.Kind == dashboard.ReconcileKind {
			return reconcileWindow(ctx, f, a, r)
		}
		if r.Kind != dashboard.PollKind || !a.Market {
			return a.Refresh(ctx, r)
		}
		res, err := a.NFTs.PollUnit(ctx, r, nil)
		if res != nil {
			f.Metrics.Count(obs.MetricSyncFailures, float64(res.Failed))
			f.Logger.InfoContext(ctx, "NFT poll unit finished", slog.String("runId", r.RunID), slog.String("shard", r.Shard),
				slog.Int("members", res.Synced), slog.Int("skipped", res.Skipped), slog.Int("failed", res.Failed),
				slog.Int("added", res.Added), slog.Int("removed", res.Removed))
		}
		return err
	}
}

// reconcileWindow files one reconciliation window and counts its sessions
// as the reconciliation did before it was split into windows: the sessions
// it looked at as SyncProcessed (in place of its message, see SQSWorker),
// and SyncCreated, SyncUpdated and SyncUnresolved.
func reconcileWindow(ctx context.Context, f *Function, a *app.App, r dashboard.RefreshRequest) error {
	res, err := a.Orders.ReconcileWindow(ctx, dashboard.ReconcileWindow{RunID: r.RunID, From: r.From, To: r.To})
	if res != nil {
		f.Metrics.Count(obs.MetricSyncProcessed, float64(res.Synced))
		f.Metrics.Count(obs.MetricSyncCreated, float64(res.Created))
		f.Metrics.Count(obs.MetricSyncUpdated, float64(res.Updated))
		f.Metrics.Count(obs.MetricSyncUnresolved, float64(res.Unresolved))
	}
	return err
}

// OrderReconciliation is the builder of the stripe-order-sync function, the
// planner of the nightly reconciliation of Stripe's Checkout Sessions: it
// cuts the span since the watermark into windows and queues one message
// per window on the refresh queue, whose worker (order-refresh) files
// them. It calls no Stripe API itself, so it holds no Stripe key: it
// needs STRIPE_ENABLED (or a key) and REFRESH_QUEUE_URL. Without them the
// cold start fails, because a schedule that can only fail every night is
// a deployment error.
func OrderReconciliation(ctx context.Context, f *Function) (ScheduleHandler, error) {
	a, err := f.App(ctx)
	if err != nil {
		return nil, err
	}
	if !a.Stripe {
		return nil, errors.New("lambdafn: Stripe is not enabled (STRIPE_ENABLED or STRIPE_SECRET); the reconciliation has nothing to plan")
	}
	q, err := queue.NewSQSFromEnv(ctx)
	if err != nil {
		return nil, fmt.Errorf("lambdafn: the reconciliation queues its windows: %w", err)
	}
	return f.Scheduled(obs.MetricReconciliationFailures, ReconcileJob(f, a, q)), nil
}

// NFTPoll is the builder of the nft-sync function, the planner of the
// hourly poll of every member's wallet: it queues one message per wallet
// shard on the refresh queue, whose worker (order-refresh) polls the
// shard's members. It calls no marketplace itself, so it holds no
// marketplace key: it needs NFT_ENABLED (or NFT_PROVIDER) and
// REFRESH_QUEUE_URL. Without them the cold start fails, because a schedule
// that can only fail every hour is a deployment error.
func NFTPoll(ctx context.Context, f *Function) (ScheduleHandler, error) {
	a, err := f.App(ctx)
	if err != nil {
		return nil, err
	}
	if !a.Market {
		return nil, errors.New("lambdafn: no marketplace is enabled (NFT_ENABLED or NFT_PROVIDER); the poll has nothing to plan")
	}
	q, err := queue.NewSQSFromEnv(ctx)
	if err != nil {
		return nil, fmt.Errorf("lambdafn: the NFT poll queues its shards: %w", err)
	}
	return f.Scheduled(obs.MetricSyncFailures, PollJob(f, a, q)), nil
}

// SQSWorker returns the refresh queue's consumer: queue.HandleBatch with h,
// answering with the batch item failures so that SQS redelivers only the
// messages whose sync failed (the event source mapping must enable
// ReportBatchItemFailures). It never fails the whole invocation, which
// would redeliver the batch's successes too. It counts the batch's messages
// as SyncProcessed — but for reconciliation windows, whose handler counts
// the sessions they looked at instead — and its failures as SyncFailures.
func (f *Function) SQSWorker(h dashboard.RefreshHandler) SQSHandler {
	return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		start := time.Now()
		ctx = withInvocation(ctx)
		resp := queue.HandleBatch(ctx, ev, h)
		messages := 0
		for _, m := range ev.Records {
			if r, err := queue.ParseMessage(m.Body); err != nil || r.Kind != dashboard.ReconcileKind {
				messages++
			}
		}
		f.Metrics.Count(obs.MetricSyncProcessed, float64(messages))
		f.Metrics.Count(obs.MetricSyncFailures, float64(len(resp.BatchItemFailures)))
		f.finish(ctx, start, false)
		return resp, nil
	}
}

// Scheduled returns the handler of a scheduled job. The job's error (or
// panic) fails the invocation, so Lambda's own error metric, our Errors
// metric and the failure metric named failure (ReconciliationFailures,
// SyncFailures) all see it and the alarms fire; the returned message is
// redacted like a log line, because Lambda logs it as it is.
func (f *Function) Scheduled(failure string, job Job) ScheduleHandler {
	return func(ctx context.Context, _ events.EventBridgeEvent) (err error) {
		start := time.Now()
		ctx = withInvocation(ctx)
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v", p)
			}
			f.Metrics.Count(failure, boolCount(err != nil))
			f.finish(ctx, start, err != nil)
			if err != nil {
				f.Logger.ErrorContext(ctx, "scheduled job failed", slog.String("function", f.Name), slog.Any("error", err))
				err = fmt.Errorf("%s failed: %s", f.Name, obs.RedactString(err.Error()))
			}
		}()
		return job(ctx)
	}
}

// ReconcileJob plans the Stripe reconciliation (orders.PlanReconciliation,
// which logs its plan) and queues its windows on q. It counts the windows
// queued as SyncProcessed, and the previous run's windows that never got
// done as ReconciliationFailures, so the alarm fires the morning after a
// window failed for good (it is in the dead-letter queue; this run covers
// its span again).
func ReconcileJob(f *Function, a *app.App, q dashboard.RefreshQueue) Job {
	return func(ctx context.Context) error {
		plan, err := a.Orders.PlanReconciliation(ctx, q)
		if plan != nil {
			f.Metrics.Count(obs.MetricSyncProcessed, float64(len(plan.Windows)))
			f.Metrics.Count(obs.MetricReconciliationFailures, float64(plan.Unfinished))
		}
		return err
	}
}

// PollJob plans the NFT poll (nfts.Service.PlanPoll): one unit per wallet
// shard queued on q, counted as SyncProcessed. The members are synced by
// the refresh queue's worker, which counts their failures; the plan fails
// only when it could not queue every unit (the next hour plans again).
func PollJob(f *Function, a *app.App, q dashboard.RefreshQueue) Job {
	return func(ctx context.Context) error {
		n, err := a.NFTs.PlanPoll(ctx, q)
		f.Metrics.Count(obs.MetricSyncProcessed, float64(n))
		return err
	}
}
