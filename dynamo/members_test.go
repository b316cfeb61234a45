package dynamo_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	dashboard "github.com/thebabesclub/dashboard"
)

// scanMeter adds up the items DynamoDB read (ScannedCount, what a Scan is
// billed on, before its filter) over a client's Scans.
type scanMeter struct {
	mu      sync.Mutex
	scanned int32
}

func (m *scanMeter) option() func(*dynamodb.Options) {
	return func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("scanMeter",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					out, md, err := next.HandleInitialize(ctx, in)
					if res, ok := out.Result.(*dynamodb.ScanOutput); ok {
						m.mu.Lock()
						m.scanned += res.ScannedCount
						m.mu.Unlock()
					}
					return out, md, err
				}), middleware.After)
		})
	}
}

func (m *scanMeter) take() int32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.scanned
	m.scanned = 0
	return n
}

// TestEachStripeMemberReadsNotTheTable holds `sync stripe --all`'s walk to
// a cost in proportion to the members with a customer: on a table of four
// members with 40 orders each, it reads the three customers' index entries
// and the wallet shards' (a handful of items), where the profiles Scan it
// replaced reads all 160 orders.
func TestEachStripeMemberReadsNotTheTable(t *testing.T) {
	var meter scanMeter
	s := newStore(t, meter.option())
	ctx := t.Context()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	want := map[string]string{}
	for i := range 4 {
		id := newID(t)
		p := &dashboard.Profile{UserID: id, Email: id + "@example.com", DisplayName: "Member", CreatedAt: &at, UpdatedAt: &at}
		fields := []string{dashboard.FieldEmail, dashboard.FieldDisplayName}
		if i > 0 {
			cus := fmt.Sprintf("cus_meter%08d", i)
			p.StripeCustomerID, want[id] = &cus, cus
			fields = append(fields, dashboard.FieldStripeCustomerID)
		}
		if err := s.SaveProfile(ctx, dashboard.ProfileChange{Profile: p, Fields: fields}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddWallet(ctx, dashboard.MemberWallet{UserID: id, Address: fmt.Sprintf("0x%040x", 0xbabe0+i), AddedAt: at}); err != nil {
			t.Fatal(err)
		}
		for k := range 40 {
			putOrder(t, s, id, fmt.Sprintf("cs_test_meter%d_%03d", i, k), at.Add(time.Duration(k)*time.Minute))
		}
	}

	meter.take()
	got := map[string]string{}
	if err := s.EachStripeMember(ctx, func(userID, customerID string) error {
		if _, dup := got[userID]; dup {
			t.Errorf("member %s visited twice", userID)
		}
		got[userID] = customerID
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("EachStripeMember visited %v, want %v", got, want)
	}
	// Three profiles and four wallet-index items are in GSI1.
	if n := meter.take(); n > 7 {
		t.Errorf("EachStripeMember read %d items, want at most the 7 in GSI1", n)
	}

	if err := s.EachProfile(ctx, func(*dashboard.Profile) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if n := meter.take(); n < 160 {
		t.Errorf("the meter saw EachProfile read %d items, fewer than the 160 orders: it cannot tell a table Scan", n)
	}
}
