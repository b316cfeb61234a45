package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"

	dashboard "github.com/thebabesclub/dashboard"
)

// Key parts and attributes of sync markers, processed events and system
// watermarks (CONTRACT §6).
const (
	syncPrefix        = "SYNC#"
	attrLastSyncedAt  = "lastSyncedAt"
	eventPrefix       = "EVENT#"
	eventSK           = "METADATA"
	attrExpiresAt     = "expiresAt"
	systemPK          = "SYSTEM"
	attrWatermark     = "watermark"
	attrProcessedAt   = "processedAt"
	sweepBatchMaximum = 10000
)

// SyncedAt returns the member's marker of kind (nil if never synced).
func (s *Store) SyncedAt(ctx context.Context, userID string, kind dashboard.SyncKind) (*time.Time, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var at *time.Time
	err := s.db.View(func(tx *bbolt.Tx) (err error) {
		at, err = s.syncedAtIn(tx.Bucket(bucketItems), userID, kind)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: synced at: %w", err)
	}
	return at, nil
}

// syncedAtIn reads the marker from the items bucket of a read
// transaction, decoded through the store's
// cache, so ListOrders can return it from the same read as its first page
// and a snapshot with the NFT list's other items.
func (s *Store) syncedAtIn(items *bbolt.Bucket, userID string, kind dashboard.SyncKind) (*time.Time, error) {
	key := itemKey(userPrefix+userID, syncPrefix+string(kind))
	v := items.Get(key)
	if v == nil {
		return nil, nil
	}
	at, err := s.cache.markers.get(key, v)
	if err != nil {
		return nil, fmt.Errorf("decode sync marker: %w", err)
	}
	return at, nil
}

// decodeMarker reads a stored sync marker's time. Only the one attribute is
// needed: a typed decode, not a whole map.
func decodeMarker(v []byte) (*time.Time, error) {
	var marker struct {
		LastSyncedAt any `json:"lastSyncedAt"`
	}
	if err := json.Unmarshal(v, &marker); err != nil {
		return nil, err
	}
	return parseTime(marker.LastSyncedAt), nil
}

// MarkSynced sets the member's marker of kind.
func (s *Store) MarkSynced(ctx context.Context, userID string, kind dashboard.SyncKind, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkUser(userID); err != nil {
		return err
	}
	if err := s.db.Update(func(tx *bbolt.Tx) error { return putSyncMarker(tx, userID, kind, at) }); err != nil {
		return fmt.Errorf("bolt: mark synced: %w", err)
	}
	return nil
}

// putSyncMarker writes the marker inside tx, so ReplaceHoldings sets it in
// the same transaction as the holdings.
func putSyncMarker(tx *bbolt.Tx, userID string, kind dashboard.SyncKind, at time.Time) error {
	return putMap(tx, map[string]any{
		"PK": userPrefix + userID, "SK": syncPrefix + string(kind),
		attrUserID: userID, attrLastSyncedAt: formatTime(at),
	})
}

// EventProcessed reports whether EVENT#<id> exists.
func (s *Store) EventProcessed(ctx context.Context, eventID string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	var ok bool
	err := s.db.View(func(tx *bbolt.Tx) error {
		ok = tx.Bucket(bucketItems).Get(itemKey(eventPrefix+eventID, eventSK)) != nil
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("bolt: event processed: %w", err)
	}
	return ok, nil
}

// MarkEventProcessed writes EVENT#<id> with expiresAt = at + 90 days, in
// epoch seconds as DynamoDB's TTL reads it. Writing it again overwrites it.
func (s *Store) MarkEventProcessed(ctx context.Context, eventID string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if eventID == "" {
		return dashboard.Errorf(dashboard.EVALIDATION, "An event id is required.")
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		return putMap(tx, map[string]any{
			"PK": eventPrefix + eventID, "SK": eventSK,
			attrProcessedAt: formatTime(at), attrExpiresAt: at.Add(dashboard.EventRetention).Unix(),
		})
	})
	if err != nil {
		return fmt.Errorf("bolt: mark event processed: %w", err)
	}
	return nil
}

// sweptPartitions are the partition-key prefixes whose items all carry a
// TTL (expiresAt) on DynamoDB: processed events and reconciliation
// checkpoints. Opening the store sweeps them (sweepExpiredUnder).
var sweptPartitions = []string{eventPrefix, reconcilePrefix}

// sweepExpiredUnder deletes the items of partitions whose key starts with
// pkPrefix and whose expiresAt has passed, the embedded stand-in for
// DynamoDB's TTL. It runs when the store opens and removes at most
// sweepBatchMaximum items per prefix, so that opening stays quick even
// after a long pause.
func sweepExpiredUnder(tx *bbolt.Tx, pkPrefix string, now time.Time) error {
	prefix := []byte(pkPrefix)
	var expired [][]byte
	c := tx.Bucket(bucketItems).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(expired) < sweepBatchMaximum; k, v = c.Next() {
		var item struct {
			ExpiresAt json.Number `json:"expiresAt"`
		}
		if json.Unmarshal(v, &item) != nil {
			continue // not ours to judge: leave it
		}
		if exp, err := item.ExpiresAt.Float64(); err == nil && exp < float64(now.Unix()) {
			expired = append(expired, bytes.Clone(k))
		}
	}
	for _, k := range expired {
		pk, sk, _ := strings.Cut(string(k), sep)
		if err := deleteItem(tx, pk, sk); err != nil {
			return err
		}
	}
	return nil
}

// Watermark returns the named system watermark (zero time if unset).
func (s *Store) Watermark(ctx context.Context, name string) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	var at *time.Time
	err := s.db.View(func(tx *bbolt.Tx) error {
		item, err := getMap(tx, systemPK, name)
		if item != nil {
			at = parseTime(item[attrWatermark])
		}
		return err
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("bolt: watermark: %w", err)
	}
	if at == nil {
		return time.Time{}, nil
	}
	return *at, nil
}

// SetWatermark stores the named system watermark.
func (s *Store) SetWatermark(ctx context.Context, name string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if name == "" {
		return dashboard.Errorf(dashboard.EVALIDATION, "A watermark name is required.")
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		return putMap(tx, map[string]any{"PK": systemPK, "SK": name, attrWatermark: formatTime(at)})
	})
	if err != nil {
		return fmt.Errorf("bolt: set watermark: %w", err)
	}
	return nil
}
