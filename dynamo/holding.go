package dynamo

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	dashboard "github.com/thebabesclub/dashboard"
)

// batchSize is BatchWriteItem's limit of requests per call.
const batchSize = 25

// batchAttempts bounds the retries of UnprocessedItems (throttling).
const batchAttempts = 8

// holdingRecord is the stored holding item: the JSON names of
// dashboard.Holding plus userId, keyed by lower-cased contract and token id.
type holdingRecord struct {
	PK              string         `json:"PK"`
	SK              string         `json:"SK"`
	GSI3PK          string         `json:"GSI3PK,omitempty"`
	UserID          string         `json:"userId"`
	TokenID         string         `json:"tokenId"`
	ContractAddress string         `json:"contractAddress"`
	CollectionID    string         `json:"collectionId"`
	TokenName       string         `json:"tokenName"`
	ThumbnailURL    string         `json:"thumbnailUrl"`
	ImageURL        string         `json:"imageUrl"`
	Metadata        map[string]any `json:"metadata"`
	LastSyncedAt    string         `json:"lastSyncedAt"`
	Wallet          string         `json:"wallet"`
}

func holdingSK(h *dashboard.Holding) string {
	return prefixNFT + strings.ToLower(h.ContractAddress) + "#" + h.TokenID
}

func encodeHolding(userID string, h *dashboard.Holding) (map[string]types.AttributeValue, error) {
	rec := holdingRecord{
		PK: userPK(userID), SK: holdingSK(h), UserID: userID,
		TokenID: h.TokenID, ContractAddress: h.ContractAddress, CollectionID: h.CollectionID,
		TokenName: h.TokenName, ThumbnailURL: h.ThumbnailURL, ImageURL: h.ImageURL,
		Metadata: h.Metadata, LastSyncedAt: formatTime(h.LastSyncedAt), Wallet: h.Wallet,
	}
	// The collection index is sharded (dashboard.CollectionShards), so no
	// popular collection takes all its holders' writes on one partition.
	rec.GSI3PK = dashboard.CollectionIndexKey(h)
	return attributevalue.MarshalMapWithOptions(rec, encJSON)
}

func decodeHolding(item map[string]types.AttributeValue) (dashboard.Holding, error) {
	var rec holdingRecord
	if err := attributevalue.UnmarshalMapWithOptions(item, &rec, decJSON); err != nil {
		return dashboard.Holding{}, err
	}
	h := dashboard.Holding{
		TokenID: rec.TokenID, ContractAddress: rec.ContractAddress, CollectionID: rec.CollectionID,
		TokenName: rec.TokenName, ThumbnailURL: rec.ThumbnailURL, ImageURL: rec.ImageURL, Metadata: rec.Metadata,
		Wallet: rec.Wallet,
	}
	t, err := parseTime(item["lastSyncedAt"])
	if err != nil {
		return dashboard.Holding{}, fmt.Errorf("decode lastSyncedAt: %w", err)
	}
	if t != nil {
		h.LastSyncedAt = *t
	}
	return h, nil
}

// ReplaceHoldings makes the stored set equal holdings: it reads the current
// items, writes only what differs (puts and deletes in batches of 25), and
// sets SYNC#NFT last, so a sync that fails half-way is retried rather than
// marked fresh. A holding whose only difference is lastSyncedAt is not
// written at all: the marker records the sync, and readers take a
// holding's lastSyncedAt as the later of its own and the marker's (see
// nfts.List), so an hourly poll of an unchanged club writes one marker per
// member instead of every holding. Updated counts holdings whose content
// changed; a GSI3PK from before the collection index was sharded is
// written but not counted, so the next sync moves a legacy item to its
// shard.
func (s *Store) ReplaceHoldings(ctx context.Context, userID string, holdings []dashboard.Holding, syncedAt time.Time) (dashboard.HoldingDiff, error) {
	var diff dashboard.HoldingDiff
	if err := badUser(userID); err != nil {
		return diff, err
	}
	current := map[string]map[string]types.AttributeValue{}
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :nft)"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(userPK(userID)), ":nft": str(prefixNFT)},
		ConsistentRead:            aws.Bool(true),
	}
	for p := dynamodb.NewQueryPaginator(s.client, in); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			return diff, fmt.Errorf("dynamo: replace holdings: read: %w", err)
		}
		for _, item := range out.Items {
			current[getString(item, attrSK)] = item
		}
	}
	var writes []types.WriteRequest
	wanted := map[string]map[string]types.AttributeValue{}
	order := []string{}
	for i := range holdings {
		item, err := encodeHolding(userID, &holdings[i])
		if err != nil {
			return diff, fmt.Errorf("dynamo: replace holdings: encode: %w", err)
		}
		sk := getString(item, attrSK)
		if _, dup := wanted[sk]; !dup {
			order = append(order, sk)
		}
		wanted[sk] = item // a duplicate in the input: the last one wins
	}
	for _, sk := range order {
		item := wanted[sk]
		old, ok := current[sk]
		switch {
		case !ok:
			diff.Added++
		case sameHolding(old, item, "lastSyncedAt"):
			continue
		case !sameHolding(old, item, "lastSyncedAt", attrGSI3PK):
			diff.Updated++
		}
		writes = append(writes, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
	}
	for sk := range current {
		if _, ok := wanted[sk]; !ok {
			diff.Removed++
			writes = append(writes, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(userPK(userID), sk)}})
		}
	}
	for start := 0; start < len(writes); start += batchSize {
		if err := s.batchWrite(ctx, writes[start:min(start+batchSize, len(writes))]); err != nil {
			return diff, fmt.Errorf("dynamo: replace holdings: %w", err)
		}
	}
	if err := s.MarkSynced(ctx, userID, dashboard.SyncNFT, syncedAt); err != nil {
		return diff, err
	}
	return diff, nil
}

