package dynamo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	dashboard "github.com/thebabesclub/dashboard"
)

// skSyncStripe is the upper bound of the first-page query: descending from
// it, the member's partition yields SYNC#STRIPE, then SYNC#NFT and PROFILE
// (which sort between ORDER# and SYNC#STRIPE), then the orders newest first.
const skSyncStripe = prefixSync + string(dashboard.SyncStripe)

// nonOrderSlots is how many items of the first-page range are not orders:
// SYNC#STRIPE, SYNC#NFT and PROFILE.
const nonOrderSlots = 3

// orderRecord is the stored order item. Its attribute names are the JSON
// names of the domain types plus userId, statusAt and version, so the item
// reads the same in the console as in the API.
type orderRecord struct {
	PK                    string               `json:"PK"`
	SK                    string               `json:"SK"`
	GSI2PK                string               `json:"GSI2PK"`
	UserID                string               `json:"userId"`
	OrderID               string               `json:"orderId"`
	OrderNumber           string               `json:"orderNumber"`
	Status                string               `json:"status"`
	Amount                int64                `json:"amount"`
	AmountSubtotal        int64                `json:"amountSubtotal"`
	Currency              string               `json:"currency"`
	CreatedAt             string               `json:"createdAt"`
	CompletedAt           *string              `json:"completedAt,omitempty"`
	ItemCount             int64                `json:"itemCount"`
	Items                 []dashboard.LineItem `json:"items"`
	CustomerEmail         *string              `json:"customerEmail,omitempty"`
	ShippingAddress       *dashboard.Address   `json:"shippingAddress,omitempty"`
	StripePaymentIntentID *string              `json:"stripePaymentIntentId,omitempty"`
	StripePaymentStatus   string               `json:"stripePaymentStatus"`
	CustomerPhone         *string              `json:"customerPhone,omitempty"`
	Discounts             []dashboard.Discount `json:"discounts"`
	AmountRefunded        int64                `json:"amountRefunded"`
	ReceiptURL            *string              `json:"receiptUrl,omitempty"`
	UpdatedAt             string               `json:"updatedAt"`
	StatusAt              string               `json:"statusAt"`
	Version               int64                `json:"version"`
	FulfillmentStatus     *string              `json:"fulfillmentStatus,omitempty"`
	Fulfillment           *fulfillmentRecord   `json:"fulfillment,omitempty"`
}

// fulfillmentRecord is the stored `fulfillment` map of an order (CONTRACT
// §11): absent carrier and tracking are absent attributes, and every step's
// time is a string in the table's one time format.
type fulfillmentRecord struct {
	Status         string                  `json:"status"`
	Carrier        *string                 `json:"carrier,omitempty"`
	TrackingNumber *string                 `json:"trackingNumber,omitempty"`
	TrackingURL    *string                 `json:"trackingUrl,omitempty"`
	Events         []fulfillmentStepRecord `json:"events"`
}

// fulfillmentStepRecord is one stored step of the fulfilment timeline.
type fulfillmentStepRecord struct {
	Status string `json:"status"`
	At     string `json:"at"`
	Note   string `json:"note,omitempty"`
}

// encodeFulfillment is the stored form of f (nil when f is nil). Events is
// never nil, so it is stored as a list even when empty.
func encodeFulfillment(f *dashboard.Fulfillment) *fulfillmentRecord {
	if f == nil {
		return nil
	}
	rec := &fulfillmentRecord{
		Status: string(f.Status), Carrier: f.Carrier, TrackingNumber: f.TrackingNumber, TrackingURL: f.TrackingURL,
		Events: make([]fulfillmentStepRecord, 0, len(f.Events)),
	}
	for _, e := range f.Events {
		rec.Events = append(rec.Events, fulfillmentStepRecord{Status: string(e.Status), At: formatTime(e.At), Note: e.Note})
	}
	return rec
}

// decodeFulfillment reads the stored `fulfillment` map back (nil when
// absent); Events is never nil.
func decodeFulfillment(rec *fulfillmentRecord) (*dashboard.Fulfillment, error) {
	if rec == nil {
		return nil, nil
	}
	f := &dashboard.Fulfillment{
		Status: dashboard.FulfillmentStatus(rec.Status), Carrier: rec.Carrier, TrackingNumber: rec.TrackingNumber,
		TrackingURL: rec.TrackingURL, Events: make([]dashboard.FulfillmentStep, 0, len(rec.Events)),
	}
	for i, e := range rec.Events {
		at, err := parseTime(str(e.At))
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", i, err)
		}
		step := dashboard.FulfillmentStep{Status: dashboard.FulfillmentStatus(e.Status), Note: e.Note}
		if at != nil {
			step.At = *at
		}
		f.Events = append(f.Events, step)
	}
	return f, nil
}

// orderSK is the order's sort key: the created epoch, zero-padded so that
// string order is time order, then the session id to keep keys unique.
func orderSK(created time.Time, orderID string) string {
	return fmt.Sprintf("%s%010d#%s", prefixOrder, created.Unix(), orderID)
}

func optTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	return aws.String(formatTime(*t))
}

func encodeOrder(snap *dashboard.OrderSnapshot, version int64) (map[string]types.AttributeValue, error) {
	o := snap.OrderDetail
	rec := orderRecord{
		PK: userPK(snap.UserID), SK: orderSK(o.CreatedAt, o.OrderID), GSI2PK: prefixOrder + o.OrderID,
		UserID: snap.UserID, OrderID: o.OrderID, OrderNumber: o.OrderNumber, Status: string(o.Status),
		Amount: o.Amount, AmountSubtotal: o.AmountSubtotal, Currency: o.Currency,
		CreatedAt: formatTime(o.CreatedAt), CompletedAt: optTime(o.CompletedAt), ItemCount: o.ItemCount,
		Items: o.Items, CustomerEmail: o.CustomerEmail, ShippingAddress: o.ShippingAddress,
		StripePaymentIntentID: o.StripePaymentIntentID, StripePaymentStatus: o.StripePaymentStatus,
		CustomerPhone: o.CustomerPhone, Discounts: o.Discounts, AmountRefunded: o.AmountRefunded,
		ReceiptURL: o.ReceiptURL, UpdatedAt: formatTime(o.UpdatedAt), StatusAt: formatTime(snap.StatusAt),
		Version: version, Fulfillment: encodeFulfillment(o.Fulfillment),
	}
	if o.FulfillmentStatus != nil {
		rec.FulfillmentStatus = aws.String(string(*o.FulfillmentStatus))
	}
	return attributevalue.MarshalMapWithOptions(rec, encJSON)
}

func decodeOrder(item map[string]types.AttributeValue) (*dashboard.OrderSnapshot, error) {
	var rec orderRecord
	if err := attributevalue.UnmarshalMapWithOptions(item, &rec, decJSON); err != nil {
		return nil, err
	}
	snap := &dashboard.OrderSnapshot{UserID: rec.UserID, Version: rec.Version}
	if snap.UserID == "" {
		snap.UserID = strings.TrimPrefix(rec.PK, prefixUser)
	}
	o := &snap.OrderDetail
	o.OrderID, o.OrderNumber, o.Status = rec.OrderID, rec.OrderNumber, dashboard.OrderStatus(rec.Status)
	o.Amount, o.AmountSubtotal, o.Currency = rec.Amount, rec.AmountSubtotal, rec.Currency
	o.ItemCount, o.Items, o.CustomerEmail, o.ShippingAddress = rec.ItemCount, rec.Items, rec.CustomerEmail, rec.ShippingAddress
	o.StripePaymentIntentID, o.StripePaymentStatus = rec.StripePaymentIntentID, rec.StripePaymentStatus
	o.CustomerPhone, o.Discounts, o.AmountRefunded, o.ReceiptURL = rec.CustomerPhone, rec.Discounts, rec.AmountRefunded, rec.ReceiptURL
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"createdAt", &o.CreatedAt}, {"updatedAt", &o.UpdatedAt}, {"statusAt", &snap.StatusAt}} {
		t, err := parseTime(item[f.name])
		if err != nil {
			return nil, fmt.Errorf("decode %s: %w", f.name, err)
		}
		if t != nil {
			*f.dst = *t
		}
	}
	t, err := parseTime(item["completedAt"])
	if err != nil {
		return nil, fmt.Errorf("decode completedAt: %w", err)
	}
	o.CompletedAt = t
	if rec.FulfillmentStatus != nil {
		st := dashboard.FulfillmentStatus(*rec.FulfillmentStatus)
		o.FulfillmentStatus = &st
	}
	if o.Fulfillment, err = decodeFulfillment(rec.Fulfillment); err != nil {
		return nil, fmt.Errorf("decode fulfillment: %w", err)
	}
	return snap, nil
}

// GetOrder reads one order by its primary key, consistently, because the
// detail view decides on it whether to call Stripe.
func (s *Store) GetOrder(ctx context.Context, userID, orderID string, created time.Time) (*dashboard.OrderSnapshot, error) {
	if err := badUser(userID); err != nil {
		return nil, err
	}
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      &s.table,
		Key:            key(userPK(userID), orderSK(created, orderID)),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("dynamo: get order: %w", err)
	}
	if out.Item == nil {
		return nil, dashboard.Errorf(dashboard.ENOTFOUND, "Order not found.")
	}
	snap, err := decodeOrder(out.Item)
	if err != nil {
		return nil, fmt.Errorf("dynamo: get order: %w", err)
	}
	return snap, nil
}

