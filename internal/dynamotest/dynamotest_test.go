package dynamotest_test

import (
	"errors"
	"net"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/thebabesclub/dashboard/internal/dynamotest"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

func TestEndpointIsLoopback(t *testing.T) {
	ep := dynamotest.Endpoint(t)
	u, err := url.Parse(ep)
	if err != nil || u.Port() == "" {
		t.Fatalf("endpoint = %q (%v), want http://HOST:PORT", ep, err)
	}
	if os.Getenv("DYNAMODB_ENDPOINT") == "" {
		if u.Hostname() != "127.0.0.1" {
			t.Errorf("endpoint = %q, want one on 127.0.0.1", ep)
		}
		// Bound to 127.0.0.1 only, the JVM refuses 127.0.0.2 (also the
		// loopback interface); bound to every interface, it would answer.
		// A refusal is immediate; the generous timeout only keeps a loaded
		// machine's slow accept from passing for a refusal.
		if c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.2", u.Port()), 10*time.Second); err == nil {
			c.Close()
			t.Errorf("DynamoDB Local answers on 127.0.0.2:%s: it listens beyond 127.0.0.1", u.Port())
		}
	}
	if again := dynamotest.Endpoint(t); again != ep {
		t.Errorf("second Endpoint = %q, want the same instance %q", again, ep)
	}
}

// NewTable's tables are private to the test and gone after it.
func TestNewTableAndCounter(t *testing.T) {
	var calls dynamotest.Counter
	var client *dynamodb.Client
	var table string
	t.Run("create", func(t *testing.T) {
		client, table = dynamotest.NewTable(t, calls.Option())
		calls.Reset()
		for range 2 {
			if _, err := client.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(table)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := client.ListTables(t.Context(), &dynamodb.ListTablesInput{}); err != nil {
			t.Fatal(err)
		}
		if calls.Count("DescribeTable") != 2 || calls.Count("ListTables") != 1 || calls.Total() != 3 {
			t.Errorf("counted %v, want DescribeTable:2 ListTables:1", calls.Calls())
		}
	})
	_, err := client.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	var missing *types.ResourceNotFoundException
	if !errors.As(err, &missing) {
		t.Errorf("table %s after its test ended: err = %v, want ResourceNotFoundException", table, err)
	}
}
