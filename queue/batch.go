package queue

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	dashboard "github.com/thebabesclub/dashboard"
)

// HandleBatch processes one SQS batch for the Lambda worker (and for
// SQS.Poll, so both run the same code) and reports partial batch failures:
// the returned BatchItemFailures name exactly the messages SQS must deliver
// again. The event source mapping must enable ReportBatchItemFailures, or
// Lambda ignores the response and a single failure retries the whole batch.
//
// The rules, in order:
//
//   - A malformed message (ParseMessage fails) is logged and dropped: it is
//     reported as a success so that SQS deletes it. Retrying cannot fix a
//     body our own producer wrote wrong, and letting it loop into the
//     dead-letter queue would drown the real signal there (syncs that failed
//     against a healthy-looking message). The log line carries the message id
//     and the reason, never the body, which may hold a wallet.
//   - Messages that ask for the same sync (same kind, member and wallet) run
//     once; every copy shares that run's outcome. This is the queue's part of
//     the collapse rule; the time window is the sync's part, which skips a
//     member synced moments ago.
//   - A handler error (or panic) fails every message of its group, so SQS
//     redelivers them after the visibility timeout and, past maxReceiveCount,
//     moves them to the dead-letter queue.
//   - Groups run one after another in the order they first appear. Once ctx
//     is done (the Lambda deadline is near), the groups not yet started are
//     reported as failures without calling h, so they are retried rather than
//     lost.
//
// Log lines go to slog.Default(), which the Lambda main sets up.
func HandleBatch(ctx context.Context, ev events.SQSEvent, h dashboard.RefreshHandler) events.SQSEventResponse {
	return handleBatch(ctx, ev, h, slog.Default())
}

// group is the set of messages in a batch that ask for the same sync.
type group struct {
	req dashboard.RefreshRequest
	ids []string
}

func handleBatch(ctx context.Context, ev events.SQSEvent, h dashboard.RefreshHandler, log *slog.Logger) events.SQSEventResponse {
	var order []string
	groups := map[string]*group{}
	for _, m := range ev.Records {
		r, err := ParseMessage(m.Body)
		if err != nil {
			log.ErrorContext(ctx, "queue: dropping malformed refresh message",
				"messageId", m.MessageId, "bodyBytes", len(m.Body),
				"reason", dashboard.ErrorMessage(err), "fields", dashboard.ErrorFields(err))
			continue
		}
		k := collapseKey(r)
		g, ok := groups[k]
		if !ok {
			g = &group{req: r}
			groups[k] = g
			order = append(order, k)
		}
		g.ids = append(g.ids, m.MessageId)
	}

	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for _, k := range order {
		g := groups[k]
		var err error
		if ctxErr := ctx.Err(); ctxErr != nil {
			err = fmt.Errorf("not started: %w", ctxErr)
		} else {
			err = runHandler(ctx, h, g.req)
		}
		if len(g.ids) > 1 {
			log.DebugContext(ctx, "queue: collapsed duplicate refresh messages", append(logAttrs(g.req), "messages", len(g.ids))...)
		}
		if err == nil {
			continue
		}
		log.WarnContext(ctx, "queue: refresh failed; messages left for redelivery",
			append(logAttrs(g.req), "messages", len(g.ids), "err", err.Error())...)
		for _, id := range g.ids {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: id})
		}
	}
	return resp
}

// runHandler calls h and turns a panic into an error, so one bad sync fails
// its own messages instead of the whole batch (or the whole serve process).
func runHandler(ctx context.Context, h dashboard.RefreshHandler, r dashboard.RefreshRequest) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("refresh handler panicked: %v", p)
		}
	}()
	return h(ctx, r)
}
