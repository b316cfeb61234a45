package bolt

import (
	"context"
	"encoding/json"
	"fmt"
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

// SaveWalletChallenge stores c; a nonce is never reused.
func (s *Store) SaveWalletChallenge(ctx context.Context, c dashboard.WalletChallenge) error {
	if err := checkUser(c.UserID); err != nil {
		return err
	}
	if c.Nonce == "" {
		return dashboard.Errorf(dashboard.EINVALID, "A challenge needs a nonce.")
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

// EachHolder walks the collection index bucket (GSI3).
func (s *Store) EachHolder(ctx context.Context, collectionID string, fn func(dashboard.Holder) error) error {
	if collectionID == "" {
		return dashboard.Errorf(dashboard.EINVALID, "A collection id is required.")
	}
	var holders []dashboard.Holder
	err := s.db.View(func(tx *bbolt.Tx) error {
		prefix := []byte(collectionPrefix + collectionID + sep)
		c := tx.Bucket([]byte(indexAttrs[idxCollection])).Cursor()
		for k, _ := c.Seek(prefix); k != nil && len(k) >= len(prefix) && string(k[:len(prefix)]) == string(prefix); k, _ = c.Next() {
			v := tx.Bucket(bucketItems).Get(k[len(prefix):])
			if v == nil {
				continue
			}
			var it holdingItem
			if err := json.Unmarshal(v, &it); err != nil {
				return err
			}
			holders = append(holders, dashboard.Holder{UserID: it.UserID, Holding: it.Holding})
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
