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

// prefixWallet starts the three wallet items (CONTRACT §6, §10): the
// member's USER#<id> / WALLET#<lower> item, its index item WALLET#<lower> /
// USER#<id>, and the WALLET#<lower> / VERIFIED claim naming the one member
// who proved the wallet. As a sort key it comes after SYNC#STRIPE, so it
// never falls in the orders' first-page range (ORDER#..SYNC#STRIPE), and
// its '#' keeps begins_with(SK, "WALLET#") off the WALLET_CHALLENGE# items
// ('#' is not '_').
const prefixWallet = "WALLET#"

// skClaim is the sort key of a wallet's claim.
const skClaim = "VERIFIED"

// Attribute names of the wallet items (besides userId, addedAt and
// verifiedAt, shared with the checkout email items).
const (
	attrAddress = "address"
	attrKind    = "kind"
)

// walletSK is the member-side sort key of the wallet a (lower-cased), and
// the partition key of its index item and claim.
func walletSK(a string) string { return prefixWallet + a }

// badWallet is the error of an address that is not one.
func badWallet() error {
	return dashboard.Errorf(dashboard.EVALIDATION, "Invalid wallet address.")
}

// noWallet is the error of a wallet the member does not have.
func noWallet() error {
	return dashboard.Errorf(dashboard.ENOTFOUND, "You have not added that wallet.")
}

// Wallets returns the member's wallets, oldest first, read with one
// consistent Query of their partition's WALLET# range.
func (s *Store) Wallets(ctx context.Context, userID string) ([]dashboard.MemberWallet, error) {
	if err := badUser(userID); err != nil {
		return nil, err
	}
	items, err := s.memberItems(ctx, userID, prefixWallet, false)
	if err != nil {
		return nil, fmt.Errorf("dynamo: wallets: %w", err)
	}
	out := make([]dashboard.MemberWallet, 0, len(items))
	for _, item := range items {
		w := dashboard.MemberWallet{
			UserID: userID, Address: getString(item, attrAddress), Kind: dashboard.WalletKind(getString(item, attrKind)),
		}
		added, err := parseTime(item[attrAddedAt])
		if err != nil {
			return nil, fmt.Errorf("dynamo: wallets: decode addedAt: %w", err)
		}
		if added != nil {
			w.AddedAt = *added
		}
		if w.VerifiedAt, err = parseTime(item[attrVerifiedAt]); err != nil {
			return nil, fmt.Errorf("dynamo: wallets: decode verifiedAt: %w", err)
		}
		out = append(out, w)
	}
	slices.SortStableFunc(out, func(a, b dashboard.MemberWallet) int {
		return cmp.Or(a.AddedAt.Compare(b.AddedAt), cmp.Compare(strings.ToLower(a.Address), strings.ToLower(b.Address)))
	})
	return out, nil
}

// AddWallet writes the member's wallet and its index item in one
// TransactWriteItems, after a Query counted the wallets they have. The
// wallet is stored unverified and of kind eoa: w.VerifiedAt and w.Kind are
// ignored, as only VerifyWallet proves a wallet.
//
// The count and the conditional write are two requests, so two concurrent
// adds of different new wallets by the same member can both pass the count
// and leave MaxWallets+1 wallets. That is accepted, as for checkout emails:
// only the member races themselves (the items live in their own partition
// and only their authenticated requests add to it), the extra wallet is
// still their own and can be removed, and an atomic limit would need a
// counter item the contract does not have.
func (s *Store) AddWallet(ctx context.Context, w dashboard.MemberWallet) error {
	if err := badUser(w.UserID); err != nil {
		return err
	}
	a, ok := dashboard.WalletKey(w.Address)
	if !ok {
		return badWallet()
	}
	items, err := s.memberItems(ctx, w.UserID, prefixWallet, true)
	if err != nil {
		return fmt.Errorf("dynamo: add wallet: %w", err)
	}
	for _, item := range items {
		if getString(item, attrSK) == walletSK(a) {
			return nil // already added: keep it as it is
		}
	}
	if len(items) >= dashboard.MaxWallets {
		return dashboard.Errorf(dashboard.EVALIDATION, "You can add at most %d wallets.", dashboard.MaxWallets)
	}
	address := strings.TrimSpace(w.Address)
	err = s.transact(ctx, []types.TransactWriteItem{
		{Put: &types.Put{
			TableName: &s.table,
			Item: map[string]types.AttributeValue{
				attrPK: str(userPK(w.UserID)), attrSK: str(walletSK(a)),
				attrUserID: str(w.UserID), attrAddress: str(address), attrKind: str(string(dashboard.WalletEOA)),
				attrAddedAt: str(formatTime(w.AddedAt)),
			},
			ConditionExpression: aws.String("attribute_not_exists(PK)"),
		}},
		{Put: &types.Put{
			TableName: &s.table,
			Item: map[string]types.AttributeValue{
				attrPK: str(walletSK(a)), attrSK: str(userPK(w.UserID)),
				attrUserID: str(w.UserID), attrAddress: str(address),
				attrGSI1PK: str(dashboard.WalletShardKey(a)),
			},
		}},
	})
	switch {
	case err == nil:
		return nil
	case failedAt(cancelReasons(err), 0):
		return nil // a concurrent add of the same wallet won: same outcome
	}
	return fmt.Errorf("dynamo: add wallet: %w", err)
}

