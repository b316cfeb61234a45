package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// encJSON and decJSON make attributevalue use the json tags of the domain
// types (Address, LineItem, Discount) and of the records here, so stored
// attribute names are the payload names.
func encJSON(o *attributevalue.EncoderOptions) { o.TagKey = "json" }
func decJSON(o *attributevalue.DecoderOptions) { o.TagKey = "json" }

// RawItem returns every attribute of the item PK=pk, SK=sk as plain Go
// values (numbers as float64), or nil when there is no such item. It lets
// the conformance suite check the stored layout and foreign attributes
// without going through the domain types.
func (s *Store) RawItem(ctx context.Context, pk, sk string) (map[string]any, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      &s.table,
		Key:            key(pk, sk),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("dynamo: raw get: %w", err)
	}
	if out.Item == nil {
		return nil, nil
	}
	var m map[string]any
	if err := attributevalue.UnmarshalMap(out.Item, &m); err != nil {
		return nil, fmt.Errorf("dynamo: raw get: %w", err)
	}
	return m, nil
}

// PutRawItem writes item as is (it must carry PK and SK), the way another
// service would, e.g. the identity service's profile with its password hash.
func (s *Store) PutRawItem(ctx context.Context, item map[string]any) error {
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return fmt.Errorf("dynamo: raw put: %w", err)
	}
	if _, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av}); err != nil {
		return fmt.Errorf("dynamo: raw put: %w", err)
	}
	return nil
}
