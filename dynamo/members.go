package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	dashboard "github.com/thebabesclub/dashboard"
)

// EachProfile scans the table for profile items (SK = PROFILE) and calls fn
// for each, page by page. It is a full-table scan, meant for jobs.
func (s *Store) EachProfile(ctx context.Context, fn func(*dashboard.Profile) error) error {
	p := dynamodb.NewScanPaginator(s.client, &dynamodb.ScanInput{
		TableName:                &s.table,
		FilterExpression:         aws.String("#sk = :profile"),
		ExpressionAttributeNames: map[string]string{"#sk": attrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":profile": &types.AttributeValueMemberS{Value: skProfile},
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("dynamo: each profile: %w", err)
		}
		for _, item := range page.Items {
			prof, err := decodeProfile(item)
			if err != nil {
				return fmt.Errorf("dynamo: each profile: %w", err)
			}
			if prof.UserID == "" {
				if pk, ok := item[attrPK].(*types.AttributeValueMemberS); ok && len(pk.Value) > len(prefixUser) {
					prof.UserID = pk.Value[len(prefixUser):]
				}
			}
			if err := fn(prof); err != nil {
				return err
			}
		}
	}
	return nil
}
