package bolt

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"

	dashboard "github.com/thebabesclub/dashboard"
)

// ReadSnapshot runs fn with the member reads of one bbolt read transaction
// (dashboard.SnapshotReader): a view that reads several items pays for one
// transaction instead of one each, needs no goroutine to read them, and
// sees them as of one commit. fn must not call the Store's methods (see
// dashboard.SnapshotReader).
func (s *Store) ReadSnapshot(ctx context.Context, fn func(dashboard.Snapshot) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(func(tx *bbolt.Tx) error { return fn(snapshot{s: s, items: tx.Bucket(bucketItems)}) })
}

// snapshot is the reads of one read transaction. Each answers exactly as
// the Store's method of the same name, errors included: both call the same
// function with the transaction's items bucket. The bucket is looked up
// once: bbolt does not remember the buckets a read transaction opened, and
// each lookup costs a cursor and a few allocations.
type snapshot struct {
	s     *Store
	items *bbolt.Bucket
}

func (r snapshot) GetProfile(ctx context.Context, userID string) (*dashboard.Profile, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return r.s.profileIn(r.items, userID)
}

func (r snapshot) Wallets(ctx context.Context, userID string) ([]dashboard.MemberWallet, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return r.s.walletsIn(r.items, userID)
}

func (r snapshot) ListHoldings(ctx context.Context, userID, collectionID string, limit int, after string) (dashboard.HoldingPage, error) {
	if err := ctx.Err(); err != nil {
		return dashboard.HoldingPage{}, err
	}
	return r.s.holdingsIn(r.items, userID, collectionID, limit, after)
}

func (r snapshot) SyncedAt(ctx context.Context, userID string, kind dashboard.SyncKind) (*time.Time, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	at, err := r.s.syncedAtIn(r.items, userID, kind)
	if err != nil {
		return nil, fmt.Errorf("bolt: synced at: %w", err)
	}
	return at, nil
}

func (r snapshot) CheckoutEmails(ctx context.Context, userID string) ([]dashboard.CheckoutEmail, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return r.s.checkoutEmailsIn(r.items, userID)
}

// profileIn reads the member's profile from items, the items bucket of a
// read transaction (ENOTFOUND when there is no item), decoded through the
// store's cache.
func (s *Store) profileIn(items *bbolt.Bucket, userID string) (*dashboard.Profile, error) {
	key := itemKey(userPrefix+userID, profileSK)
	v := items.Get(key)
	if v == nil {
		return nil, dashboard.Errorf(dashboard.ENOTFOUND, "Profile not found.")
	}
	p, err := s.cache.profiles.get(key, v)
	if err != nil {
		return nil, fmt.Errorf("bolt: get profile: %w", err)
	}
	p.UserID = userID
	return p, nil
}

// walletsIn reads the member's wallets from items (as profileIn), oldest
// first, from their partition's WALLET# range, each decoded through the
// store's cache.
func (s *Store) walletsIn(items *bbolt.Bucket, userID string) ([]dashboard.MemberWallet, error) {
	if err := checkUser(userID); err != nil {
		return nil, err
	}
	out := []dashboard.MemberWallet{}
	prefix := itemKey(userPrefix+userID, walletPrefix)
	c := items.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		w, err := s.cache.wallets.get(k, v)
		if err != nil {
			return nil, fmt.Errorf("bolt: wallets: decode a wallet item: %w", err)
		}
		w.UserID = userID
		out = append(out, w)
	}
	slices.SortStableFunc(out, func(a, b dashboard.MemberWallet) int {
		return cmp.Or(a.AddedAt.Compare(b.AddedAt), cmp.Compare(strings.ToLower(a.Address), strings.ToLower(b.Address)))
	})
	return out, nil
}

