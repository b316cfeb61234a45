package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"

	dashboard "github.com/thebabesclub/dashboard"
)

// Key parts and attributes of the checkout email items (CONTRACT §6, §9):
// the member's USER#<id> / CHECKOUTEMAIL#<lower> item, written when the
// address is added, and the CHECKOUTEMAIL#<lower> / LOOKUP item naming the
// one member who verified it.
const (
	checkoutPrefix = "CHECKOUTEMAIL#"
	attrAddedAt    = "addedAt"
	attrVerifiedAt = "verifiedAt"
)

// checkoutKey is the lower-cased, trimmed address the keys use.
func checkoutKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// CheckoutEmails returns the member's checkout emails, oldest first, from
// their partition's CHECKOUTEMAIL# range.
func (s *Store) CheckoutEmails(ctx context.Context, userID string) ([]dashboard.CheckoutEmail, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []dashboard.CheckoutEmail
	err := s.db.View(func(tx *bbolt.Tx) (err error) {
		out, err = s.checkoutEmailsIn(tx.Bucket(bucketItems), userID)
		return err
	})
	return out, err
}

// AddCheckoutEmail counts the member's addresses and writes the pending
// item in one transaction, so the limit holds exactly here.
func (s *Store) AddCheckoutEmail(ctx context.Context, c dashboard.CheckoutEmail) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkUser(c.UserID); err != nil {
		return err
	}
	e := checkoutKey(c.Email)
	if e == "" {
		return dashboard.Errorf(dashboard.EVALIDATION, "An email address is required.")
	}
	pk, sk := userPrefix+c.UserID, checkoutPrefix+e
	err := s.db.Update(func(tx *bbolt.Tx) error {
		items := tx.Bucket(bucketItems)
		if items.Get(itemKey(pk, sk)) != nil {
			return nil // already added: keep its addedAt and verifiedAt
		}
		n := 0
		prefix := itemKey(pk, checkoutPrefix)
		cur := items.Cursor()
		for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
			n++
		}
		if n >= dashboard.MaxCheckoutEmails {
			return dashboard.Errorf(dashboard.EVALIDATION,
				"You can add at most %d checkout email addresses.", dashboard.MaxCheckoutEmails)
		}
		return putMap(tx, map[string]any{
			"PK": pk, "SK": sk, attrUserID: c.UserID, attrEmail: strings.TrimSpace(c.Email),
			attrAddedAt: formatTime(c.AddedAt),
		})
	})
	return wrapErr("add checkout email", err)
}

// VerifyCheckoutEmail stamps the member's item and writes the lookup in
// one transaction, after checking that the member has the address
// (ENOTFOUND), that no other member holds it and that it is nobody's login
// email (ECONFLICT). A repeated verification keeps the first verifiedAt.
func (s *Store) VerifyCheckoutEmail(ctx context.Context, userID, email string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkUser(userID); err != nil {
		return err
	}
	e := checkoutKey(email)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		item, err := getMap(tx, userPrefix+userID, checkoutPrefix+e)
		if err != nil {
			return err
		}
		if item == nil || e == "" {
			return dashboard.Errorf(dashboard.ENOTFOUND, "You have not added that email address.")
		}
		lookup, err := getMap(tx, checkoutPrefix+e, lookupSK)
		if err != nil {
			return err
		}
		if lookup != nil && str(lookup[attrUserID]) != userID {
			return dashboard.Errorf(dashboard.ECONFLICT, "That email address is already verified by another member.")
		}
		if tx.Bucket(bucketItems).Get(itemKey(emailPrefix+e, lookupSK)) != nil {
			return dashboard.Errorf(dashboard.ECONFLICT, "That email address is a login email.")
		}
		verified := item[attrVerifiedAt]
		if parseTime(verified) == nil {
			verified = formatTime(at)
			item[attrVerifiedAt] = verified
			if err := putMap(tx, item); err != nil {
				return err
			}
		}
		if lookup == nil {
			lookup = map[string]any{"PK": checkoutPrefix + e, "SK": lookupSK}
		}
		if parseTime(lookup[attrVerifiedAt]) == nil {
			lookup[attrVerifiedAt] = verified
		}
		entered := str(item[attrEmail])
		if entered == "" {
			entered = strings.TrimSpace(email)
		}
		lookup[attrUserID], lookup[attrEmail] = userID, entered
		return putMap(tx, lookup)
	})
	return wrapErr("verify checkout email", err)
}

// DeleteCheckoutEmail deletes the member's item and, when it names this
// member, the lookup, in one transaction.
func (s *Store) DeleteCheckoutEmail(ctx context.Context, userID, email string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkUser(userID); err != nil {
		return err
	}
	e := checkoutKey(email)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		items := tx.Bucket(bucketItems)
		if e == "" || items.Get(itemKey(userPrefix+userID, checkoutPrefix+e)) == nil {
			return dashboard.Errorf(dashboard.ENOTFOUND, "You have not added that email address.")
		}
		if err := deleteItem(tx, userPrefix+userID, checkoutPrefix+e); err != nil {
			return err
		}
		lookup, err := getMap(tx, checkoutPrefix+e, lookupSK)
		if err != nil {
			return err
		}
		if lookup != nil && str(lookup[attrUserID]) == userID {
			return deleteItem(tx, checkoutPrefix+e, lookupSK)
		}
		return nil
	})
	return wrapErr("delete checkout email", err)
}

// UserIDByCheckoutEmail resolves CHECKOUTEMAIL#<lower> / LOOKUP
// (ENOTFOUND when absent).
func (s *Store) UserIDByCheckoutEmail(ctx context.Context, email string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	e := checkoutKey(email)
	var id string
	err := s.db.View(func(tx *bbolt.Tx) error {
		if e == "" {
			return nil
		}
		item, err := getMap(tx, checkoutPrefix+e, lookupSK)
		id = str(item[attrUserID])
		return err
	})
	if err != nil {
		return "", fmt.Errorf("bolt: user by checkout email: %w", err)
	}
	if id == "" {
		return "", dashboard.Errorf(dashboard.ENOTFOUND, "No member verified that email address.")
	}
	return id, nil
}

// wrapErr passes application errors through unchanged and prefixes the
// others with the operation.
func wrapErr(op string, err error) error {
	var appErr *dashboard.Error
	if err == nil || errors.As(err, &appErr) {
		return err
	}
	return fmt.Errorf("bolt: %s: %w", op, err)
}
