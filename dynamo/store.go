// Package dynamo is the production store: the single DynamoDB table
// (COMMERCE_TABLE) that the dashboard shares with the identity service. Key
// formats and attribute names follow the contract exactly, because the
// identity service and the earlier Python deployment read and write the same
// items; the profile item in particular is only ever updated attribute by
// attribute, never replaced.
package dynamo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/awsenv"
)

// DefaultTable is the table name when COMMERCE_TABLE is not set.
const DefaultTable = "babesclub-commerce"

// Attribute and index names of the table (CONTRACT §6).
const (
	attrPK     = "PK"
	attrSK     = "SK"
	attrGSI1PK = "GSI1PK"
	attrGSI2PK = "GSI2PK"
	attrGSI3PK = "GSI3PK"
	attrTTL    = "expiresAt"

	indexGSI1 = "GSI1"
	indexGSI2 = "GSI2"
	indexGSI3 = "GSI3"
)

// Key prefixes and fixed sort keys.
const (
	prefixUser   = "USER#"
	prefixEmail  = "EMAIL#"
	prefixStripe = "STRIPE#"
	prefixOrder  = "ORDER#"
	prefixNFT    = "NFT#"
	prefixSync   = "SYNC#"
	prefixEvent  = "EVENT#"
	pkSystem     = "SYSTEM"
	skProfile    = "PROFILE"
	skLookup     = "LOOKUP"
	skEvent      = "METADATA"
)

// Store implements dashboard.Store on one DynamoDB table. It is safe for
// concurrent use; it holds no state besides the client and the table name.
type Store struct {
	client *dynamodb.Client
	table  string
}

var _ dashboard.Store = (*Store)(nil)

// New returns a Store on table through client. The client decides the
// endpoint, credentials and retries, so tests can point it at DynamoDB Local
// and count its calls.
func New(client *dynamodb.Client, table string) *Store {
	return &Store{client: client, table: table}
}

// NewFromEnv builds a Store from the environment the Lambda functions and
// the CLI share: COMMERCE_TABLE (default babesclub-commerce) and, for DynamoDB
// Local, DYNAMODB_ENDPOINT. Against a local endpoint with no AWS credentials
// in the environment it uses static fake ones, which DynamoDB Local accepts,
// so a developer needs no AWS account.
func NewFromEnv(ctx context.Context) (*Store, error) {
	table := os.Getenv("COMMERCE_TABLE")
	if table == "" {
		table = DefaultTable
	}
	endpoint := os.Getenv("DYNAMODB_ENDPOINT")
	cfg, err := awsenv.Config(ctx, endpoint)
	if err != nil {
		return nil, fmt.Errorf("dynamo: %w", err)
	}
	client := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	return New(client, table), nil
}

// Close releases nothing: the SDK client has no connections to close that
// the HTTP transport would not reuse. It exists to satisfy dashboard.Store.
func (s *Store) Close() error { return nil }

// Table returns the table name, for logs and tests.
func (s *Store) Table() string { return s.table }

func userPK(userID string) string { return prefixUser + userID }

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrPK: str(pk), attrSK: str(sk)}
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func num(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

// getString returns the string attribute name of item, "" if absent or not a string.
func getString(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// formatTime is the one time format of the table: RFC 3339 in UTC with at
// most millisecond precision (trailing zeros dropped), the identity
// service's and the bolt store's precision. It matters most for the
// profile's updatedAt, which doubles as its version: what is written is
// exactly what a reader later sends back as ExpectUpdatedAt.
func formatTime(t time.Time) string {
	return t.UTC().Truncate(time.Millisecond).Format(time.RFC3339Nano)
}

// parseTime reads a time attribute. Items written by the identity service or
// the old Python code may hold RFC 3339 with an offset, with or without
// fraction, or epoch seconds as a number; all are accepted.
func parseTime(av types.AttributeValue) (*time.Time, error) {
	switch v := av.(type) {
	case nil:
		return nil, nil
	case *types.AttributeValueMemberNULL:
		return nil, nil
	case *types.AttributeValueMemberS:
		if v.Value == "" {
			return nil, nil
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00"} {
			if t, err := time.Parse(layout, v.Value); err == nil {
				t = t.UTC()
				return &t, nil
			}
		}
		return nil, fmt.Errorf("bad time %q", v.Value)
	case *types.AttributeValueMemberN:
		f, err := strconv.ParseFloat(v.Value, 64)
		if err != nil {
			return nil, fmt.Errorf("bad epoch %q", v.Value)
		}
		t := time.UnixMilli(int64(f * 1000)).UTC()
		return &t, nil
	}
	return nil, fmt.Errorf("time attribute of type %T", av)
}

func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// backoff sleeps a small, jittered, growing delay before retry attempt n
// (1-based), or returns early with ctx's error.
func backoff(ctx context.Context, n int) error {
	d := time.Duration(n*n)*10*time.Millisecond + rand.N(20*time.Millisecond)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// badUser rejects a member id that is not well formed
// (dashboard.ValidMemberID), the rule every store and every door shares.
func badUser(userID string) error {
	if !dashboard.ValidMemberID(userID) {
		return dashboard.Errorf(dashboard.EVALIDATION, "Invalid member id.")
	}
	return nil
}
