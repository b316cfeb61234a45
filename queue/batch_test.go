package queue

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	dashboard "github.com/thebabesclub/dashboard"

	"github.com/thebabesclub/dashboard/internal/logtest"
)

func msg(id, body string) events.SQSMessage {
	return events.SQSMessage{MessageId: id, Body: body, EventSource: "aws:sqs"}
}

func body(t *testing.T, r dashboard.RefreshRequest) string {
	t.Helper()
	b, err := encode(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func failureIDs(resp events.SQSEventResponse) []string {
	ids := []string{}
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	slices.Sort(ids)
	return ids
}

func TestHandleBatchPartialFailures(t *testing.T) {
	a, b, c := stripeReq("a"), nftReq("b"), stripeReq("c")
	ev := events.SQSEvent{Records: []events.SQSMessage{
		msg("m1", body(t, a)),
		msg("m2", body(t, b)),
		msg("m3", `{"kind":"NFT"`),
		msg("m4", body(t, a)),
		msg("m5", body(t, c)),
	}}

	t.Run("one member fails", func(t *testing.T) {
		rec := newRecorder(func(r dashboard.RefreshRequest, _ int) error {
			if r.UserID == "b" {
				return errors.New("upstream down")
			}
			return nil
		})
		resp := HandleBatch(testCtx(t), ev, rec.handle)
		if got := failureIDs(resp); !slices.Equal(got, []string{"m2"}) {
			t.Errorf("failures = %v, want [m2]", got)
		}
		for _, r := range []dashboard.RefreshRequest{a, b, c} {
			if n := rec.count(r); n != 1 {
				t.Errorf("%+v ran %d times, want 1", r, n)
			}
		}
	})

	t.Run("a collapsed group fails together", func(t *testing.T) {
		rec := newRecorder(func(r dashboard.RefreshRequest, _ int) error {
			if r.UserID == "a" {
				return errors.New("upstream down")
			}
			return nil
		})
		resp := HandleBatch(testCtx(t), ev, rec.handle)
		if got := failureIDs(resp); !slices.Equal(got, []string{"m1", "m4"}) {
			t.Errorf("failures = %v, want [m1 m4]", got)
		}
		if n := rec.count(a); n != 1 {
			t.Errorf("a ran %d times, want 1", n)
		}
	})

	t.Run("all succeed", func(t *testing.T) {
		rec := newRecorder(nil)
		resp := HandleBatch(testCtx(t), ev, rec.handle)
		if resp.BatchItemFailures == nil || len(resp.BatchItemFailures) != 0 {
			t.Errorf("failures = %#v, want an empty list", resp.BatchItemFailures)
		}
		if n := rec.total(); n != 3 {
			t.Errorf("handler ran %d times, want 3", n)
		}
	})
}

func TestHandleBatchDropsMalformedWithoutLoggingBodies(t *testing.T) {
	log, logs := logtest.NewLogger()
	rec := newRecorder(nil)
	ev := events.SQSEvent{Records: []events.SQSMessage{
		msg("bad-json", `{"kind":"NFT","wallet":"`+wallet+`"`),
		msg("bad-kind", `{"kind":"nft","wallet":"`+wallet+`"}`),
		msg("unknown-field", `{"kind":"NFT","wallet":"`+wallet+`","email":"x@example.com"}`),
		msg("stripe-wallet", `{"kind":"STRIPE","wallet":"`+wallet+`"}`),
	}}
	resp := handleBatch(testCtx(t), ev, rec.handle, log)
	if len(resp.BatchItemFailures) != 0 {
		t.Errorf("malformed messages reported as failures: %v", failureIDs(resp))
	}
	if rec.total() != 0 {
		t.Errorf("handler ran %d times for malformed messages", rec.total())
	}
	out := logs.String()
	for _, id := range []string{"bad-json", "bad-kind", "unknown-field", "stripe-wallet"} {
		if !strings.Contains(out, id) {
			t.Errorf("no log line names %s:\n%s", id, out)
		}
	}
	if strings.Contains(strings.ToLower(out), strings.ToLower(wallet)) || strings.Contains(out, "x@example.com") {
		t.Errorf("logs carry personal data:\n%s", out)
	}
}

func TestHandleBatchCollapsesWalletCase(t *testing.T) {
	rec := newRecorder(nil)
	ev := events.SQSEvent{Records: []events.SQSMessage{
		msg("m1", `{"kind":"NFT","wallet":"`+wallet+`"}`),
		msg("m2", `{"kind":"NFT","wallet":"`+strings.ToLower(wallet)+`"}`),
	}}
	HandleBatch(testCtx(t), ev, rec.handle)
	if n := rec.total(); n != 1 {
		t.Errorf("handler ran %d times for one wallet, want 1", n)
	}
}

func TestHandleBatchPanicFailsOnlyItsGroup(t *testing.T) {
	rec := newRecorder(func(r dashboard.RefreshRequest, _ int) error {
		if r.UserID == "boom" {
			panic("bug")
		}
		return nil
	})
	ev := events.SQSEvent{Records: []events.SQSMessage{
		msg("m1", body(t, stripeReq("boom"))),
		msg("m2", body(t, stripeReq("ok"))),
	}}
	resp := HandleBatch(testCtx(t), ev, rec.handle)
	if got := failureIDs(resp); !slices.Equal(got, []string{"m1"}) {
		t.Errorf("failures = %v, want [m1]", got)
	}
	if rec.count(stripeReq("ok")) != 1 {
		t.Error("the group after the panic did not run")
	}
}

func TestHandleBatchAfterDeadlineFailsUnstartedGroups(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	rec := newRecorder(func(dashboard.RefreshRequest, int) error {
		cancel() // the deadline arrives during the first sync
		return nil
	})
	ev := events.SQSEvent{Records: []events.SQSMessage{
		msg("m1", body(t, stripeReq("a"))),
		msg("m2", body(t, stripeReq("b"))),
		msg("m3", body(t, stripeReq("b"))),
	}}
	resp := HandleBatch(ctx, ev, rec.handle)
	if got := failureIDs(resp); !slices.Equal(got, []string{"m2", "m3"}) {
		t.Errorf("failures = %v, want [m2 m3]", got)
	}
	if rec.total() != 1 {
		t.Errorf("handler ran %d times, want 1", rec.total())
	}
}

// TestHandleBatchDropsWindowsWithUnstorableRunIDs: a RECONCILE message
// whose run id the stores would refuse (longer than 64 bytes, or holding a
// NUL) is malformed: dropped without running the handler, not failed
// until it reaches the dead-letter queue. A 64-byte id is still a window.
func TestHandleBatchDropsWindowsWithUnstorableRunIDs(t *testing.T) {
	log, _ := logtest.NewLogger()
	rec := newRecorder(func(r dashboard.RefreshRequest, _ int) error { return errors.New("the store refuses run " + r.RunID) })
	window := func(runID string) string {
		return `{"kind":"RECONCILE","runId":"` + runID + `","from":"2026-03-01T02:00:00Z","to":"2026-03-01T03:00:00Z"}`
	}
	ev := events.SQSEvent{Records: []events.SQSMessage{
		msg("long", window(strings.Repeat("r", 65))),
		msg("nul", window(`run\u0000x`)),
		msg("longest", window(strings.Repeat("r", 64))),
	}}
	resp := handleBatch(testCtx(t), ev, rec.handle, log)
	if got := failureIDs(resp); !slices.Equal(got, []string{"longest"}) {
		t.Errorf("failures = %v, want only the storable window (whose handler failed)", got)
	}
	if rec.total() != 1 {
		t.Errorf("handler ran %d times, want once (the 64-byte id)", rec.total())
	}
}
