package lambdafn

import (
	"context"
	"errors"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/app"
)

// blockingQueue is an SQS that never answers: Enqueue waits for its
// context, and records the deadline it was given.
type blockingQueue struct {
	deadline time.Time
	bounded  bool
}

func (q *blockingQueue) Enqueue(ctx context.Context, _ dashboard.RefreshRequest) error {
	q.deadline, q.bounded = ctx.Deadline()
	<-ctx.Done()
	return ctx.Err()
}

// TestEnqueueIsBounded: on Lambda the response leaves only when the handler
// returns, so the refresh queued after it must give up within EnqueueBound
// even when SQS hangs and the caller set no deadline (httpapi detaches the
// enqueue from the request). The deadline is checked against instants taken
// around the call, so how long the call takes does not matter.
func TestEnqueueIsBounded(t *testing.T) {
	inner := &blockingQueue{}
	q := boundedQueue{next: inner, bound: EnqueueBound}
	before := time.Now()
	err := q.Enqueue(context.Background(), dashboard.RefreshRequest{Kind: dashboard.SyncStripe, UserID: "u1"})
	after := time.Now()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Enqueue = %v, want the bound's deadline", err)
	}
	if !inner.bounded || inner.deadline.Before(before.Add(EnqueueBound)) || inner.deadline.After(after.Add(EnqueueBound)) {
		t.Errorf("deadline %v (set: %v), want the call's start + %v", inner.deadline, inner.bounded, EnqueueBound)
	}
	if EnqueueBound > time.Second {
		t.Errorf("EnqueueBound = %v: the member waits for it on every stale list", EnqueueBound)
	}
}

// TestServerBoundsTheRefreshQueue: the Lambda wiring puts the bound in front
// of SQS.
func TestServerBoundsTheRefreshQueue(t *testing.T) {
	t.Setenv("REFRESH_QUEUE_URL", "http://127.0.0.1:1/000000000000/refresh")
	t.Setenv("SQS_ENDPOINT", "http://127.0.0.1:1")
	t.Setenv("AWS_REGION", "us-east-1")
	env := map[string]string{"REFRESH_QUEUE_URL": "http://127.0.0.1:1/000000000000/refresh"}
	f := New("list-orders", func(k string) string { return env[k] }, &nopWriter{}, &nopWriter{})
	srv, err := f.Server(context.Background(), &app.App{})
	if err != nil {
		t.Fatal(err)
	}
	if bq, ok := srv.Refresh.(boundedQueue); !ok || bq.bound != EnqueueBound || bq.next == nil {
		t.Errorf("refresh queue = %#v, want the SQS queue behind EnqueueBound", srv.Refresh)
	}
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }
