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

// challengePrefix starts the sort key of wallet challenges (see dynamo).
const challengePrefix = "WALLET_CHALLENGE#"

// challengeItem is the stored form of a wallet challenge.
type challengeItem struct {
	PK        string `json:"PK"`
	SK        string `json:"SK"`
	UserID    string `json:"userId"`
	Nonce     string `json:"nonce"`
	Wallet    string `json:"wallet"`
	Domain    string `json:"domain"`
	Message   string `json:"message"`
	IssuedAt  string `json:"issuedAt"`
	ExpiresAt int64  `json:"expiresAt"`
}

// SaveWalletChallenge stores c; a nonce is never reused. In the same
// transaction it deletes the member's challenges that have expired, the
// embedded stand-in for DynamoDB's TTL while the store stays open (Open
// sweeps every member's).
func (s *Store) SaveWalletChallenge(ctx context.Context, c dashboard.WalletChallenge) error {
	if err := checkUser(c.UserID); err != nil {
		return err
	}
	if c.Nonce == "" {
		return dashboard.Errorf(dashboard.EVALIDATION, "A challenge needs a nonce.")
	}
	it := challengeItem{
		PK: userPrefix + c.UserID, SK: challengePrefix + c.Nonce, UserID: c.UserID, Nonce: c.Nonce,
		Wallet: c.Wallet, Domain: c.Domain, Message: c.Message, IssuedAt: formatTime(c.IssuedAt), ExpiresAt: c.ExpiresAt.Unix(),
	}
	v, err := json.Marshal(it)
	if err != nil {
		return fmt.Errorf("bolt: save wallet challenge: %w", err)
	}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketItems).Get(itemKey(it.PK, it.SK)) != nil {
			return dashboard.Errorf(dashboard.ECONFLICT, "The nonce is already in use.")
		}
		if err := deleteKeys(tx, expiredChallenges(tx, []byte(it.PK), s.now(), nil)); err != nil {
			return err
		}
		return putItem(tx, it.PK, it.SK, v, indexKeys{})
	})
	if err != nil {
		return fmt.Errorf("bolt: save wallet challenge: %w", err)
	}
	return nil
}

// TakeWalletChallenge reads and deletes the challenge in one transaction.
func (s *Store) TakeWalletChallenge(ctx context.Context, userID, nonce string) (*dashboard.WalletChallenge, error) {
	if err := checkUser(userID); err != nil {
		return nil, err
	}
	var it challengeItem
	found := false
	err := s.db.Update(func(tx *bbolt.Tx) error {
		pk, sk := userPrefix+userID, challengePrefix+nonce
		v := tx.Bucket(bucketItems).Get(itemKey(pk, sk))
		if v == nil || nonce == "" {
			return nil
		}
		if err := json.Unmarshal(v, &it); err != nil {
			return err
		}
		found = true
		return deleteItem(tx, pk, sk)
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: take wallet challenge: %w", err)
	}
	if !found {
		return nil, dashboard.Errorf(dashboard.ENOTFOUND, "No such challenge.")
	}
	issued, err := time.Parse(time.RFC3339Nano, it.IssuedAt)
	if err != nil {
		return nil, fmt.Errorf("bolt: take wallet challenge: %w", err)
	}
	return &dashboard.WalletChallenge{
		UserID: userID, Nonce: it.Nonce, Wallet: it.Wallet, Domain: it.Domain, Message: it.Message,
		IssuedAt: issued.UTC(), ExpiresAt: time.Unix(it.ExpiresAt, 0).UTC(),
	}, nil
}

// EachHolder walks the collection index bucket (GSI3) under every key
// that may hold collectionID (dashboard.CollectionIndexKeys: the shards in
// order, then the legacy unsharded key) in one read transaction, then
// calls fn outside it.
func (s *Store) EachHolder(ctx context.Context, collectionID string, fn func(dashboard.Holder) error) error {
	if collectionID == "" {
		return dashboard.Errorf(dashboard.EVALIDATION, "A collection id is required.")
	}
	var holders []dashboard.Holder
	err := s.db.View(func(tx *bbolt.Tx) error {
		items := tx.Bucket(bucketItems)
		c := tx.Bucket([]byte(indexAttrs[idxCollection])).Cursor()
		for _, key := range dashboard.CollectionIndexKeys(collectionID) {
			prefix := []byte(key + sep)
			for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
				v := items.Get(k[len(prefix):])
				if v == nil {
					continue
				}
				var it holdingItem
				if err := json.Unmarshal(v, &it); err != nil {
					return err
				}
				if it.CollectionID != collectionID {
					continue // a legacy key that is another collection's shard key
				}
				holders = append(holders, dashboard.Holder{UserID: it.UserID, Holding: it.Holding})
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("bolt: each holder: %w", err)
	}
	for _, h := range holders {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(h); err != nil {
			return err
		}
	}
	return nil
}

// sweepExpiredChallenges deletes every member's wallet challenges whose
// expiresAt has passed, the embedded stand-in for DynamoDB's TTL. It runs
// when the store opens, beside the event sweep. It reads only the
// challenge range of each member's partition, skipping from one partition
// to the next, and removes at most sweepBatchMaximum challenges, so that
// opening stays quick.
func sweepExpiredChallenges(tx *bbolt.Tx, now time.Time) error {
	var expired [][]byte
	users := []byte(userPrefix)
	c := tx.Bucket(bucketItems).Cursor()
	for k, _ := c.Seek(users); k != nil && bytes.HasPrefix(k, users) && len(expired) < sweepBatchMaximum; {
		i := bytes.Index(k, []byte(sep))
		if i < 0 {
			k, _ = c.Next()
			continue
		}
		pk := bytes.Clone(k[:i])
		expired = expiredChallenges(tx, pk, now, expired)
		k, _ = c.Seek(append(pk, sep[0]+1)) // the next partition
	}
	return deleteKeys(tx, expired)
}

// expiredChallenges appends to out the item keys of the challenges in
// partition pk that have expired at now (a challenge is usable strictly
// before its expiry, as nfts.Verify checks), up to sweepBatchMaximum keys
// in all. It uses its own cursor, so a caller's cursor stays put.
func expiredChallenges(tx *bbolt.Tx, pk []byte, now time.Time, out [][]byte) [][]byte {
	prefix := itemKey(string(pk), challengePrefix)
	c := tx.Bucket(bucketItems).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(out) < sweepBatchMaximum; k, v = c.Next() {
		var item struct {
			ExpiresAt json.Number `json:"expiresAt"`
		}
		if json.Unmarshal(v, &item) != nil {
			continue // not ours to judge: leave it
		}
		if exp, err := item.ExpiresAt.Int64(); err == nil && exp <= now.Unix() {
			out = append(out, bytes.Clone(k))
		}
	}
	return out
}

// deleteKeys deletes the items at the given item keys (and their index
// entries).
func deleteKeys(tx *bbolt.Tx, keys [][]byte) error {
	for _, k := range keys {
		pk, sk, _ := strings.Cut(string(k), sep)
		if err := deleteItem(tx, pk, sk); err != nil {
			return err
		}
	}
	return nil
}
