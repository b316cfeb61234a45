package dynamo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	dashboard "github.com/thebabesclub/dashboard"
)

// GetProfile reads the profile item with one consistent GetItem and keeps
// only the member-owned attributes, so the identity service's secrets never
// leave this package.
func (s *Store) GetProfile(ctx context.Context, userID string) (*dashboard.Profile, error) {
	if err := badUser(userID); err != nil {
		return nil, err
	}
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      &s.table,
		Key:            key(userPK(userID), skProfile),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("dynamo: get profile: %w", err)
	}
	if out.Item == nil {
		return nil, dashboard.Errorf(dashboard.ENOTFOUND, "Profile not found.")
	}
	p, err := decodeProfile(out.Item)
	if err != nil {
		return nil, fmt.Errorf("dynamo: get profile: %w", err)
	}
	if p.UserID == "" {
		p.UserID = userID
	}
	return p, nil
}

func decodeProfile(item map[string]types.AttributeValue) (*dashboard.Profile, error) {
	p := &dashboard.Profile{
		UserID:      getString(item, "userId"),
		Email:       getString(item, dashboard.FieldEmail),
		DisplayName: getString(item, dashboard.FieldDisplayName),
	}
	optional := map[string]**string{
		dashboard.FieldPhone:            &p.Phone,
		dashboard.FieldPreferredWallet:  &p.PreferredWallet,
		dashboard.FieldAvatarURL:        &p.AvatarURL,
		dashboard.FieldStripeCustomerID: &p.StripeCustomerID,
		dashboard.FieldPendingEmail:     &p.PendingEmail,
	}
	for name, dst := range optional {
		if v, ok := item[name].(*types.AttributeValueMemberS); ok {
			*dst = aws.String(v.Value)
		}
	}
	addresses := map[string]**dashboard.Address{
		dashboard.FieldShippingAddress: &p.ShippingAddress,
		dashboard.FieldBillingAddress:  &p.BillingAddress,
	}
	for name, dst := range addresses {
		if v, ok := item[name].(*types.AttributeValueMemberM); ok {
			var a dashboard.Address
			if err := attributevalue.UnmarshalMapWithOptions(v.Value, &a, decJSON); err != nil {
				return nil, fmt.Errorf("decode %s: %w", name, err)
			}
			*dst = &a
		}
	}
	if v, ok := item[dashboard.FieldDashboardSetting].(*types.AttributeValueMemberM); ok {
		p.Settings = map[string]bool{}
		for k, b := range v.Value {
			if b, ok := b.(*types.AttributeValueMemberBOOL); ok {
				p.Settings[k] = b.Value
			}
		}
	}
	p.DashboardSettings = dashboard.MergeSettings(p.Settings)
	times := map[string]**time.Time{
		dashboard.FieldCreatedAt:        &p.CreatedAt,
		dashboard.FieldUpdatedAt:        &p.UpdatedAt,
		dashboard.FieldWalletVerifiedAt: &p.WalletVerifiedAt,
		dashboard.FieldPendingEmailExp:  &p.PendingEmailExpiresAt,
	}
	for name, dst := range times {
		t, err := parseTime(item[name])
		if err != nil {
			return nil, fmt.Errorf("decode %s: %w", name, err)
		}
		*dst = t
	}
	return p, nil
}

// SaveProfile applies change with one UpdateItem, or, when the email moves
// to another address, with one TransactWriteItems that also claims the new
// EMAIL# lookup and releases the old one. It never puts the whole item, so
// the identity service's attributes survive.
func (s *Store) SaveProfile(ctx context.Context, change dashboard.ProfileChange) error {
	p := change.Profile
	if p == nil {
		return fmt.Errorf("dynamo: save profile: no profile")
	}
	if err := badUser(p.UserID); err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	if p.UpdatedAt != nil {
		now = p.UpdatedAt.UTC().Truncate(time.Millisecond)
	}
	if change.ExpectUpdatedAt != nil && !now.After(*change.ExpectUpdatedAt) {
		// updatedAt is the version the next writer compares: it must move.
		now = change.ExpectUpdatedAt.UTC().Truncate(time.Millisecond).Add(time.Millisecond)
	}
	upd, err := profileUpdate(s.table, change, now)
	if err != nil {
		return fmt.Errorf("dynamo: save profile: %w", err)
	}
	newEmail := strings.ToLower(strings.TrimSpace(p.Email))
	oldEmail := strings.ToLower(strings.TrimSpace(change.PreviousEmail))
	if slices.Contains(change.Fields, dashboard.FieldEmail) && newEmail != oldEmail {
		err = s.saveWithEmail(ctx, upd, p, newEmail, oldEmail, change.ExpectUpdatedAt)
	} else {
		err = s.saveProfileOnly(ctx, upd, change.ExpectUpdatedAt)
	}
	if err != nil {
		return err
	}
	p.UpdatedAt = &now
	return nil
}

