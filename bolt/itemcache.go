package bolt

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"sync"
	"time"

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
// so a caller can never change what the cache holds — except a holding's
// metadata, see newItemCaches.
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
// (ListHoldings), profiles (GetProfile), wallets (Wallets), checkout emails
// (CheckoutEmails) and sync markers (SyncedAt). Profiles, wallets and
// checkout emails are kept as the store returns them, without their owner
// (the key names it; the read sets it), so a read costs a copy instead of
// a decode and a field-by-field conversion.
type itemCaches struct {
	orders         itemCache[dashboard.OrderSnapshot]
	holdings       itemCache[holdingItem]
	profiles       itemCache[*dashboard.Profile]
	wallets        itemCache[dashboard.MemberWallet]
	checkoutEmails itemCache[dashboard.CheckoutEmail]
	markers        itemCache[*time.Time]
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
			clone: cloneOrder,
		},
		holdings: itemCache[holdingItem]{
			decode: func(v []byte) (holdingItem, error) {
				var it holdingItem
				err := json.Unmarshal(v, &it)
				return it, err
			},
			// A holding's metadata is the marketplace's document, which
			// the dashboard passes on and never writes into; its nested
			// maps and lists were always shared with the cache. Copying
			// the top-level map too cost the NFT list a sixth of its
			// allocations, so the map is shared, read-only, as they are.
			clone: func(it holdingItem) holdingItem { return it },
		},
		profiles: itemCache[*dashboard.Profile]{
			decode: func(v []byte) (*dashboard.Profile, error) {
				item, err := decodeMap(v)
				if err != nil {
					return nil, err
				}
				return profileFromItem("", item), nil
			},
			clone: cloneProfile,
		},
		wallets: itemCache[dashboard.MemberWallet]{
			decode: decodeWallet,
			clone: func(w dashboard.MemberWallet) dashboard.MemberWallet {
				w.VerifiedAt = clonePtr(w.VerifiedAt)
				return w
			},
		},
		checkoutEmails: itemCache[dashboard.CheckoutEmail]{
			decode: decodeCheckoutEmail,
			clone: func(c dashboard.CheckoutEmail) dashboard.CheckoutEmail {
				c.VerifiedAt = clonePtr(c.VerifiedAt)
				return c
			},
		},
		markers: itemCache[*time.Time]{
			decode: decodeMarker,
			clone:  clonePtr[time.Time],
		},
	}
}

// cloneProfile returns a copy of p that shares nothing with it: the
// services change the profiles they read. The values its pointers point to
// are copied into one block, so a copy costs two allocations (three with
// settings) instead of one per field. TestClonesShareNothing fails when a
// field is added that this does not copy.
func cloneProfile(p *dashboard.Profile) *dashboard.Profile {
	type block struct {
		p                                         dashboard.Profile
		phone, wallet, avatar, stripe, pending    string
		shipping, billing                         dashboard.Address
		created, updated, pendingExp, walletProof time.Time
	}
	b := &block{p: *p}
	c := &b.p
	c.Phone = copyInto(&b.phone, p.Phone)
	c.PreferredWallet = copyInto(&b.wallet, p.PreferredWallet)
	c.AvatarURL = copyInto(&b.avatar, p.AvatarURL)
	c.StripeCustomerID = copyInto(&b.stripe, p.StripeCustomerID)
	c.PendingEmail = copyInto(&b.pending, p.PendingEmail)
	c.ShippingAddress = copyInto(&b.shipping, p.ShippingAddress)
	c.BillingAddress = copyInto(&b.billing, p.BillingAddress)
	c.CreatedAt = copyInto(&b.created, p.CreatedAt)
	c.UpdatedAt = copyInto(&b.updated, p.UpdatedAt)
	c.PendingEmailExpiresAt = copyInto(&b.pendingExp, p.PendingEmailExpiresAt)
	c.WalletVerifiedAt = copyInto(&b.walletProof, p.WalletVerifiedAt)
	c.Settings = maps.Clone(p.Settings)
	return c
}

// cloneOrder returns a copy of s that shares nothing with it, the values
// its pointers point to copied into one block (see cloneProfile): a page
// of orders copies a dozen of them per read. TestClonesShareNothing fails
// when a field is added that this does not copy.
func cloneOrder(s dashboard.OrderSnapshot) dashboard.OrderSnapshot {
	type block struct {
		completedAt                   time.Time
		email, phone, intent, receipt string
		shipping                      dashboard.Address
		fulfillment                   dashboard.FulfillmentStatus
	}
	s.Items, s.Discounts = slices.Clone(s.Items), slices.Clone(s.Discounts)
	if s.CompletedAt != nil || s.CustomerEmail != nil || s.CustomerPhone != nil || s.StripePaymentIntentID != nil ||
		s.ReceiptURL != nil || s.ShippingAddress != nil || s.FulfillmentStatus != nil {
		b := new(block)
		s.CompletedAt = copyInto(&b.completedAt, s.CompletedAt)
		s.CustomerEmail = copyInto(&b.email, s.CustomerEmail)
		s.CustomerPhone = copyInto(&b.phone, s.CustomerPhone)
		s.StripePaymentIntentID = copyInto(&b.intent, s.StripePaymentIntentID)
		s.ReceiptURL = copyInto(&b.receipt, s.ReceiptURL)
		s.ShippingAddress = copyInto(&b.shipping, s.ShippingAddress)
		s.FulfillmentStatus = copyInto(&b.fulfillment, s.FulfillmentStatus)
	}
	s.Fulfillment = cloneFulfillment(s.Fulfillment)
	return s
}

// copyInto copies *p into *dst and returns dst, or nil when p is nil.
func copyInto[T any](dst, p *T) *T {
	if p == nil {
		return nil
	}
	*dst = *p
	return dst
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
