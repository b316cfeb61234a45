package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"

	dashboard "github.com/thebabesclub/dashboard"
)

// Key parts and attributes of the member wallet items (CONTRACT §6, §10):
// the member's USER#<id> / WALLET#<lower> item, its index item
// WALLET#<lower> / USER#<id>, and the WALLET#<lower> / VERIFIED claim
// naming the one member who proved the wallet. WALLET# ends in '#', so a
// member's WALLET# range never holds their WALLET_CHALLENGE# items.
const (
	walletPrefix = "WALLET#"
	claimSK      = "VERIFIED"
	attrAddress  = "address"
	attrKind     = "kind"
)

// badWallet is the error of an address that is not one.
func badWallet() error {
	return dashboard.Errorf(dashboard.EVALIDATION, "Invalid wallet address.")
}

// noWallet is the error of a wallet the member does not have.
func noWallet() error {
	return dashboard.Errorf(dashboard.ENOTFOUND, "You have not added that wallet.")
}

// Wallets returns the member's wallets, oldest first, from their
// partition's WALLET# range.
func (s *Store) Wallets(ctx context.Context, userID string) ([]dashboard.MemberWallet, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []dashboard.MemberWallet
	err := s.db.View(func(tx *bbolt.Tx) (err error) {
		out, err = s.walletsIn(tx.Bucket(bucketItems), userID)
		return err
	})
	return out, err
}

// AddWallet counts the member's wallets and writes the wallet and its
// index item in one transaction, so the limit holds exactly here. The
// wallet is stored unverified and of kind eoa: w.VerifiedAt and w.Kind are
// ignored, as only VerifyWallet proves a wallet.
func (s *Store) AddWallet(ctx context.Context, w dashboard.MemberWallet) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkUser(w.UserID); err != nil {
		return err
	}
	a, ok := dashboard.WalletKey(w.Address)
	if !ok {
		return badWallet()
	}
	pk, sk := userPrefix+w.UserID, walletPrefix+a
	address := strings.TrimSpace(w.Address)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		items := tx.Bucket(bucketItems)
		if items.Get(itemKey(pk, sk)) != nil {
			return nil // already added: keep it as it is
		}
		n := 0
		prefix := itemKey(pk, walletPrefix)
		cur := items.Cursor()
		for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
			n++
		}
		if n >= dashboard.MaxWallets {
			return dashboard.Errorf(dashboard.EVALIDATION, "You can add at most %d wallets.", dashboard.MaxWallets)
		}
		if err := putMap(tx, map[string]any{
			"PK": pk, "SK": sk, attrUserID: w.UserID, attrAddress: address,
			attrKind: string(dashboard.WalletEOA), attrAddedAt: formatTime(w.AddedAt),
		}); err != nil {
			return err
		}
		return putMap(tx, map[string]any{
			"PK": walletPrefix + a, "SK": pk, attrUserID: w.UserID, attrAddress: address,
			indexAttrs[idxStripe]: dashboard.WalletShardKey(a),
		})
	})
	return wrapErr("add wallet", err)
}

// VerifyWallet stamps the member's wallet and its index item and writes
// the claim in one transaction, after checking that the member has the
// wallet (ENOTFOUND) and that no other member's claim names it
// (ECONFLICT). A wallet verified already keeps its first verifiedAt and
// kind.
func (s *Store) VerifyWallet(ctx context.Context, userID, address string, kind dashboard.WalletKind, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkUser(userID); err != nil {
		return err
	}
	a, ok := dashboard.WalletKey(address)
	if !ok {
		return badWallet()
	}
	if kind != dashboard.WalletEOA && kind != dashboard.WalletContract {
		return dashboard.Errorf(dashboard.EVALIDATION, "Unknown wallet kind %q.", kind)
	}
	pk := userPrefix + userID
	err := s.db.Update(func(tx *bbolt.Tx) error {
		item, err := getMap(tx, pk, walletPrefix+a)
		if err != nil {
			return err
		}
		if item == nil {
			return noWallet()
		}
		claim, err := getMap(tx, walletPrefix+a, claimSK)
		if err != nil {
			return err
		}
		if claim != nil && str(claim[attrUserID]) != userID {
			return dashboard.Errorf(dashboard.ECONFLICT, "That wallet is already verified by another member.")
		}
		verified := item[attrVerifiedAt]
		if parseTime(verified) == nil {
			verified = formatTime(at)
			item[attrVerifiedAt], item[attrKind] = verified, string(kind)
			if err := putMap(tx, item); err != nil {
				return err
			}
		}
		index, err := getMap(tx, walletPrefix+a, pk)
		if err != nil {
			return err
		}
		if index == nil { // not written by AddWallet: restore it
			index = map[string]any{"PK": walletPrefix + a, "SK": pk}
		}
		index[attrUserID], index[attrAddress], index[attrVerifiedAt] = userID, item[attrAddress], verified
		index[indexAttrs[idxStripe]] = dashboard.WalletShardKey(a)
		if err := putMap(tx, index); err != nil {
			return err
		}
		if claim == nil {
			claim = map[string]any{"PK": walletPrefix + a, "SK": claimSK}
		}
		if parseTime(claim[attrVerifiedAt]) == nil {
			claim[attrVerifiedAt] = verified
		}
		claim[attrUserID] = userID
		return putMap(tx, claim)
	})
	return wrapErr("verify wallet", err)
}

