package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	dashboard "github.com/thebabesclub/dashboard"
)

// SyncedAt reads the member's SYNC#<kind> marker consistently: a refresh
// decision taken on a stale marker would queue a sync that just ran.
func (s *Store) SyncedAt(ctx context.Context, userID string, kind dashboard.SyncKind) (*time.Time, error) {
	if err := badUser(userID); err != nil {
		return nil, err
	}
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      &s.table,
		Key:            key(userPK(userID), prefixSync+string(kind)),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("dynamo: get sync marker: %w", err)
	}
	t, err := parseTime(out.Item["lastSyncedAt"])
	if err != nil {
		return nil, fmt.Errorf("dynamo: get sync marker: %w", err)
	}
	return t, nil
}

// MarkSynced sets the member's SYNC#<kind> marker with an UpdateItem, so any
// other attribute on the marker item survives.
func (s *Store) MarkSynced(ctx context.Context, userID string, kind dashboard.SyncKind, at time.Time) error {
	if err := badUser(userID); err != nil {
		return err
	}
	_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       key(userPK(userID), prefixSync+string(kind)),
		UpdateExpression:          aws.String("SET lastSyncedAt = :t"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": str(formatTime(at))},
	})
	if err != nil {
		return fmt.Errorf("dynamo: mark synced: %w", err)
	}
	return nil
}

// EventProcessed reports whether EVENT#<id> exists. An item past its TTL
// that DynamoDB has not swept yet still counts: Stripe does not redeliver
// after 90 days, and counting it is the safe side of a duplicate.
func (s *Store) EventProcessed(ctx context.Context, eventID string) (bool, error) {
	if eventID == "" {
		return false, dashboard.Errorf(dashboard.EVALIDATION, "Invalid event id.")
	}
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:            &s.table,
		Key:                  key(prefixEvent+eventID, skEvent),
		ConsistentRead:       aws.Bool(true),
		ProjectionExpression: aws.String("PK"),
	})
	if err != nil {
		return false, fmt.Errorf("dynamo: get event: %w", err)
	}
	return out.Item != nil, nil
}

// MarkEventProcessed writes EVENT#<id> with its TTL. A plain put: writing
// the same event twice (a replay racing the first delivery) is harmless.
func (s *Store) MarkEventProcessed(ctx context.Context, eventID string, at time.Time) error {
	if eventID == "" {
		return dashboard.Errorf(dashboard.EVALIDATION, "Invalid event id.")
	}
	_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.table,
		Item: map[string]types.AttributeValue{
			attrPK:        str(prefixEvent + eventID),
			attrSK:        str(skEvent),
			"eventId":     str(eventID),
			"processedAt": str(formatTime(at)),
			attrTTL:       num(at.Add(dashboard.EventRetention).Unix()),
		},
	})
	if err != nil {
		return fmt.Errorf("dynamo: mark event: %w", err)
	}
	return nil
}

// Watermark reads SYSTEM/<name> consistently (the zero time when unset).
func (s *Store) Watermark(ctx context.Context, name string) (time.Time, error) {
	if name == "" {
		return time.Time{}, dashboard.Errorf(dashboard.EVALIDATION, "Invalid watermark name.")
	}
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      &s.table,
		Key:            key(pkSystem, name),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("dynamo: get watermark: %w", err)
	}
	t, err := parseTime(out.Item["watermark"])
	if err != nil || t == nil {
		if err != nil {
			err = fmt.Errorf("dynamo: get watermark: %w", err)
		}
		return time.Time{}, err
	}
	return *t, nil
}

// SetWatermark stores SYSTEM/<name>.
func (s *Store) SetWatermark(ctx context.Context, name string, at time.Time) error {
	if name == "" {
		return dashboard.Errorf(dashboard.EVALIDATION, "Invalid watermark name.")
	}
	_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       key(pkSystem, name),
		UpdateExpression:          aws.String("SET watermark = :t"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": str(formatTime(at))},
	})
	if err != nil {
		return fmt.Errorf("dynamo: set watermark: %w", err)
	}
	return nil
}