// sameHolding compares two stored forms of a holding leaving out the
// attributes ignored: lastSyncedAt alone tells a holding only seen again
// (not written) from one to write; with GSI3PK too (derived from
// collectionId, which stays compared) it tells a content change from a
// move of a legacy item to its collection-index shard.
func sameHolding(a, b map[string]types.AttributeValue, ignored ...string) bool {
	a, b = maps.Clone(a), maps.Clone(b)
	for _, attr := range ignored {
		delete(a, attr)
		delete(b, attr)
	}
	return reflect.DeepEqual(a, b)
}

// batchWrite sends one BatchWriteItem and resends what DynamoDB left
// unprocessed (throttling) with backoff.
func (s *Store) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	pending := map[string][]types.WriteRequest{s.table: reqs}
	for attempt := 1; ; attempt++ {
		out, err := s.client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
		if err != nil {
			return fmt.Errorf("batch write: %w", err)
		}
		if len(out.UnprocessedItems[s.table]) == 0 {
			return nil
		}
		if attempt >= batchAttempts {
			return fmt.Errorf("batch write: %d requests still unprocessed", len(out.UnprocessedItems[s.table]))
		}
		pending = out.UnprocessedItems
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
	}
}

// ListHoldings returns up to limit holdings in key order (contract, token
// id), optionally of one collection. The collection is a filter on the
// member's partition, so a page may take several queries; each asks for one
// item more than needed so Next is set only when more exist.
func (s *Store) ListHoldings(ctx context.Context, userID, collectionID string, limit int, after string) (dashboard.HoldingPage, error) {
	var page dashboard.HoldingPage
	if err := badUser(userID); err != nil {
		return page, err
	}
	if limit <= 0 {
		limit = 20
	}
	if after != "" && !strings.HasPrefix(after, prefixNFT) {
		return page, dashboard.Errorf(dashboard.EINVALIDCURSOR, "Invalid cursor.")
	}
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :nft)"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(userPK(userID)), ":nft": str(prefixNFT)},
		ConsistentRead:            aws.Bool(true),
		Limit:                     aws.Int32(int32(min(limit, 1000)) + 1),
	}
	if collectionID != "" {
		in.FilterExpression = aws.String("#c = :c")
		in.ExpressionAttributeNames["#c"] = "collectionId"
		in.ExpressionAttributeValues[":c"] = str(collectionID)
		// Limit counts items read before the filter: read wider pages.
		in.Limit = aws.Int32(max(*in.Limit, 100))
	}
	if after != "" {
		in.ExclusiveStartKey = key(userPK(userID), after)
	}
	for {
		out, err := s.client.Query(ctx, in)
		if err != nil {
			return dashboard.HoldingPage{}, fmt.Errorf("dynamo: list holdings: %w", err)
		}
		for _, item := range out.Items {
			if len(page.Holdings) == limit {
				return page, nil // page.Next already names the last one returned
			}
			h, err := decodeHolding(item)
			if err != nil {
				return dashboard.HoldingPage{}, fmt.Errorf("dynamo: list holdings: %w", err)
			}
			page.Holdings = append(page.Holdings, h)
			page.Next = getString(item, attrSK)
		}
		if out.LastEvaluatedKey == nil {
			page.Next = ""
			return page, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// RemoveHoldings deletes the SYNC#NFT marker and every holding of userID
// (deleteHoldings: one Query, then batches of 25 deletes). The
// marker goes in the first batch, so a removal that fails part-way leaves
// the member stale (the next read refreshes) rather than fresh with
// leftovers; the error is returned and a retry finishes the job.
func (s *Store) RemoveHoldings(ctx context.Context, userID string) (int, error) {
	if err := badUser(userID); err != nil {
		return 0, err
	}
	marker := types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(userPK(userID), prefixSync+string(dashboard.SyncNFT))}}
	n, err := s.deleteHoldings(ctx, userID, &marker, nil)
	if err != nil {
		return 0, fmt.Errorf("dynamo: remove holdings: %w", err)
	}
	return n, nil
}

// deleteHoldings deletes the member's holdings whose stored wallet match
// accepts (all of them when match is nil): one Query of the member's NFT#
// keys (never a Scan), then BatchWriteItem deletes in batches of 25,
// resending what DynamoDB leaves unprocessed; deleting an item also drops
// its collection-index (GSI3) entry. first, when not nil, is sent in the
// first batch. It returns how many holdings it deleted. RemoveHoldings
// takes them all; RemoveWallet those of one wallet.
func (s *Store) deleteHoldings(ctx context.Context, userID string, first *types.WriteRequest, match func(wallet string) bool) (int, error) {
	var writes []types.WriteRequest
	if first != nil {
		writes = append(writes, *first)
	}
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :nft)"),
		ProjectionExpression:      aws.String("#pk, #sk, #w"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#sk": attrSK, "#w": "wallet"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(userPK(userID)), ":nft": str(prefixNFT)},
		ConsistentRead:            aws.Bool(true),
	}
	n := 0
	for p := dynamodb.NewQueryPaginator(s.client, in); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			return 0, fmt.Errorf("read: %w", err)
		}
		for _, item := range out.Items {
			if match != nil && !match(getString(item, "wallet")) {
				continue
			}
			n++
			writes = append(writes, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(userPK(userID), getString(item, attrSK))}})
		}
	}
	for start := 0; start < len(writes); start += batchSize {
		if err := s.batchWrite(ctx, writes[start:min(start+batchSize, len(writes))]); err != nil {
			return 0, err
		}
	}
	return n, nil
}
