package dynamo

import (
	"context"
	"fmt"
	"sync"
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

// EachHolder queries every key of the collection index (GSI3) that may
// hold collectionID (dashboard.CollectionIndexKeys: the shards, then the
// legacy unsharded key) concurrently, one Query paginator each, and calls
// fn in a fixed order: key by key, page by page. Each key's reader hands
// over one page at a time and fetches the next only once it is taken, so
// memory stays bounded by a page per key however large the collection.
func (s *Store) EachHolder(ctx context.Context, collectionID string, fn func(dashboard.Holder) error) error {
	if collectionID == "" {
		return dashboard.Errorf(dashboard.EVALIDATION, "A collection id is required.")
	}
	keys := dashboard.CollectionIndexKeys(collectionID)
	var wg sync.WaitGroup
	defer wg.Wait() // runs after cancel: no reader outlives the call
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make([]chan holderPage, len(keys))
	for i, k := range keys {
		pages[i] = make(chan holderPage)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(pages[i])
			s.queryCollectionKey(ctx, k, pages[i])
		}()
	}
	for _, ch := range pages {
		for page := range ch {
			if page.err != nil {
				return fmt.Errorf("dynamo: each holder: %w", page.err)
			}
			for _, item := range page.items {
				h, err := decodeHolding(item)
				if err != nil {
					return fmt.Errorf("dynamo: each holder: %w", err)
				}
				if h.CollectionID != collectionID {
					continue // a legacy key that is another collection's shard key
				}
				if err := fn(dashboard.Holder{UserID: getString(item, "userId"), Holding: h}); err != nil {
					return err
				}
			}
		}
		// A reader stops early only when the context ends: never report
		// a partial walk as complete.
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// holderPage is one page of a collection-index Query, or its error.
type holderPage struct {
	items []map[string]types.AttributeValue
	err   error
}

// queryCollectionKey sends the pages of the GSI3 Query of key to out one
// by one, then an error if a page fails, and returns when done, on the
// error, or when ctx ends.
func (s *Store) queryCollectionKey(ctx context.Context, key string, out chan<- holderPage) {
	p := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(indexGSI3),
		KeyConditionExpression:    aws.String("#g = :g"),
		ExpressionAttributeNames:  map[string]string{"#g": attrGSI3PK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":g": str(key)},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		next := holderPage{err: err}
		if err == nil {
			next.items = page.Items
		}
		select {
		case out <- next:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}
