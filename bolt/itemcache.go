package bolt

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"sync"

	dashboard "github.com/thebabesclub/dashboard"
)

// itemCacheSize bounds each decoded-item cache; past it the cache starts
// over, which costs only the decoding it saved.
const itemCacheSize = 4096

// itemCache keeps decoded items, keyed by the bbolt key they were read
// under (an item key, or an index key for FindOrder) and checked against
// the stored bytes, so a read does not pay for JSON decoding of items that
// did not change. Any write changes the bytes, so a stale entry is never
// served and the cache needs no invalidation. Results are copies (clone),
// so a caller can never change what the cache holds.
type itemCache[T any] struct {
	decode func(v []byte) (T, error)
	clone  func(T) T

	mu sync.Mutex
	m  map[string]cachedItem[T]
}

type cachedItem[T any] struct {
	raw []byte
	val T
}

// get returns the item stored as v under key.
func (c *itemCache[T]) get(key, v []byte) (T, error) {
	c.mu.Lock()
	e, ok := c.m[string(key)]
	c.mu.Unlock()
	if !ok || !bytes.Equal(e.raw, v) {
		val, err := c.decode(v)
		if err != nil {
			return val, err
		}
		e = cachedItem[T]{raw: bytes.Clone(v), val: val}
		c.mu.Lock()
		if c.m == nil || len(c.m) >= itemCacheSize {
			c.m = make(map[string]cachedItem[T])
		}
		c.m[string(key)] = e
		c.mu.Unlock()
	}
	return c.clone(e.val), nil
}

// itemCaches are the store's decoded-item caches, one per kind of item the
// read paths decode: orders (ListOrders, FindOrder), holdings
// (ListHoldings) and profiles (GetProfile).
type itemCaches struct {
	orders   itemCache[dashboard.OrderSnapshot]
	holdings itemCache[holdingItem]
	profiles itemCache[map[string]any]
}

func newItemCaches() *itemCaches {
	return &itemCaches{
		orders: itemCache[dashboard.OrderSnapshot]{
			decode: func(v []byte) (dashboard.OrderSnapshot, error) {
				s, err := decodeOrder(v)
				if err != nil {
					return dashboard.OrderSnapshot{}, err
				}
				return *s, nil
			},
			clone: func(s dashboard.OrderSnapshot) dashboard.OrderSnapshot {
				s.Items, s.Discounts = slices.Clone(s.Items), slices.Clone(s.Discounts)
				if s.CompletedAt != nil {
					t := *s.CompletedAt
					s.CompletedAt = &t
				}
				s.CustomerEmail, s.CustomerPhone = clonePtr(s.CustomerEmail), clonePtr(s.CustomerPhone)
				s.StripePaymentIntentID, s.ReceiptURL = clonePtr(s.StripePaymentIntentID), clonePtr(s.ReceiptURL)
				s.ShippingAddress = clonePtr(s.ShippingAddress)
				s.FulfillmentStatus, s.Fulfillment = clonePtr(s.FulfillmentStatus), cloneFulfillment(s.Fulfillment)
				return s
			},
		},
		holdings: itemCache[holdingItem]{
			decode: func(v []byte) (holdingItem, error) {
				var it holdingItem
				err := json.Unmarshal(v, &it)
				return it, err
			},
			clone: func(it holdingItem) holdingItem {
				it.Metadata = maps.Clone(it.Metadata)
				return it
			},
		},
		profiles: itemCache[map[string]any]{
			decode: decodeMap,
			clone:  func(m map[string]any) map[string]any { return m }, // read-only: profileFromItem copies out of it
		},
	}
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// decodeMap decodes a stored item with json.Number for numbers, so a
// read-modify-write keeps foreign numbers exactly as they were.
func decodeMap(v []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	var item map[string]any
	if err := dec.Decode(&item); err != nil {
		return nil, err
	}
	return item, nil
}