// decodeWallet decodes a stored wallet item (its owner is the caller's).
func decodeWallet(v []byte) (dashboard.MemberWallet, error) {
	item, err := decodeMap(v)
	if err != nil {
		return dashboard.MemberWallet{}, err
	}
	w := dashboard.MemberWallet{
		Address: str(item[attrAddress]), Kind: dashboard.WalletKind(str(item[attrKind])),
		VerifiedAt: parseTime(item[attrVerifiedAt]),
	}
	if t := parseTime(item[attrAddedAt]); t != nil {
		w.AddedAt = *t
	}
	return w, nil
}

// checkoutEmailsIn reads the member's checkout emails from items (as
// profileIn), oldest first, from their partition's CHECKOUTEMAIL# range,
// each decoded through the store's cache.
func (s *Store) checkoutEmailsIn(items *bbolt.Bucket, userID string) ([]dashboard.CheckoutEmail, error) {
	if err := checkUser(userID); err != nil {
		return nil, err
	}
	out := []dashboard.CheckoutEmail{}
	prefix := itemKey(userPrefix+userID, checkoutPrefix)
	c := items.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		ce, err := s.cache.checkoutEmails.get(k, v)
		if err != nil {
			return nil, fmt.Errorf("bolt: checkout emails: decode a checkout-email item: %w", err)
		}
		ce.UserID = userID
		out = append(out, ce)
	}
	slices.SortStableFunc(out, func(a, b dashboard.CheckoutEmail) int {
		return cmp.Or(a.AddedAt.Compare(b.AddedAt), cmp.Compare(checkoutKey(a.Email), checkoutKey(b.Email)))
	})
	return out, nil
}

// decodeCheckoutEmail decodes a stored checkout-email item (its owner is
// the caller's).
func decodeCheckoutEmail(v []byte) (dashboard.CheckoutEmail, error) {
	item, err := decodeMap(v)
	if err != nil {
		return dashboard.CheckoutEmail{}, err
	}
	ce := dashboard.CheckoutEmail{Email: str(item[attrEmail]), VerifiedAt: parseTime(item[attrVerifiedAt])}
	if t := parseTime(item[attrAddedAt]); t != nil {
		ce.AddedAt = *t
	}
	return ce, nil
}

// holdingsIn reads one page of the member's holdings from items (as
// profileIn; see ListHoldings), each decoded through the store's cache.
func (s *Store) holdingsIn(items *bbolt.Bucket, userID, collectionID string, limit int, after string) (dashboard.HoldingPage, error) {
	var page dashboard.HoldingPage
	if after != "" && !strings.HasPrefix(after, nftPrefix) {
		return page, dashboard.Errorf(dashboard.EINVALIDCURSOR, "The cursor is not valid.")
	}
	if limit <= 0 {
		limit = defaultLimit
	}
	pk := userPrefix + userID
	prefix := itemKey(pk, nftPrefix)
	start := prefix
	if after != "" {
		start = itemKey(pk, after)
	}
	c := items.Cursor()
	if collectionID == "" {
		// Count the page first, so that it is allocated once at its size
		// (see ListOrders); a filtered page counts only as it decodes.
		n := 0
		for k, _ := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix) && n < limit; k, _ = c.Next() {
			if after == "" || string(k[len(pk)+len(sep):]) != after {
				n++
			}
		}
		if n > 0 {
			page.Holdings = make([]dashboard.Holding, 0, n)
		}
	}
	var last []byte
	for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if after != "" && string(k[len(pk)+len(sep):]) == after {
			continue
		}
		it, err := s.cache.holdings.get(k, v)
		if err != nil {
			return dashboard.HoldingPage{}, fmt.Errorf("bolt: list holdings: decode holding: %w", err)
		}
		if collectionID != "" && it.CollectionID != collectionID {
			continue
		}
		if len(page.Holdings) == limit {
			page.Next = string(last[len(pk)+len(sep):]) // more remain
			break
		}
		page.Holdings = append(page.Holdings, it.Holding)
		last = k
	}
	return page, nil
}
