package dynamo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	dashboard "github.com/thebabesclub/dashboard"
)

// prefixCheckoutEmail starts both checkout email items (CONTRACT §6, §9):
// the member's USER#<id> / CHECKOUTEMAIL#<lower> item, written when the
// address is added, and the CHECKOUTEMAIL#<lower> / LOOKUP item naming the
// one member who verified it. It sorts before ORDER#, so it never falls in
// the orders' range.
const prefixCheckoutEmail = "CHECKOUTEMAIL#"

// Attribute names of the checkout email items.
const (
	attrUserID     = "userId"
	attrEmail      = "email"
	attrAddedAt    = "addedAt"
	attrVerifiedAt = "verifiedAt"
)

// reasonCCF is the cancellation reason code of a failed condition in a
// TransactWriteItems.
const reasonCCF = "ConditionalCheckFailed"

// checkoutKey is the lower-cased, trimmed address the keys use.
func checkoutKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// checkoutSK is the member-side sort key of the address e (lower-cased).
func checkoutSK(e string) string { return prefixCheckoutEmail + e }

// cancelReasons returns the cancellation reason codes of a cancelled
// transaction, one per item (nil when err is not a cancellation).
func cancelReasons(err error) []string {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return nil
	}
	codes := make([]string, len(tce.CancellationReasons))
	for i, r := range tce.CancellationReasons {
		codes[i] = aws.ToString(r.Code)
	}
	return codes
}

// failedAt reports whether item i of a cancelled transaction failed its
// condition.
func failedAt(reasons []string, i int) bool {
	return i >= 0 && i < len(reasons) && reasons[i] == reasonCCF
}

// retryable reports whether a transaction failed only because another one
// was in flight on the same items (a TransactionConflict, as an exception
// or as a cancellation reason), so running it again may succeed.
func retryable(err error) bool {
	if isTransactionConflict(err) {
		return true
	}
	return slices.Contains(cancelReasons(err), "TransactionConflict")
}

// CheckoutEmails returns the member's checkout emails, oldest first, read
// with one consistent Query of their partition's CHECKOUTEMAIL# range.
func (s *Store) CheckoutEmails(ctx context.Context, userID string) ([]dashboard.CheckoutEmail, error) {
	if err := badUser(userID); err != nil {
		return nil, err
	}
	items, err := s.memberItems(ctx, userID, prefixCheckoutEmail, false)
	if err != nil {
		return nil, fmt.Errorf("dynamo: checkout emails: %w", err)
	}
	out := make([]dashboard.CheckoutEmail, 0, len(items))
	for _, item := range items {
		c := dashboard.CheckoutEmail{UserID: userID, Email: getString(item, attrEmail)}
		added, err := parseTime(item[attrAddedAt])
		if err != nil {
			return nil, fmt.Errorf("dynamo: checkout emails: decode addedAt: %w", err)
		}
		if added != nil {
			c.AddedAt = *added
		}
		if c.VerifiedAt, err = parseTime(item[attrVerifiedAt]); err != nil {
			return nil, fmt.Errorf("dynamo: checkout emails: decode verifiedAt: %w", err)
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b dashboard.CheckoutEmail) int {
		return cmp.Or(a.AddedAt.Compare(b.AddedAt), cmp.Compare(checkoutKey(a.Email), checkoutKey(b.Email)))
	})
	return out, nil
}

// memberItems queries the member's items whose sort key starts with
// prefix (their checkout emails, their wallets), all attributes or
// (keysOnly) just SK, with a consistent read. A member has a handful of
// each, so the loop over pages runs once in practice.
func (s *Store) memberItems(ctx context.Context, userID, prefix string, keysOnly bool) ([]map[string]types.AttributeValue, error) {
	in := &dynamodb.QueryInput{
		TableName:                &s.table,
		KeyConditionExpression:   aws.String("#pk = :pk AND begins_with(#sk, :prefix)"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(userPK(userID)), ":prefix": str(prefix),
		},
		ConsistentRead: aws.Bool(true),
	}
	if keysOnly {
		in.ProjectionExpression = aws.String("#sk")
	}
	var items []map[string]types.AttributeValue
	for p := dynamodb.NewQueryPaginator(s.client, in); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		items = append(items, page.Items...)
	}
	return items, nil
}

