package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	dashboard "github.com/thebabesclub/dashboard"
)

// prefixChallenge starts the sort key of wallet challenges. It sorts after
// SYNC#STRIPE, so challenges never fall into the orders' first-page range.
const prefixChallenge = "WALLET_CHALLENGE#"

// SaveWalletChallenge stores c with a TTL at its expiry.
func (s *Store) SaveWalletChallenge(ctx context.Context, c dashboard.WalletChallenge) error {
	if err := badUser(c.UserID); err != nil {
		return err
	}
	if c.Nonce == "" {
		return dashboard.Errorf(dashboard.EVALIDATION, "A challenge needs a nonce.")
	}
	_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.table,
		Item: map[string]types.AttributeValue{
			attrPK: str(userPK(c.UserID)), attrSK: str(prefixChallenge + c.Nonce),
			"userId": str(c.UserID), "nonce": str(c.Nonce), "wallet": str(c.Wallet), "domain": str(c.Domain),
			"message": str(c.Message), "issuedAt": str(formatTime(c.IssuedAt)),
			attrTTL: num(c.ExpiresAt.Unix()),
		},
		ConditionExpression: aws.String("attribute_not_exists(PK)"),
	})
	if err != nil {
		return fmt.Errorf("dynamo: save wallet challenge: %w", err)
	}
	return nil
}

// TakeWalletChallenge deletes the challenge and returns what was deleted:
// a conditional DeleteItem is atomic, so of two concurrent takes one gets
// the challenge and the other ENOTFOUND.
func (s *Store) TakeWalletChallenge(ctx context.Context, userID, nonce string) (*dashboard.WalletChallenge, error) {
	if err := badUser(userID); err != nil {
		return nil, err
	}
	if nonce == "" {
		return nil, dashboard.Errorf(dashboard.ENOTFOUND, "No such challenge.")
	}
	out, err := s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:           &s.table,
		Key:                 key(userPK(userID), prefixChallenge+nonce),
		ConditionExpression: aws.String("attribute_exists(PK)"),
		ReturnValues:        types.ReturnValueAllOld,
	})
	if isConditionFailed(err) {
		return nil, dashboard.Errorf(dashboard.ENOTFOUND, "No such challenge.")
	} else if err != nil {
		return nil, fmt.Errorf("dynamo: take wallet challenge: %w", err)
	}
	var rec struct {
		Nonce     string `dynamodbav:"nonce"`
		Wallet    string `dynamodbav:"wallet"`
		Domain    string `dynamodbav:"domain"`
		Message   string `dynamodbav:"message"`
		ExpiresAt int64  `dynamodbav:"expiresAt"`
	}
	if err := attributevalue.UnmarshalMap(out.Attributes, &rec); err != nil {
		return nil, fmt.Errorf("dynamo: take wallet challenge: %w", err)
	}
	issued, err := parseTime(out.Attributes["issuedAt"])
	if err != nil || issued == nil {
		return nil, fmt.Errorf("dynamo: take wallet challenge: bad issuedAt")
	}
	return &dashboard.WalletChallenge{
		UserID: userID, Nonce: rec.Nonce, Wallet: rec.Wallet, Domain: rec.Domain, Message: rec.Message,
		IssuedAt: *issued, ExpiresAt: time.Unix(rec.ExpiresAt, 0).UTC(),
	}, nil
}

// EachHolder queries the collection index (GSI3) page by page.
func (s *Store) EachHolder(ctx context.Context, collectionID string, fn func(dashboard.Holder) error) error {
	if collectionID == "" {
		return dashboard.Errorf(dashboard.EVALIDATION, "A collection id is required.")
	}
	p := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(indexGSI3),
		KeyConditionExpression:    aws.String("#g = :g"),
		ExpressionAttributeNames:  map[string]string{"#g": attrGSI3PK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":g": str(prefixCollection + collectionID)},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("dynamo: each holder: %w", err)
		}
		for _, item := range page.Items {
			h, err := decodeHolding(item)
			if err != nil {
				return fmt.Errorf("dynamo: each holder: %w", err)
			}
			if err := fn(dashboard.Holder{UserID: getString(item, "userId"), Holding: h}); err != nil {
				return err
			}
		}
	}
	return nil
}