// RemoveWallet deletes the member's wallet, its index item, its claim when
// it names this member, and the member's holdings stamped with the wallet
// (compared ignoring case) with their collection-index entries, all in one
// transaction. The SYNC#NFT marker stays: the member's other wallets'
// holdings are as fresh as they were.
func (s *Store) RemoveWallet(ctx context.Context, userID, address string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkUser(userID); err != nil {
		return err
	}
	a, ok := dashboard.WalletKey(address)
	if !ok {
		return badWallet()
	}
	pk := userPrefix + userID
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketItems).Get(itemKey(pk, walletPrefix+a)) == nil {
			return noWallet()
		}
		if err := deleteItem(tx, pk, walletPrefix+a); err != nil {
			return err
		}
		if err := deleteItem(tx, walletPrefix+a, pk); err != nil {
			return err
		}
		claim, err := getMap(tx, walletPrefix+a, claimSK)
		if err != nil {
			return err
		}
		if claim != nil && str(claim[attrUserID]) == userID {
			if err := deleteItem(tx, walletPrefix+a, claimSK); err != nil {
				return err
			}
		}
		_, err = deleteHoldings(tx, pk, func(v []byte) (bool, error) {
			var h struct {
				Wallet string `json:"wallet"`
			}
			if err := json.Unmarshal(v, &h); err != nil {
				return false, err
			}
			return strings.EqualFold(strings.TrimSpace(h.Wallet), a), nil
		})
		return err
	})
	return wrapErr("remove wallet", err)
}

// WalletMembers returns the ids of the members with an index item of the
// wallet, in key order.
func (s *Store) WalletMembers(ctx context.Context, address string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a, ok := dashboard.WalletKey(address)
	if !ok {
		return nil, badWallet()
	}
	ids := []string{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		pk := walletPrefix + a
		prefix := itemKey(pk, userPrefix)
		c := tx.Bucket(bucketItems).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			ids = append(ids, string(k[len(prefix):]))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: wallet members: %w", err)
	}
	return ids, nil
}

// EachWalletMember walks the wallet-shard entries of the GSI1 index
// bucket, shard by shard, and calls fn outside the read transaction.
func (s *Store) EachWalletMember(ctx context.Context, fn func(address, userID string) error) error {
	for _, shard := range dashboard.WalletShardKeys() {
		if err := s.EachShardWalletMember(ctx, shard, "", "", fn); err != nil {
			return err
		}
	}
	return nil
}

// EachShardWalletMember walks one shard's entries of the GSI1 index bucket
// in key order (wallet, then member), from just after the entry of
// afterAddress and afterUserID when they are set, and calls fn outside the
// read transaction.
func (s *Store) EachShardWalletMember(ctx context.Context, shard, afterAddress, afterUserID string, fn func(address, userID string) error) error {
	if !slices.Contains(dashboard.WalletShardKeys(), shard) {
		return dashboard.Errorf(dashboard.EVALIDATION, "Unknown wallet shard.")
	}
	prefix := []byte(shard + sep)
	from := prefix
	if afterAddress != "" || afterUserID != "" {
		a, ok := dashboard.WalletKey(afterAddress)
		if !ok || checkUser(afterUserID) != nil || dashboard.WalletShardKey(a) != shard {
			return dashboard.Errorf(dashboard.EVALIDATION, "A shard walk resumes after a wallet of that shard and a member id.")
		}
		from = []byte(shard + sep + walletPrefix + a + sep + userPrefix + afterUserID)
	}
	type pair struct{ address, userID string }
	var pairs []pair
	err := s.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket([]byte(indexAttrs[idxStripe])).Cursor()
		k, _ := c.Seek(from)
		if len(from) > len(prefix) && bytes.Equal(k, from) {
			k, _ = c.Next()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			pk, sk, ok := strings.Cut(string(k[len(prefix):]), sep)
			if !ok {
				return fmt.Errorf("index entry %q has no item key", k)
			}
			pairs = append(pairs, pair{strings.TrimPrefix(pk, walletPrefix), strings.TrimPrefix(sk, userPrefix)})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("bolt: each wallet member: %w", err)
	}
	for _, p := range pairs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(p.address, p.userID); err != nil {
			return err
		}
	}
	return nil
}
