package storetest

import (
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

var lookupTests = []namedTest{
	{"EmailClaimedAndReleased", testEmailClaimedAndReleased},
	{"EmailCaseOnlyChange", testEmailCaseOnlyChange},
	{"PreviousLookupOfAnotherMemberKept", testPreviousLookupOfAnotherMemberKept},
	{"UserIDByEmailUnknown", testUserIDByEmailUnknown},
	{"StripeCustomerIndex", testStripeCustomerIndex},
}

// checkLookup fails unless EMAIL#<lower-cased email>/LOOKUP names id (or
// is absent when id is "").
func checkLookup(t *testing.T, s RawStore, email, id string) {
	t.Helper()
	item := raw(t, s, "EMAIL#"+lower(email), "LOOKUP")
	switch {
	case id == "" && item != nil:
		t.Errorf("EMAIL#%s = %v, want no item", lower(email), item)
	case id == "":
	case item == nil:
		t.Errorf("EMAIL#%s is missing, want it to name %s", lower(email), id)
	case item["userId"] != id:
		t.Errorf("EMAIL#%s names %v, want %s", lower(email), item["userId"], id)
	default:
		// Both stores keep the address as entered (trimmed), as the
		// identity service does; only the key is lower-cased.
		if e, _ := item["email"].(string); e != strings.TrimSpace(email) {
			t.Errorf("EMAIL#%s email = %q, want %q as entered", lower(email), e, email)
		}
	}
}

// resolves fails unless UserIDByEmail finds id under every casing of email.
func resolves(t *testing.T, s RawStore, email, id string) {
	t.Helper()
	for _, e := range []string{email, lower(email), strings.ToUpper(email)} {
		got, err := s.UserIDByEmail(t.Context(), e)
		if err != nil || got != id {
			t.Errorf("UserIDByEmail(%q) = %q, %v; want %q", e, got, err, id)
		}
	}
}

func testEmailClaimedAndReleased(t *testing.T, s RawStore) {
	id, first := newID(t), newEmail(t)
	create(t, s, fullProfile(t, id, first, baseTime))
	checkLookup(t, s, first, id)
	resolves(t, s, first, id)

	second := newEmail(t)
	at := baseTime.Add(time.Minute)
	p := &dashboard.Profile{UserID: id, Email: second, UpdatedAt: &at}
	must(t, save(t, s, p, []string{dashboard.FieldEmail}, &baseTime, first), "change email")
	if got := get(t, s, id); got.Email != second {
		t.Errorf("email = %q, want %q", got.Email, second)
	}
	checkLookup(t, s, second, id)
	checkLookup(t, s, first, "")
	resolves(t, s, second, id)
	_, err := s.UserIDByEmail(t.Context(), first)
	wantCode(t, err, dashboard.ENOTFOUND, "UserIDByEmail(released address)")
}

func testEmailCaseOnlyChange(t *testing.T, s RawStore) {
	id, email := newID(t), newEmail(t)
	create(t, s, fullProfile(t, id, email, baseTime))
	at := baseTime.Add(time.Minute)
	p := &dashboard.Profile{UserID: id, Email: lower(email), UpdatedAt: &at}
	must(t, save(t, s, p, []string{dashboard.FieldEmail}, &baseTime, email), "change the email's case")
	if got := get(t, s, id); got.Email != lower(email) {
		t.Errorf("email = %q, want %q", got.Email, lower(email))
	}
	// Same lower-cased address: the lookup must stay, not be claimed and
	// then released as "the previous one".
	resolves(t, s, email, id)
	if item := raw(t, s, "EMAIL#"+lower(email), "LOOKUP"); item == nil || item["userId"] != id {
		t.Errorf("lookup after a case-only change = %v", item)
	}
}

func testPreviousLookupOfAnotherMemberKept(t *testing.T, s RawStore) {
	id, other, old := newID(t), newID(t), newEmail(t)
	create(t, s, fullProfile(t, id, old, baseTime))
	// Meanwhile the identity service gave the old address to someone else.
	handedOver := map[string]any{"PK": "EMAIL#" + lower(old), "SK": "LOOKUP", "userId": other, "email": old}
	must(t, s.PutRawItem(t.Context(), handedOver), "PutRawItem lookup")
	before := raw(t, s, "EMAIL#"+lower(old), "LOOKUP")

	next := newEmail(t)
	at := baseTime.Add(time.Minute)
	must(t, save(t, s, &dashboard.Profile{UserID: id, Email: next, UpdatedAt: &at}, []string{dashboard.FieldEmail}, &baseTime, old), "change email")
	unchanged(t, s, "EMAIL#"+lower(old), "LOOKUP", before, "releasing a lookup that names another member")
	checkLookup(t, s, next, id)
}

func testUserIDByEmailUnknown(t *testing.T, s RawStore) {
	_, err := s.UserIDByEmail(t.Context(), newEmail(t))
	wantCode(t, err, dashboard.ENOTFOUND, "UserIDByEmail(unknown)")
}

func testStripeCustomerIndex(t *testing.T, s RawStore) {
	id := newID(t)
	p := fullProfile(t, id, newEmail(t), baseTime)
	p.StripeCustomerID = nil
	create(t, s, p)
	cusA, cusB := "cus_"+newID(t)[:14], "cus_"+newID(t)[:14]
	_, err := s.UserIDByStripeCustomer(t.Context(), cusA)
	wantCode(t, err, dashboard.ENOTFOUND, "UserIDByStripeCustomer(unknown)")

	setCustomer := func(cus *string, at time.Time, expect time.Time) {
		t.Helper()
		q := &dashboard.Profile{UserID: id, StripeCustomerID: cus, UpdatedAt: &at}
		must(t, save(t, s, q, []string{dashboard.FieldStripeCustomerID}, &expect, p.Email), "set stripeCustomerId")
	}
	t1, t2, t3 := baseTime.Add(time.Minute), baseTime.Add(2*time.Minute), baseTime.Add(3*time.Minute)
	setCustomer(&cusA, t1, baseTime)
	if got, err := s.UserIDByStripeCustomer(t.Context(), cusA); err != nil || got != id {
		t.Errorf("UserIDByStripeCustomer(%s) = %q, %v; want %q", cusA, got, err, id)
	}
	if item := raw(t, s, "USER#"+id, "PROFILE"); item["GSI1PK"] != "STRIPE#"+cusA || item["stripeCustomerId"] != cusA {
		t.Errorf("stored GSI1PK, stripeCustomerId = %v, %v", item["GSI1PK"], item["stripeCustomerId"])
	}
	if got := get(t, s, id); got.StripeCustomerID == nil || *got.StripeCustomerID != cusA {
		t.Errorf("stripeCustomerId = %v, want %s", show(got.StripeCustomerID), cusA)
	}

	setCustomer(&cusB, t2, t1)
	_, err = s.UserIDByStripeCustomer(t.Context(), cusA)
	wantCode(t, err, dashboard.ENOTFOUND, "UserIDByStripeCustomer(replaced customer)")
	if got, err := s.UserIDByStripeCustomer(t.Context(), cusB); err != nil || got != id {
		t.Errorf("UserIDByStripeCustomer(%s) = %q, %v; want %q", cusB, got, err, id)
	}

	setCustomer(nil, t3, t2)
	_, err = s.UserIDByStripeCustomer(t.Context(), cusB)
	wantCode(t, err, dashboard.ENOTFOUND, "UserIDByStripeCustomer(removed customer)")
	if item := raw(t, s, "USER#"+id, "PROFILE"); item["GSI1PK"] != nil || item["stripeCustomerId"] != nil {
		t.Errorf("removed customer still stored: GSI1PK %v, stripeCustomerId %v", item["GSI1PK"], item["stripeCustomerId"])
	}
}
