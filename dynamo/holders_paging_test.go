package dynamo_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/dynamotest"
)

// smallQueryPages makes every Query of a client ask for at most n items a
// page, so that a test with a few items walks many pages, as a collection
// of a million holders does with DynamoDB's 1 MB pages.
func smallQueryPages(n int32) func(*dynamodb.Options) {
	return func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("smallQueryPages",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					if q, ok := in.Parameters.(*dynamodb.QueryInput); ok {
						q.Limit = aws.Int32(n)
					}
					return next.HandleInitialize(ctx, in)
				}), middleware.Before)
		})
	}
}

// TestEachHolderWalksEveryPage holds EachHolder's concurrent readers to
// what a collection larger than a page needs: with pages of 2 items, each
// shard's reader hands over page after page, and every holding comes out
// exactly once, in the same order on every walk; stopping in the middle of
// a shard ends the walk there.
func TestEachHolderWalksEveryPage(t *testing.T) {
	var calls dynamotest.Counter
	s := newStore(t, smallQueryPages(2), calls.Option())
	ctx := t.Context()
	want := storeHolders(t, s, 6, 20)
	calls.Reset()
	first := walkHolders(t, s)
	// 120 holdings in pages of 2 over 17 keys: at least 60 pages.
	if q := calls.Count("Query"); q < len(want)/2 {
		t.Errorf("EachHolder made %d Queries: the pages were not small", q)
	}
	seen := map[string]bool{}
	for _, k := range first {
		if seen[k] || !want[k] {
			t.Errorf("EachHolder yielded %s twice or unexpectedly", k)
		}
		seen[k] = true
	}
	if len(seen) != len(want) {
		t.Errorf("EachHolder yielded %d holdings, want %d", len(seen), len(want))
	}
	if again := walkHolders(t, s); !slices.Equal(again, first) {
		t.Error("a second walk came in another order")
	}
	n := 0
	err := s.EachHolder(ctx, "babes", func(dashboard.Holder) error {
		if n++; n == 45 {
			return context.Canceled
		}
		return nil
	})
	if err != context.Canceled || n != 45 {
		t.Errorf("stopping at the 45th holder = %v after %d calls", err, n)
	}
}