// VerifyWallet reads the member's wallet, then stamps it and its index
// item and writes the claim in one TransactWriteItems: the wallet must
// still be there and unverified, and the claim absent or already this
// member's (ECONFLICT otherwise). A wallet verified already is left as it
// is, so it keeps its first verifiedAt and kind; one verified or removed
// between the read and the write is read again.
func (s *Store) VerifyWallet(ctx context.Context, userID, address string, kind dashboard.WalletKind, at time.Time) error {
	if err := badUser(userID); err != nil {
		return err
	}
	a, ok := dashboard.WalletKey(address)
	if !ok {
		return badWallet()
	}
	if kind != dashboard.WalletEOA && kind != dashboard.WalletContract {
		return dashboard.Errorf(dashboard.EVALIDATION, "Unknown wallet kind %q.", kind)
	}
	for attempt := 1; ; attempt++ {
		out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName:                &s.table,
			Key:                      key(userPK(userID), walletSK(a)),
			ConsistentRead:           aws.Bool(true),
			ProjectionExpression:     aws.String("#a, #v"),
			ExpressionAttributeNames: map[string]string{"#a": attrAddress, "#v": attrVerifiedAt},
		})
		if err != nil {
			return fmt.Errorf("dynamo: verify wallet: %w", err)
		}
		if out.Item == nil {
			return noWallet()
		}
		if _, done := out.Item[attrVerifiedAt]; done {
			return nil
		}
		// The index item keeps the address as the member added it.
		entered := getString(out.Item, attrAddress)
		when := str(formatTime(at))
		err = s.transact(ctx, []types.TransactWriteItem{
			{Update: &types.Update{
				TableName:                &s.table,
				Key:                      key(userPK(userID), walletSK(a)),
				UpdateExpression:         aws.String("SET #v = :at, #k = :kind"),
				ConditionExpression:      aws.String("attribute_exists(PK) AND attribute_not_exists(#v) AND #a = :addr"),
				ExpressionAttributeNames: map[string]string{"#v": attrVerifiedAt, "#k": attrKind, "#a": attrAddress},
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":at": when, ":kind": str(string(kind)), ":addr": str(entered),
				},
			}},
			{Put: &types.Put{
				TableName: &s.table,
				Item: map[string]types.AttributeValue{
					attrPK: str(walletSK(a)), attrSK: str(userPK(userID)),
					attrUserID: str(userID), attrAddress: str(entered), attrVerifiedAt: when,
					attrGSI1PK: str(dashboard.WalletShardKey(a)),
				},
			}},
			{Update: &types.Update{
				TableName:                 &s.table,
				Key:                       key(walletSK(a), skClaim),
				UpdateExpression:          aws.String("SET userId = :me, verifiedAt = if_not_exists(verifiedAt, :at)"),
				ConditionExpression:       aws.String("attribute_not_exists(PK) OR userId = :me"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":me": str(userID), ":at": when},
			}},
		})
		reasons := cancelReasons(err)
		switch {
		case err == nil:
			return nil
		case failedAt(reasons, 2):
			return dashboard.Errorf(dashboard.ECONFLICT, "That wallet is already verified by another member.")
		case !failedAt(reasons, 0):
			return fmt.Errorf("dynamo: verify wallet: %w", err)
		}
		// Verified, removed or added again since it was read: read it again.
		if attempt >= emailAttempts {
			return fmt.Errorf("dynamo: verify wallet: gave up after %d attempts: %w", attempt, err)
		}
	}
}

