// Package sqstest runs goaws (v0.5.4, an SQS emulator) inside the test
// process, so queue code is tested against SQS's real wire protocol with no
// AWS account, no container and no network beyond 127.0.0.1.
//
// goaws keeps its queues in package-level state, so one server is shared by
// every test of a process and each test gets its own uniquely named queue.
package sqstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/Admiral-Piett/goaws/app/gosqs"
	"github.com/Admiral-Piett/goaws/app/models"
	"github.com/Admiral-Piett/goaws/app/router"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/sirupsen/logrus"
)

var (
	once     sync.Once
	endpoint string
)

// Endpoint returns the base URL of the shared goaws server, starting it on
// first use. The server listens on 127.0.0.1 only (httptest's default) and
// lives until the test process exits.
func Endpoint(t testing.TB) string {
	t.Helper()
	once.Do(start)
	return endpoint
}

func start() {
	srv := httptest.NewUnstartedServer(serialize(router.New()))
	host, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		panic("sqstest: " + err.Error())
	}
	// goaws builds queue URLs from its environment; with these they point
	// back at this server. An empty region keeps the host a plain IP.
	models.CurrentEnvironment = models.Environment{
		Host:      host,
		Port:      port,
		AccountID: "000000000000",
	}
	// goaws logs every message body at info level; keep test output to
	// what matters.
	logrus.SetLevel(logrus.ErrorLevel)
	srv.Start()
	endpoint = srv.URL
	// PeriodicTasks is what makes a received but undeleted message visible
	// again once its visibility timeout passes; goaws's own main starts it.
	go gosqs.PeriodicTasks(100*time.Millisecond, make(chan bool))
}

// serialize runs CreateQueue and DeleteQueue alone. goaws reads its queue map
// without a lock at the start of most actions, which the race detector
// rightly reports when a test creates a queue while another action is in
// flight; every other action shares the lock, as goaws locks internally.
func serialize(next http.Handler) http.Handler {
	var mu sync.RWMutex
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("X-Amz-Target") {
		case "AmazonSQS.CreateQueue", "AmazonSQS.DeleteQueue":
			mu.Lock()
			defer mu.Unlock()
		default:
			mu.RLock()
			defer mu.RUnlock()
		}
		next.ServeHTTP(w, r)
	})
}

// Client returns an SQS client for the shared server with static fake
// credentials in us-east-1 (goaws checks neither, but the SDK signs).
func Client(t testing.TB, optFns ...func(*sqs.Options)) *sqs.Client {
	t.Helper()
	opts := sqs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(Endpoint(t)),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	}
	return sqs.New(opts, optFns...)
}

// NewQueue creates a standard queue with a fresh unique name and the given
// visibility timeout (whole seconds, at least one), and returns a client and
// the queue URL. A short timeout lets a test see a failed message delivered
// again without waiting SQS's default 30 s.
func NewQueue(t testing.TB, visibility time.Duration) (*sqs.Client, string) {
	t.Helper()
	client := Client(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "test-" + hex.EncodeToString(b[:])
	secs := max(1, int(visibility/time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a hang guard only
	defer cancel()
	out, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{
		QueueName:  aws.String(name),
		Attributes: map[string]string{"VisibilityTimeout": strconv.Itoa(secs)},
	})
	if err != nil {
		t.Fatalf("sqstest: create queue: %v", err)
	}
	return client, aws.ToString(out.QueueUrl)
}

// Counts returns how many messages the queue at url holds (goaws counts the
// in-flight ones too) and how many of them are in flight: received, neither
// deleted nor visible again yet.
func Counts(t testing.TB, client *sqs.Client, url string) (total, inFlight int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a hang guard only
	defer cancel()
	out, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{
			types.QueueAttributeNameApproximateNumberOfMessages,
			types.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		},
	})
	if err != nil {
		t.Fatalf("sqstest: queue attributes: %v", err)
	}
	total, _ = strconv.Atoi(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessages)])
	inFlight, _ = strconv.Atoi(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessagesNotVisible)])
	return total, inFlight
}
