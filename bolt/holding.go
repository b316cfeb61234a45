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

	dashboard "github.com/thebabesclub/dashboard"
)

// nftPrefix starts the sort key of holding items (CONTRACT §6); their
// collection-index keys come from dashboard.CollectionIndexKey.
const nftPrefix = "NFT#"

// holdingItem is the stored form of a holding: its JSON attributes plus
// the keys and the owner.
type holdingItem struct {
	PK     string `json:"PK"`
	SK     string `json:"SK"`
	GSI3PK string `json:"GSI3PK,omitempty"`
	UserID string `json:"userId"`
	dashboard.Holding
}

// holdingSK is the sort key of a holding. The contract address is
// lower-cased so that the same token in another case is the same item.
func holdingSK(h *dashboard.Holding) string {
	return nftPrefix + strings.ToLower(h.ContractAddress) + "#" + h.TokenID
}

// ReplaceHoldings makes the member's stored holdings exactly the given set
// and sets the SYNC#NFT marker, all in one transaction. A holding that
// differs from the stored one only in lastSyncedAt is left as it is, as in
// the DynamoDB store: the marker records the sync and readers take the
// later of the two times (see nfts.List). A holding counts as updated when
// it was stored and any of its attributes but lastSyncedAt and GSI3PK
// changed; one that differs only in GSI3PK is rewritten uncounted, so a
// sync moves an item from before the collection index was sharded to its
// shard.
func (s *Store) ReplaceHoldings(ctx context.Context, userID string, holdings []dashboard.Holding, syncedAt time.Time) (dashboard.HoldingDiff, error) {
	var diff dashboard.HoldingDiff
	if err := ctx.Err(); err != nil {
		return diff, err
	}
	if err := checkUser(userID); err != nil {
		return diff, err
	}
	pk := userPrefix + userID
	type encoded struct {
		sk, gsi string
		v       []byte
	}
	next := make(map[string]encoded, len(holdings))
	for _, h := range holdings {
		if h.ContractAddress == "" || h.TokenID == "" {
			return diff, dashboard.Errorf(dashboard.EVALIDATION, "A holding needs a contract address and a token id.")
		}
		h.LastSyncedAt = normTime(h.LastSyncedAt)
		// The same sharded collection-index key as the DynamoDB store.
		it := holdingItem{PK: pk, SK: holdingSK(&h), UserID: userID, GSI3PK: dashboard.CollectionIndexKey(&h), Holding: h}
		v, err := json.Marshal(&it)
		if err != nil {
			return diff, fmt.Errorf("bolt: replace holdings: encode: %w", err)
		}
		next[it.SK] = encoded{sk: it.SK, gsi: it.GSI3PK, v: v}
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		var d dashboard.HoldingDiff
		prefix := itemKey(pk, nftPrefix)
		stored := map[string][]byte{}
		c := tx.Bucket(bucketItems).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			stored[string(k[len(pk)+len(sep):])] = bytes.Clone(v)
		}
		for sk := range stored {
			if _, keep := next[sk]; !keep {
				if err := deleteItem(tx, pk, sk); err != nil {
					return err
				}
				d.Removed++
			}
		}
		for sk, e := range next {
			old, ok := stored[sk]
			switch {
			case !ok:
				d.Added++
			case bytes.Equal(old, e.v) || sameExcept(old, e.v, attrLastSyncedAt):
				continue
			case !sameExcept(old, e.v, attrLastSyncedAt, indexAttrs[idxCollection]):
				d.Updated++
			}
			// A holding whose only change is its collection-index shard
			// is rewritten but not counted as updated.
			if err := putItem(tx, pk, sk, e.v, indexKeys{idxCollection: e.gsi}); err != nil {
				return err
			}
		}
		if err := putSyncMarker(tx, userID, dashboard.SyncNFT, syncedAt); err != nil {
			return err
		}
		diff = d
		return nil
	})
	var appErr *dashboard.Error
	if errors.As(err, &appErr) {
		return dashboard.HoldingDiff{}, err
	} else if err != nil {
		return dashboard.HoldingDiff{}, fmt.Errorf("bolt: replace holdings: %w", err)
	}
	return diff, nil
}

// ListHoldings returns up to limit holdings of userID in key order
// (contract, then token id), only those of collectionID when it is not
// empty, starting after the key after. A filtered page skips what does not
// match, so it is full whenever enough matching holdings remain; Next is
// set only when at least one more matching holding exists.
func (s *Store) ListHoldings(ctx context.Context, userID, collectionID string, limit int, after string) (dashboard.HoldingPage, error) {
	var page dashboard.HoldingPage
	if err := ctx.Err(); err != nil {
		return page, err
	}
	err := s.db.View(func(tx *bbolt.Tx) (err error) {
		page, err = s.holdingsIn(tx.Bucket(bucketItems), userID, collectionID, limit, after)
		return err
	})
	return page, err
}

// sameExcept reports whether two stored holdings are equal but for the
// attributes ignored: lastSyncedAt alone tells a holding only seen again
// (not written) from one to write; with GSI3PK too (derived from
// collectionId, which stays compared) it tells a content change from a
// move of a legacy item to its collection-index shard.
func sameExcept(a, b []byte, ignored ...string) bool {
	var x, y map[string]any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	for _, attr := range ignored {
		delete(x, attr)
		delete(y, attr)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

// RemoveHoldings deletes every holding of userID, their collection-index
// entries and the SYNC#NFT marker in one transaction, so no reader ever
// sees the holdings gone but the marker fresh.
func (s *Store) RemoveHoldings(ctx context.Context, userID string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := checkUser(userID); err != nil {
		return 0, err
	}
	pk := userPrefix + userID
	n := 0
	err := s.db.Update(func(tx *bbolt.Tx) error {
		var err error
		if n, err = deleteHoldings(tx, pk, nil); err != nil {
			return err
		}
		return deleteItem(tx, pk, syncPrefix+string(dashboard.SyncNFT))
	})
	if err != nil {
		return 0, fmt.Errorf("bolt: remove holdings: %w", err)
	}
	return n, nil
}

// deleteHoldings deletes the holdings of partition pk for which match
// (given the stored JSON) is true, or all of them when match is nil, with
// their collection-index entries, and returns how many it deleted.
// RemoveHoldings takes them all; RemoveWallet those of one wallet.
func deleteHoldings(tx *bbolt.Tx, pk string, match func(v []byte) (bool, error)) (int, error) {
	prefix := itemKey(pk, nftPrefix)
	var sks []string
	c := tx.Bucket(bucketItems).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if match != nil {
			ok, err := match(v)
			if err != nil {
				return 0, fmt.Errorf("decode %q: %w", k, err)
			}
			if !ok {
				continue
			}
		}
		sks = append(sks, string(k[len(pk)+len(sep):]))
	}
	for _, sk := range sks {
		if err := deleteItem(tx, pk, sk); err != nil {
			return 0, err
		}
	}
	return len(sks), nil
}
