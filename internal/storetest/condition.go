package storetest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// conditionTests check that a conditional write either applies whole or
// changes nothing at all.
var conditionTests = []namedTest{
	{"ExpectUpdatedAt", testExpectUpdatedAt},
	{"EmailTaken", testEmailTaken},
	{"EmailRace", testEmailRace},
}

func testExpectUpdatedAt(t *testing.T, s RawStore) {
	// Expecting an updatedAt where there is no item fails and creates
	// nothing, not even the email lookup.
	id, email := newID(t), newEmail(t)
	p := fullProfile(t, id, email, baseTime)
	err := save(t, s, p, writableFields, &baseTime, "")
	wantCode(t, err, dashboard.EPRECONDITION, "expecting an updatedAt of a missing item")
	unchanged(t, s, "USER#"+id, "PROFILE", nil, "a failed create")
	checkLookup(t, s, email, "")

	create(t, s, p)
	stored := get(t, s, id).UpdatedAt
	before := raw(t, s, "USER#"+id, "PROFILE")
	next := otherProfile(t, id, baseTime.Add(time.Hour))
	for _, tc := range []struct {
		name   string
		expect *time.Time
	}{
		{"an older updatedAt", ptr(baseTime.Add(-time.Second))},
		{"a newer updatedAt", ptr(baseTime.Add(time.Millisecond))},
		{"no updatedAt on an item that has one", nil},
	} {
		err := save(t, s, next, writableFields, tc.expect, email)
		wantCode(t, err, dashboard.EPRECONDITION, "expecting "+tc.name)
		unchanged(t, s, "USER#"+id, "PROFILE", before, "expecting "+tc.name)
		checkLookup(t, s, email, id)
		checkLookup(t, s, next.Email, "")
		_, err = s.UserIDByStripeCustomer(t.Context(), *next.StripeCustomerID)
		wantCode(t, err, dashboard.ENOTFOUND, "stripe index after a failed write")
	}
	must(t, save(t, s, next, writableFields, stored, email), "save with the updatedAt read")
	want := *next
	want.CreatedAt = &baseTime
	checkProfile(t, get(t, s, id), &want)

	// An item only the identity service wrote has no updatedAt: expecting
	// one fails, expecting none succeeds.
	idOnly := newID(t)
	identity := map[string]any{"PK": "USER#" + idOnly, "SK": "PROFILE", "userId": idOnly, "email": newEmail(t), "passwordHash": "x"}
	must(t, s.PutRawItem(t.Context(), identity), "PutRawItem")
	before = raw(t, s, "USER#"+idOnly, "PROFILE")
	q := &dashboard.Profile{UserID: idOnly, DisplayName: "First", UpdatedAt: &baseTime, CreatedAt: &baseTime}
	err = save(t, s, q, []string{dashboard.FieldDisplayName}, &baseTime, "")
	wantCode(t, err, dashboard.EPRECONDITION, "expecting an updatedAt the item lacks")
	unchanged(t, s, "USER#"+idOnly, "PROFILE", before, "expecting an updatedAt the item lacks")
	must(t, save(t, s, q, []string{dashboard.FieldDisplayName}, nil, ""), "first dashboard save of an identity item")
	checkTime(t, "updatedAt", get(t, s, idOnly).UpdatedAt, baseTime)
}

func testEmailTaken(t *testing.T, s RawStore) {
	holder, taken := newID(t), newEmail(t)
	create(t, s, fullProfile(t, holder, taken, baseTime))
	id, own := newID(t), newEmail(t)
	create(t, s, fullProfile(t, id, own, baseTime))
	beforeProfile := raw(t, s, "USER#"+id, "PROFILE")
	beforeTaken := raw(t, s, "EMAIL#"+lower(taken), "LOOKUP")
	beforeOwn := raw(t, s, "EMAIL#"+lower(own), "LOOKUP")

	at := baseTime.Add(time.Minute)
	p := &dashboard.Profile{UserID: id, Email: strings.ToUpper(taken), DisplayName: "Thief", UpdatedAt: &at}
	err := save(t, s, p, []string{dashboard.FieldEmail, dashboard.FieldDisplayName}, &baseTime, own)
	wantCode(t, err, dashboard.ECONFLICT, "claiming another member's email")
	unchanged(t, s, "USER#"+id, "PROFILE", beforeProfile, "a conflicting email change")
	unchanged(t, s, "EMAIL#"+lower(taken), "LOOKUP", beforeTaken, "a conflicting email change")
	unchanged(t, s, "EMAIL#"+lower(own), "LOOKUP", beforeOwn, "a conflicting email change")
	resolves(t, s, taken, holder)
	resolves(t, s, own, id)
}

// testEmailRace has several members claim one new address at once:
// exactly one wins, the others get ECONFLICT and keep everything they had.
func testEmailRace(t *testing.T, s RawStore) {
	const rounds, racers = 3, 4
	for round := range rounds {
		ids := make([]string, racers)
		emails := make([]string, racers)
		for i := range racers {
			ids[i], emails[i] = newID(t), newEmail(t)
			create(t, s, fullProfile(t, ids[i], emails[i], baseTime))
		}
		wanted := newEmail(t)
		errs := make([]error, racers)
		spellings := make([]string, racers)
		at := baseTime.Add(time.Minute)
		var start, done sync.WaitGroup
		start.Add(1)
		for i := range racers {
			done.Add(1)
			go func() {
				defer done.Done()
				// Each racer spells the address in its own case.
				spelled := wanted
				if i%2 == 1 {
					spelled = strings.ToUpper(wanted)
				}
				spellings[i] = spelled
				p := &dashboard.Profile{UserID: ids[i], Email: spelled, UpdatedAt: &at}
				start.Wait()
				errs[i] = s.SaveProfile(t.Context(), dashboard.ProfileChange{
					Profile: p, Fields: []string{dashboard.FieldEmail}, ExpectUpdatedAt: &baseTime, PreviousEmail: emails[i],
				})
			}()
		}
		start.Done()
		done.Wait()

		winner := -1
		for i, err := range errs {
			switch code := dashboard.ErrorCode(err); code {
			case "":
				if winner >= 0 {
					t.Fatalf("round %d: racers %d and %d both claimed %s", round, winner, i, wanted)
				}
				winner = i
			case dashboard.ECONFLICT:
			default:
				t.Fatalf("round %d: racer %d: %v (code %q), want success or %q", round, i, err, code, dashboard.ECONFLICT)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: no racer claimed %s: %v", round, wanted, errs)
		}
		checkLookup(t, s, spellings[winner], ids[winner])
		for i := range racers {
			what := fmt.Sprintf("round %d racer %d", round, i)
			got := get(t, s, ids[i])
			if i == winner {
				if !strings.EqualFold(got.Email, wanted) {
					t.Errorf("%s (winner): email = %q, want %q", what, got.Email, wanted)
				}
				checkLookup(t, s, emails[i], "")
				continue
			}
			if got.Email != emails[i] {
				t.Errorf("%s (loser): email = %q, want %q", what, got.Email, emails[i])
			}
			checkTime(t, what+" (loser): updatedAt", got.UpdatedAt, baseTime)
			checkLookup(t, s, emails[i], ids[i])
		}
	}
}