// saveProfileOnly runs the profile update alone. When its condition fails
// although the stored updatedAt is the expected instant in another spelling
// (written by another service), it retries once with that exact spelling.
func (s *Store) saveProfileOnly(ctx context.Context, upd *types.Update, expect *time.Time) error {
	respelled := false
	for attempt := 1; ; attempt++ {
		_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                           upd.TableName,
			Key:                                 upd.Key,
			UpdateExpression:                    upd.UpdateExpression,
			ConditionExpression:                 upd.ConditionExpression,
			ExpressionAttributeNames:            upd.ExpressionAttributeNames,
			ExpressionAttributeValues:           upd.ExpressionAttributeValues,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		if err == nil {
			return nil
		}
		var ccf *types.ConditionalCheckFailedException
		switch {
		case asCCF(err, &ccf):
			if !respelled && respell(upd, ccf.Item, expect) {
				respelled = true
				continue
			}
			return staleProfile()
		case isTransactionConflict(err) && attempt < emailAttempts:
			// An email change of this member is in flight: wait for it.
			if err := backoff(ctx, attempt); err != nil {
				return fmt.Errorf("dynamo: save profile: %w", err)
			}
			continue
		}
		return fmt.Errorf("dynamo: save profile: %w", err)
	}
}

func staleProfile() error {
	return dashboard.Errorf(dashboard.EPRECONDITION, "The profile changed since it was read.")
}

// respell rewrites upd's expected updatedAt to the stored item's own
// spelling when both name the same instant, and reports whether it did.
func respell(upd *types.Update, old map[string]types.AttributeValue, expect *time.Time) bool {
	if expect == nil || old == nil {
		return false
	}
	raw := getString(old, dashboard.FieldUpdatedAt)
	t, err := parseTime(old[dashboard.FieldUpdatedAt])
	if raw == "" || err != nil || t == nil || !t.Equal(expect.UTC().Truncate(time.Millisecond)) {
		return false
	}
	if cur, ok := upd.ExpressionAttributeValues[":expected"].(*types.AttributeValueMemberS); ok && cur.Value == raw {
		return false
	}
	upd.ExpressionAttributeValues[":expected"] = str(raw)
	return true
}

