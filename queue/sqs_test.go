package queue

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/middleware"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/logtest"
	"github.com/thebabesclub/dashboard/internal/sqstest"
)

func TestSQSEnqueueSendsExactlyTheJSON(t *testing.T) {
	ctx := testCtx(t)
	client, url := sqstest.NewQueue(t, 30*time.Second)
	q := NewSQS(client, url)

	if err := q.Enqueue(ctx, dashboard.RefreshRequest{Kind: dashboard.SyncNFT, UserID: "u1", Wallet: wallet}); err != nil {
		t.Fatal(err)
	}
	out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:              aws.String(url),
		MaxNumberOfMessages:   10,
		WaitTimeSeconds:       1,
		MessageAttributeNames: []string{"All"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 1 {
		t.Fatalf("received %d messages, want 1", len(out.Messages))
	}
	m := out.Messages[0]
	want := `{"kind":"NFT","userId":"u1","wallet":"` + wallet + `"}`
	if got := aws.ToString(m.Body); got != want {
		t.Errorf("body = %s\nwant   %s", got, want)
	}
	if len(m.MessageAttributes) != 0 {
		t.Errorf("message attributes %v, want none", m.MessageAttributes)
	}
}

func TestSQSReceiveReturnsLambdaShapedMessages(t *testing.T) {
	ctx := testCtx(t)
	client, url := sqstest.NewQueue(t, 30*time.Second)
	q := NewSQS(client, url)
	if err := q.Enqueue(ctx, stripeReq("u1")); err != nil {
		t.Fatal(err)
	}
	msgs, err := q.Receive(ctx, 10, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("received %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.Body != `{"kind":"STRIPE","userId":"u1"}` || m.MessageId == "" || m.ReceiptHandle == "" || m.EventSource != "aws:sqs" {
		t.Errorf("message = %+v", m)
	}
	if len(m.MessageAttributes) != 0 {
		t.Errorf("message attributes %v, want none", m.MessageAttributes)
	}
}

func TestSQSEnqueueRejectsInvalidRequests(t *testing.T) {
	ctx := testCtx(t)
	client, url := sqstest.NewQueue(t, 30*time.Second)
	q := NewSQS(client, url)
	for _, r := range []dashboard.RefreshRequest{
		{Kind: dashboard.SyncNFT},
		{Kind: "ORDERS", UserID: "u1"},
		{Kind: dashboard.SyncStripe, Wallet: wallet},
	} {
		if err := q.Enqueue(ctx, r); dashboard.ErrorCode(err) != dashboard.EVALIDATION {
			t.Errorf("Enqueue(%+v) = %v, want an EVALIDATION error", r, err)
		}
	}
	if total, _ := sqstest.Counts(t, client, url); total != 0 {
		t.Errorf("queue holds %d messages after invalid enqueues, want 0", total)
	}
}

// TestSQSHandleBatchLeavesFailuresForRedelivery drives the consumer by hand:
// receive, HandleBatch, delete what succeeded; the failed message must come
// back once its visibility timeout passes.
//
// The visibility timeout is an hour, so the failed message is surely still
// in flight when the test looks, however slow the machine; the test then
// ends the timeout itself (ChangeMessageVisibility to 0, what the passing
// hour would do) instead of waiting for it.
func TestSQSHandleBatchLeavesFailuresForRedelivery(t *testing.T) {
	ctx := testCtx(t)
	client, url := sqstest.NewQueue(t, time.Hour)
	q := NewSQS(client, url)
	for _, r := range []dashboard.RefreshRequest{stripeReq("ok"), stripeReq("bad"), stripeReq("ok")} {
		if err := q.Enqueue(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := q.Receive(ctx, 10, time.Second)
	if err != nil || len(msgs) != 3 {
		t.Fatalf("received %d messages (%v), want 3", len(msgs), err)
	}
	rec := newRecorder(func(r dashboard.RefreshRequest, _ int) error {
		if r.UserID == "bad" {
			return errors.New("upstream down")
		}
		return nil
	})
	resp := HandleBatch(ctx, events.SQSEvent{Records: msgs}, rec.handle)
	var badID, badHandle string
	var done []events.SQSMessage
	for _, m := range msgs {
		if m.Body == `{"kind":"STRIPE","userId":"bad"}` {
			badID, badHandle = m.MessageId, m.ReceiptHandle
		} else {
			done = append(done, m)
		}
	}
	if got := failureIDs(resp); !slices.Equal(got, []string{badID}) {
		t.Fatalf("failures = %v, want [%s]", got, badID)
	}
	if rec.count(stripeReq("ok")) != 1 {
		t.Errorf("duplicate messages ran %d times, want 1", rec.count(stripeReq("ok")))
	}
	if err := q.Delete(ctx, done); err != nil {
		t.Fatal(err)
	}
	if total, inFlight := sqstest.Counts(t, client, url); total != 1 || inFlight != 1 {
		t.Errorf("queue holds %d messages, %d in flight; want the failed one, in flight", total, inFlight)
	}
	endVisibility(t, client, url, badHandle)
	var again []events.SQSMessage
	eventually(t, "the failed message to be delivered again", func() bool {
		again, err = q.Receive(ctx, 10, time.Second)
		return err == nil && len(again) > 0
	})
	if len(again) != 1 || again[0].MessageId != badID {
		t.Errorf("redelivered %+v, want only %s", again, badID)
	}
}

func TestSQSDeleteBatchesOverTen(t *testing.T) {
	ctx := testCtx(t)
	client, url := sqstest.NewQueue(t, 30*time.Second)
	q := NewSQS(client, url)
	for i := range 13 {
		if err := q.Enqueue(ctx, stripeReq(string(rune('a'+i)))); err != nil {
			t.Fatal(err)
		}
	}
	var all []events.SQSMessage
	eventually(t, "13 messages to be received", func() bool {
		msgs, err := q.Receive(ctx, 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, msgs...)
		return len(all) >= 13
	})
	if err := q.Delete(ctx, all); err != nil {
		t.Fatal(err)
	}
	if total, _ := sqstest.Counts(t, client, url); total != 0 {
		t.Errorf("queue holds %d messages after deleting all, want 0", total)
	}
}

// TestSQSPoll runs the poller against goaws: each distinct request is
// handled once, successes and malformed messages are deleted, and a failure
// is redelivered and handled again.
//
// The visibility timeout is an hour, so no message comes back merely
// because a loaded machine took long between receiving and deleting it
// (which would run it twice); the failed one is made visible again by the
// test, as the passing hour would, once its first run has failed.
func TestSQSPoll(t *testing.T) {
	ctx := testCtx(t)
	_, url := sqstest.NewQueue(t, time.Hour)
	seen := &receipts{byBody: map[string]string{}}
	client := sqstest.Client(t, seen.record)
	log, _ := logtest.NewLogger()
	q := NewSQS(client, url).WithLogger(log)
	a, b, c := stripeReq("a"), nftReq("b"), dashboard.RefreshRequest{Kind: dashboard.SyncNFT, Wallet: wallet}
	for _, r := range []dashboard.RefreshRequest{a, b, a, c, a} {
		if err := q.Enqueue(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("not json")}); err != nil {
		t.Fatal(err)
	}
	rec := newRecorder(func(r dashboard.RefreshRequest, call int) error {
		if r.UserID == "b" && call == 1 {
			return errors.New("upstream down")
		}
		return nil
	})

	pollCtx, stop := context.WithCancel(ctx)
	polled := make(chan error, 1)
	go func() { polled <- q.poll(pollCtx, rec.handle, time.Second) }()

	eventually(t, "b's first, failing run", func() bool { return rec.count(b) >= 1 })
	endVisibility(t, client, url, seen.of(`{"kind":"NFT","userId":"b"}`))
	eventually(t, "the queue to drain", func() bool {
		total, _ := sqstest.Counts(t, client, url)
		return total == 0 && rec.count(b) == 2
	})
	stop()
	select {
	case err := <-polled:
		if err != nil {
			t.Errorf("Poll returned %v after cancellation, want nil", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Poll did not return after its context was cancelled")
	}
	if rec.count(a) != 1 || rec.count(c) != 1 {
		t.Errorf("a ran %d times and c %d times, want once each", rec.count(a), rec.count(c))
	}
	if rec.count(b) != 2 {
		t.Errorf("b ran %d times, want 2 (a failure, then the redelivery)", rec.count(b))
	}
}

func TestNewSQSFromEnv(t *testing.T) {
	ctx := testCtx(t)
	_, url := sqstest.NewQueue(t, 30*time.Second)
	t.Setenv("REFRESH_QUEUE_URL", url)
	t.Setenv("SQS_ENDPOINT", sqstest.Endpoint(t))
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")

	q, err := NewSQSFromEnv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if q.URL() != url {
		t.Errorf("URL = %s, want %s", q.URL(), url)
	}
	if err := q.Enqueue(ctx, stripeReq("u1")); err != nil {
		t.Fatal(err)
	}
	msgs, err := q.Receive(ctx, 1, time.Second)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("received %d messages (%v), want 1", len(msgs), err)
	}

	t.Setenv("REFRESH_QUEUE_URL", "")
	if _, err := NewSQSFromEnv(ctx); err == nil {
		t.Error("NewSQSFromEnv without REFRESH_QUEUE_URL succeeded")
	}
}

// endVisibility makes a received message visible again at once, as the end
// of its visibility timeout would, so a test need not wait the timeout out.
func endVisibility(t *testing.T, client *sqs.Client, url, receiptHandle string) {
	t.Helper()
	if receiptHandle == "" {
		t.Fatal("no receipt handle for the message to make visible again")
	}
	if _, err := client.ChangeMessageVisibility(testCtx(t), &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(url), ReceiptHandle: aws.String(receiptHandle), VisibilityTimeout: 0,
	}); err != nil {
		t.Fatal(err)
	}
}

// receipts records, by body, the receipt handle of every message its client
// receives, for tests that hand the client to code that does not return them.
type receipts struct {
	mu     sync.Mutex
	byBody map[string]string
}

// record is an sqs.Options function that installs the recording.
func (r *receipts) record(o *sqs.Options) {
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("recordReceipts",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleInitialize(ctx, in)
				if res, ok := out.Result.(*sqs.ReceiveMessageOutput); ok && err == nil {
					r.mu.Lock()
					for _, m := range res.Messages {
						r.byBody[aws.ToString(m.Body)] = aws.ToString(m.ReceiptHandle)
					}
					r.mu.Unlock()
				}
				return out, md, err
			}), middleware.After)
	})
}

// of returns the receipt handle of the last received message with body.
func (r *receipts) of(body string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byBody[body]
}