// FindOrder looks an order up by session id through GSI2, whoever owns it,
// for webhooks and the detail route that know only the id.
func (s *Store) FindOrder(ctx context.Context, orderID string) (*dashboard.OrderSnapshot, error) {
	if orderID == "" {
		return nil, dashboard.Errorf(dashboard.ENOTFOUND, "Order not found.")
	}
	out, err := s.client.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(indexGSI2),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrGSI2PK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(prefixOrder + orderID)},
	})
	if err != nil {
		return nil, fmt.Errorf("dynamo: find order: %w", err)
	}
	for _, item := range out.Items {
		if strings.HasPrefix(getString(item, attrSK), prefixOrder) {
			snap, err := decodeOrder(item)
			if err != nil {
				return nil, fmt.Errorf("dynamo: find order: %w", err)
			}
			return snap, nil
		}
	}
	return nil, dashboard.Errorf(dashboard.ENOTFOUND, "Order not found.")
}

// PutOrder replaces the order item if its stored version is still
// snap.Version, so two writers (webhook and sync) never lose each other's
// status change silently.
func (s *Store) PutOrder(ctx context.Context, snap *dashboard.OrderSnapshot) error {
	if err := badUser(snap.UserID); err != nil {
		return err
	}
	if snap.OrderID == "" || snap.CreatedAt.IsZero() {
		return dashboard.Errorf(dashboard.EVALIDATION, "An order needs an id and a creation time.")
	}
	item, err := encodeOrder(snap, snap.Version+1)
	if err != nil {
		return fmt.Errorf("dynamo: put order: %w", err)
	}
	in := &dynamodb.PutItemInput{TableName: &s.table, Item: item}
	if snap.Version == 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(PK)")
	} else {
		in.ConditionExpression = aws.String("version = :v")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":v": num(snap.Version)}
	}
	if _, err := s.client.PutItem(ctx, in); err != nil {
		if isConditionFailed(err) {
			return dashboard.Errorf(dashboard.EPRECONDITION, "The order changed since it was read.")
		}
		return fmt.Errorf("dynamo: put order: %w", err)
	}
	snap.Version++
	return nil
}

// ListOrders returns one page of the member's orders, newest first, with
// exactly one Query. The first page reads SYNC#STRIPE in the same round
// trip: the range ORDER#..SYNC#STRIPE descending starts with the marker.
// Later pages continue below after, which is the SK of the last order
// returned (or of the last item read, when a page stopped on something
// else).
//
// The query asks for one item more than it can return (limit + 1, plus the
// three non-order slots on the first page), so Next is set only when another
// order is known to exist. The one exception is a page DynamoDB cut short
// (1 MB, or foreign items in the range): then Next is the last key read and
// the following page may come back empty.
func (s *Store) ListOrders(ctx context.Context, userID string, limit int, after string) (dashboard.OrderPage, error) {
	if err := badUser(userID); err != nil {
		return dashboard.OrderPage{}, err
	}
	if limit <= 0 {
		limit = 20
	}
	in := &dynamodb.QueryInput{
		TableName:                &s.table,
		KeyConditionExpression:   aws.String("#pk = :pk AND #sk BETWEEN :lo AND :hi"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#sk": attrSK},
		ScanIndexForward:         aws.Bool(false),
		ConsistentRead:           aws.Bool(true),
	}
	hi := skSyncStripe
	extra := int32(1 + nonOrderSlots)
	if after != "" {
		if after < prefixOrder || after > skSyncStripe {
			return dashboard.OrderPage{}, dashboard.Errorf(dashboard.EINVALIDCURSOR, "Invalid cursor.")
		}
		hi, extra = after, 1
		in.ExclusiveStartKey = key(userPK(userID), after)
	}
	in.Limit = aws.Int32(int32(min(limit, 1000)) + extra)
	in.ExpressionAttributeValues = map[string]types.AttributeValue{
		":pk": str(userPK(userID)), ":lo": str(prefixOrder), ":hi": str(hi),
	}
	out, err := s.client.Query(ctx, in)
	if err != nil {
		return dashboard.OrderPage{}, fmt.Errorf("dynamo: list orders: %w", err)
	}
	var page dashboard.OrderPage
	more := false
	for _, item := range out.Items {
		sk := getString(item, attrSK)
		if !strings.HasPrefix(sk, prefixOrder) {
			if sk == skSyncStripe && after == "" {
				if page.SyncedAt, err = parseTime(item["lastSyncedAt"]); err != nil {
					return dashboard.OrderPage{}, fmt.Errorf("dynamo: list orders: sync marker: %w", err)
				}
			}
			continue
		}
		if len(page.Orders) == limit {
			more = true
			break
		}
		snap, err := decodeOrder(item)
		if err != nil {
			return dashboard.OrderPage{}, fmt.Errorf("dynamo: list orders: %w", err)
		}
		page.Orders = append(page.Orders, *snap)
		page.Next = sk
	}
	switch {
	case more:
		// page.Next is the SK of the last order returned.
	case out.LastEvaluatedKey != nil && len(page.Orders) < limit:
		// Cut short before limit orders: continue from the last key read.
		page.Next = getString(out.LastEvaluatedKey, attrSK)
	case out.LastEvaluatedKey != nil:
		// Exactly limit orders and nothing read beyond them: more may
		// exist, and page.Next already points after the last one.
	default:
		page.Next = ""
	}
	return page, nil
}
