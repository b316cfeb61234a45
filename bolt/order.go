package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"

	dashboard "github.com/thebabesclub/dashboard"
)

// Key parts of order items (CONTRACT §6).
const (
	orderPrefix = "ORDER#"
	attrGSI2PK  = "GSI2PK"
)

// defaultLimit is the page size when a caller passes no positive limit,
// the contract's default for the list routes.
const defaultLimit = 20

// orderItem is the stored form of an order: the detail's JSON attributes
// plus the keys, the owner, statusAt and version. FulfillmentStatus and
// Fulfillment shadow the detail's fields of the same JSON names (a field
// of the outer struct wins), so that both are absent, not null, until the
// first fulfilment event, exactly as in the DynamoDB store.
type orderItem struct {
	PK     string `json:"PK"`
	SK     string `json:"SK"`
	GSI2PK string `json:"GSI2PK"`
	dashboard.OrderDetail
	UserID            string                       `json:"userId"`
	StatusAt          time.Time                    `json:"statusAt"`
	Version           int64                        `json:"version"`
	FulfillmentStatus *dashboard.FulfillmentStatus `json:"fulfillmentStatus,omitempty"`
	Fulfillment       *fulfillmentRecord           `json:"fulfillment,omitempty"`
}

// fulfillmentRecord is the stored `fulfillment` map of an order (CONTRACT
// §11), as the DynamoDB store keeps it: absent carrier and tracking are
// absent attributes, and every step's time is a string in the one time
// format (formatTime).
type fulfillmentRecord struct {
	Status         dashboard.FulfillmentStatus `json:"status"`
	Carrier        *string                     `json:"carrier,omitempty"`
	TrackingNumber *string                     `json:"trackingNumber,omitempty"`
	TrackingURL    *string                     `json:"trackingUrl,omitempty"`
	Events         []fulfillmentStepRecord     `json:"events"`
}

// fulfillmentStepRecord is one stored step of the fulfilment timeline.
type fulfillmentStepRecord struct {
	Status dashboard.FulfillmentStatus `json:"status"`
	At     string                      `json:"at"`
	Note   string                      `json:"note,omitempty"`
}

// encodeFulfillment is the stored form of f (nil when f is nil). Events is
// never nil, so it is stored as a list even when empty.
func encodeFulfillment(f *dashboard.Fulfillment) *fulfillmentRecord {
	if f == nil {
		return nil
	}
	rec := &fulfillmentRecord{
		Status: f.Status, Carrier: clonePtr(f.Carrier), TrackingNumber: clonePtr(f.TrackingNumber),
		TrackingURL: clonePtr(f.TrackingURL), Events: make([]fulfillmentStepRecord, 0, len(f.Events)),
	}
	for _, e := range f.Events {
		rec.Events = append(rec.Events, fulfillmentStepRecord{Status: e.Status, At: formatTime(e.At), Note: e.Note})
	}
	return rec
}

// fulfillment reads the stored map back (nil when absent); Events is
// never nil, and a step time that does not parse reads as the zero time.
func (r *fulfillmentRecord) fulfillment() *dashboard.Fulfillment {
	if r == nil {
		return nil
	}
	f := &dashboard.Fulfillment{
		Status: r.Status, Carrier: r.Carrier, TrackingNumber: r.TrackingNumber, TrackingURL: r.TrackingURL,
		Events: make([]dashboard.FulfillmentStep, 0, len(r.Events)),
	}
	for _, e := range r.Events {
		step := dashboard.FulfillmentStep{Status: e.Status, Note: e.Note}
		if at := parseTime(e.At); at != nil {
			step.At = *at
		}
		f.Events = append(f.Events, step)
	}
	return f
}

// cloneFulfillment is a deep copy of f, so that a cached order never
// shares its timeline with a caller.
func cloneFulfillment(f *dashboard.Fulfillment) *dashboard.Fulfillment {
	if f == nil {
		return nil
	}
	// One block for the copy and the strings it points to (see cloneOrder).
	type block struct {
		f                     dashboard.Fulfillment
		carrier, number, link string
	}
	b := &block{f: *f}
	c := &b.f
	c.Carrier = copyInto(&b.carrier, f.Carrier)
	c.TrackingNumber = copyInto(&b.number, f.TrackingNumber)
	c.TrackingURL = copyInto(&b.link, f.TrackingURL)
	c.Events = slices.Clone(f.Events)
	return c
}

