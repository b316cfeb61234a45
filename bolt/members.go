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