// AddCheckoutEmail writes the member's pending USER#<id> /
// CHECKOUTEMAIL#<lower> item after a Query counted the ones they have.
//
// The count and the conditional Put are two requests, so two concurrent
// adds of different new addresses by the same member can both pass the
// count and leave MaxCheckoutEmails+1 addresses. That is accepted: only
// the member races themselves (the items live in their own partition and
// only their authenticated requests add to it), every add is rate-limited
// by its verification mail, the extra address is still the member's own
// and can be deleted, and an atomic limit would need a counter item the
// contract does not have.
func (s *Store) AddCheckoutEmail(ctx context.Context, c dashboard.CheckoutEmail) error {
	if err := badUser(c.UserID); err != nil {
		return err
	}
	e := checkoutKey(c.Email)
	if e == "" {
		return dashboard.Errorf(dashboard.EVALIDATION, "An email address is required.")
	}
	items, err := s.memberItems(ctx, c.UserID, prefixCheckoutEmail, true)
	if err != nil {
		return fmt.Errorf("dynamo: add checkout email: %w", err)
	}
	for _, item := range items {
		if getString(item, attrSK) == checkoutSK(e) {
			return nil // already added: keep its addedAt and verifiedAt
		}
	}
	if len(items) >= dashboard.MaxCheckoutEmails {
		return dashboard.Errorf(dashboard.EVALIDATION,
			"You can add at most %d checkout email addresses.", dashboard.MaxCheckoutEmails)
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.table,
		Item: map[string]types.AttributeValue{
			attrPK: str(userPK(c.UserID)), attrSK: str(checkoutSK(e)),
			attrUserID: str(c.UserID), attrEmail: str(strings.TrimSpace(c.Email)),
			attrAddedAt: str(formatTime(c.AddedAt)),
		},
		ConditionExpression: aws.String("attribute_not_exists(PK)"),
	})
	if isConditionFailed(err) {
		return nil // a concurrent add of the same address won: same outcome
	} else if err != nil {
		return fmt.Errorf("dynamo: add checkout email: %w", err)
	}
	return nil
}

// VerifyCheckoutEmail stamps the member's item and writes the lookup in
// one TransactWriteItems: the member item must exist (ENOTFOUND), the
// lookup must be absent or already name this member, and EMAIL#<lower> /
// LOOKUP must not exist (ECONFLICT for either). A repeated verification
// keeps the first verifiedAt on both items.
func (s *Store) VerifyCheckoutEmail(ctx context.Context, userID, email string, at time.Time) error {
	if err := badUser(userID); err != nil {
		return err
	}
	e := checkoutKey(email)
	notFound := dashboard.Errorf(dashboard.ENOTFOUND, "You have not added that email address.")
	if e == "" {
		return notFound
	}
	// The lookup keeps the address as the member entered it when adding,
	// which the verifying request may spell differently.
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                &s.table,
		Key:                      key(userPK(userID), checkoutSK(e)),
		ConsistentRead:           aws.Bool(true),
		ProjectionExpression:     aws.String("#email"),
		ExpressionAttributeNames: map[string]string{"#email": attrEmail},
	})
	if err != nil {
		return fmt.Errorf("dynamo: verify checkout email: %w", err)
	}
	if out.Item == nil {
		return notFound
	}
	entered := getString(out.Item, attrEmail)
	if entered == "" {
		entered = strings.TrimSpace(email)
	}
	values := map[string]types.AttributeValue{":at": str(formatTime(at))}
	lookupValues := map[string]types.AttributeValue{
		":at": str(formatTime(at)), ":me": str(userID), ":email": str(entered),
	}
	items := []types.TransactWriteItem{
		{Update: &types.Update{
			TableName:                 &s.table,
			Key:                       key(userPK(userID), checkoutSK(e)),
			UpdateExpression:          aws.String("SET verifiedAt = if_not_exists(verifiedAt, :at)"),
			ConditionExpression:       aws.String("attribute_exists(PK)"),
			ExpressionAttributeValues: values,
		}},
		{Update: &types.Update{
			TableName:                 &s.table,
			Key:                       key(prefixCheckoutEmail+e, skLookup),
			UpdateExpression:          aws.String("SET userId = :me, email = :email, verifiedAt = if_not_exists(verifiedAt, :at)"),
			ConditionExpression:       aws.String("attribute_not_exists(PK) OR userId = :me"),
			ExpressionAttributeValues: lookupValues,
		}},
		{ConditionCheck: &types.ConditionCheck{
			TableName:           &s.table,
			Key:                 key(prefixEmail+e, skLookup),
			ConditionExpression: aws.String("attribute_not_exists(PK)"),
		}},
	}
	err = s.transact(ctx, items)
	reasons := cancelReasons(err)
	switch {
	case err == nil:
		return nil
	case failedAt(reasons, 0):
		return notFound // deleted since it was read
	case failedAt(reasons, 1):
		return dashboard.Errorf(dashboard.ECONFLICT, "That email address is already verified by another member.")
	case failedAt(reasons, 2):
		return dashboard.Errorf(dashboard.ECONFLICT, "That email address is a login email.")
	}
	return fmt.Errorf("dynamo: verify checkout email: %w", err)
}

