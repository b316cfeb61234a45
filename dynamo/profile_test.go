package dynamo_test

import (
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	dashboard "github.com/thebabesclub/dashboard"
)

// The identity service writes the profile item first; our writes must keep
// every attribute it owns.
func TestSaveProfileKeepsIdentityAttributes(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	user := newID(t)
	pk := "USER#" + user
	if err := s.PutRawItem(ctx, map[string]any{
		"PK": pk, "SK": "PROFILE", "userId": user, "email": "ada@example.com", "displayName": "Ada",
		"passwordHash": "h", "passwordSalt": "s", "hashIterations": 310000, "status": "active",
		"roles": []any{"customer"}, "createdAt": "2024-05-01T10:00:00+00:00",
	}); err != nil {
		t.Fatal(err)
	}
	p, err := s.GetProfile(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	if p.UpdatedAt != nil || p.CreatedAt == nil || !p.CreatedAt.Equal(time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("read identity item: createdAt %v updatedAt %v", p.CreatedAt, p.UpdatedAt)
	}
	p.Phone = aws.String("+1 555 0100")
	p.StripeCustomerID = aws.String("cus_123")
	p.Settings = map[string]bool{dashboard.SettingShowNftHoldings: false}
	if err := s.SaveProfile(ctx, dashboard.ProfileChange{
		Profile: p, Fields: []string{dashboard.FieldPhone, dashboard.FieldStripeCustomerID, dashboard.FieldDashboardSetting},
	}); err != nil {
		t.Fatal(err)
	}
	raw, err := s.RawItem(ctx, pk, "PROFILE")
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{
		"passwordHash": "h", "passwordSalt": "s", "hashIterations": 310000.0, "status": "active",
		"createdAt": "2024-05-01T10:00:00+00:00", "phone": "+1 555 0100", "stripeCustomerId": "cus_123",
		"GSI1PK": "STRIPE#cus_123",
	} {
		if raw[k] != want {
			t.Errorf("%s = %#v, want %#v", k, raw[k], want)
		}
	}
	u, _ := raw["updatedAt"].(string)
	if ut, err := time.Parse(time.RFC3339Nano, u); err != nil || u != ut.UTC().Truncate(time.Millisecond).Format(time.RFC3339Nano) {
		t.Errorf("updatedAt = %q, want RFC 3339 UTC with at most milliseconds", u)
	}
	if got, _ := raw["dashboardSettings"].(map[string]any); len(got) != 1 || got["showNftHoldings"] != false {
		t.Errorf("dashboardSettings = %#v, want only the key set", raw["dashboardSettings"])
	}
	if id, err := s.UserIDByStripeCustomer(ctx, "cus_123"); err != nil || id != user {
		t.Errorf("UserIDByStripeCustomer = %q, %v", id, err)
	}

	// A stale version fails; the current one succeeds and clears the GSI key.
	stale := *p
	stale.StripeCustomerID = nil
	err = s.SaveProfile(ctx, dashboard.ProfileChange{Profile: &stale, Fields: []string{dashboard.FieldStripeCustomerID}})
	if code := dashboard.ErrorCode(err); code != dashboard.EPRECONDITION {
		t.Fatalf("save without the stored updatedAt: %v, want %s", err, dashboard.EPRECONDITION)
	}
	cur, err := s.GetProfile(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	cur.StripeCustomerID = nil
	if err := s.SaveProfile(ctx, dashboard.ProfileChange{
		Profile: cur, Fields: []string{dashboard.FieldStripeCustomerID}, ExpectUpdatedAt: cur.UpdatedAt,
	}); err != nil {
		t.Fatal(err)
	}
	raw, _ = s.RawItem(ctx, pk, "PROFILE")
	if _, ok := raw["GSI1PK"]; ok {
		t.Errorf("GSI1PK survived clearing stripeCustomerId: %v", raw["GSI1PK"])
	}
	if _, err := s.UserIDByStripeCustomer(ctx, "cus_123"); dashboard.ErrorCode(err) != dashboard.ENOTFOUND {
		t.Errorf("UserIDByStripeCustomer after clearing: %v, want not found", err)
	}
}

// An updatedAt another service spelled differently (an offset instead of
// Z) still matches the instant the caller read.
func TestSaveProfileAcceptsOtherSpelling(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	user := newID(t)
	if err := s.PutRawItem(ctx, map[string]any{
		"PK": "USER#" + user, "SK": "PROFILE", "userId": user, "updatedAt": "2025-01-02T03:04:05.678+00:00",
	}); err != nil {
		t.Fatal(err)
	}
	p, err := s.GetProfile(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	p.DisplayName = "Grace"
	if err := s.SaveProfile(ctx, dashboard.ProfileChange{
		Profile: p, Fields: []string{dashboard.FieldDisplayName}, ExpectUpdatedAt: p.UpdatedAt,
	}); err != nil {
		t.Fatalf("save against an offset-spelled updatedAt: %v", err)
	}
}

func TestEmailChangeSwapsLookup(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	me, other := newID(t), newID(t)
	for _, it := range []map[string]any{
		{"PK": "EMAIL#ada@example.com", "SK": "LOOKUP", "userId": me, "email": "ada@example.com"},
		{"PK": "EMAIL#taken@example.com", "SK": "LOOKUP", "userId": other, "email": "taken@example.com"},
		{"PK": "USER#" + me, "SK": "PROFILE", "userId": me, "email": "ada@example.com", "passwordHash": "h"},
	} {
		if err := s.PutRawItem(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	change := func(email string) error {
		p, err := s.GetProfile(ctx, me)
		if err != nil {
			t.Fatal(err)
		}
		prev := p.Email
		p.Email = email
		return s.SaveProfile(ctx, dashboard.ProfileChange{
			Profile: p, Fields: []string{dashboard.FieldEmail}, ExpectUpdatedAt: p.UpdatedAt, PreviousEmail: prev,
		})
	}
	if err := change("Taken@Example.com"); dashboard.ErrorCode(err) != dashboard.ECONFLICT {
		t.Fatalf("claiming another member's address: %v, want %s", err, dashboard.ECONFLICT)
	}
	if err := change("Ada.Lovelace@Example.com"); err != nil {
		t.Fatal(err)
	}
	if id, err := s.UserIDByEmail(ctx, "ada.lovelace@example.com"); err != nil || id != me {
		t.Errorf("new lookup = %q, %v", id, err)
	}
	if raw, _ := s.RawItem(ctx, "EMAIL#ada@example.com", "LOOKUP"); raw != nil {
		t.Errorf("old lookup survived: %v", raw)
	}
	if id, _ := s.UserIDByEmail(ctx, "taken@example.com"); id != other {
		t.Errorf("the other member's lookup changed: %q", id)
	}
	if raw, _ := s.RawItem(ctx, "USER#"+me, "PROFILE"); raw["passwordHash"] != "h" || raw["email"] != "Ada.Lovelace@Example.com" {
		t.Errorf("profile after email change = %v", raw)
	}
	// The old address may name someone else by now: it is left alone.
	if err := s.PutRawItem(ctx, map[string]any{"PK": "EMAIL#ada.lovelace@example.com", "SK": "LOOKUP", "userId": other}); err != nil {
		t.Fatal(err)
	}
	if err := change("third@example.com"); err != nil {
		t.Fatal(err)
	}
	if id, _ := s.UserIDByEmail(ctx, "ada.lovelace@example.com"); id != other {
		t.Errorf("a lookup naming another member was deleted or changed: %q", id)
	}
}

// Two members racing for one address: exactly one wins, the other gets
// ECONFLICT, and the lookup names the winner.
func TestEmailRace(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	for round := range 5 {
		a, b := newID(t), newID(t)
		addr := "race" + a[:8] + "@example.com"
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, id := range []string{a, b} {
			wg.Go(func() {
				errs[i] = s.SaveProfile(ctx, dashboard.ProfileChange{
					Profile: &dashboard.Profile{UserID: id, Email: addr}, Fields: []string{dashboard.FieldEmail},
				})
			})
		}
		wg.Wait()
		winner := ""
		for i, err := range errs {
			switch dashboard.ErrorCode(err) {
			case "":
				winner = []string{a, b}[i]
			case dashboard.ECONFLICT:
			default:
				t.Fatalf("round %d: member %d: %v", round, i, err)
			}
		}
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("round %d: errors %v, want exactly one winner", round, errs)
		}
		if id, err := s.UserIDByEmail(ctx, addr); err != nil || id != winner {
			t.Fatalf("round %d: lookup = %q, %v; winner %q", round, id, err, winner)
		}
	}
}
