package storetest

import (
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

var checkoutEmailTests = []namedTest{
	{"AddAndList", testCheckoutEmailAddAndList},
	{"AddExistingIsNoOp", testCheckoutEmailAddExisting},
	{"LimitRefused", testCheckoutEmailLimit},
	{"VerifyWritesLookup", testCheckoutEmailVerify},
	{"VerifyHeldByAnotherMember", testCheckoutEmailVerifyHeld},
	{"VerifyLoginEmail", testCheckoutEmailVerifyLoginEmail},
	{"VerifyNotAdded", testCheckoutEmailVerifyNotAdded},
	{"Delete", testCheckoutEmailDelete},
	{"DeleteKeepsAnotherMembersLookup", testCheckoutEmailDeleteKeepsOthers},
	{"CaseInsensitive", testCheckoutEmailCaseInsensitive},
	{"LoginEmailNeverAVerifiedCheckoutEmail", testSaveProfileOntoCheckoutEmail},
	{"BadInput", testCheckoutEmailBadInput},
}

// guestEmail returns a fresh mixed-case address named name, so keys also
// check the lower-casing.
func guestEmail(t *testing.T, name string) string {
	return name + "." + newID(t)[:12] + "@Example.com"
}

// checkoutPK, checkoutSK name the member's item of email; lookupPK the
// CHECKOUTEMAIL# lookup (SK LOOKUP).
func checkoutPK(user string) string  { return "USER#" + user }
func checkoutSK(email string) string { return "CHECKOUTEMAIL#" + lower(email) }
func lookupPK(email string) string   { return "CHECKOUTEMAIL#" + lower(email) }

// addCheckout adds email for user at at, failing the test on error.
func addCheckout(t *testing.T, s RawStore, user, email string, at time.Time) {
	t.Helper()
	must(t, s.AddCheckoutEmail(t.Context(), dashboard.CheckoutEmail{UserID: user, Email: email, AddedAt: at}), "AddCheckoutEmail "+email)
}

// itemRef names one raw item.
type itemRef struct{ pk, sk string }

// rawItems reads the raw items refs, for unchangedItems.
func rawItems(t *testing.T, s RawStore, refs ...itemRef) map[itemRef]map[string]any {
	t.Helper()
	m := make(map[itemRef]map[string]any, len(refs))
	for _, r := range refs {
		m[r] = raw(t, s, r.pk, r.sk)
	}
	return m
}

// unchangedItems fails unless every item read by rawItems is as it was.
func unchangedItems(t *testing.T, s RawStore, before map[itemRef]map[string]any, what string) {
	t.Helper()
	for r, item := range before {
		unchanged(t, s, r.pk, r.sk, item, what)
	}
}

// owner fails unless UserIDByCheckoutEmail resolves email (in every
// casing) to want, or answers ENOTFOUND when want is "".
func owner(t *testing.T, s RawStore, email, want string) {
	t.Helper()
	for _, e := range []string{email, lower(email), strings.ToUpper(email)} {
		got, err := s.UserIDByCheckoutEmail(t.Context(), e)
		if want == "" {
			wantCode(t, err, dashboard.ENOTFOUND, "UserIDByCheckoutEmail("+e+")")
		} else if err != nil || got != want {
			t.Errorf("UserIDByCheckoutEmail(%q) = %q, %v; want %q", e, got, err, want)
		}
	}
}

// checkoutList returns the member's checkout emails, failing on error.
func checkoutList(t *testing.T, s RawStore, user string) []dashboard.CheckoutEmail {
	t.Helper()
	list, err := s.CheckoutEmails(t.Context(), user)
	must(t, err, "CheckoutEmails")
	return list
}

// checkListed fails unless list holds exactly want's addresses, in order,
// with their fields (times at the stored precision, in UTC).
func checkListed(t *testing.T, list, want []dashboard.CheckoutEmail) {
	t.Helper()
	if len(list) != len(want) {
		t.Fatalf("CheckoutEmails = %+v, want %d addresses %+v", list, len(want), want)
	}
	for i, w := range want {
		got := list[i]
		if got.UserID != w.UserID || got.Email != w.Email {
			t.Errorf("CheckoutEmails[%d] = %q %q, want %q %q", i, got.UserID, got.Email, w.UserID, w.Email)
		}
		checkTime(t, "addedAt of "+w.Email, &got.AddedAt, w.AddedAt)
		checkTimePtr(t, "verifiedAt of "+w.Email, got.VerifiedAt, w.VerifiedAt)
	}
}

func testCheckoutEmailAddAndList(t *testing.T, s RawStore) {
	user := newID(t)
	if list := checkoutList(t, s, user); len(list) != 0 {
		t.Fatalf("CheckoutEmails of a new member = %+v, want none", list)
	}
	// Added in an order other than their keys' order, so "oldest first"
	// is not the key order by chance.
	zed, amy, mia := guestEmail(t, "Zed"), guestEmail(t, "Amy"), guestEmail(t, "Mia")
	t0, t1, t2 := baseTime, baseTime.Add(time.Minute), baseTime.Add(2*time.Minute)
	// VerifiedAt is ignored: an added address is pending.
	must(t, s.AddCheckoutEmail(t.Context(), dashboard.CheckoutEmail{UserID: user, Email: zed, AddedAt: t0, VerifiedAt: &t0}), "add zed")
	addCheckout(t, s, user, amy, t1)
	addCheckout(t, s, user, mia, t2)
	addCheckout(t, s, newID(t), guestEmail(t, "Stranger"), t0)

	checkListed(t, checkoutList(t, s, user), []dashboard.CheckoutEmail{
		{UserID: user, Email: zed, AddedAt: t0}, {UserID: user, Email: amy, AddedAt: t1}, {UserID: user, Email: mia, AddedAt: t2},
	})
	item := raw(t, s, checkoutPK(user), checkoutSK(zed))
	if item == nil {
		t.Fatalf("no item at USER#<id>/%s", checkoutSK(zed))
	}
	if item["userId"] != user || item["email"] != zed {
		t.Errorf("stored userId, email = %v, %v; want %s, %s as entered", item["userId"], item["email"], user, zed)
	}
	checkStoredTime(t, item, "addedAt", t0)
	if v, ok := item["verifiedAt"]; ok {
		t.Errorf("a pending address stores verifiedAt = %v", v)
	}
	// Nothing of a pending address matches orders.
	for _, e := range []string{zed, amy, mia} {
		if l := raw(t, s, lookupPK(e), "LOOKUP"); l != nil {
			t.Errorf("adding %s wrote its lookup %v", e, l)
		}
		owner(t, s, e, "")
	}
}

func testCheckoutEmailAddExisting(t *testing.T, s RawStore) {
	user := newID(t)
	verified, pending := guestEmail(t, "Ver"), guestEmail(t, "Pen")
	addCheckout(t, s, user, verified, baseTime)
	must(t, s.VerifyCheckoutEmail(t.Context(), user, verified, baseTime.Add(time.Minute)), "verify")
	addCheckout(t, s, user, pending, baseTime.Add(2*time.Minute))
	before := rawItems(t, s, itemRef{checkoutPK(user), checkoutSK(verified)}, itemRef{lookupPK(verified), "LOOKUP"},
		itemRef{checkoutPK(user), checkoutSK(pending)})

	later := baseTime.Add(time.Hour)
	must(t, s.AddCheckoutEmail(t.Context(), dashboard.CheckoutEmail{UserID: user, Email: lower(verified), AddedAt: later}), "add the verified address again")
	must(t, s.AddCheckoutEmail(t.Context(), dashboard.CheckoutEmail{UserID: user, Email: strings.ToUpper(pending), AddedAt: later, VerifiedAt: &later}), "add the pending address again")
	unchangedItems(t, s, before, "adding an address the member has")
	checkListed(t, checkoutList(t, s, user), []dashboard.CheckoutEmail{
		{UserID: user, Email: verified, AddedAt: baseTime, VerifiedAt: ptr(baseTime.Add(time.Minute))},
		{UserID: user, Email: pending, AddedAt: baseTime.Add(2 * time.Minute)},
	})
}

func testCheckoutEmailLimit(t *testing.T, s RawStore) {
	user := newID(t)
	var have []dashboard.CheckoutEmail
	for i := range dashboard.MaxCheckoutEmails {
		c := dashboard.CheckoutEmail{UserID: user, Email: guestEmail(t, "Have"), AddedAt: baseTime.Add(time.Duration(i) * time.Minute)}
		addCheckout(t, s, user, c.Email, c.AddedAt)
		have = append(have, c)
	}
	// Verified and pending addresses count alike.
	must(t, s.VerifyCheckoutEmail(t.Context(), user, have[0].Email, baseTime.Add(time.Hour)), "verify the first")
	have[0].VerifiedAt = ptr(baseTime.Add(time.Hour))

	extra := guestEmail(t, "Extra")
	err := s.AddCheckoutEmail(t.Context(), dashboard.CheckoutEmail{UserID: user, Email: extra, AddedAt: baseTime.Add(2 * time.Hour)})
	wantCode(t, err, dashboard.EVALIDATION, "adding a fourth address")
	if item := raw(t, s, checkoutPK(user), checkoutSK(extra)); item != nil {
		t.Errorf("a refused add wrote %v", item)
	}
	checkListed(t, checkoutList(t, s, user), have)

	// At the limit, adding one the member has is still a no-op, and
	// another member is not limited by this one's addresses.
	must(t, s.AddCheckoutEmail(t.Context(), dashboard.CheckoutEmail{UserID: user, Email: lower(have[1].Email), AddedAt: baseTime.Add(3 * time.Hour)}), "re-add at the limit")
	addCheckout(t, s, newID(t), extra, baseTime)

	// Deleting one makes room.
	must(t, s.DeleteCheckoutEmail(t.Context(), user, have[2].Email), "delete one")
	addCheckout(t, s, user, extra, baseTime.Add(4*time.Hour))
	checkListed(t, checkoutList(t, s, user), []dashboard.CheckoutEmail{
		have[0], have[1], {UserID: user, Email: extra, AddedAt: baseTime.Add(4 * time.Hour)},
	})
}

func testCheckoutEmailVerify(t *testing.T, s RawStore) {
	user := newID(t)
	email := guestEmail(t, "Guest")
	addCheckout(t, s, user, email, baseTime)
	owner(t, s, email, "")

	at := baseTime.Add(10 * time.Minute)
	must(t, s.VerifyCheckoutEmail(t.Context(), user, lower(email), at), "VerifyCheckoutEmail")
	item := raw(t, s, checkoutPK(user), checkoutSK(email))
	checkStoredTime(t, item, "verifiedAt", at)
	checkStoredTime(t, item, "addedAt", baseTime)
	lookup := raw(t, s, lookupPK(email), "LOOKUP")
	if lookup == nil {
		t.Fatalf("no lookup at %s/LOOKUP after verifying", lookupPK(email))
	}
	if lookup["userId"] != user || lookup["email"] != email {
		t.Errorf("lookup userId, email = %v, %v; want %s, %s as added", lookup["userId"], lookup["email"], user, email)
	}
	checkStoredTime(t, lookup, "verifiedAt", at)
	owner(t, s, email, user)
	checkListed(t, checkoutList(t, s, user), []dashboard.CheckoutEmail{{UserID: user, Email: email, AddedAt: baseTime, VerifiedAt: &at}})

	// A checkout email never touches EMAIL#.
	if l := raw(t, s, "EMAIL#"+lower(email), "LOOKUP"); l != nil {
		t.Errorf("verifying a checkout email wrote EMAIL# %v", l)
	}
	_, err := s.UserIDByEmail(t.Context(), email)
	wantCode(t, err, dashboard.ENOTFOUND, "UserIDByEmail(checkout email)")

	// Verifying again is not an error and keeps the first verification.
	before := rawItems(t, s, itemRef{checkoutPK(user), checkoutSK(email)}, itemRef{lookupPK(email), "LOOKUP"})
	must(t, s.VerifyCheckoutEmail(t.Context(), user, email, at.Add(time.Hour)), "verify again")
	unchangedItems(t, s, before, "verifying again")
}

func testCheckoutEmailVerifyHeld(t *testing.T, s RawStore) {
	holder, other := newID(t), newID(t)
	email := guestEmail(t, "Shared")
	addCheckout(t, s, holder, email, baseTime)
	must(t, s.VerifyCheckoutEmail(t.Context(), holder, email, baseTime.Add(time.Minute)), "holder verifies")
	// Adding it is allowed (pending); verifying it is not.
	addCheckout(t, s, other, lower(email), baseTime.Add(2*time.Minute))
	before := rawItems(t, s, itemRef{checkoutPK(holder), checkoutSK(email)}, itemRef{checkoutPK(other), checkoutSK(email)},
		itemRef{lookupPK(email), "LOOKUP"})

	err := s.VerifyCheckoutEmail(t.Context(), other, email, baseTime.Add(3*time.Minute))
	wantCode(t, err, dashboard.ECONFLICT, "verifying an address another member holds")
	unchangedItems(t, s, before, "a verification that lost")
	owner(t, s, email, holder)
	checkListed(t, checkoutList(t, s, other), []dashboard.CheckoutEmail{{UserID: other, Email: lower(email), AddedAt: baseTime.Add(2 * time.Minute)}})
}

func testCheckoutEmailVerifyLoginEmail(t *testing.T, s RawStore) {
	user, other := newID(t), newID(t)
	mine, theirs := newEmail(t), newEmail(t)
	create(t, s, fullProfile(t, user, mine, baseTime))
	create(t, s, fullProfile(t, other, theirs, baseTime))
	// Identity-service accounts count too: only the EMAIL# lookup exists.
	foreign := newEmail(t)
	must(t, s.PutRawItem(t.Context(), map[string]any{"PK": "EMAIL#" + lower(foreign), "SK": "LOOKUP", "userId": newID(t), "email": foreign}), "PutRawItem EMAIL#")

	for _, login := range []string{mine, theirs, foreign} {
		addCheckout(t, s, user, strings.ToUpper(login), baseTime.Add(time.Minute))
		before := rawItems(t, s, itemRef{checkoutPK(user), checkoutSK(login)}, itemRef{lookupPK(login), "LOOKUP"},
			itemRef{"EMAIL#" + lower(login), "LOOKUP"})
		err := s.VerifyCheckoutEmail(t.Context(), user, login, baseTime.Add(2*time.Minute))
		wantCode(t, err, dashboard.ECONFLICT, "verifying a login email as a checkout email")
		unchangedItems(t, s, before, "verifying a login email")
		owner(t, s, login, "")
	}
}

func testCheckoutEmailVerifyNotAdded(t *testing.T, s RawStore) {
	user, holder := newID(t), newID(t)
	unknown := guestEmail(t, "Unknown")
	err := s.VerifyCheckoutEmail(t.Context(), user, unknown, baseTime)
	wantCode(t, err, dashboard.ENOTFOUND, "verifying an address never added")
	if item := raw(t, s, checkoutPK(user), checkoutSK(unknown)); item != nil {
		t.Errorf("a failed verification wrote %v", item)
	}
	if l := raw(t, s, lookupPK(unknown), "LOOKUP"); l != nil {
		t.Errorf("a failed verification wrote the lookup %v", l)
	}

	// Another member's verified address: this member never added it.
	held := guestEmail(t, "Held")
	addCheckout(t, s, holder, held, baseTime)
	must(t, s.VerifyCheckoutEmail(t.Context(), holder, held, baseTime), "holder verifies")
	before := rawItems(t, s, itemRef{lookupPK(held), "LOOKUP"}, itemRef{checkoutPK(user), checkoutSK(held)})
	err = s.VerifyCheckoutEmail(t.Context(), user, held, baseTime.Add(time.Minute))
	wantCode(t, err, dashboard.ENOTFOUND, "verifying another member's address never added")
	unchangedItems(t, s, before, "verifying an address never added")

	// Deleted before its code was confirmed.
	gone := guestEmail(t, "Gone")
	addCheckout(t, s, user, gone, baseTime)
	must(t, s.DeleteCheckoutEmail(t.Context(), user, gone), "delete")
	err = s.VerifyCheckoutEmail(t.Context(), user, gone, baseTime.Add(time.Minute))
	wantCode(t, err, dashboard.ENOTFOUND, "verifying a deleted address")
	if l := raw(t, s, lookupPK(gone), "LOOKUP"); l != nil {
		t.Errorf("verifying a deleted address wrote the lookup %v", l)
	}
}

func testCheckoutEmailDelete(t *testing.T, s RawStore) {
	user := newID(t)
	verified, pending := guestEmail(t, "Ver"), guestEmail(t, "Pen")
	addCheckout(t, s, user, verified, baseTime)
	must(t, s.VerifyCheckoutEmail(t.Context(), user, verified, baseTime.Add(time.Minute)), "verify")
	addCheckout(t, s, user, pending, baseTime.Add(2*time.Minute))

	must(t, s.DeleteCheckoutEmail(t.Context(), user, strings.ToUpper(verified)), "delete the verified address")
	if item := raw(t, s, checkoutPK(user), checkoutSK(verified)); item != nil {
		t.Errorf("deleted member item still stored: %v", item)
	}
	if l := raw(t, s, lookupPK(verified), "LOOKUP"); l != nil {
		t.Errorf("deleted address's lookup still stored: %v", l)
	}
	owner(t, s, verified, "")
	checkListed(t, checkoutList(t, s, user), []dashboard.CheckoutEmail{{UserID: user, Email: pending, AddedAt: baseTime.Add(2 * time.Minute)}})
	wantCode(t, s.DeleteCheckoutEmail(t.Context(), user, verified), dashboard.ENOTFOUND, "deleting it again")

	must(t, s.DeleteCheckoutEmail(t.Context(), user, pending), "delete the pending address")
	if list := checkoutList(t, s, user); len(list) != 0 {
		t.Errorf("CheckoutEmails after deleting every address = %+v", list)
	}
	wantCode(t, s.DeleteCheckoutEmail(t.Context(), user, guestEmail(t, "Never")), dashboard.ENOTFOUND, "deleting an address never added")
	// Once deleted, the address can be verified by someone else.
	other := newID(t)
	addCheckout(t, s, other, verified, baseTime.Add(time.Hour))
	must(t, s.VerifyCheckoutEmail(t.Context(), other, verified, baseTime.Add(time.Hour)), "another member verifies the released address")
	owner(t, s, verified, other)
}

func testCheckoutEmailDeleteKeepsOthers(t *testing.T, s RawStore) {
	holder, other := newID(t), newID(t)
	email := guestEmail(t, "Shared")
	addCheckout(t, s, holder, email, baseTime)
	must(t, s.VerifyCheckoutEmail(t.Context(), holder, email, baseTime.Add(time.Minute)), "holder verifies")
	addCheckout(t, s, other, email, baseTime.Add(2*time.Minute))
	before := rawItems(t, s, itemRef{checkoutPK(holder), checkoutSK(email)}, itemRef{lookupPK(email), "LOOKUP"})

	must(t, s.DeleteCheckoutEmail(t.Context(), other, email), "the other member deletes their pending copy")
	if item := raw(t, s, checkoutPK(other), checkoutSK(email)); item != nil {
		t.Errorf("deleted member item still stored: %v", item)
	}
	unchangedItems(t, s, before, "deleting another member's pending copy")
	owner(t, s, email, holder)
}

func testCheckoutEmailCaseInsensitive(t *testing.T, s RawStore) {
	user := newID(t)
	id := newID(t)[:12]
	entered := "Guest." + id + "@Example.com"
	addCheckout(t, s, user, entered, baseTime)
	must(t, s.VerifyCheckoutEmail(t.Context(), user, "GUEST."+strings.ToUpper(id)+"@EXAMPLE.COM", baseTime), "verify in upper case")
	if item := raw(t, s, "USER#"+user, "CHECKOUTEMAIL#guest."+id+"@example.com"); item == nil || item["email"] != entered {
		t.Errorf("member item under the lower-cased key = %v, want email %q as entered", item, entered)
	}
	if got, err := s.UserIDByCheckoutEmail(t.Context(), "guest."+id+"@example.com"); err != nil || got != user {
		t.Errorf("UserIDByCheckoutEmail(lower-cased) = %q, %v; want %q", got, err, user)
	}
	must(t, s.DeleteCheckoutEmail(t.Context(), user, "guest."+id+"@example.com"), "delete in lower case")
	owner(t, s, entered, "")
}

func testSaveProfileOntoCheckoutEmail(t *testing.T, s RawStore) {
	holder, other := newID(t), newID(t)
	holderLogin, otherLogin := newEmail(t), newEmail(t)
	create(t, s, fullProfile(t, holder, holderLogin, baseTime))
	create(t, s, fullProfile(t, other, otherLogin, baseTime))
	checkout := guestEmail(t, "Checkout")
	addCheckout(t, s, holder, checkout, baseTime)
	must(t, s.VerifyCheckoutEmail(t.Context(), holder, checkout, baseTime), "verify")

	at := baseTime.Add(time.Minute)
	for _, m := range []struct{ id, login string }{{holder, holderLogin}, {other, otherLogin}} {
		before := rawItems(t, s, itemRef{"USER#" + m.id, "PROFILE"}, itemRef{"EMAIL#" + lower(m.login), "LOOKUP"},
			itemRef{"EMAIL#" + lower(checkout), "LOOKUP"}, itemRef{lookupPK(checkout), "LOOKUP"},
			itemRef{checkoutPK(holder), checkoutSK(checkout)})
		p := &dashboard.Profile{UserID: m.id, Email: strings.ToUpper(checkout), UpdatedAt: &at}
		err := save(t, s, p, []string{dashboard.FieldEmail}, &baseTime, m.login)
		wantCode(t, err, dashboard.ECONFLICT, "moving a login email onto a verified checkout email")
		unchangedItems(t, s, before, "a refused email change")
	}
	// Nor may a new profile start with it.
	newcomer := newID(t)
	err := save(t, s, &dashboard.Profile{UserID: newcomer, Email: checkout, DisplayName: "New", UpdatedAt: &at},
		[]string{dashboard.FieldEmail, dashboard.FieldDisplayName}, nil, "")
	wantCode(t, err, dashboard.ECONFLICT, "a new profile with a verified checkout email")
	if item := raw(t, s, "USER#"+newcomer, "PROFILE"); item != nil {
		t.Errorf("a refused profile was stored: %v", item)
	}

	// A pending checkout email blocks nothing; once it is a login email it
	// can no longer be verified.
	pending := guestEmail(t, "Pending")
	addCheckout(t, s, holder, pending, baseTime)
	must(t, save(t, s, &dashboard.Profile{UserID: other, Email: pending, UpdatedAt: &at}, []string{dashboard.FieldEmail}, &baseTime, otherLogin),
		"moving a login email onto someone's pending checkout email")
	resolves(t, s, pending, other)
	wantCode(t, s.VerifyCheckoutEmail(t.Context(), holder, pending, at), dashboard.ECONFLICT, "verifying what became a login email")
	owner(t, s, pending, "")
}

func testCheckoutEmailBadInput(t *testing.T, s RawStore) {
	ctx := t.Context()
	for _, bad := range []string{"", "USER#x", "a#b"} {
		_, err := s.CheckoutEmails(ctx, bad)
		wantCode(t, err, dashboard.EVALIDATION, "CheckoutEmails("+bad+")")
		wantCode(t, s.AddCheckoutEmail(ctx, dashboard.CheckoutEmail{UserID: bad, Email: guestEmail(t, "X"), AddedAt: baseTime}),
			dashboard.EVALIDATION, "AddCheckoutEmail by "+bad)
		wantCode(t, s.VerifyCheckoutEmail(ctx, bad, guestEmail(t, "X"), baseTime), dashboard.EVALIDATION, "VerifyCheckoutEmail by "+bad)
		wantCode(t, s.DeleteCheckoutEmail(ctx, bad, guestEmail(t, "X")), dashboard.EVALIDATION, "DeleteCheckoutEmail by "+bad)
	}
	user := newID(t)
	for _, empty := range []string{"", "   "} {
		wantCode(t, s.AddCheckoutEmail(ctx, dashboard.CheckoutEmail{UserID: user, Email: empty, AddedAt: baseTime}),
			dashboard.EVALIDATION, "AddCheckoutEmail(empty address)")
		_, err := s.UserIDByCheckoutEmail(ctx, empty)
		wantCode(t, err, dashboard.ENOTFOUND, "UserIDByCheckoutEmail(empty address)")
	}
	if list := checkoutList(t, s, user); len(list) != 0 {
		t.Errorf("refused adds stored %+v", list)
	}
}
