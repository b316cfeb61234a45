package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	dashboard "github.com/thebabesclub/dashboard"
)

// seedWriters is how many BatchWriteItem calls one Seed keeps in flight.
// DynamoDB scales with concurrent writers; DynamoDB Local on two cores is
// saturated by a handful, and more only queue in its thread pool.
const seedWriters = 6

var _ dashboard.Seeder = (*Store)(nil)

// EnsureTable creates the store's table with the contract's schema when it
// does not exist (CreateTable), for `dashboard seed` against DynamoDB Local.
func (s *Store) EnsureTable(ctx context.Context) error {
	return CreateTable(ctx, s.client, s.table)
}

// Seed bulk-loads b (dashboard.Seeder): every item is encoded by the same
// functions the store's own writes use (profileUpdate, encodeOrder,
// encodeHolding, the wallet and lookup attributes of AddWallet,
// VerifyWallet and SaveProfile) and written with BatchWriteItem, 25
// requests a call, seedWriters calls at a time, resending what DynamoDB
// leaves unprocessed (batchWrite). Items are put whole and unconditionally:
// Seed is for empty tables, never for one that members use.
func (s *Store) Seed(ctx context.Context, b dashboard.SeedBatch) error {
	items, err := s.seedItems(b)
	if err != nil {
		return fmt.Errorf("dynamo: seed: %w", err)
	}
	chunks := make(chan []types.WriteRequest)
	errs := make(chan error, seedWriters)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range seedWriters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range chunks {
				if err := s.batchWrite(ctx, c); err != nil {
					errs <- err
					cancel()
					return
				}
			}
		}()
	}
	for start := 0; start < len(items) && ctx.Err() == nil; start += batchSize {
		reqs := make([]types.WriteRequest, 0, batchSize)
		for _, item := range items[start:min(start+batchSize, len(items))] {
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
		}
		select {
		case chunks <- reqs:
		case <-ctx.Done():
		}
	}
	close(chunks)
	wg.Wait()
	close(errs)
	if err := errors.Join(collect(errs)...); err != nil {
		return fmt.Errorf("dynamo: seed: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("dynamo: seed: %w", err)
	}
	return nil
}

func collect(errs <-chan error) []error {
	var out []error
	for err := range errs {
		out = append(out, err)
	}
	return out
}

// seedItems encodes every item of b.
func (s *Store) seedItems(b dashboard.SeedBatch) ([]map[string]types.AttributeValue, error) {
	items := make([]map[string]types.AttributeValue, 0, 2*len(b.Profiles)+3*len(b.Wallets)+len(b.Orders)+len(b.Holdings)+len(b.Synced))
	for i := range b.Profiles {
		p := &b.Profiles[i]
		if err := badUser(p.UserID); err != nil {
			return nil, err
		}
		item, err := s.seedProfile(p)
		if err != nil {
			return nil, fmt.Errorf("profile %s: %w", p.UserID, err)
		}
		items = append(items, item)
		if e := strings.ToLower(strings.TrimSpace(p.Email)); e != "" {
			// The lookup as SaveProfile's email claim leaves it.
			items = append(items, map[string]types.AttributeValue{
				attrPK: str(prefixEmail + e), attrSK: str(skLookup),
				attrUserID: str(p.UserID), attrEmail: str(strings.TrimSpace(p.Email)),
			})
		}
	}
	for _, w := range b.Wallets {
		if err := badUser(w.UserID); err != nil {
			return nil, err
		}
		a, ok := dashboard.WalletKey(w.Address)
		if !ok {
			return nil, badWallet()
		}
		items = append(items, seedWallet(w, a)...)
	}
	for i := range b.Orders {
		o := &b.Orders[i]
		if err := badUser(o.UserID); err != nil {
			return nil, err
		}
		if o.OrderID == "" || o.CreatedAt.IsZero() {
			return nil, dashboard.Errorf(dashboard.EVALIDATION, "An order needs an id and a creation time.")
		}
		item, err := encodeOrder(o, o.Version+1)
		if err != nil {
			return nil, fmt.Errorf("order %s: %w", o.OrderID, err)
		}
		items = append(items, item)
	}
	for i := range b.Holdings {
		h := &b.Holdings[i]
		if err := badUser(h.UserID); err != nil {
			return nil, err
		}
		item, err := encodeHolding(h.UserID, &h.Holding)
		if err != nil {
			return nil, fmt.Errorf("holding %s: %w", holdingSK(&h.Holding), err)
		}
		items = append(items, item)
	}
	for _, m := range b.Synced {
		if err := badUser(m.UserID); err != nil {
			return nil, err
		}
		// The marker as MarkSynced's update leaves it on a new item.
		items = append(items, map[string]types.AttributeValue{
			attrPK: str(userPK(m.UserID)), attrSK: str(prefixSync + string(m.Kind)),
			"lastSyncedAt": str(formatTime(m.At)),
		})
	}
	return items, nil
}

