// Package storetest is the conformance suite that every implementation of
// dashboard.Store must pass: the embedded bolt store and the DynamoDB store
// alike. It tests only the documented behaviour of the store interfaces
// and the table layout of the contract (CONTRACT §6), which it reads and
// seeds through the RawStore hooks; it never looks at how a store keeps
// its data.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// RawStore is a store that also exposes raw items, so tests can check that
// attributes the dashboard does not own survive, and that failed writes
// change nothing.
type RawStore interface {
	dashboard.Store
	// RawItem returns the item at pk/sk with ALL its attributes (nil, nil
	// if absent). Values: string, float64 for numbers, bool,
	// map[string]any, []any.
	RawItem(ctx context.Context, pk, sk string) (map[string]any, error)
	// PutRawItem writes an item as another system (the identity service)
	// would; item must contain "PK" and "SK".
	PutRawItem(ctx context.Context, item map[string]any) error
}

// Run runs the conformance suite. newStore returns a fresh, empty or
// isolated store for each subtest and registers its own cleanup (Close);
// every subtest uses fresh member ids, emails, order ids, event ids and
// watermark names, so one shared table works too.
func Run(t *testing.T, newStore func(t *testing.T) RawStore) {
	groups := []struct {
		name  string
		tests []namedTest
	}{
		{"Profile", profileTests},
		{"Lookup", lookupTests},
		{"Condition", conditionTests},
		{"Order", orderTests},
		{"Holding", holdingTests},
		{"Sync", syncTests},
		{"Reconcile", reconcileTests},
		{"Members", memberTests},
		{"Wallet", walletTests},
		{"Code", codeTests},
		{"CheckoutEmail", checkoutEmailTests},
		{"MemberWallet", memberWalletTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
			}
		})
	}
}

// namedTest is one subtest of the suite.
type namedTest struct {
	name string
	fn   func(t *testing.T, s RawStore)
}

// baseTime is a time with sub-millisecond digits in a zone other than
// UTC, so every round trip also checks the normalisation to UTC
// milliseconds.
var baseTime = time.Date(2025, 11, 26, 13, 28, 24, 123456789, time.FixedZone("PST", -8*3600))

// newID returns a fresh member id in the identity service's form (32 hex
// digits), unique across runs that share a table.
func newID(t *testing.T) string {
	t.Helper()
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

// newEmail returns a fresh mixed-case email address, so that every lookup
// also checks the lower-casing of the EMAIL# key.
func newEmail(t *testing.T) string {
	return "Member." + newID(t)[:12] + "@Example.COM"
}

// wantCode fails unless err carries the application error code.
func wantCode(t *testing.T, err error, code, what string) {
	t.Helper()
	if got := dashboard.ErrorCode(err); got != code {
		t.Fatalf("%s: error code = %q (err %v), want %q", what, got, err, code)
	}
}

// must fails the test on err.
func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// ms is t at the precision every store keeps, in UTC.
func ms(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// msPtr is ms for an optional time.
func msPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := ms(*t)
	return &v
}

// checkTime fails unless got is want at millisecond precision, in UTC.
func checkTime(t *testing.T, what string, got *time.Time, want time.Time) {
	t.Helper()
	switch {
	case got == nil:
		t.Errorf("%s = nil, want %s", what, ms(want).Format(time.RFC3339Nano))
	case !ms(*got).Equal(ms(want)):
		t.Errorf("%s = %s, want %s", what, got.Format(time.RFC3339Nano), ms(want).Format(time.RFC3339Nano))
	case got.Location() != time.UTC:
		t.Errorf("%s is in %s, want UTC", what, got.Location())
	}
}

// raw reads a raw item, failing the test on error.
func raw(t *testing.T, s RawStore, pk, sk string) map[string]any {
	t.Helper()
	item, err := s.RawItem(t.Context(), pk, sk)
	must(t, err, "RawItem "+pk+"/"+sk)
	return item
}

// unchanged fails unless the raw item at pk/sk still equals before (both
// nil when it did not exist).
func unchanged(t *testing.T, s RawStore, pk, sk string, before map[string]any, what string) {
	t.Helper()
	if after := raw(t, s, pk, sk); !reflect.DeepEqual(before, after) {
		t.Errorf("%s changed %s/%s:\nbefore %v\nafter  %v", what, pk, sk, before, after)
	}
}

// checkStoredTime fails unless the raw attribute is an RFC 3339 string in
// UTC that names want at millisecond precision.
func checkStoredTime(t *testing.T, item map[string]any, attr string, want time.Time) {
	t.Helper()
	s, ok := item[attr].(string)
	if !ok {
		t.Errorf("stored %s = %#v, want an RFC 3339 string", attr, item[attr])
		return
	}
	got, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || got.Location() != time.UTC {
		t.Errorf("stored %s = %q, want RFC 3339 in UTC", attr, s)
		return
	}
	checkTime(t, "stored "+attr, &got, want)
}

// jsonEqual fails unless a and b encode to the same JSON, which compares
// times by instant text and maps regardless of order.
func jsonEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	must(t, err, "encode got")
	w, err := json.Marshal(want)
	must(t, err, "encode want")
	if string(g) != string(w) {
		t.Errorf("%s:\ngot  %s\nwant %s", what, g, w)
	}
}

// ptr returns a pointer to a copy of v, for the optional fields.
func ptr[T any](v T) *T { return &v }

// lower is the lower-casing the EMAIL# keys use.
func lower(s string) string { return strings.ToLower(s) }
