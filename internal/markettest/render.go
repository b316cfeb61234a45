package markettest

import (
	"encoding/json"
	"maps"
	"strconv"
	"strings"
)

// NFT is one token a wallet holds, with what either provider reports of
// it. Empty fields are rendered as each provider renders missing data.
type NFT struct {
	// Contract is the contract address (0x…); OpenSea reports it
	// lower-cased, Alchemy as given.
	Contract string
	// TokenID is the token id in decimal.
	TokenID string
	// Collection is the OpenSea collection slug; CollectionName its name.
	Collection     string
	CollectionName string
	Name           string
	Description    string
	// Standard is "erc721" (default) or "erc1155".
	Standard string
	// ImageURL is the full image; ThumbnailURL the small one (OpenSea's
	// display_image_url, Alchemy's image.thumbnailUrl), ImageURL if empty.
	ImageURL     string
	ThumbnailURL string
	AnimationURL string
	Traits       []Trait
	// Balance is how many of an ERC-1155 token the wallet holds (0: 1).
	Balance int
	NSFW    bool
	// Raw adds keys to Alchemy's raw.metadata (name, description, image
	// and attributes are filled from the fields above).
	Raw map[string]any
}

// Trait is one attribute of an NFT's metadata.
type Trait struct {
	Type  string
	Value any
}

func (n NFT) standard() string {
	if n.Standard == "" {
		return "erc721"
	}
	return strings.ToLower(n.Standard)
}

func (n NFT) thumbnail() string {
	if n.ThumbnailURL != "" {
		return n.ThumbnailURL
	}
	return n.ImageURL
}

func (n NFT) traits() []map[string]any {
	out := []map[string]any{}
	for _, t := range n.Traits {
		out = append(out, map[string]any{"trait_type": t.Type, "value": t.Value, "display_type": nil, "max_value": nil})
	}
	return out
}

// orNull renders "" as JSON null, as the providers do for missing URLs.
func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// OpenSeaPage renders one page of "list NFTs by account" on chain: the
// nfts and, unless next is "", the next cursor.
func OpenSeaPage(chain string, nfts []NFT, next string) []byte {
	items := make([]map[string]any, 0, len(nfts))
	for _, n := range nfts {
		contract := strings.ToLower(n.Contract)
		var traits any
		if len(n.Traits) > 0 {
			traits = n.traits()
		}
		items = append(items, map[string]any{
			"identifier":            n.TokenID,
			"collection":            n.Collection,
			"contract":              contract,
			"token_standard":        n.standard(),
			"name":                  orNull(n.Name),
			"description":           orNull(n.Description),
			"image_url":             orNull(n.ImageURL),
			"display_image_url":     orNull(n.thumbnail()),
			"display_animation_url": orNull(n.AnimationURL),
			"metadata_url":          nil,
			"opensea_url":           "https://opensea.io/assets/" + chain + "/" + contract + "/" + n.TokenID,
			"updated_at":            "2025-11-26T21:28:24.000000",
			"is_disabled":           false,
			"is_nsfw":               n.NSFW,
			"traits":                traits,
		})
	}
	body := map[string]any{"nfts": items}
	if next != "" {
		body["next"] = next
	}
	b, _ := json.Marshal(body)
	return b
}

// AlchemyPage renders one page of getNFTsForOwner (v3): the ownedNfts,
// the pageKey (null at the end) and totalCount.
func AlchemyPage(nfts []NFT, pageKey string, totalCount int) []byte {
	items := make([]map[string]any, 0, len(nfts))
	for _, n := range nfts {
		tokenType := strings.ToUpper(n.standard())
		md := map[string]any{}
		maps.Copy(md, n.Raw)
		if n.Name != "" {
			md["name"] = n.Name
		}
		if n.Description != "" {
			md["description"] = n.Description
		}
		if n.ImageURL != "" {
			md["image"] = n.ImageURL
		}
		if len(n.Traits) > 0 {
			md["attributes"] = n.traits()
		}
		balance := "1"
		if n.Balance > 1 {
			balance = strconv.Itoa(n.Balance)
		}
		var image map[string]any
		if n.ImageURL != "" || n.ThumbnailURL != "" {
			image = map[string]any{
				"cachedUrl": orNull(n.ImageURL), "thumbnailUrl": orNull(n.thumbnail()),
				"pngUrl": nil, "contentType": "image/png", "size": 1024, "originalUrl": orNull(n.ImageURL),
			}
		}
		tokenURI := "https://meta.example.com/" + strings.ToLower(n.Contract) + "/" + n.TokenID
		items = append(items, map[string]any{
			"contract": map[string]any{
				"address": n.Contract, "name": orNull(n.CollectionName), "symbol": nil, "totalSupply": nil,
				"tokenType": tokenType, "contractDeployer": nil, "deployedBlockNumber": nil,
				"openSeaMetadata": map[string]any{
					"floorPrice": nil, "collectionName": orNull(n.CollectionName),
					"collectionSlug": orNull(n.Collection), "safelistRequestStatus": nil,
					"imageUrl": nil, "description": nil, "externalUrl": nil, "twitterUsername": nil,
					"discordUrl": nil, "bannerImageUrl": nil, "lastIngestedAt": nil,
				},
				"isSpam": false, "spamClassifications": []string{},
			},
			"tokenId":     n.TokenID,
			"tokenType":   tokenType,
			"name":        orNull(n.Name),
			"description": orNull(n.Description),
			"tokenUri":    tokenURI,
			"image":       image,
			"raw":         map[string]any{"tokenUri": tokenURI, "metadata": md, "error": nil},
			"collection": map[string]any{
				"name": orNull(n.CollectionName), "slug": orNull(n.Collection), "externalUrl": nil, "bannerImageUrl": nil,
			},
			"mint":            map[string]any{"mintAddress": nil, "blockNumber": nil, "timestamp": nil, "transactionHash": nil},
			"owners":          nil,
			"timeLastUpdated": "2025-11-26T21:28:24.000Z",
			"balance":         balance,
			"acquiredAt":      map[string]any{"blockTimestamp": nil, "blockNumber": nil},
		})
	}
	b, _ := json.Marshal(map[string]any{
		"ownedNfts":  items,
		"totalCount": totalCount,
		"validAt":    map[string]any{"blockNumber": 21000000, "blockHash": nil, "blockTimestamp": nil},
		"pageKey":    orNull(pageKey),
	})
	return b
}
