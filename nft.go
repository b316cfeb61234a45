package dashboard

import (
	"context"
	"hash/fnv"
	"strconv"
	"strings"
	"time"
)

// Holding is one NFT held by a member's wallet. Wallet is the EIP-55
// address the sync read it from, so a holding can be told apart from those
// of a wallet the member has since replaced (empty on holdings stored
// before the field existed).
type Holding struct {
	TokenID         string         `json:"tokenId"`
	ContractAddress string         `json:"contractAddress"`
	CollectionID    string         `json:"collectionId"`
	TokenName       string         `json:"tokenName"`
	ThumbnailURL    string         `json:"thumbnailUrl"`
	ImageURL        string         `json:"imageUrl"`
	Metadata        map[string]any `json:"metadata"`
	LastSyncedAt    time.Time      `json:"lastSyncedAt"`
	Wallet          string         `json:"wallet"`
}

// HoldingPage is one page of a member's holdings, ordered by contract and
// token id.
type HoldingPage struct {
	Holdings []Holding
	Next     string
}

// HoldingDiff counts what a ReplaceHoldings call changed.
type HoldingDiff struct {
	Added, Updated, Removed int
}

// Holder is one member's holding in a collection: an entry of the
// collection index (GSI3), as HoldingStore.EachHolder reads it.
type Holder struct {
	UserID  string
	Holding Holding
}

// CollectionShards is how many shards the collection index (GSI3) has: a
// holding's GSI3PK is COLLECTION#<collectionId>#<n> with n in
// [0, CollectionShards) (CONTRACT §6). One index partition key takes at
// most 1,000 write units a second, and a throttled index partition holds
// back the table's writes too, so an unsharded popular collection would cap
// every sync, poll and seed that writes its holdings. A holding item is
// one to two write units (its metadata), so 16 shards give a collection
// 16,000 write units a second, 8,000 to 16,000 holding writes: far more
// than the hourly poll (bounded by the marketplace's rate) or a bulk seed
// from one process sends. A reader pays one more Query per shard (0.5 read
// units when empty), which the operator's `holders` view affords; 16 is
// also the wallet-shard index's count.
const CollectionShards = 16

// CollectionIndexKey returns the collection-index key (GSI3PK) of h, or ""
// when h names no collection. The shard is the FNV-1a hash of the
// holding's own sort-key tail (lower-cased contract, "#", token id) modulo
// CollectionShards: one token keeps its shard for ever, whoever holds it,
// so a re-sync never moves an item, and one member's many tokens of a
// collection spread over every shard, so a whale's sync or removal does
// not land on one index partition. Both stores use it, so they write the
// same keys.
func CollectionIndexKey(h *Holding) string {
	if h.CollectionID == "" {
		return ""
	}
	f := fnv.New32a()
	f.Write([]byte(strings.ToLower(h.ContractAddress) + "#" + h.TokenID))
	return collectionKeyPrefix + h.CollectionID + "#" + strconv.Itoa(int(f.Sum32()%CollectionShards))
}

// CollectionIndexKeys returns every collection-index key under which a
// holding of collectionID may be stored, in the order readers walk them:
// the CollectionShards shard keys, then the unsharded COLLECTION#<id> of
// holdings written before the index was sharded (read until the member's
// next sync rewrites them sharded). A legacy key can equal a shard key of
// another collection whose id ends in "#<n>", so readers keep only the
// items whose collectionId is collectionID.
func CollectionIndexKeys(collectionID string) []string {
	keys := make([]string, 0, CollectionShards+1)
	for n := range CollectionShards {
		keys = append(keys, collectionKeyPrefix+collectionID+"#"+strconv.Itoa(n))
	}
	return append(keys, collectionKeyPrefix+collectionID)
}

// collectionKeyPrefix starts every collection-index key.
const collectionKeyPrefix = "COLLECTION#"

// HoldingStore keeps NFT holdings.
type HoldingStore interface {
	// ReplaceHoldings makes the member's stored holdings exactly the given
	// set (adds, updates, removes) and sets the SYNC#NFT marker to syncedAt.
	// Callers pass only a complete read of the marketplace.
	ReplaceHoldings(ctx context.Context, userID string, holdings []Holding, syncedAt time.Time) (HoldingDiff, error)
	// ListHoldings returns up to limit holdings of userID, optionally only
	// those of collectionID, starting after the key after.
	ListHoldings(ctx context.Context, userID, collectionID string, limit int, after string) (HoldingPage, error)
	// EachHolder calls fn once for every holding of collectionID across
	// all members, through the collection index (GSI3), reading every key
	// of CollectionIndexKeys: the operator's view.
	EachHolder(ctx context.Context, collectionID string, fn func(Holder) error) error
	// RemoveHoldings deletes every holding of userID (and with them their
	// collection-index entries) and the SYNC#NFT marker, so that a wallet
	// that is replaced or cleared takes its holdings with it at once and
	// the next read of the new wallet is stale and refreshes. It returns
	// how many holdings it deleted; removing none is not an error.
	RemoveHoldings(ctx context.Context, userID string) (int, error)
}

// Marketplace is an NFT marketplace API, as the NFT sync uses it.
type Marketplace interface {
	// Holdings returns every NFT wallet holds in the configured
	// collections, after reading every page. It retries rate limits and
	// server errors itself (bounded, with backoff); on any failure it
	// returns an error and no holdings, so a partial read can never be
	// mistaken for the wallet's full contents. LastSyncedAt is left zero.
	Holdings(ctx context.Context, wallet string) ([]Holding, error)
}

// MarketplaceWebhooks verifies the marketplace's webhook deliveries, as the
// NFT service uses them: the marketplace's counterpart of
// Payments.ParseWebhook. It is a port of its own rather than a method of
// Marketplace because the function that receives the webhooks holds only
// the signing secret, never the marketplace's API key.
type MarketplaceWebhooks interface {
	// ParseWebhook verifies signature over the raw body and returns the
	// wallets the delivery names, lower-cased: those to sync again (none
	// for a delivery that names no transfer). Any failure is an error and
	// no wallets, so a forged delivery can make nobody's holdings move.
	ParseWebhook(body []byte, signature string) ([]string, error)
}
