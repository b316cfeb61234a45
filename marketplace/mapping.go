package marketplace

import (
	"encoding/json"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/thebabesclub/dashboard"
)

// MaxMetadataBytes caps a holding's Metadata, JSON-encoded, so that a
// hostile or broken upstream cannot bloat a stored item towards
// DynamoDB's 400 KB item limit. Should the parts add up to more, raw goes
// first, then traits, then the description.
const MaxMetadataBytes = 24 << 10

// Bounds on the parts of a holding, which also keep every value one the
// stores can hold (DynamoDB allows 32 levels of nesting, numbers of
// magnitude 1e-130 to 1e126, and no empty map keys).
const (
	maxRawBytes    = 8 << 10 // metadata["raw"], JSON-encoded
	maxRawDepth    = 8       // nesting levels kept in metadata["raw"]
	maxRawEntries  = 64      // keys of an object, elements of an array
	maxRawString   = 1024    // bytes of one string in metadata["raw"]
	maxTraits      = 32
	maxTraitType   = 64
	maxTraitValue  = 256
	maxDescription = 2000
	maxName        = 200
	maxURL         = 2048
)

var (
	// tokenIDRE is a uint256 in decimal, as both providers send token ids;
	// anything else could break the NFT#<contract>#<tokenId> storage key.
	tokenIDRE  = regexp.MustCompile(`^[0-9]{1,78}$`)
	standardRE = regexp.MustCompile(`^[a-z0-9]{1,20}$`)
)

// nft is one entry as either provider describes it, before validation.
type nft struct {
	contract, tokenID     string
	slug, collectionName  string
	name, description     string
	standard              string
	thumbnails, images    []string // candidates, best first
	animation, openseaURL string
	metadataURL           string
	balance               string
	nsfw                  bool
	traits                any             // decoded JSON array of {trait_type, value}
	raw                   json.RawMessage // the provider's raw token metadata
}

// holding validates n and maps it to a Holding; ok is false when n lacks a
// usable contract address or token id and must be dropped.
func (n nft) holding() (h dashboard.Holding, ok bool) {
	if !isAddress(n.contract) || !tokenIDRE.MatchString(n.tokenID) {
		return h, false
	}
	h.ContractAddress = strings.ToLower(n.contract)
	h.TokenID = n.tokenID
	h.CollectionID = h.ContractAddress
	slug := ""
	if slugRE.MatchString(n.slug) {
		slug = n.slug
		h.CollectionID = slug
	}
	collection := cleanText(n.collectionName, maxName, false)
	h.TokenName = cleanText(n.name, maxName, false)
	if h.TokenName == "" {
		label := collection
		if label == "" {
			label = slug
		}
		if label == "" {
			label = h.ContractAddress
		}
		h.TokenName = cleanText(label+" #"+n.tokenID, maxName, false)
	}
	h.ImageURL = firstHTTPS(n.images...)
	h.ThumbnailURL = firstHTTPS(n.thumbnails...)
	if h.ThumbnailURL == "" {
		h.ThumbnailURL = h.ImageURL
	}
	if h.ImageURL == "" {
		h.ImageURL = h.ThumbnailURL
	}
	h.Metadata = n.metadata(collection)
	return h, true
}

// metadata builds the bounded Metadata map (see docs/marketplace.md).
func (n nft) metadata(collection string) map[string]any {
	m := map[string]any{}
	if s := strings.ToLower(n.standard); standardRE.MatchString(s) {
		m["tokenStandard"] = s
	}
	if d := cleanText(n.description, maxDescription, true); d != "" {
		m["description"] = d
	}
	if collection != "" {
		m["collectionName"] = collection
	}
	if t := traits(n.traits); len(t) > 0 {
		m["traits"] = t
	}
	if tokenIDRE.MatchString(n.balance) {
		m["balance"] = n.balance
	}
	if u := firstHTTPS(n.animation); u != "" {
		m["animationUrl"] = u
	}
	if u := firstHTTPS(n.openseaURL); u != "" {
		m["openseaUrl"] = u
	}
	if u := firstHTTPS(n.metadataURL); u != "" {
		m["metadataUrl"] = u
	}
	if n.nsfw {
		m["nsfw"] = true
	}
	if r := rawMetadata(n.raw); r != nil {
		m["raw"] = r
	}
	for _, k := range []string{"raw", "traits", "description"} {
		if b, err := json.Marshal(m); err == nil && len(b) <= MaxMetadataBytes {
			break
		}
		delete(m, k)
	}
	return m
}

