package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	dashboard "github.com/thebabesclub/dashboard"
)

// emailAttempts bounds how often an email change is re-evaluated after a
// TransactionConflict (another transaction on the same items) or after the
// old lookup changed hands between the read and the write.
const emailAttempts = 8

// saveWithEmail writes the profile update, claims EMAIL#<newEmail> (only
// while no CHECKOUTEMAIL#<newEmail> lookup exists) and releases
// EMAIL#<oldEmail> in one TransactWriteItems. The old lookup is
// deleted only when a consistent read showed it names this member, and the
// delete is conditioned on that still being true, so a lookup the identity
// service gave to someone else is never removed.
func (s *Store) saveWithEmail(ctx context.Context, upd *types.Update, p *dashboard.Profile, newEmail, oldEmail string, expect *time.Time) error {
	me := p.UserID
	respelled := false
	for attempt := 1; ; attempt++ {
		update := *upd
		update.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
		items := []types.TransactWriteItem{{Update: &update}}
		claim, release, checkout := -1, -1, -1
		if newEmail != "" {
			// A verified checkout email (any member's) never becomes a
			// login email (CONTRACT §9).
			checkout = len(items)
			items = append(items, types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
				TableName:           &s.table,
				Key:                 key(prefixCheckoutEmail+newEmail, skLookup),
				ConditionExpression: aws.String("attribute_not_exists(PK)"),
			}})
			// An Update rather than a Put, so attributes the identity
			// service keeps on its lookup item survive a re-claim.
			claim = len(items)
			items = append(items, types.TransactWriteItem{Update: &types.Update{
				TableName:                 &s.table,
				Key:                       key(prefixEmail+newEmail, skLookup),
				UpdateExpression:          aws.String("SET userId = :me, email = :email"),
				ConditionExpression:       aws.String("attribute_not_exists(PK) OR userId = :me"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":me": str(me), ":email": str(strings.TrimSpace(p.Email))},
			}})
		}
		if oldEmail != "" {
			owner, err := s.lookupOwner(ctx, oldEmail)
			if err != nil {
				return err
			}
			if owner == me {
				release = len(items)
				items = append(items, types.TransactWriteItem{Delete: &types.Delete{
					TableName:                 &s.table,
					Key:                       key(prefixEmail+oldEmail, skLookup),
					ConditionExpression:       aws.String("userId = :me"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":me": str(me)},
				}})
			}
		}
		_, err := s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			return nil
		}
		var tce *types.TransactionCanceledException
		var conflict *types.TransactionConflictException
		switch {
		case errors.As(err, &tce):
			reason := func(i int) string {
				if i < 0 || i >= len(tce.CancellationReasons) {
					return ""
				}
				return aws.ToString(tce.CancellationReasons[i].Code)
			}
			switch {
			case reason(0) == "ConditionalCheckFailed":
				if !respelled && respell(upd, tce.CancellationReasons[0].Item, expect) {
					respelled = true
					continue
				}
				return staleProfile()
			case reason(claim) == "ConditionalCheckFailed", reason(checkout) == "ConditionalCheckFailed":
				return dashboard.Errorf(dashboard.ECONFLICT, "That email address is already in use.")
			case reason(release) == "ConditionalCheckFailed":
				// The old lookup changed hands since it was read: re-read.
			}
			// Otherwise a TransactionConflict: try again after a pause.
		case errors.As(err, &conflict):
		default:
			return fmt.Errorf("dynamo: save profile: %w", err)
		}
		if attempt >= emailAttempts {
			return fmt.Errorf("dynamo: save profile: gave up after %d attempts: %w", attempt, err)
		}
		if err := backoff(ctx, attempt); err != nil {
			return fmt.Errorf("dynamo: save profile: %w", err)
		}
	}
}

// lookupOwner returns the userId EMAIL#<email> names ("" if none), read
// consistently because the decision to delete it rests on the answer.
func (s *Store) lookupOwner(ctx context.Context, email string) (string, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:            &s.table,
		Key:                  key(prefixEmail+email, skLookup),
		ConsistentRead:       aws.Bool(true),
		ProjectionExpression: aws.String("userId"),
	})
	if err != nil {
		return "", fmt.Errorf("dynamo: get email lookup: %w", err)
	}
	return getString(out.Item, "userId"), nil
}

// asCCF reports whether err is a ConditionalCheckFailedException and sets
// *target to it.
func asCCF(err error, target **types.ConditionalCheckFailedException) bool {
	return errors.As(err, target)
}

// isTransactionConflict reports whether a plain write collided with a
// transaction in flight on the same item; the SDK does not retry those.
func isTransactionConflict(err error) bool {
	var conflict *types.TransactionConflictException
	return errors.As(err, &conflict)
}
