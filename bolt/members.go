package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	bbolt "go.etcd.io/bbolt"

	dashboard "github.com/thebabesclub/dashboard"
)

// EachProfile calls fn for every profile item, in key order. The profiles
// are read in one read transaction and fn runs after it, so fn may write.
func (s *Store) EachProfile(ctx context.Context, fn func(*dashboard.Profile) error) error {
	var profiles []*dashboard.Profile
	suffix := []byte(sep + profileSK)
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketItems).Cursor()
		prefix := []byte(userPrefix)
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if !bytes.HasSuffix(k, suffix) {
				continue
			}
			var item map[string]any
			if err := json.Unmarshal(v, &item); err != nil {
				return fmt.Errorf("decode %q: %w", k, err)
			}
			userID := strings.TrimPrefix(string(k[:len(k)-len(suffix)]), userPrefix)
			profiles = append(profiles, profileFromItem(userID, item))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("bolt: each profile: %w", err)
	}
	for _, p := range profiles {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

// EachStripeMember walks the STRIPE#<customer id> entries of the GSI1
// index bucket, not the items, so it reads only the members with a
// customer. The pairs are read in one read transaction and fn runs after
// it, so fn may write.
func (s *Store) EachStripeMember(ctx context.Context, fn func(userID, customerID string) error) error {
	type pair struct{ userID, customerID string }
	var pairs []pair
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket([]byte(indexAttrs[idxStripe])).Cursor()
		prefix := []byte(stripePrefix)
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			cus, item, ok := strings.Cut(string(k[len(prefix):]), sep)
			pk, _, ok2 := strings.Cut(item, sep)
			if !ok || !ok2 {
				return fmt.Errorf("index entry %q has no item key", k)
			}
			if id, ok := strings.CutPrefix(pk, userPrefix); ok && id != "" && cus != "" {
				pairs = append(pairs, pair{id, cus})
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("bolt: each stripe member: %w", err)
	}
	for _, p := range pairs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(p.userID, p.customerID); err != nil {
			return err
		}
	}
	return nil
}
