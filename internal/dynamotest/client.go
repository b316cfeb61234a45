package dynamotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"github.com/thebabesclub/dashboard/dynamo"
)

// Client returns a DynamoDB client for Endpoint with static fake credentials
// in us-east-1 (DynamoDB Local checks neither, but the SDK signs requests).
// optFns adjust the client, e.g. Counter.Option to count its calls.
func Client(t testing.TB, optFns ...func(*dynamodb.Options)) *dynamodb.Client {
	t.Helper()
	ep := Endpoint(t)
	opts := dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(ep),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	}
	return dynamodb.New(opts, optFns...)
}

// NewTable creates a table with the contract's schema under a fresh unique
// name and deletes it when the test ends, so tests sharing one DynamoDB
// Local never see each other's items.
func NewTable(t testing.TB, optFns ...func(*dynamodb.Options)) (*dynamodb.Client, string) {
	t.Helper()
	client := Client(t, optFns...)
	var b [6]byte
	_, _ = rand.Read(b[:])
	table := "test-" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := dynamo.CreateTable(ctx, client, table); err != nil {
		t.Fatalf("dynamotest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(table)}); err != nil {
			t.Logf("dynamotest: delete table %s: %v", table, err)
		}
	})
	return client, table
}

// Counter counts the DynamoDB operations a client makes, by operation name
// (GetItem, Query…), so tests can hold the store to its round-trip budget.
// It counts calls, not HTTP attempts: an SDK retry is the same call.
type Counter struct {
	mu sync.Mutex
	n  map[string]int
}

// Option installs the counter on a client as an APIOptions middleware: pass
// it to Client, NewTable or dynamodb.NewFromConfig.
func (c *Counter) Option() func(*dynamodb.Options) {
	return func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("dynamotestCounter",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					c.add(middleware.GetOperationName(ctx))
					return next.HandleInitialize(ctx, in)
				}), middleware.Before)
		})
	}
}

func (c *Counter) add(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[op]++
}

// Count returns how many op calls were made since the last Reset.
func (c *Counter) Count(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[op]
}

// Total returns how many calls of any operation were made since the last Reset.
func (c *Counter) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	total := 0
	for _, n := range c.n {
		total += n
	}
	return total
}

// Calls returns a copy of the counts by operation name.
func (c *Counter) Calls() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[string]int, len(c.n))
	for k, v := range c.n {
		m[k] = v
	}
	return m
}

// Reset forgets every count, so a test can measure one step.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n = nil
}