// seedWallet is the wallet's member item and index item as AddWallet puts
// them, stamped as VerifyWallet stamps them when w is verified, and then
// the VERIFIED claim VerifyWallet writes.
func seedWallet(w dashboard.MemberWallet, a string) []map[string]types.AttributeValue {
	address := strings.TrimSpace(w.Address)
	member := map[string]types.AttributeValue{
		attrPK: str(userPK(w.UserID)), attrSK: str(walletSK(a)),
		attrUserID: str(w.UserID), attrAddress: str(address), attrKind: str(string(dashboard.WalletEOA)),
		attrAddedAt: str(formatTime(w.AddedAt)),
	}
	index := map[string]types.AttributeValue{
		attrPK: str(walletSK(a)), attrSK: str(userPK(w.UserID)),
		attrUserID: str(w.UserID), attrAddress: str(address),
		attrGSI1PK: str(dashboard.WalletShardKey(a)),
	}
	if w.VerifiedAt == nil {
		return []map[string]types.AttributeValue{member, index}
	}
	when := str(formatTime(*w.VerifiedAt))
	kind := w.Kind
	if kind == "" {
		kind = dashboard.WalletEOA
	}
	member[attrVerifiedAt], member[attrKind] = when, str(string(kind))
	index[attrVerifiedAt] = when
	claim := map[string]types.AttributeValue{
		attrPK: str(walletSK(a)), attrSK: str(skClaim), attrUserID: str(w.UserID), attrVerifiedAt: when,
	}
	return []map[string]types.AttributeValue{member, index, claim}
}

// seedProfile is the profile item a first SaveProfile of p's set fields
// writes: profileUpdate's own update, applied to no item.
func (s *Store) seedProfile(p *dashboard.Profile) (map[string]types.AttributeValue, error) {
	if p.UpdatedAt == nil {
		return nil, errors.New("a seeded profile needs updatedAt")
	}
	fields := []string{dashboard.FieldEmail, dashboard.FieldDisplayName}
	for _, f := range []struct {
		name string
		set  bool
	}{
		{dashboard.FieldPhone, p.Phone != nil},
		{dashboard.FieldShippingAddress, p.ShippingAddress != nil},
		{dashboard.FieldBillingAddress, p.BillingAddress != nil},
		{dashboard.FieldPreferredWallet, p.PreferredWallet != nil},
		{dashboard.FieldAvatarURL, p.AvatarURL != nil},
		{dashboard.FieldDashboardSetting, len(p.Settings) > 0},
		{dashboard.FieldStripeCustomerID, p.StripeCustomerID != nil},
		{dashboard.FieldWalletVerifiedAt, p.WalletVerifiedAt != nil},
		{dashboard.FieldPendingEmail, p.PendingEmail != nil},
		{dashboard.FieldPendingEmailExp, p.PendingEmailExpiresAt != nil},
	} {
		if f.set {
			fields = append(fields, f.name)
		}
	}
	upd, err := profileUpdate(s.table, dashboard.ProfileChange{Profile: p, Fields: fields}, p.UpdatedAt.UTC().Truncate(time.Millisecond))
	if err != nil {
		return nil, err
	}
	return applyToNothing(upd)
}

// applyToNothing is the item an update leaves when no item existed: its
// key plus every SET clause, `if_not_exists(x, v)` taken as v. It accepts
// only the clause forms profileUpdate writes and fails on any other, so a
// new form there cannot be seeded wrongly in silence; a REMOVE removes
// nothing from no item.
func applyToNothing(upd *types.Update) (map[string]types.AttributeValue, error) {
	item := map[string]types.AttributeValue{}
	for k, v := range upd.Key {
		item[k] = v
	}
	expr := *upd.UpdateExpression
	set, ok := strings.CutPrefix(expr, "SET ")
	if !ok {
		return nil, fmt.Errorf("update %q has no SET", expr)
	}
	set, _, _ = strings.Cut(set, " REMOVE ")
	for _, clause := range splitClauses(set) {
		name, value, ok := strings.Cut(clause, " = ")
		if !ok {
			return nil, fmt.Errorf("clause %q is not an assignment", clause)
		}
		if inner, ok := strings.CutPrefix(value, "if_not_exists("); ok {
			// if_not_exists(#same, :v) on no item is :v.
			_, v, ok := strings.Cut(strings.TrimSuffix(inner, ")"), ", ")
			if !ok || !strings.HasSuffix(inner, ")") {
				return nil, fmt.Errorf("clause %q: unexpected if_not_exists", clause)
			}
			value = v
		}
		attr, okName := upd.ExpressionAttributeNames[name]
		av, okValue := upd.ExpressionAttributeValues[value]
		if !okName || !okValue {
			return nil, fmt.Errorf("clause %q: unknown name or value", clause)
		}
		item[attr] = av
	}
	return item, nil
}

// splitClauses splits the comma-separated clauses of a SET action, leaving
// commas inside parentheses alone.
func splitClauses(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}