// RemoveWallet deletes the member's wallet, its index item and, when it
// names this member, its claim in one TransactWriteItems, reading the
// claim first and conditioning the transaction on that answer (as
// DeleteCheckoutEmail does with its lookup). Then it deletes the member's
// holdings stamped with the wallet (compared ignoring case), which may be
// many: one Query and batches of deletes (deleteHoldings), never a Scan.
//
// The SYNC#NFT marker stays, since the member's other wallets' holdings
// are as fresh as they were. Only when the holdings' deletion fails, the
// wallet being gone already, is the marker deleted (as best it can be), so
// that the member's next read refreshes their holdings, which drops the
// removed wallet's leftovers; the error is returned.
func (s *Store) RemoveWallet(ctx context.Context, userID, address string) error {
	if err := badUser(userID); err != nil {
		return err
	}
	a, ok := dashboard.WalletKey(address)
	if !ok {
		return badWallet()
	}
	me := map[string]types.AttributeValue{":me": str(userID)}
	for attempt := 1; ; attempt++ {
		owner, err := s.claimOwner(ctx, a)
		if err != nil {
			return fmt.Errorf("dynamo: remove wallet: %w", err)
		}
		claim := types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
			TableName:                 &s.table,
			Key:                       key(walletSK(a), skClaim),
			ConditionExpression:       aws.String("attribute_not_exists(PK) OR userId <> :me"),
			ExpressionAttributeValues: me,
		}}
		if owner == userID {
			claim = types.TransactWriteItem{Delete: &types.Delete{
				TableName:                 &s.table,
				Key:                       key(walletSK(a), skClaim),
				ConditionExpression:       aws.String("userId = :me"),
				ExpressionAttributeValues: me,
			}}
		}
		err = s.transact(ctx, []types.TransactWriteItem{
			{Delete: &types.Delete{
				TableName:           &s.table,
				Key:                 key(userPK(userID), walletSK(a)),
				ConditionExpression: aws.String("attribute_exists(PK)"),
			}},
			{Delete: &types.Delete{TableName: &s.table, Key: key(walletSK(a), userPK(userID))}},
			claim,
		})
		reasons := cancelReasons(err)
		switch {
		case err == nil:
			return s.removeWalletHoldings(ctx, userID, a)
		case failedAt(reasons, 0):
			return noWallet()
		case !failedAt(reasons, 2):
			return fmt.Errorf("dynamo: remove wallet: %w", err)
		}
		// The claim changed hands since it was read: read it again.
		if attempt >= emailAttempts {
			return fmt.Errorf("dynamo: remove wallet: gave up after %d attempts: %w", attempt, err)
		}
	}
}

// removeWalletHoldings deletes the member's holdings of the wallet a
// (lower-cased) and, when that fails, their SYNC#NFT marker.
func (s *Store) removeWalletHoldings(ctx context.Context, userID, a string) error {
	_, err := s.deleteHoldings(ctx, userID, nil, func(wallet string) bool {
		return strings.EqualFold(strings.TrimSpace(wallet), a)
	})
	if err == nil {
		return nil
	}
	_, markerErr := s.client.DeleteItem(context.WithoutCancel(ctx), &dynamodb.DeleteItemInput{
		TableName: &s.table,
		Key:       key(userPK(userID), prefixSync+string(dashboard.SyncNFT)),
	})
	return fmt.Errorf("dynamo: remove wallet: holdings: %w", errors.Join(err, markerErr))
}

// claimOwner returns the userId WALLET#<a> / VERIFIED names ("" if none),
// read consistently.
func (s *Store) claimOwner(ctx context.Context, a string) (string, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:            &s.table,
		Key:                  key(walletSK(a), skClaim),
		ConsistentRead:       aws.Bool(true),
		ProjectionExpression: aws.String(attrUserID),
	})
	if err != nil {
		return "", fmt.Errorf("get wallet claim: %w", err)
	}
	return getString(out.Item, attrUserID), nil
}

