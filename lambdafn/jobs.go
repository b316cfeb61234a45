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
// of the refresh queue, syncing members from Stripe and the marketplace.
func RefreshWorker(ctx context.Context, f *Function) (SQSHandler, error) {
	a, err := f.App(ctx)
	if err != nil {
		return nil, err
	}
	return f.SQSWorker(a.Refresh), nil
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

// NFTPoll is the builder of the nft-sync function, the hourly poll of every
// member's wallet. Without a marketplace configured the cold start fails.
func NFTPoll(ctx context.Context, f *Function) (ScheduleHandler, error) {
	a, err := f.App(ctx)
	if err != nil {
		return nil, err
	}
	if !a.Market {
		return nil, errors.New("lambdafn: NFT_PROVIDER is not set; the poll has nothing to read")
	}
	return f.Scheduled(obs.MetricSyncFailures, PollJob(f, a)), nil
}

// SQSWorker returns the refresh queue's consumer: queue.HandleBatch with h,
// answering with the batch item failures so that SQS redelivers only the
// messages whose sync failed (the event source mapping must enable
// ReportBatchItemFailures). It never fails the whole invocation, which
// would redeliver the batch's successes too. It counts the batch's messages
// as SyncProcessed and its failures as SyncFailures.
func (f *Function) SQSWorker(h dashboard.RefreshHandler) SQSHandler {
	return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		start := time.Now()
		ctx = withInvocation(ctx)
		resp := queue.HandleBatch(ctx, ev, h)
		f.Metrics.Count(obs.MetricSyncProcessed, float64(len(ev.Records)))
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

// PollJob runs the NFT poll (nfts.Poll) and counts its members:
// SyncProcessed for those synced, SyncFailures for those that failed. A
// member's failure does not fail the poll (the next hour retries it); only
// a poll that could not run at all does.
func PollJob(f *Function, a *app.App) Job {
	return func(ctx context.Context) error {
		res, err := a.NFTs.Poll(ctx, nil)
		if res != nil {
			f.Metrics.Count(obs.MetricSyncProcessed, float64(res.Synced))
			f.Metrics.Count(obs.MetricSyncFailures, float64(res.Failed))
			f.Logger.InfoContext(ctx, "NFT poll finished", slog.Int("members", res.Synced),
				slog.Int("failed", res.Failed), slog.Int("added", res.Added), slog.Int("removed", res.Removed))
		}
		return err
	}
}
