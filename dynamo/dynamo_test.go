package dynamo_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/dynamo"
	"github.com/thebabesclub/dashboard/internal/dynamotest"
	"github.com/thebabesclub/dashboard/internal/storetest"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

// newStore returns a store on a fresh table of the test binary's DynamoDB Local.
func newStore(t *testing.T, optFns ...func(*dynamodb.Options)) *dynamo.Store {
	t.Helper()
	client, table := dynamotest.NewTable(t, optFns...)
	return dynamo.New(client, table)
}

// newID returns a fresh 32-hex member id, as the identity service makes them.
func newID(t *testing.T) string {
	t.Helper()
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

func TestCreateTableSchema(t *testing.T) {
	client, table := dynamotest.NewTable(t)
	ctx := t.Context()
	out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	d := out.Table
	keys := func(ks []types.KeySchemaElement) []string {
		var s []string
		for _, k := range ks {
			s = append(s, aws.ToString(k.AttributeName)+":"+string(k.KeyType))
		}
		return s
	}
	if got := keys(d.KeySchema); !slices.Equal(got, []string{"PK:HASH", "SK:RANGE"}) {
		t.Errorf("key schema = %v", got)
	}
	for _, a := range d.AttributeDefinitions {
		if a.AttributeType != types.ScalarAttributeTypeS {
			t.Errorf("attribute %s has type %s, want S", aws.ToString(a.AttributeName), a.AttributeType)
		}
	}
	gsis := map[string][]string{}
	for _, g := range d.GlobalSecondaryIndexes {
		gsis[aws.ToString(g.IndexName)] = keys(g.KeySchema)
		if g.Projection == nil || g.Projection.ProjectionType != types.ProjectionTypeAll {
			t.Errorf("%s projection = %+v, want ALL", aws.ToString(g.IndexName), g.Projection)
		}
	}
	want := map[string][]string{"GSI1": {"GSI1PK:HASH"}, "GSI2": {"GSI2PK:HASH"}, "GSI3": {"GSI3PK:HASH"}}
	if fmt.Sprint(gsis) != fmt.Sprint(want) {
		t.Errorf("indexes = %v, want %v", gsis, want)
	}
	if d.BillingModeSummary == nil || d.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("billing = %+v, want PAY_PER_REQUEST", d.BillingModeSummary)
	}
	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	if s := ttl.TimeToLiveDescription; s == nil || aws.ToString(s.AttributeName) != "expiresAt" ||
		(s.TimeToLiveStatus != types.TimeToLiveStatusEnabled && s.TimeToLiveStatus != types.TimeToLiveStatusEnabling) {
		t.Errorf("ttl = %+v, want enabled on expiresAt", s)
	}
	// Creating it again is accepted: the helper is safe to rerun.
	if err := dynamo.CreateTable(ctx, client, table); err != nil {
		t.Errorf("second CreateTable: %v", err)
	}
}

// TestRoundTrips holds the member read paths to one DynamoDB call each
// (DESIGN: "one DynamoDB round trip per member read").
func TestRoundTrips(t *testing.T) {
	var calls dynamotest.Counter
	s := newStore(t, calls.Option())
	ctx := t.Context()
	user := newID(t)
	if err := s.SaveProfile(ctx, dashboard.ProfileChange{
		Profile: &dashboard.Profile{UserID: user, DisplayName: "Ada"},
		Fields:  []string{dashboard.FieldDisplayName},
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSynced(ctx, user, dashboard.SyncStripe, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSynced(ctx, user, dashboard.SyncNFT, time.Now()); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2025, 11, 1, 12, 0, 0, 0, time.UTC)
	for i := range 5 {
		putOrder(t, s, user, fmt.Sprintf("cs_test_%02d", i), base.Add(time.Duration(i)*time.Hour))
	}

	calls.Reset()
	page, err := s.ListOrders(ctx, user, 3, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := calls.Calls(); fmt.Sprint(got) != "map[Query:1]" {
		t.Errorf("first page of ListOrders made %v, want one Query", got)
	}
	if len(page.Orders) != 3 || page.SyncedAt == nil || page.Next == "" {
		t.Errorf("page = %d orders, syncedAt %v, next %q", len(page.Orders), page.SyncedAt, page.Next)
	}

	calls.Reset()
	page, err = s.ListOrders(ctx, user, 3, page.Next)
	if err != nil {
		t.Fatal(err)
	}
	if got := calls.Calls(); fmt.Sprint(got) != "map[Query:1]" {
		t.Errorf("second page of ListOrders made %v, want one Query", got)
	}
	if len(page.Orders) != 2 || page.Next != "" || page.SyncedAt != nil {
		t.Errorf("last page = %d orders, next %q, syncedAt %v", len(page.Orders), page.Next, page.SyncedAt)
	}

	calls.Reset()
	if _, err := s.GetProfile(ctx, user); err != nil {
		t.Fatal(err)
	}
	if got := calls.Calls(); fmt.Sprint(got) != "map[GetItem:1]" {
		t.Errorf("GetProfile made %v, want one GetItem", got)
	}
}

func putOrder(t *testing.T, s *dynamo.Store, user, id string, created time.Time) *dashboard.OrderSnapshot {
	t.Helper()
	snap := &dashboard.OrderSnapshot{
		UserID: user,
		OrderDetail: dashboard.OrderDetail{
			Order: dashboard.Order{
				OrderID: id, OrderNumber: dashboard.OrderNumber(id), Status: dashboard.OrderCompleted,
				Amount: 4200, AmountSubtotal: 4000, Currency: "usd", CreatedAt: created, ItemCount: 1,
				Items: []dashboard.LineItem{{Name: "Tee", Quantity: 1, UnitPrice: 4000, AmountTotal: 4000, Currency: "usd"}},
			},
			UpdatedAt: created,
		},
		StatusAt: created,
	}
	if err := s.PutOrder(context.WithoutCancel(t.Context()), snap); err != nil {
		t.Fatal(err)
	}
	return snap
}

// TestConformance runs the suite every store passes. All subtests share one
// table, as production shares one: the suite uses fresh ids throughout.
func TestConformance(t *testing.T) {
	client, table := dynamotest.NewTable(t)
	s := dynamo.New(client, table)
	storetest.Run(t, func(t *testing.T) storetest.RawStore { return s })
}