// orderSK is the sort key of an order: its creation time in zero-padded
// epoch seconds, so that keys sort by age, then the session id.
func orderSK(orderID string, created time.Time) string {
	return fmt.Sprintf("%s%010d#%s", orderPrefix, created.Unix(), orderID)
}

// snapshot turns a stored item back into the domain value.
func (it *orderItem) snapshot() *dashboard.OrderSnapshot {
	d := it.OrderDetail
	d.FulfillmentStatus, d.Fulfillment = it.FulfillmentStatus, it.Fulfillment.fulfillment()
	return &dashboard.OrderSnapshot{UserID: it.UserID, OrderDetail: d, StatusAt: it.StatusAt, Version: it.Version}
}

// decodeOrder decodes a stored order item.
func decodeOrder(v []byte) (*dashboard.OrderSnapshot, error) {
	var it orderItem
	if err := json.Unmarshal(v, &it); err != nil {
		return nil, fmt.Errorf("decode order: %w", err)
	}
	return it.snapshot(), nil
}

// GetOrder reads one order by its primary key (ENOTFOUND if absent).
func (s *Store) GetOrder(ctx context.Context, userID, orderID string, created time.Time) (*dashboard.OrderSnapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var snap *dashboard.OrderSnapshot
	err := s.db.View(func(tx *bbolt.Tx) (err error) {
		if v := tx.Bucket(bucketItems).Get(itemKey(userPrefix+userID, orderSK(orderID, created))); v != nil && userID != "" {
			snap, err = decodeOrder(v)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: get order: %w", err)
	}
	if snap == nil {
		return nil, dashboard.Errorf(dashboard.ENOTFOUND, "Order not found.")
	}
	return snap, nil
}

// FindOrder reads one order by id through the GSI2 index, whoever owns it
// (ENOTFOUND if absent).
func (s *Store) FindOrder(ctx context.Context, orderID string) (*dashboard.OrderSnapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var snap *dashboard.OrderSnapshot
	err := s.db.View(func(tx *bbolt.Tx) (err error) {
		if v := lookupIndex(tx, attrGSI2PK, orderPrefix+orderID); v != nil && orderID != "" {
			snap, err = s.cachedOrder([]byte(orderPrefix+orderID), v)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: find order: %w", err)
	}
	if snap == nil {
		return nil, dashboard.Errorf(dashboard.ENOTFOUND, "Order not found.")
	}
	return snap, nil
}

// PutOrder writes snap if the stored version still equals snap.Version
// (0: the item must not exist, or carry no version), and on success
// increments snap.Version. The check and the write are one transaction.
func (s *Store) PutOrder(ctx context.Context, snap *dashboard.OrderSnapshot) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if snap == nil {
		return dashboard.Errorf(dashboard.EVALIDATION, "An order id is required.")
	}
	it, v, err := encodeOrderItem(snap)
	if err != nil {
		var appErr *dashboard.Error
		if errors.As(err, &appErr) {
			return err
		}
		return fmt.Errorf("bolt: put order: %w", err)
	}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		var stored int64
		if old := tx.Bucket(bucketItems).Get(itemKey(it.PK, it.SK)); old != nil {
			var o struct {
				Version int64 `json:"version"`
			}
			if err := json.Unmarshal(old, &o); err != nil {
				return fmt.Errorf("decode order: %w", err)
			}
			// An item without a version (written before versions, or by
			// another system) reads back as Version 0, so a write from
			// that read may replace it; the first one makes it version 1.
			stored = o.Version
		}
		if stored != snap.Version {
			return dashboard.Errorf(dashboard.EPRECONDITION, "The order changed since it was read.")
		}
		return putItem(tx, it.PK, it.SK, v, indexKeys{idxOrder: it.GSI2PK})
	})
	var appErr *dashboard.Error
	if errors.As(err, &appErr) {
		return err
	} else if err != nil {
		return fmt.Errorf("bolt: put order: %w", err)
	}
	snap.Version++
	return nil
}

// encodeOrderItem is the stored item of snap's next version (its key,
// GSI2PK and JSON), as PutOrder and the seed write it. A snapshot without
// an order id or with an unusable member id is EVALIDATION.
func encodeOrderItem(snap *dashboard.OrderSnapshot) (orderItem, []byte, error) {
	if snap.OrderID == "" {
		return orderItem{}, nil, dashboard.Errorf(dashboard.EVALIDATION, "An order id is required.")
	}
	if err := checkUser(snap.UserID); err != nil {
		return orderItem{}, nil, err
	}
	it := orderItem{
		PK: userPrefix + snap.UserID, SK: orderSK(snap.OrderID, snap.CreatedAt), GSI2PK: orderPrefix + snap.OrderID,
		OrderDetail: normDetail(snap.OrderDetail), UserID: snap.UserID,
		StatusAt: normTime(snap.StatusAt), Version: snap.Version + 1,
		FulfillmentStatus: clonePtr(snap.FulfillmentStatus), Fulfillment: encodeFulfillment(snap.Fulfillment),
	}
	v, err := json.Marshal(&it)
	if err != nil {
		return orderItem{}, nil, fmt.Errorf("encode: %w", err)
	}
	return it, v, nil
}

// normDetail is d with every time at the stored precision and without
// the response-only stale flag.
func normDetail(d dashboard.OrderDetail) dashboard.OrderDetail {
	d.CreatedAt = normTime(d.CreatedAt)
	d.UpdatedAt = normTime(d.UpdatedAt)
	if d.CompletedAt != nil {
		t := normTime(*d.CompletedAt)
		d.CompletedAt = &t
	}
	d.Stale = false
	return d
}

// ListOrders returns up to limit orders of userID, newest first, starting
// after the key after ("" for the first page), and on the first page the
// member's SYNC#STRIPE marker from the same read transaction.
func (s *Store) ListOrders(ctx context.Context, userID string, limit int, after string) (dashboard.OrderPage, error) {
	var page dashboard.OrderPage
	if err := ctx.Err(); err != nil {
		return page, err
	}
	if after != "" && !strings.HasPrefix(after, orderPrefix) {
		return page, dashboard.Errorf(dashboard.EINVALIDCURSOR, "The cursor is not valid.")
	}
	if limit <= 0 {
		limit = defaultLimit
	}
	pk := userPrefix + userID
	prefix := itemKey(pk, orderPrefix)
	// bound is the first key past this page: after itself, or the end of
	// the member's orders ('$' follows '#').
	bound := itemKey(pk, after)
	if after == "" {
		bound = itemKey(pk, "ORDER$")
	}
	err := s.db.View(func(tx *bbolt.Tx) error {
		items := tx.Bucket(bucketItems)
		c := items.Cursor()
		// The newest key before bound: Seek lands on the first key at or
		// past it (nil when none is), so step back once from there.
		newest := func() (k, v []byte) {
			if k, _ = c.Seek(bound); k == nil {
				return c.Last()
			}
			return c.Prev()
		}
		// Count the page's orders first, so that it is allocated once at
		// its size: an order is large, and each growth of the slice would
		// copy every order in it again.
		n := 0
		for k, _ := newest(); k != nil && bytes.HasPrefix(k, prefix) && n < limit; k, _ = c.Prev() {
			n++
		}
		if n > 0 {
			page.Orders = make([]dashboard.OrderSnapshot, 0, n)
		}
		var last []byte
		for k, v := newest(); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
			if len(page.Orders) == limit {
				page.Next = string(last[len(pk)+len(sep):]) // more remain
				break
			}
			snap, err := s.orderAt(k, v)
			if err != nil {
				return err
			}
			page.Orders = append(page.Orders, snap)
			last = k
		}
		if after == "" {
			at, err := s.syncedAtIn(items, userID, dashboard.SyncStripe)
			page.SyncedAt = at
			return err
		}
		return nil
	})
	if err != nil {
		return dashboard.OrderPage{}, fmt.Errorf("bolt: list orders: %w", err)
	}
	return page, nil
}

// cachedOrder decodes an order item through the store's cache.
func (s *Store) cachedOrder(key, v []byte) (*dashboard.OrderSnapshot, error) {
	snap, err := s.orderAt(key, v)
	if err != nil {
		return nil, err
	}
	return &snap, nil
}

// orderAt is cachedOrder's value, for a page that holds its orders by
// value.
func (s *Store) orderAt(key, v []byte) (dashboard.OrderSnapshot, error) {
	snap, err := s.cache.orders.get(key, v)
	if err != nil {
		return dashboard.OrderSnapshot{}, fmt.Errorf("decode order: %w", err)
	}
	return snap, nil
}
