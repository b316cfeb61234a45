package marketplace

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/thebabesclub/dashboard"
)

// alchemyPageSize is the largest pageSize getNFTsForOwner accepts.
const alchemyPageSize = 100

// alchemy reads GET /nft/v3/{apiKey}/getNFTsForOwner.
type alchemy struct {
	base, key string
	contracts []string // contractAddresses[], when the filter allows
}

func (*alchemy) name() string { return ProviderAlchemy }

func (a *alchemy) request(wallet, cursor string) (string, http.Header) {
	q := url.Values{
		"owner":        {wallet},
		"withMetadata": {"true"},
		"pageSize":     {fmt.Sprint(alchemyPageSize)},
	}
	if len(a.contracts) > 0 {
		q["contractAddresses[]"] = a.contracts
	}
	if cursor != "" {
		q.Set("pageKey", cursor)
	}
	return a.base + "/nft/v3/" + url.PathEscape(a.key) + "/getNFTsForOwner?" + q.Encode(), nil
}

// alchemyNFT is one entry of "ownedNfts", with the fields the mapping
// reads. Objects are pointers so that an explicit null reads as absent.
type alchemyNFT struct {
	Contract *struct {
		Address         string `json:"address"`
		Name            string `json:"name"`
		OpenSeaMetadata *struct {
			CollectionName string `json:"collectionName"`
			CollectionSlug string `json:"collectionSlug"`
		} `json:"openSeaMetadata"`
	} `json:"contract"`
	TokenID     string `json:"tokenId"`
	TokenType   string `json:"tokenType"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Image       *struct {
		CachedURL    string `json:"cachedUrl"`
		ThumbnailURL string `json:"thumbnailUrl"`
		PNGURL       string `json:"pngUrl"`
		OriginalURL  string `json:"originalUrl"`
	} `json:"image"`
	Raw *struct {
		TokenURI string          `json:"tokenUri"`
		Metadata json.RawMessage `json:"metadata"`
	} `json:"raw"`
	Collection *struct {
		Name string `json:"name"`
		Slug string `json:"slug"`
	} `json:"collection"`
	// Balance is a decimal string in v3; a number is accepted too.
	Balance any `json:"balance"`
}

func (a *alchemy) parse(body []byte) (page, error) {
	return parseAlchemyPage(body)
}

// parseAlchemyPage reads {"ownedNfts": [...], "pageKey": "..."}. A body
// that is not that object, or lacks "ownedNfts", is an error; an entry
// that cannot be read or lacks contract address or token id is dropped
// and counted.
func parseAlchemyPage(body []byte) (page, error) {
	var wire struct {
		OwnedNFTs *[]json.RawMessage `json:"ownedNfts"`
		PageKey   *string            `json:"pageKey"`
	}
	if err := json.Unmarshal(body, &wire); err != nil {
		return page{}, fmt.Errorf("alchemy: malformed JSON: %w", err)
	}
	if wire.OwnedNFTs == nil {
		return page{}, errors.New(`alchemy: the answer has no "ownedNfts" list`)
	}
	var p page
	if wire.PageKey != nil {
		if len(*wire.PageKey) > maxCursor {
			return page{}, errors.New("alchemy: pageKey too long")
		}
		p.next = *wire.PageKey
	}
	for _, raw := range *wire.OwnedNFTs {
		h, ok := alchemyHolding(raw)
		if !ok {
			p.dropped++
			continue
		}
		p.holdings = append(p.holdings, h)
	}
	return p, nil
}

// alchemyHolding maps one ownedNfts entry; ok is false when it must be
// dropped.
func alchemyHolding(raw json.RawMessage) (_ dashboard.Holding, ok bool) {
	var w alchemyNFT
	if json.Unmarshal(raw, &w) != nil || w.Contract == nil {
		return dashboard.Holding{}, false
	}
	n := nft{
		contract:       w.Contract.Address,
		tokenID:        w.TokenID,
		collectionName: w.Contract.Name,
		name:           w.Name,
		description:    w.Description,
		standard:       w.TokenType,
	}
	switch b := w.Balance.(type) {
	case string:
		n.balance = b
	case float64:
		if b >= 0 && b <= 1e15 && b == float64(int64(b)) {
			n.balance = strconv.FormatInt(int64(b), 10)
		}
	}
	if osm := w.Contract.OpenSeaMetadata; osm != nil {
		n.slug = osm.CollectionSlug
		if osm.CollectionName != "" {
			n.collectionName = osm.CollectionName
		}
	}
	if c := w.Collection; c != nil {
		if c.Slug != "" {
			n.slug = c.Slug
		}
		if c.Name != "" {
			n.collectionName = c.Name
		}
	}
	if im := w.Image; im != nil {
		n.thumbnails = []string{im.ThumbnailURL, im.CachedURL, im.PNGURL}
		n.images = []string{im.CachedURL, im.PNGURL, im.OriginalURL}
	}
	if r := w.Raw; r != nil && len(r.Metadata) > 0 {
		n.raw = r.Metadata
		var md struct {
			Name        any `json:"name"`
			Description any `json:"description"`
			Image       any `json:"image"`
			Attributes  any `json:"attributes"`
		}
		if json.Unmarshal(r.Metadata, &md) == nil {
			if s, ok := md.Name.(string); ok && n.name == "" {
				n.name = s
			}
			if s, ok := md.Description.(string); ok && n.description == "" {
				n.description = s
			}
			if s, ok := md.Image.(string); ok {
				n.images = append(n.images, s)
			}
			n.traits = md.Attributes
		}
		if u := firstHTTPS(r.TokenURI); u != "" {
			n.metadataURL = u
		}
	}
	return n.holding()
}
