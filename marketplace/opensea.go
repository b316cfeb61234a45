package marketplace

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// openSeaPageSize is the largest limit OpenSea's list endpoints accept.
const openSeaPageSize = 200

// maxCursor bounds a next / pageKey cursor sent back to the provider.
const maxCursor = 8 << 10

// openSea reads GET /api/v2/chain/{chain}/account/{address}/nfts.
type openSea struct {
	base, key, chain string
	slug             string // ?collection=, when the filter is one slug
}

func (*openSea) name() string { return ProviderOpenSea }

func (o *openSea) request(wallet, cursor string) (string, http.Header) {
	q := url.Values{"limit": {fmt.Sprint(openSeaPageSize)}}
	if cursor != "" {
		q.Set("next", cursor)
	}
	if o.slug != "" {
		q.Set("collection", o.slug)
	}
	u := o.base + "/api/v2/chain/" + url.PathEscape(o.chain) + "/account/" + wallet + "/nfts?" + q.Encode()
	return u, http.Header{"X-Api-Key": {o.key}}
}

// openSeaNFT is one entry of "nfts", with the fields the mapping reads.
type openSeaNFT struct {
	Identifier          string          `json:"identifier"`
	Collection          string          `json:"collection"`
	Contract            string          `json:"contract"`
	TokenStandard       string          `json:"token_standard"`
	Name                string          `json:"name"`
	Description         string          `json:"description"`
	ImageURL            string          `json:"image_url"`
	DisplayImageURL     string          `json:"display_image_url"`
	OriginalImageURL    string          `json:"original_image_url"`
	DisplayAnimationURL string          `json:"display_animation_url"`
	AnimationURL        string          `json:"animation_url"`
	MetadataURL         string          `json:"metadata_url"`
	OpenSeaURL          string          `json:"opensea_url"`
	IsNSFW              bool            `json:"is_nsfw"`
	Traits              json.RawMessage `json:"traits"`
}

func (o *openSea) parse(body []byte) (page, error) {
	return parseOpenSeaPage(body)
}

// parseOpenSeaPage reads {"nfts": [...], "next": "..."}. A body that is
// not that object, or lacks "nfts", is an error; an entry that cannot be
// read or lacks contract or identifier is dropped and counted.
func parseOpenSeaPage(body []byte) (page, error) {
	var wire struct {
		NFTs *[]json.RawMessage `json:"nfts"`
		Next *string            `json:"next"`
	}
	if err := json.Unmarshal(body, &wire); err != nil {
		return page{}, fmt.Errorf("opensea: malformed JSON: %w", err)
	}
	if wire.NFTs == nil {
		return page{}, errors.New(`opensea: the answer has no "nfts" list`)
	}
	var p page
	if wire.Next != nil {
		if len(*wire.Next) > maxCursor {
			return page{}, errors.New("opensea: next cursor too long")
		}
		p.next = *wire.Next
	}
	for _, raw := range *wire.NFTs {
		var w openSeaNFT
		if json.Unmarshal(raw, &w) != nil {
			p.dropped++
			continue
		}
		var tr any
		_ = json.Unmarshal(w.Traits, &tr)
		h, ok := nft{
			contract:    w.Contract,
			tokenID:     w.Identifier,
			slug:        w.Collection,
			name:        w.Name,
			description: w.Description,
			standard:    w.TokenStandard,
			thumbnails:  []string{w.DisplayImageURL, w.ImageURL},
			images:      []string{w.ImageURL, w.DisplayImageURL, w.OriginalImageURL},
			animation:   firstHTTPS(w.DisplayAnimationURL, w.AnimationURL),
			openseaURL:  w.OpenSeaURL,
			metadataURL: w.MetadataURL,
			nsfw:        w.IsNSFW,
			traits:      tr,
		}.holding()
		if !ok {
			p.dropped++
			continue
		}
		p.holdings = append(p.holdings, h)
	}
	return p, nil
}
