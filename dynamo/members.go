package dynamo

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	dashboard "github.com/thebabesclub/dashboard"
)

// EachProfile scans the table for profile items (SK = PROFILE) and calls fn
// for each, page by page. It is a full-table scan that reads every order
// and holding too, so it is kept for the operator's one-off migrations;
// jobs walk the members with EachStripeMember or EachWalletMember.
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

// EachStripeMember scans the GSI1 index, not the table, for the profiles'
// STRIPE#<customer id> entries, page by page, and calls fn for each. GSI1
// is sparse: it holds only those profiles and the wallet-index items
// (WALLETS#<digit>, filtered out here), so the read costs in proportion to
// the members with a customer and their wallets, never their orders or
// holdings (about 0.1 read unit per member: a 1 MB page is 128 units for
// some 2,000 profiles). A Scan rather than a sharded Query, because the
// entries already exist: nothing new to write, keep in step or migrate.
// It runs one segment: each member it yields costs the caller a Stripe
// call, so a parallel Scan would only wait sooner. A profile moved to
// another customer during the walk may be seen under both or neither; the
// sync it drives is idempotent and the next run catches it.
func (s *Store) EachStripeMember(ctx context.Context, fn func(userID, customerID string) error) error {
	p := dynamodb.NewScanPaginator(s.client, &dynamodb.ScanInput{
		TableName:                &s.table,
		IndexName:                aws.String(indexGSI1),
		FilterExpression:         aws.String("begins_with(#g, :stripe) AND begins_with(#pk, :user)"),
		ProjectionExpression:     aws.String("#pk, #g"),
		ExpressionAttributeNames: map[string]string{"#g": attrGSI1PK, "#pk": attrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":stripe": str(prefixStripe),
			":user":   str(prefixUser),
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("dynamo: each stripe member: %w", err)
		}
		for _, item := range page.Items {
			id := strings.TrimPrefix(getString(item, attrPK), prefixUser)
			cus := strings.TrimPrefix(getString(item, attrGSI1PK), prefixStripe)
			if id == "" || cus == "" {
				continue
			}
			if err := fn(id, cus); err != nil {
				return err
			}
		}
	}
	return nil
}
