package dynamo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	dashboard "github.com/thebabesclub/dashboard"
)

// Sort-key prefixes of verification codes and rate limits. Both sort
// before ORDER#, so neither falls into the orders' first-page range
// (ORDER# … SYNC#STRIPE) nor into NFT#.
const (
	prefixCode  = "CODE#"
	prefixLimit = "LIMIT#"
)

// rateAttempts bounds the optimistic retries of a rate-limit write that
// lost a race with another request of the same member.
const rateAttempts = 8

func codeSK(purpose dashboard.CodePurpose, target string) string {
	return prefixCode + string(purpose) + "#" + target
}

// SaveCode puts the code item, replacing an earlier code of the same
// member, purpose and target; the TTL removes it after its expiry.
func (s *Store) SaveCode(ctx context.Context, c dashboard.VerificationCode) error {
	if err := badUser(c.UserID); err != nil {
		return err
	}
	_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.table,
		Item: map[string]types.AttributeValue{
			attrPK: str(userPK(c.UserID)), attrSK: str(codeSK(c.Purpose, c.Target)),
			"userId": str(c.UserID), "purpose": str(string(c.Purpose)), "target": str(c.Target),
			"email": str(c.Email), "codeHash": str(c.Hash), "attempts": num(int64(c.Attempts)),
			"createdAt": str(formatTime(c.CreatedAt)), attrTTL: num(c.ExpiresAt.Unix()),
		},
	})
	if err != nil {
		return fmt.Errorf("dynamo: save code: %w", err)
	}
	return nil
}

// GetCode reads the code with a consistent read; an item past its expiry
// (which DynamoDB's TTL deletes only eventually) counts as absent.
func (s *Store) GetCode(ctx context.Context, userID string, purpose dashboard.CodePurpose, target string, now time.Time) (*dashboard.VerificationCode, error) {
	if err := badUser(userID); err != nil {
		return nil, err
	}
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: &s.table, Key: key(userPK(userID), codeSK(purpose, target)), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("dynamo: get code: %w", err)
	}
	exp := getInt(out.Item, attrTTL)
	if out.Item == nil || exp <= now.Unix() {
		return nil, dashboard.Errorf(dashboard.ENOTFOUND, "No such code.")
	}
	created, _ := parseTime(out.Item["createdAt"])
	c := &dashboard.VerificationCode{
		UserID: userID, Purpose: purpose, Target: target, Email: getString(out.Item, "email"),
		Hash: getString(out.Item, "codeHash"), Attempts: int(getInt(out.Item, "attempts")),
		ExpiresAt: time.Unix(exp, 0).UTC(),
	}
	if created != nil {
		c.CreatedAt = *created
	}
	return c, nil
}

// TakeCodeAttempt adds one to attempts with a conditional UpdateItem: the
// condition (same hash, fewer than MaxCodeAttempts tries) and the increment
// are one atomic step, so racing requests are counted one by one.
func (s *Store) TakeCodeAttempt(ctx context.Context, userID string, purpose dashboard.CodePurpose, target, hash string) (int, error) {
	if err := badUser(userID); err != nil {
		return 0, err
	}
	out, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           &s.table,
		Key:                 key(userPK(userID), codeSK(purpose, target)),
		UpdateExpression:    aws.String("SET attempts = attempts + :one"),
		ConditionExpression: aws.String("attribute_exists(PK) AND codeHash = :hash AND attempts < :max"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": num(1), ":hash": str(hash), ":max": num(dashboard.MaxCodeAttempts),
		},
		ReturnValues: types.ReturnValueUpdatedNew,
	})
	if isConditionFailed(err) {
		return 0, dashboard.Errorf(dashboard.ENOTFOUND, "No such code.")
	} else if err != nil {
		return 0, fmt.Errorf("dynamo: take code attempt: %w", err)
	}
	return int(getInt(out.Attributes, "attempts")), nil
}

// DeleteCode deletes the code item (absent is fine).
func (s *Store) DeleteCode(ctx context.Context, userID string, purpose dashboard.CodePurpose, target string) error {
	if err := badUser(userID); err != nil {
		return err
	}
	_, err := s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: &s.table, Key: key(userPK(userID), codeSK(purpose, target)),
	})
	if err != nil {
		return fmt.Errorf("dynamo: delete code: %w", err)
	}
	return nil
}

// TakeRate keeps the window's event times in one item and writes it back
// conditioned on the list it read (optimistic concurrency), so two racing
// requests never both take the last place.
func (s *Store) TakeRate(ctx context.Context, userID, name string, limit int, window time.Duration, now time.Time) error {
	if err := badUser(userID); err != nil {
		return err
	}
	k := key(userPK(userID), prefixLimit+name)
	for attempt := 1; ; attempt++ {
		out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: k, ConsistentRead: aws.Bool(true)})
		if err != nil {
			return fmt.Errorf("dynamo: take rate: %w", err)
		}
		var events []int64
		if l, ok := out.Item["events"].(*types.AttributeValueMemberL); ok {
			for _, v := range l.Value {
				if n, ok := v.(*types.AttributeValueMemberN); ok {
					if e, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
						events = append(events, e)
					}
				}
			}
		}
		kept, retry := dashboard.SlideWindow(events, limit, window, now)
		if retry > 0 {
			return &dashboard.Error{Code: dashboard.ERATELIMITED, Message: "Too many requests; try again later.", RetryAfter: retry}
		}
		list := make([]types.AttributeValue, len(kept))
		for i, e := range kept {
			list[i] = num(e)
		}
		version := getInt(out.Item, "version")
		_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: &s.table,
			Item: map[string]types.AttributeValue{
				attrPK: k[attrPK], attrSK: k[attrSK], "events": &types.AttributeValueMemberL{Value: list},
				"version": num(version + 1), attrTTL: num(now.Add(window).Unix() + 1),
			},
			ConditionExpression:       aws.String("attribute_not_exists(PK) OR version = :v"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": num(version)},
		})
		switch {
		case err == nil:
			return nil
		case isConditionFailed(err) && attempt < rateAttempts:
			if err := backoff(ctx, attempt); err != nil {
				return err
			}
		default:
			return fmt.Errorf("dynamo: take rate: %w", err)
		}
	}
}

// getInt returns the number attribute name of item, 0 if absent or not a number.
func getInt(item map[string]types.AttributeValue, name string) int64 {
	if v, ok := item[name].(*types.AttributeValueMemberN); ok {
		n, _ := strconv.ParseInt(v.Value, 10, 64)
		return n
	}
	return 0
}