// rawMetadata returns the provider's raw metadata object, sanitised, when
// it is small enough to keep; nil otherwise.
func rawMetadata(raw json.RawMessage) map[string]any {
	if len(raw) == 0 || len(raw) > 4*maxRawBytes {
		return nil
	}
	var v map[string]any
	if json.Unmarshal(raw, &v) != nil || v == nil {
		return nil
	}
	s, ok := sanitize(v, 1)
	if !ok {
		return nil
	}
	m, _ := s.(map[string]any)
	if b, err := json.Marshal(m); err != nil || len(b) > maxRawBytes || len(m) == 0 {
		return nil
	}
	return m
}

// sanitize returns a copy of the decoded JSON value v that every store
// can hold: bounded depth, entries and strings; numbers out of DynamoDB's
// range turned into strings; empty keys dropped. Keys are visited in
// order so that truncation is deterministic.
func sanitize(v any, depth int) (any, bool) {
	switch v := v.(type) {
	case nil, bool:
		return v, true
	case string:
		return cleanText(v, maxRawString, true), true
	case float64:
		return number(v), true
	case []any:
		if depth > maxRawDepth {
			return nil, false
		}
		out := make([]any, 0, min(len(v), maxRawEntries))
		for _, e := range v {
			if len(out) == maxRawEntries {
				break
			}
			if s, ok := sanitize(e, depth+1); ok {
				out = append(out, s)
			}
		}
		return out, true
	case map[string]any:
		if depth > maxRawDepth {
			return nil, false
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		out := make(map[string]any, min(len(v), maxRawEntries))
		for _, k := range keys {
			if len(out) == maxRawEntries {
				break
			}
			ck := cleanText(k, maxTraitType, false)
			if _, dup := out[ck]; ck == "" || dup {
				continue
			}
			if s, ok := sanitize(v[k], depth+1); ok {
				out[ck] = s
			}
		}
		return out, true
	}
	return nil, false
}

// number keeps a JSON number DynamoDB can store as a number, and turns
// any other into its decimal string.
func number(f float64) any {
	if a := math.Abs(f); a == 0 || (a >= 1e-100 && a <= 1e100) {
		return f
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// traits reads a decoded attributes array ([{trait_type, value,
// display_type?}]) into at most maxTraits bounded traits. Entries that are
// not objects or whose value is not a string, number or boolean are
// skipped.
func traits(v any) []any {
	list, _ := v.([]any)
	var out []any
	for _, e := range list {
		if len(out) == maxTraits {
			break
		}
		t, ok := e.(map[string]any)
		if !ok {
			continue
		}
		tr := map[string]any{}
		switch val := t["value"].(type) {
		case string:
			tr["value"] = cleanText(val, maxTraitValue, false)
		case float64:
			tr["value"] = number(val)
		case bool:
			tr["value"] = val
		default:
			continue
		}
		if s, ok := t["trait_type"].(string); ok {
			tr["trait_type"] = cleanText(s, maxTraitType, false)
		}
		if s, ok := t["display_type"].(string); ok && s != "" {
			tr["display_type"] = cleanText(s, maxTraitType, false)
		}
		out = append(out, tr)
	}
	return out
}

// firstHTTPS returns the first candidate that is an absolute https URL
// without credentials, in canonical form, and "" when there is none. Only
// https images are shown: http would be mixed content, and ipfs://, ar://
// and data: URLs are left to the UI's fallback (see docs/marketplace.md).
func firstHTTPS(cands ...string) string {
	for _, c := range cands {
		c = strings.TrimSpace(c)
		if c == "" || len(c) > maxURL {
			continue
		}
		u, err := url.Parse(c)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Opaque != "" {
			continue
		}
		if s := u.String(); len(s) <= maxURL {
			return s
		}
	}
	return ""
}

// cleanText makes s safe to store and show: valid UTF-8, no control
// characters (newlines and tabs kept when multiline), no bidirectional
// overrides (which could make a name display as another), trimmed, and at most
// maxBytes long, cut at a character boundary.
func cleanText(s string, maxBytes int, multiline bool) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if multiline && (r == '\n' || r == '\t') {
			return r
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029' {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if len(s) > maxBytes {
		cut := maxBytes
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = strings.TrimSpace(s[:cut])
	}
	return s
}