// WalletMembers returns the ids of the members with an index item of the
// wallet, in key order, with one consistent Query of the WALLET#<lower>
// partition's USER# range (its VERIFIED claim sorts outside it).
func (s *Store) WalletMembers(ctx context.Context, address string) ([]string, error) {
	a, ok := dashboard.WalletKey(address)
	if !ok {
		return nil, badWallet()
	}
	in := &dynamodb.QueryInput{
		TableName:                &s.table,
		KeyConditionExpression:   aws.String("#pk = :pk AND begins_with(#sk, :user)"),
		ProjectionExpression:     aws.String("#sk, #u"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#sk": attrSK, "#u": attrUserID},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(walletSK(a)), ":user": str(prefixUser),
		},
		ConsistentRead: aws.Bool(true),
	}
	ids := []string{}
	for p := dynamodb.NewQueryPaginator(s.client, in); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("dynamo: wallet members: %w", err)
		}
		for _, item := range page.Items {
			id := getString(item, attrUserID)
			if id == "" {
				id = strings.TrimPrefix(getString(item, attrSK), prefixUser)
			}
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// EachWalletMember queries the wallet-shard index (GSI1PK = WALLETS#<digit>
// on the index items, which no other item carries) shard by shard, page by
// page, keys only.
func (s *Store) EachWalletMember(ctx context.Context, fn func(address, userID string) error) error {
	for _, shard := range dashboard.WalletShardKeys() {
		if err := s.EachShardWalletMember(ctx, shard, "", "", fn); err != nil {
			return err
		}
	}
	return nil
}

// EachShardWalletMember queries one shard of the wallet-shard index, page
// by page, keys only. A resumed walk starts with ExclusiveStartKey set to
// the index item it resumes after (its GSI1PK and table keys: the shape of
// the LastEvaluatedKey DynamoDB returned when it yielded that item), so it
// costs no read of what went before.
func (s *Store) EachShardWalletMember(ctx context.Context, shard, afterAddress, afterUserID string, fn func(address, userID string) error) error {
	start, err := shardStart(shard, afterAddress, afterUserID)
	if err != nil {
		return err
	}
	var startKey map[string]types.AttributeValue
	if start != nil {
		startKey = map[string]types.AttributeValue{
			attrGSI1PK: str(shard), attrPK: str(prefixWallet + start.address), attrSK: str(prefixUser + start.userID),
		}
	}
	p := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(indexGSI1),
		KeyConditionExpression:    aws.String("#g = :g"),
		ProjectionExpression:      aws.String("#pk, #sk"),
		ExpressionAttributeNames:  map[string]string{"#g": attrGSI1PK, "#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":g": str(shard)},
		ExclusiveStartKey:         startKey,
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("dynamo: each wallet member: %w", err)
		}
		for _, item := range page.Items {
			a := strings.TrimPrefix(getString(item, attrPK), prefixWallet)
			id := strings.TrimPrefix(getString(item, attrSK), prefixUser)
			if err := fn(a, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// shardPosition is where a walk of a wallet shard resumes: after the
// index item of address (lower-cased) and userID.
type shardPosition struct{ address, userID string }

// shardStart checks a shard walk's arguments: shard must be a key of
// dashboard.WalletShardKeys, and the position to resume after either
// absent (nil) or a wallet of that shard and a member id.
func shardStart(shard, afterAddress, afterUserID string) (*shardPosition, error) {
	if !slices.Contains(dashboard.WalletShardKeys(), shard) {
		return nil, dashboard.Errorf(dashboard.EVALIDATION, "Unknown wallet shard.")
	}
	if afterAddress == "" && afterUserID == "" {
		return nil, nil
	}
	a, ok := dashboard.WalletKey(afterAddress)
	if !ok || afterUserID == "" || badUser(afterUserID) != nil || dashboard.WalletShardKey(a) != shard {
		return nil, dashboard.Errorf(dashboard.EVALIDATION, "A shard walk resumes after a wallet of that shard and a member id.")
	}
	return &shardPosition{address: a, userID: afterUserID}, nil
}
