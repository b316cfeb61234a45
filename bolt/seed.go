package bolt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	bbolt "go.etcd.io/bbolt"

	dashboard "github.com/thebabesclub/dashboard"
)

var _ dashboard.Seeder = (*Store)(nil)

// Seed bulk-loads b (dashboard.Seeder) in one transaction, every item
// encoded by the helpers the store's own writes use (setProfileField,
// swapEmail, putSyncMarker, putMap, putItem, the orderItem of PutOrder and
// the holdingItem of ReplaceHoldings with its dashboard.CollectionIndexKey).
// One transaction is one commit, so a batch costs the commit's syncs once,
// and a crash mid-seed leaves the batches committed before it. Items are
// put whole: Seed is for a new store, never one that members use.
func (s *Store) Seed(ctx context.Context, b dashboard.SeedBatch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		for i := range b.Profiles {
			if err := seedProfile(tx, &b.Profiles[i]); err != nil {
				return fmt.Errorf("profile %s: %w", b.Profiles[i].UserID, err)
			}
		}
		for _, w := range b.Wallets {
			if err := seedWallet(tx, w); err != nil {
				return fmt.Errorf("wallet of %s: %w", w.UserID, err)
			}
		}
		for i := range b.Orders {
			if err := seedOrder(tx, &b.Orders[i]); err != nil {
				return fmt.Errorf("order %s: %w", b.Orders[i].OrderID, err)
			}
		}
		for _, h := range b.Holdings {
			if err := seedHolding(tx, h); err != nil {
				return fmt.Errorf("holding of %s: %w", h.UserID, err)
			}
		}
		for _, m := range b.Synced {
			if err := checkUser(m.UserID); err != nil {
				return err
			}
			if err := putSyncMarker(tx, m.UserID, m.Kind, m.At); err != nil {
				return err
			}
		}
		return nil
	})
	var appErr *dashboard.Error
	if err == nil || errors.As(err, &appErr) {
		return err
	}
	return fmt.Errorf("bolt: seed: %w", err)
}

// seedHolding writes the holding as ReplaceHoldings writes an added one,
// with its collection-index entry.
func seedHolding(tx *bbolt.Tx, x dashboard.Holder) error {
	if err := checkUser(x.UserID); err != nil {
		return err
	}
	h := x.Holding
	if h.ContractAddress == "" || h.TokenID == "" {
		return dashboard.Errorf(dashboard.EVALIDATION, "A holding needs a contract address and a token id.")
	}
	h.LastSyncedAt = normTime(h.LastSyncedAt)
	it := holdingItem{PK: userPrefix + x.UserID, SK: holdingSK(&h), UserID: x.UserID, GSI3PK: dashboard.CollectionIndexKey(&h), Holding: h}
	v, err := json.Marshal(&it)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return putItem(tx, it.PK, it.SK, v, indexKeys{idxCollection: it.GSI3PK})
}

// seedProfile writes the profile item SaveProfile writes for p's set
// fields when no item exists, and claims its EMAIL# lookup with the same
// swapEmail.
func seedProfile(tx *bbolt.Tx, p *dashboard.Profile) error {
	if err := checkUser(p.UserID); err != nil {
		return err
	}
	if p.UpdatedAt == nil {
		return errors.New("a seeded profile needs updatedAt")
	}
	item := map[string]any{}
	for _, f := range []string{
		dashboard.FieldEmail, dashboard.FieldDisplayName, dashboard.FieldPhone, dashboard.FieldShippingAddress,
		dashboard.FieldBillingAddress, dashboard.FieldPreferredWallet, dashboard.FieldAvatarURL,
		dashboard.FieldDashboardSetting, dashboard.FieldStripeCustomerID, dashboard.FieldWalletVerifiedAt,
		dashboard.FieldPendingEmail, dashboard.FieldPendingEmailExp,
	} {
		if err := setProfileField(item, p, f); err != nil {
			return err
		}
	}
	if err := swapEmail(tx, p.UserID, p.Email, ""); err != nil {
		return err
	}
	item["PK"], item["SK"], item[attrUserID] = userPrefix+p.UserID, profileSK, p.UserID
	item[dashboard.FieldUpdatedAt] = formatTime(*p.UpdatedAt)
	created := *p.UpdatedAt
	if p.CreatedAt != nil {
		created = *p.CreatedAt
	}
	item[dashboard.FieldCreatedAt] = formatTime(created)
	return putMap(tx, item)
}

// seedWallet writes the wallet's member and index items as AddWallet does
// and, when w is verified, stamps them and writes the claim as
// VerifyWallet does.
func seedWallet(tx *bbolt.Tx, w dashboard.MemberWallet) error {
	if err := checkUser(w.UserID); err != nil {
		return err
	}
	a, ok := dashboard.WalletKey(w.Address)
	if !ok {
		return badWallet()
	}
	pk := userPrefix + w.UserID
	address := strings.TrimSpace(w.Address)
	member := map[string]any{
		"PK": pk, "SK": walletPrefix + a, attrUserID: w.UserID, attrAddress: address,
		attrKind: string(dashboard.WalletEOA), attrAddedAt: formatTime(w.AddedAt),
	}
	index := map[string]any{
		"PK": walletPrefix + a, "SK": pk, attrUserID: w.UserID, attrAddress: address,
		indexAttrs[idxStripe]: dashboard.WalletShardKey(a),
	}
	if w.VerifiedAt != nil {
		kind := w.Kind
		if kind == "" {
			kind = dashboard.WalletEOA
		}
		verified := formatTime(*w.VerifiedAt)
		member[attrVerifiedAt], member[attrKind] = verified, string(kind)
		index[attrVerifiedAt] = verified
		claim := map[string]any{"PK": walletPrefix + a, "SK": claimSK, attrVerifiedAt: verified, attrUserID: w.UserID}
		if err := putMap(tx, claim); err != nil {
			return err
		}
	}
	if err := putMap(tx, member); err != nil {
		return err
	}
	return putMap(tx, index)
}

// seedOrder writes the order as a first PutOrder writes it (version 1).
func seedOrder(tx *bbolt.Tx, snap *dashboard.OrderSnapshot) error {
	it, v, err := encodeOrderItem(snap)
	if err != nil {
		return err
	}
	return putItem(tx, it.PK, it.SK, v, indexKeys{idxOrder: it.GSI2PK})
}
