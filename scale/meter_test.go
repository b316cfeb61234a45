package main

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/thebabesclub/dashboard/internal/dynamotest"
)

// TestMeterCountsCapacity holds the meter to what DynamoDB Local reports:
// a 1 KB put is one write unit, a consistent read of it one read unit, a
// batch write of two small items two write units, and every call counted
// once under its operation.
func TestMeterCountsCapacity(t *testing.T) {
	m := &meter{}
	client, table := dynamotest.NewTable(t, m.option())
	ctx := t.Context()
	item := func(pk string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: "PROFILE"},
		}
	}
	before := m.read()
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: item("USER#a")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: item("USER#a"), ConsistentRead: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	_, err := client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: {
		{PutRequest: &types.PutRequest{Item: item("USER#b")}}, {PutRequest: &types.PutRequest{Item: item("USER#c")}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	got := m.read().sub(before)
	if got.Calls != 3 || got.RCU != 1 || got.WCU != 3 ||
		got.ByOp["PutItem"] != 1 || got.ByOp["GetItem"] != 1 || got.ByOp["BatchWriteItem"] != 1 {
		t.Errorf("meter = %+v, want 3 calls, 1 read unit, 3 write units", got)
	}
}
