package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/awsenv"
)

// SQS is the production refresh queue: Enqueue sends one message per request
// to the queue at REFRESH_QUEUE_URL, and the SQS worker Lambda consumes it
// with HandleBatch. Receive, Delete and Poll consume it outside Lambda (for
// `dashboard serve` pointed at a real queue, for operators, and for tests
// against goaws), through the same HandleBatch. It is safe for concurrent
// use.
type SQS struct {
	client *sqs.Client
	url    string
	log    *slog.Logger
}

var _ dashboard.RefreshQueue = (*SQS)(nil)

// pollWait is how long one ReceiveMessage long-polls: SQS's maximum, so an
// idle poller costs one request every 20 s.
const pollWait = 20 * time.Second

// maxBatch is SQS's limit on messages per ReceiveMessage and per
// DeleteMessageBatch.
const maxBatch = 10

// NewSQS returns a queue on queueURL through client. The client decides the
// endpoint, credentials and retries, so tests can point it at goaws.
func NewSQS(client *sqs.Client, queueURL string) *SQS {
	return &SQS{client: client, url: queueURL, log: slog.Default()}
}

// NewSQSFromEnv builds the queue from the environment the Lambda functions
// and the CLI share: REFRESH_QUEUE_URL (required) and, for a local SQS such
// as goaws, SQS_ENDPOINT. Against a local endpoint with no AWS credentials or
// region in the environment it uses static fake ones and us-east-1, so a
// developer needs no AWS account.
func NewSQSFromEnv(ctx context.Context) (*SQS, error) {
	queueURL := os.Getenv("REFRESH_QUEUE_URL")
	if queueURL == "" {
		return nil, errors.New("queue: REFRESH_QUEUE_URL is not set")
	}
	endpoint := os.Getenv("SQS_ENDPOINT")
	cfg, err := awsenv.Config(ctx, endpoint)
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	client := sqs.NewFromConfig(cfg, func(o *sqs.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	return NewSQS(client, queueURL), nil
}

// WithLogger returns a copy of q that logs to l (nil means slog.Default()),
// so `dashboard serve` can give the poller the process's JSON logger.
func (q *SQS) WithLogger(l *slog.Logger) *SQS {
	c := *q
	if l == nil {
		l = slog.Default()
	}
	c.log = l
	return &c
}

// URL returns the queue URL, for logs and tests.
func (q *SQS) URL() string { return q.url }

// Enqueue validates r and sends its JSON as the message body. It sets no
// message attributes: the body is the whole message, and attributes are
// shown by consoles and tools where a wallet or member id has no business
// being. Duplicates are not suppressed here (a standard queue would not honour
// it anyway); the consumer collapses them.
func (q *SQS) Enqueue(ctx context.Context, r dashboard.RefreshRequest) error {
	if err := Validate(r); err != nil {
		return err
	}
	body, err := encode(r)
	if err != nil {
		return err
	}
	_, err = q.client.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:    aws.String(q.url),
		MessageBody: aws.String(body),
	})
	if err != nil {
		return fmt.Errorf("queue: send refresh request: %w", err)
	}
	return nil
}

// Receive long-polls for up to n messages (clamped to 1..10) for at most
// wait (whole seconds, clamped to 0..20 s) and returns them in the shape a
// Lambda SQS event carries, so they can go straight to HandleBatch. Received
// messages stay invisible for the queue's visibility timeout; Delete removes
// the handled ones.
func (q *SQS) Receive(ctx context.Context, n int, wait time.Duration) ([]events.SQSMessage, error) {
	n = min(maxBatch, max(1, n))
	secs := int32(min(20, max(0, int(wait/time.Second))))
	out, err := q.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(q.url),
		MaxNumberOfMessages:         int32(n),
		WaitTimeSeconds:             secs,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
	})
	if err != nil {
		return nil, fmt.Errorf("queue: receive refresh requests: %w", err)
	}
	msgs := make([]events.SQSMessage, 0, len(out.Messages))
	for _, m := range out.Messages {
		msgs = append(msgs, events.SQSMessage{
			MessageId:     aws.ToString(m.MessageId),
			ReceiptHandle: aws.ToString(m.ReceiptHandle),
			Body:          aws.ToString(m.Body),
			Md5OfBody:     aws.ToString(m.MD5OfBody),
			Attributes:    m.Attributes,
			EventSource:   "aws:sqs",
		})
	}
	return msgs, nil
}

// Delete removes msgs from the queue by their receipt handles, in batches of
// ten. It reports an error if any message could not be deleted; such a
// message is simply delivered again, and refreshes are idempotent.
func (q *SQS) Delete(ctx context.Context, msgs []events.SQSMessage) error {
	var errs []error
	for start := 0; start < len(msgs); start += maxBatch {
		chunk := msgs[start:min(len(msgs), start+maxBatch)]
		entries := make([]types.DeleteMessageBatchRequestEntry, len(chunk))
		for i, m := range chunk {
			entries[i] = types.DeleteMessageBatchRequestEntry{
				Id:            aws.String(strconv.Itoa(i)),
				ReceiptHandle: aws.String(m.ReceiptHandle),
			}
		}
		out, err := q.client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{
			QueueUrl: aws.String(q.url),
			Entries:  entries,
		})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, f := range out.Failed {
			errs = append(errs, fmt.Errorf("message %s: %s", aws.ToString(f.Id), aws.ToString(f.Code)))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("queue: delete refresh messages: %w", err)
	}
	return nil
}

// Poll consumes the queue until ctx is done, then returns nil: it receives up
// to ten messages at a time, runs them through HandleBatch with h, and
// deletes every message HandleBatch did not report as failed (malformed ones
// included). Failed messages are left alone, so SQS redelivers them after the
// visibility timeout exactly as it would for the Lambda worker. Receive
// errors are logged and retried with capped exponential backoff rather than
// returned, because a poller in a long-running process should outlive an SQS
// hiccup.
func (q *SQS) Poll(ctx context.Context, h dashboard.RefreshHandler) error {
	return q.poll(ctx, h, pollWait)
}

func (q *SQS) poll(ctx context.Context, h dashboard.RefreshHandler, wait time.Duration) error {
	failures := 0
	for ctx.Err() == nil {
		msgs, err := q.Receive(ctx, maxBatch, wait)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			failures++
			q.log.WarnContext(ctx, "queue: receive failed; backing off", "attempt", failures, "err", err.Error())
			if !sleep(ctx, backoff(time.Second, 30*time.Second, failures)) {
				break
			}
			continue
		}
		failures = 0
		if len(msgs) == 0 {
			continue
		}
		resp := handleBatch(ctx, events.SQSEvent{Records: msgs}, h, q.log)
		failed := make(map[string]bool, len(resp.BatchItemFailures))
		for _, f := range resp.BatchItemFailures {
			failed[f.ItemIdentifier] = true
		}
		done := make([]events.SQSMessage, 0, len(msgs))
		for _, m := range msgs {
			if !failed[m.MessageId] {
				done = append(done, m)
			}
		}
		// The work is done even if ctx was cancelled meanwhile; delete with a
		// context of its own so a shutdown does not cause needless redelivery.
		delCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		if err := q.Delete(delCtx, done); err != nil {
			q.log.WarnContext(ctx, "queue: could not delete handled messages; they will be redelivered", "err", err.Error())
		}
		cancel()
	}
	return nil
}

// backoff returns base·2^(attempt-1), capped at limit.
func backoff(base, limit time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// sleep waits for d or until ctx is done, and reports whether the full
// duration passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
