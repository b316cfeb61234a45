// Package bolt is the embedded store (bbolt) for local and single-host runs.
// It keeps the same logical items as the DynamoDB table — the same keys and
// attribute names, with the same secondary-index keys — so that both stores
// pass one conformance suite and a reader of one understands the other.
//
// Every item lives in one bucket under PK + "\x00" + SK, its attributes
// stored as one JSON object (PK and SK included), so attributes the
// dashboard does not own survive a read-modify-write. Each secondary index
// is a bucket of keys GSIxPK + "\x00" + item key, kept in step with the
// items inside the same transaction. bbolt allows one writer at a time, so
// every conditional write is a single Update and therefore atomic, and a
// committed Update is fsynced before it is acknowledged.
package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	dashboard "github.com/thebabesclub/dashboard"
)

// openTimeout bounds the wait for the file lock, so that a second process
// opening the same file gets a clear error instead of hanging.
const openTimeout = time.Second

// sep joins PK and SK into an item key; no key the dashboard writes
// contains it, and it sorts before every printable byte so that the items
// of one PK are contiguous and ordered by SK.
const sep = "\x00"

// Bucket names. The index buckets mirror the table's global secondary
// indexes, named after their partition-key attribute.
var (
	bucketItems = []byte("items")
	bucketMeta  = []byte("meta")
	// indexAttrs are the attributes whose values key an index bucket of
	// the same name.
	indexAttrs = [...]string{"GSI1PK", "GSI2PK", "GSI3PK"}
)

// Positions of the indexes in indexAttrs and indexKeys.
const (
	idxStripe     = iota // GSI1: STRIPE#<customer id> → profile; WALLETS#<digit> → wallet index items
	idxOrder             // GSI2: ORDER#<session id> → order
	idxCollection        // GSI3: COLLECTION#<collection id>#<shard> → holding
)

// schemaVersion is written once into the meta bucket so that a later
// release can tell which layout a file has before it migrates it.
const schemaVersion = "1"

// Store is the embedded implementation of dashboard.Store. It is safe for
// concurrent use by multiple goroutines.
type Store struct {
	db *bbolt.DB
	// now is the clock for the values the store itself stamps (an
	// updatedAt the caller left nil, the expiry sweep); tests replace it.
	now func() time.Time
	// cache holds decoded items for the read paths.
	cache *itemCaches
}

// Open opens (creating if needed) the bbolt file at path with mode 0600.
// It fails after a short wait, rather than blocking, when another process
// holds the file, and it drops processed-event records and wallet
// challenges whose expiresAt has passed (DynamoDB's TTL does the same on
// AWS).
func Open(path string) (*Store, error) { return open(path, time.Now) }

// open is Open with the store's clock, which tests replace to check the
// expiry sweeps.
func open(path string, now func() time.Time) (*Store, error) {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: openTimeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("bolt: open %s: the file is in use by another process", path)
	} else if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	s := &Store{db: db, now: now, cache: newItemCaches()}
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, name := range []string{string(bucketItems), string(bucketMeta), indexAttrs[0], indexAttrs[1], indexAttrs[2]} {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get([]byte("schema")); v == nil {
			if err := meta.Put([]byte("schema"), []byte(schemaVersion)); err != nil {
				return err
			}
		} else if string(v) != schemaVersion {
			return fmt.Errorf("unsupported schema version %q", v)
		}
		for _, prefix := range sweptPartitions {
			if err := sweepExpiredUnder(tx, prefix, s.now()); err != nil {
				return err
			}
		}
		return sweepExpiredChallenges(tx, s.now())
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	return s, nil
}

// Close releases the file and its lock.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("bolt: close: %w", err)
	}
	return nil
}

// RawItem returns the item at pk/sk with all its attributes, as another
// system reading the table would see it (nil, nil if absent). Numbers come
// back as float64, as encoding/json decodes them.
func (s *Store) RawItem(ctx context.Context, pk, sk string) (map[string]any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var item map[string]any
	err := s.db.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketItems).Get(itemKey(pk, sk))
		if v == nil {
			return nil
		}
		return json.Unmarshal(v, &item)
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: raw item: %w", err)
	}
	return item, nil
}

// PutRawItem writes item whole, as another system (the identity service)
// would, keeping the indexes in step with its GSI attributes.
func (s *Store) PutRawItem(ctx context.Context, item map[string]any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	pk, _ := item["PK"].(string)
	sk, _ := item["SK"].(string)
	if pk == "" || sk == "" {
		return errors.New("bolt: put raw item: PK and SK must be non-empty strings")
	}
	err := s.db.Update(func(tx *bbolt.Tx) error { return putMap(tx, item) })
	if err != nil {
		return fmt.Errorf("bolt: put raw item: %w", err)
	}
	return nil
}

// itemKey is the key of the item pk/sk in the items bucket.
func itemKey(pk, sk string) []byte {
	k := make([]byte, 0, len(pk)+len(sep)+len(sk))
	return append(append(append(k, pk...), sep...), sk...)
}

// indexKeys holds an item's GSI1PK, GSI2PK and GSI3PK ("" when absent).
type indexKeys [len(indexAttrs)]string

// indexKeysOf reads the index attributes of a stored JSON item.
func indexKeysOf(v []byte) (indexKeys, error) {
	var ks indexKeys
	if v == nil {
		return ks, nil
	}
	var gsi struct {
		GSI1PK, GSI2PK, GSI3PK any
	}
	if err := json.Unmarshal(v, &gsi); err != nil {
		return ks, err
	}
	ks[idxStripe], _ = gsi.GSI1PK.(string)
	ks[idxOrder], _ = gsi.GSI2PK.(string)
	ks[idxCollection], _ = gsi.GSI3PK.(string)
	return ks, nil
}

// getMap returns the item at pk/sk decoded with json.Number for numbers,
// so that a read-modify-write stores foreign numbers exactly as they were
// (nil if absent).
func getMap(tx *bbolt.Tx, pk, sk string) (map[string]any, error) {
	v := tx.Bucket(bucketItems).Get(itemKey(pk, sk))
	if v == nil {
		return nil, nil
	}
	item, err := decodeMap(v)
	if err != nil {
		return nil, fmt.Errorf("decode %s/%s: %w", pk, sk, err)
	}
	return item, nil
}

// putMap writes a whole item given as attributes (PK and SK included).
func putMap(tx *bbolt.Tx, item map[string]any) error {
	pk, _ := item["PK"].(string)
	sk, _ := item["SK"].(string)
	v, err := json.Marshal(item)
	if err != nil {
		return fmt.Errorf("encode %s/%s: %w", pk, sk, err)
	}
	var ks indexKeys
	for i, attr := range indexAttrs {
		ks[i], _ = item[attr].(string)
	}
	return putItem(tx, pk, sk, v, ks)
}

// putItem stores the JSON item v at pk/sk, whose index attributes are ks,
// and moves its index entries from the previous version's keys to ks.
func putItem(tx *bbolt.Tx, pk, sk string, v []byte, ks indexKeys) error {
	if strings.Contains(pk, sep) || strings.Contains(sk, sep) {
		return fmt.Errorf("key %q/%q contains a NUL byte", pk, sk)
	}
	key := itemKey(pk, sk)
	items := tx.Bucket(bucketItems)
	old, err := indexKeysOf(items.Get(key))
	if err != nil {
		return fmt.Errorf("decode %s/%s: %w", pk, sk, err)
	}
	if err := moveIndexes(tx, key, old, ks); err != nil {
		return err
	}
	return items.Put(key, v)
}

// deleteItem removes the item at pk/sk and its index entries.
func deleteItem(tx *bbolt.Tx, pk, sk string) error {
	key := itemKey(pk, sk)
	items := tx.Bucket(bucketItems)
	old, err := indexKeysOf(items.Get(key))
	if err != nil {
		return fmt.Errorf("decode %s/%s: %w", pk, sk, err)
	}
	if err := moveIndexes(tx, key, old, indexKeys{}); err != nil {
		return err
	}
	return items.Delete(key)
}

// moveIndexes replaces the index entries of the item key from old to new.
func moveIndexes(tx *bbolt.Tx, key []byte, old, new indexKeys) error {
	for i, attr := range indexAttrs {
		if old[i] == new[i] {
			continue
		}
		b := tx.Bucket([]byte(attr))
		if old[i] != "" {
			if err := b.Delete(indexEntry(old[i], key)); err != nil {
				return err
			}
		}
		if new[i] != "" {
			if err := b.Put(indexEntry(new[i], key), nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// indexEntry is the key of the item key under the index value gsiPK.
func indexEntry(gsiPK string, key []byte) []byte {
	e := make([]byte, 0, len(gsiPK)+len(sep)+len(key))
	return append(append(append(e, gsiPK...), sep...), key...)
}

// lookupIndex returns the stored JSON of the first item whose index
// attribute attr equals gsiPK (nil if none).
func lookupIndex(tx *bbolt.Tx, attr, gsiPK string) []byte {
	prefix := []byte(gsiPK + sep)
	k, _ := tx.Bucket([]byte(attr)).Cursor().Seek(prefix)
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return nil
	}
	return tx.Bucket(bucketItems).Get(k[len(prefix):])
}

// formatTime is the stored form of every time: RFC 3339 in UTC, truncated
// to milliseconds, exactly as the DynamoDB store writes it.
func formatTime(t time.Time) string {
	return t.UTC().Truncate(time.Millisecond).Format(time.RFC3339Nano)
}

// normTime is t as it reads back from the store.
func normTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// parseTime reads a stored time attribute. Items written by other systems
// may carry RFC 3339 with any precision or offset, a naive ISO timestamp
// (taken as UTC), or epoch seconds; anything else counts as absent.
func parseTime(v any) *time.Time {
	var t time.Time
	switch v := v.(type) {
	case string:
		var err error
		if t, err = time.Parse(time.RFC3339Nano, v); err != nil {
			if t, err = time.Parse("2006-01-02T15:04:05.999999999", v); err != nil {
				return nil
			}
		}
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return nil
		}
		t = time.UnixMilli(int64(f * 1000))
	case float64:
		t = time.UnixMilli(int64(v * 1000))
	default:
		return nil
	}
	t = t.UTC()
	return &t
}

// checkUser rejects a member id that is not well formed
// (dashboard.ValidMemberID): an empty one would address the "USER#"
// partition, and one with '#' could name another item's key.
func checkUser(userID string) error {
	if !dashboard.ValidMemberID(userID) {
		return dashboard.Errorf(dashboard.EVALIDATION, "Invalid member id.")
	}
	return nil
}