// DeleteCheckoutEmail deletes the member's item and, when it names this
// member, the lookup, in one TransactWriteItems. Whether the lookup is the
// member's is read first; the transaction is conditioned on that answer
// still holding, and re-reads when it no longer does, so neither another
// member's lookup is removed nor an orphan lookup of this member left.
func (s *Store) DeleteCheckoutEmail(ctx context.Context, userID, email string) error {
	if err := badUser(userID); err != nil {
		return err
	}
	e := checkoutKey(email)
	notFound := dashboard.Errorf(dashboard.ENOTFOUND, "You have not added that email address.")
	if e == "" {
		return notFound
	}
	me := map[string]types.AttributeValue{":me": str(userID)}
	for attempt := 1; ; attempt++ {
		owner, err := s.checkoutOwner(ctx, e)
		if err != nil {
			return fmt.Errorf("dynamo: delete checkout email: %w", err)
		}
		lookup := types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
			TableName:                 &s.table,
			Key:                       key(prefixCheckoutEmail+e, skLookup),
			ConditionExpression:       aws.String("attribute_not_exists(PK) OR userId <> :me"),
			ExpressionAttributeValues: me,
		}}
		if owner == userID {
			lookup = types.TransactWriteItem{Delete: &types.Delete{
				TableName:                 &s.table,
				Key:                       key(prefixCheckoutEmail+e, skLookup),
				ConditionExpression:       aws.String("userId = :me"),
				ExpressionAttributeValues: me,
			}}
		}
		err = s.transact(ctx, []types.TransactWriteItem{
			{Delete: &types.Delete{
				TableName:           &s.table,
				Key:                 key(userPK(userID), checkoutSK(e)),
				ConditionExpression: aws.String("attribute_exists(PK)"),
			}},
			lookup,
		})
		reasons := cancelReasons(err)
		switch {
		case err == nil:
			return nil
		case failedAt(reasons, 0):
			return notFound
		case !failedAt(reasons, 1):
			return fmt.Errorf("dynamo: delete checkout email: %w", err)
		}
		// The lookup changed hands since it was read: read it again.
		if attempt >= emailAttempts {
			return fmt.Errorf("dynamo: delete checkout email: gave up after %d attempts: %w", attempt, err)
		}
	}
}

// transact runs items as one TransactWriteItems, again after a pause while
// it collides with another transaction on the same items, up to
// emailAttempts times.
func (s *Store) transact(ctx context.Context, items []types.TransactWriteItem) error {
	for attempt := 1; ; attempt++ {
		_, err := s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil || !retryable(err) || attempt >= emailAttempts {
			return err
		}
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
	}
}

// checkoutOwner returns the userId CHECKOUTEMAIL#<e> / LOOKUP names ("" if
// none), read consistently.
func (s *Store) checkoutOwner(ctx context.Context, e string) (string, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:            &s.table,
		Key:                  key(prefixCheckoutEmail+e, skLookup),
		ConsistentRead:       aws.Bool(true),
		ProjectionExpression: aws.String(attrUserID),
	})
	if err != nil {
		return "", fmt.Errorf("get checkout email lookup: %w", err)
	}
	return getString(out.Item, attrUserID), nil
}

// UserIDByCheckoutEmail resolves CHECKOUTEMAIL#<lower> / LOOKUP with one
// consistent GetItem (ENOTFOUND when absent).
func (s *Store) UserIDByCheckoutEmail(ctx context.Context, email string) (string, error) {
	notFound := dashboard.Errorf(dashboard.ENOTFOUND, "No member verified that email address.")
	e := checkoutKey(email)
	if e == "" {
		return "", notFound
	}
	id, err := s.checkoutOwner(ctx, e)
	if err != nil {
		return "", fmt.Errorf("dynamo: user by checkout email: %w", err)
	}
	if id == "" {
		return "", notFound
	}
	return id, nil
}