// profileUpdate builds the conditional update of the profile item: SET or
// REMOVE exactly the named fields, stamp updatedAt, keep createdAt, and
// (re)state userId so an item the identity service never wrote still says
// whose it is.
func profileUpdate(table string, change dashboard.ProfileChange, now time.Time) (*types.Update, error) {
	p := change.Profile
	names := map[string]string{}
	values := map[string]types.AttributeValue{}
	var sets, removes []string
	n := 0
	set := func(attr string, v types.AttributeValue) {
		n++
		nk, vk := fmt.Sprintf("#a%d", n), fmt.Sprintf(":v%d", n)
		names[nk], values[vk] = attr, v
		sets = append(sets, nk+" = "+vk)
	}
	remove := func(attr string) {
		n++
		nk := fmt.Sprintf("#a%d", n)
		names[nk] = attr
		removes = append(removes, nk)
	}
	optString := func(attr string, v *string) {
		if v == nil {
			remove(attr)
		} else {
			set(attr, str(*v))
		}
	}
	setTime := func(attr string, v *time.Time) {
		if v == nil {
			remove(attr)
		} else {
			set(attr, str(formatTime(*v)))
		}
	}
	createdExplicit := false
	seen := map[string]bool{}
	for _, f := range change.Fields {
		if seen[f] {
			continue
		}
		seen[f] = true
		switch f {
		case dashboard.FieldEmail, dashboard.FieldDisplayName:
			v := p.Email
			if f == dashboard.FieldDisplayName {
				v = p.DisplayName
			}
			if v == "" {
				remove(f)
			} else {
				set(f, str(v))
			}
		case dashboard.FieldPhone:
			optString(f, p.Phone)
		case dashboard.FieldPreferredWallet:
			optString(f, p.PreferredWallet)
		case dashboard.FieldAvatarURL:
			optString(f, p.AvatarURL)
		case dashboard.FieldStripeCustomerID:
			optString(f, p.StripeCustomerID)
			if p.StripeCustomerID == nil {
				remove(attrGSI1PK)
			} else {
				set(attrGSI1PK, str(prefixStripe+*p.StripeCustomerID))
			}
		case dashboard.FieldShippingAddress, dashboard.FieldBillingAddress:
			a := p.ShippingAddress
			if f == dashboard.FieldBillingAddress {
				a = p.BillingAddress
			}
			if a == nil {
				remove(f)
				continue
			}
			av, err := attributevalue.MarshalWithOptions(a, encJSON)
			if err != nil {
				return nil, fmt.Errorf("encode %s: %w", f, err)
			}
			set(f, av)
		case dashboard.FieldDashboardSetting:
			if len(p.Settings) == 0 {
				remove(f)
				continue
			}
			m := make(map[string]types.AttributeValue, len(p.Settings))
			for k, v := range p.Settings {
				m[k] = &types.AttributeValueMemberBOOL{Value: v}
			}
			set(f, &types.AttributeValueMemberM{Value: m})
		case dashboard.FieldWalletVerifiedAt:
			setTime(f, p.WalletVerifiedAt)
		case dashboard.FieldPendingEmail:
			optString(f, p.PendingEmail)
		case dashboard.FieldPendingEmailExp:
			setTime(f, p.PendingEmailExpiresAt)
		case dashboard.FieldCreatedAt:
			if p.CreatedAt != nil {
				createdExplicit = true
				set(f, str(formatTime(*p.CreatedAt)))
			}
		case dashboard.FieldUpdatedAt:
			// Always written below from now.
		default:
			return nil, fmt.Errorf("unknown profile field %q", f)
		}
	}
	set("userId", str(p.UserID))
	set(dashboard.FieldUpdatedAt, str(formatTime(now)))
	if !createdExplicit {
		created := now
		if p.CreatedAt != nil {
			created = p.CreatedAt.UTC().Truncate(time.Millisecond)
		}
		names["#created"] = dashboard.FieldCreatedAt
		values[":created"] = str(formatTime(created))
		sets = append(sets, "#created = if_not_exists(#created, :created)")
	}
	names["#updated"] = dashboard.FieldUpdatedAt
	cond := "attribute_not_exists(#updated)"
	if change.ExpectUpdatedAt != nil {
		values[":expected"] = str(formatTime(*change.ExpectUpdatedAt))
		cond = "#updated = :expected"
	}
	expr := "SET " + strings.Join(sets, ", ")
	if len(removes) > 0 {
		expr += " REMOVE " + strings.Join(removes, ", ")
	}
	return &types.Update{
		TableName:                 aws.String(table),
		Key:                       key(userPK(p.UserID), skProfile),
		UpdateExpression:          aws.String(expr),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	}, nil
}

// UserIDByEmail resolves the identity service's EMAIL# lookup item.
func (s *Store) UserIDByEmail(ctx context.Context, email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	if e == "" {
		return "", dashboard.Errorf(dashboard.ENOTFOUND, "No member has that email.")
	}
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      &s.table,
		Key:            key(prefixEmail+e, skLookup),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return "", fmt.Errorf("dynamo: get email lookup: %w", err)
	}
	id := getString(out.Item, "userId")
	if id == "" {
		return "", dashboard.Errorf(dashboard.ENOTFOUND, "No member has that email.")
	}
	return id, nil
}

// UserIDByStripeCustomer queries GSI1 for the profile that carries
// STRIPE#<customer id>. The index is eventually consistent, which is fine
// for order attribution: a sync retried later finds the member.
func (s *Store) UserIDByStripeCustomer(ctx context.Context, customerID string) (string, error) {
	if customerID == "" {
		return "", dashboard.Errorf(dashboard.ENOTFOUND, "No member has that Stripe customer.")
	}
	out, err := s.client.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(indexGSI1),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrGSI1PK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(prefixStripe + customerID)},
	})
	if err != nil {
		return "", fmt.Errorf("dynamo: query stripe customer: %w", err)
	}
	for _, item := range out.Items {
		if getString(item, attrSK) != skProfile {
			continue
		}
		if id := getString(item, "userId"); id != "" {
			return id, nil
		}
		return strings.TrimPrefix(getString(item, attrPK), prefixUser), nil
	}
	return "", dashboard.Errorf(dashboard.ENOTFOUND, "No member has that Stripe customer.")
}
