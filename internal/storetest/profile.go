package storetest

import (
	"encoding/json"
	"maps"
	"reflect"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

var profileTests = []namedTest{
	{"GetNotFound", testGetProfileNotFound},
	{"SaveCreatesAndReadsBack", testSaveProfileCreates},
	{"CreatedAtSetOnce", testCreatedAtSetOnce},
	{"OnlyNamedFieldsWritten", testOnlyNamedFieldsWritten},
	{"NilRemovesAttribute", testNilRemovesAttribute},
	{"ForeignAttributesSurvive", testForeignAttributesSurvive},
	{"WalletVerifiedAt", testWalletVerifiedAt},
}

// writableFields are every attribute a ProfileChange may name.
var writableFields = []string{
	dashboard.FieldEmail, dashboard.FieldDisplayName, dashboard.FieldPhone, dashboard.FieldShippingAddress,
	dashboard.FieldBillingAddress, dashboard.FieldPreferredWallet, dashboard.FieldAvatarURL,
	dashboard.FieldDashboardSetting, dashboard.FieldStripeCustomerID, dashboard.FieldWalletVerifiedAt,
}

// optionalFields are the writable attributes that a nil or empty value
// removes.
var optionalFields = writableFields[2:]

// foreignAttrs are attributes the identity service owns on the profile
// item; the dashboard must neither change nor return them.
var foreignAttrs = map[string]any{
	"passwordHash": "pbkdf2$c2VjcmV0aGFzaA==", "passwordSalt": "c2FsdA==", "hashAlgorithm": "pbkdf2-sha256",
	"hashIterations": float64(310000), "status": "active", "roles": []any{"customer"},
}

// fullProfile returns a profile of id with every field set, stamped at.
func fullProfile(t *testing.T, id, email string, at time.Time) *dashboard.Profile {
	return &dashboard.Profile{
		UserID: id, Email: email, DisplayName: "Ann Example", Phone: ptr("+1 (555) 010-2025"),
		ShippingAddress: &dashboard.Address{
			Name: "Ann Example", Line1: "1 Sparkle Street", Line2: "Apt 4", City: "Los Angeles",
			State: "CA", PostalCode: "90001", Country: "US",
		},
		BillingAddress:   &dashboard.Address{Line1: "2 Billing Road", City: "Austin", State: "TX", PostalCode: "73301", Country: "US"},
		PreferredWallet:  ptr("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
		AvatarURL:        ptr("https://images.babesclub.example/avatars/" + id + ".png"),
		StripeCustomerID: ptr("cus_" + newID(t)[:14]),
		Settings:         map[string]bool{dashboard.SettingShowOrderHistory: false, dashboard.SettingEmailNotifications: true},
		WalletVerifiedAt: ptr(at.Add(-time.Hour)),
		CreatedAt:        &at,
		UpdatedAt:        &at,
	}
}

// otherProfile returns a profile of id whose every field differs from
// fullProfile's, stamped at.
func otherProfile(t *testing.T, id string, at time.Time) *dashboard.Profile {
	return &dashboard.Profile{
		UserID: id, Email: newEmail(t), DisplayName: "Bea Other", Phone: ptr("+44 20 7946 0000"),
		ShippingAddress:  &dashboard.Address{Line1: "9 Other Lane", City: "London", State: "LDN", PostalCode: "N1 9GU", Country: "GB"},
		BillingAddress:   &dashboard.Address{Name: "Bea", Line1: "8 Bill St", City: "Leeds", State: "WYK", PostalCode: "LS1", Country: "GB"},
		PreferredWallet:  ptr("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"),
		AvatarURL:        ptr("https://images.babesclub.example/avatars/other.png"),
		StripeCustomerID: ptr("cus_" + newID(t)[:14]),
		Settings:         map[string]bool{dashboard.SettingShowNftHoldings: false},
		WalletVerifiedAt: ptr(at.Add(-2 * time.Hour)),
		CreatedAt:        &at,
		UpdatedAt:        &at,
	}
}

// save applies a change as the profile service does.
func save(t *testing.T, s RawStore, p *dashboard.Profile, fields []string, expect *time.Time, previousEmail string) error {
	t.Helper()
	return s.SaveProfile(t.Context(), dashboard.ProfileChange{
		Profile: p, Fields: fields, ExpectUpdatedAt: expect, PreviousEmail: previousEmail,
	})
}

// create stores p as a new profile with every writable field.
func create(t *testing.T, s RawStore, p *dashboard.Profile) {
	t.Helper()
	must(t, save(t, s, p, writableFields, nil, ""), "create profile")
}

// get reads a profile, failing the test on error.
func get(t *testing.T, s RawStore, id string) *dashboard.Profile {
	t.Helper()
	p, err := s.GetProfile(t.Context(), id)
	must(t, err, "GetProfile")
	return p
}

// checkProfile fails unless got has every member-owned field of want
// (times at millisecond precision, settings nil and empty alike).
func checkProfile(t *testing.T, got, want *dashboard.Profile) {
	t.Helper()
	if got.UserID != want.UserID || got.Email != want.Email || got.DisplayName != want.DisplayName {
		t.Errorf("ids = %q %q %q, want %q %q %q", got.UserID, got.Email, got.DisplayName, want.UserID, want.Email, want.DisplayName)
	}
	for name, pair := range map[string][2]*string{
		"phone": {got.Phone, want.Phone}, "preferredWallet": {got.PreferredWallet, want.PreferredWallet},
		"avatarUrl": {got.AvatarURL, want.AvatarURL}, "stripeCustomerId": {got.StripeCustomerID, want.StripeCustomerID},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Errorf("%s = %v, want %v", name, show(pair[0]), show(pair[1]))
		}
	}
	if !reflect.DeepEqual(got.ShippingAddress, want.ShippingAddress) {
		t.Errorf("shippingAddress = %+v, want %+v", got.ShippingAddress, want.ShippingAddress)
	}
	if !reflect.DeepEqual(got.BillingAddress, want.BillingAddress) {
		t.Errorf("billingAddress = %+v, want %+v", got.BillingAddress, want.BillingAddress)
	}
	if len(got.Settings) != len(want.Settings) || (len(want.Settings) > 0 && !maps.Equal(got.Settings, want.Settings)) {
		t.Errorf("settings = %v, want %v", got.Settings, want.Settings)
	}
	checkTimePtr(t, "walletVerifiedAt", got.WalletVerifiedAt, want.WalletVerifiedAt)
	checkTimePtr(t, "createdAt", got.CreatedAt, want.CreatedAt)
	checkTimePtr(t, "updatedAt", got.UpdatedAt, want.UpdatedAt)
}

// checkTimePtr is checkTime for an optional value: nil wants nil.
func checkTimePtr(t *testing.T, what string, got, want *time.Time) {
	t.Helper()
	if want == nil {
		if got != nil {
			t.Errorf("%s = %s, want nil", what, got)
		}
		return
	}
	checkTime(t, what, got, *want)
}

// show makes an optional string readable in a failure message.
func show(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

func testGetProfileNotFound(t *testing.T, s RawStore) {
	_, err := s.GetProfile(t.Context(), newID(t))
	wantCode(t, err, dashboard.ENOTFOUND, "GetProfile of an unknown member")
}

func testSaveProfileCreates(t *testing.T, s RawStore) {
	id := newID(t)
	p := fullProfile(t, id, newEmail(t), baseTime)
	create(t, s, p)
	checkProfile(t, get(t, s, id), p)

	item := raw(t, s, "USER#"+id, "PROFILE")
	if item == nil {
		t.Fatal("no item at USER#<id>/PROFILE")
	}
	if item["userId"] != id || item["email"] != p.Email || item["GSI1PK"] != "STRIPE#"+*p.StripeCustomerID {
		t.Errorf("stored userId, email, GSI1PK = %v, %v, %v", item["userId"], item["email"], item["GSI1PK"])
	}
	checkStoredTime(t, item, "createdAt", baseTime)
	checkStoredTime(t, item, "updatedAt", baseTime)
	checkStoredTime(t, item, "walletVerifiedAt", baseTime.Add(-time.Hour))
	wantSettings := map[string]any{dashboard.SettingShowOrderHistory: false, dashboard.SettingEmailNotifications: true}
	if !reflect.DeepEqual(item["dashboardSettings"], wantSettings) {
		t.Errorf("stored dashboardSettings = %v, want only the keys set: %v", item["dashboardSettings"], wantSettings)
	}
	addr, _ := item["shippingAddress"].(map[string]any)
	if addr["line1"] != "1 Sparkle Street" || addr["postalCode"] != "90001" || addr["country"] != "US" {
		t.Errorf("stored shippingAddress = %v", item["shippingAddress"])
	}

	// A profile with only the required fields reads back with every
	// optional field unset, not empty.
	id2 := newID(t)
	at := baseTime.Add(time.Minute)
	minimal := &dashboard.Profile{UserID: id2, Email: newEmail(t), DisplayName: "Min", CreatedAt: &at, UpdatedAt: &at}
	must(t, save(t, s, minimal, writableFields, nil, ""), "create minimal profile")
	checkProfile(t, get(t, s, id2), minimal)
	item = raw(t, s, "USER#"+id2, "PROFILE")
	for _, attr := range append([]string{"GSI1PK"}, optionalFields...) {
		if v, ok := item[attr]; ok {
			t.Errorf("minimal profile stores %s = %v, want no attribute", attr, v)
		}
	}
}

func testCreatedAtSetOnce(t *testing.T, s RawStore) {
	id := newID(t)
	p := fullProfile(t, id, newEmail(t), baseTime)
	create(t, s, p)
	later := baseTime.Add(time.Hour)
	next := *p
	next.DisplayName, next.CreatedAt, next.UpdatedAt = "Renamed", &later, &later
	must(t, save(t, s, &next, []string{dashboard.FieldDisplayName}, get(t, s, id).UpdatedAt, p.Email), "save")
	got := get(t, s, id)
	checkTime(t, "createdAt after a second save", got.CreatedAt, baseTime)
	checkTime(t, "updatedAt after a second save", got.UpdatedAt, later)
	if got.DisplayName != "Renamed" {
		t.Errorf("displayName = %q", got.DisplayName)
	}
}

func testOnlyNamedFieldsWritten(t *testing.T, s RawStore) {
	id := newID(t)
	p := fullProfile(t, id, newEmail(t), baseTime)
	create(t, s, p)
	before := get(t, s, id)

	at := baseTime.Add(time.Minute)
	other := otherProfile(t, id, at)
	must(t, save(t, s, other, []string{dashboard.FieldDisplayName}, before.UpdatedAt, p.Email), "save displayName")
	want := *before
	want.DisplayName, want.UpdatedAt = other.DisplayName, &at
	checkProfile(t, get(t, s, id), &want)
	if uid, err := s.UserIDByEmail(t.Context(), p.Email); err != nil || uid != id {
		t.Errorf("UserIDByEmail(unchanged email) = %q, %v", uid, err)
	}
	_, err := s.UserIDByEmail(t.Context(), other.Email)
	wantCode(t, err, dashboard.ENOTFOUND, "UserIDByEmail(email not named in Fields)")
	_, err = s.UserIDByStripeCustomer(t.Context(), *other.StripeCustomerID)
	wantCode(t, err, dashboard.ENOTFOUND, "UserIDByStripeCustomer(customer not named in Fields)")

	at2 := at.Add(time.Minute)
	other.UpdatedAt = &at2
	must(t, save(t, s, other, []string{dashboard.FieldPhone, dashboard.FieldDashboardSetting}, &at, p.Email), "save phone, settings")
	want.Phone, want.Settings, want.UpdatedAt = other.Phone, other.Settings, &at2
	checkProfile(t, get(t, s, id), &want)
}

func testNilRemovesAttribute(t *testing.T, s RawStore) {
	id := newID(t)
	p := fullProfile(t, id, newEmail(t), baseTime)
	create(t, s, p)
	at := baseTime.Add(time.Minute)
	cleared := &dashboard.Profile{UserID: id, Email: p.Email, DisplayName: p.DisplayName, Settings: map[string]bool{}, UpdatedAt: &at}
	must(t, save(t, s, cleared, optionalFields, &baseTime, p.Email), "clear optional fields")
	want := *cleared
	want.CreatedAt = &baseTime
	checkProfile(t, get(t, s, id), &want)
	item := raw(t, s, "USER#"+id, "PROFILE")
	for _, attr := range append([]string{"GSI1PK"}, optionalFields...) {
		if v, ok := item[attr]; ok {
			t.Errorf("cleared %s is still stored: %v", attr, v)
		}
	}
	_, err := s.UserIDByStripeCustomer(t.Context(), *p.StripeCustomerID)
	wantCode(t, err, dashboard.ENOTFOUND, "UserIDByStripeCustomer after clearing it")

	// A nil settings map clears as an empty one does.
	at2 := at.Add(time.Minute)
	set := &dashboard.Profile{UserID: id, Settings: map[string]bool{dashboard.SettingShowNftHoldings: false}, UpdatedAt: &at2}
	must(t, save(t, s, set, []string{dashboard.FieldDashboardSetting}, &at, p.Email), "set settings")
	at3 := at2.Add(time.Minute)
	must(t, save(t, s, &dashboard.Profile{UserID: id, UpdatedAt: &at3}, []string{dashboard.FieldDashboardSetting}, &at2, p.Email), "clear settings with nil")
	if got := get(t, s, id); len(got.Settings) != 0 {
		t.Errorf("settings after a nil map = %v, want none", got.Settings)
	}
}

// checkForeign fails unless the identity service's attributes are intact
// on the stored item and absent from the returned profile.
func checkForeign(t *testing.T, s RawStore, id, step string) {
	t.Helper()
	item := raw(t, s, "USER#"+id, "PROFILE")
	for k, v := range foreignAttrs {
		if !reflect.DeepEqual(item[k], v) {
			t.Errorf("after %s: stored %s = %#v, want %#v", step, k, item[k], v)
		}
	}
	b, err := json.Marshal(get(t, s, id))
	must(t, err, "encode profile")
	var out map[string]any
	must(t, json.Unmarshal(b, &out), "decode profile")
	for _, k := range []string{"PK", "SK", "GSI1PK", "passwordHash", "passwordSalt", "hashAlgorithm", "hashIterations", "status", "roles"} {
		if _, ok := out[k]; ok {
			t.Errorf("after %s: the returned profile carries %s", step, k)
		}
	}
}

func testForeignAttributesSurvive(t *testing.T, s RawStore) {
	id, email := newID(t), newEmail(t)
	identity := map[string]any{"PK": "USER#" + id, "SK": "PROFILE", "userId": id, "email": email,
		"displayName": "Signed Up", "createdAt": "2024-01-02T03:04:05.000Z"}
	maps.Copy(identity, foreignAttrs)
	must(t, s.PutRawItem(t.Context(), identity), "PutRawItem profile")
	must(t, s.PutRawItem(t.Context(), map[string]any{"PK": "EMAIL#" + lower(email), "SK": "LOOKUP", "userId": id, "email": email}), "PutRawItem lookup")
	signedUp := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

	got := get(t, s, id)
	if got.Email != email || got.DisplayName != "Signed Up" || got.UpdatedAt != nil {
		t.Errorf("identity-only profile = %q %q updatedAt %v", got.Email, got.DisplayName, got.UpdatedAt)
	}
	checkTime(t, "identity createdAt", got.CreatedAt, signedUp)
	checkForeign(t, s, id, "the identity service's write")

	full := fullProfile(t, id, newEmail(t), baseTime)
	steps := []struct {
		name   string
		fields []string
		edit   func(p *dashboard.Profile)
	}{
		{"first save", []string{dashboard.FieldDisplayName, dashboard.FieldPhone, dashboard.FieldShippingAddress, dashboard.FieldDashboardSetting},
			func(p *dashboard.Profile) {
				p.DisplayName, p.Phone, p.ShippingAddress, p.Settings = "First", full.Phone, full.ShippingAddress, full.Settings
			}},
		{"email change", []string{dashboard.FieldEmail}, func(p *dashboard.Profile) { p.Email = full.Email }},
		{"stripe customer", []string{dashboard.FieldStripeCustomerID}, func(p *dashboard.Profile) { p.StripeCustomerID = full.StripeCustomerID }},
		{"clearing fields", optionalFields, func(p *dashboard.Profile) {
			*p = dashboard.Profile{UserID: id, Email: p.Email, DisplayName: p.DisplayName}
		}},
		{"every field", writableFields, func(p *dashboard.Profile) { *p = *full }},
	}
	for i, step := range steps {
		cur := get(t, s, id)
		next := *cur
		step.edit(&next)
		at := baseTime.Add(time.Duration(i+1) * time.Minute)
		next.UpdatedAt = &at
		must(t, save(t, s, &next, step.fields, cur.UpdatedAt, cur.Email), step.name)
		checkForeign(t, s, id, step.name)
		got := get(t, s, id)
		checkTime(t, "createdAt after "+step.name, got.CreatedAt, signedUp)
		checkTime(t, "updatedAt after "+step.name, got.UpdatedAt, at)
	}
	checkProfile(t, get(t, s, id), &dashboard.Profile{
		UserID: id, Email: full.Email, DisplayName: full.DisplayName, Phone: full.Phone,
		ShippingAddress: full.ShippingAddress, BillingAddress: full.BillingAddress, PreferredWallet: full.PreferredWallet,
		AvatarURL: full.AvatarURL, StripeCustomerID: full.StripeCustomerID, Settings: full.Settings,
		WalletVerifiedAt: full.WalletVerifiedAt, CreatedAt: &signedUp, UpdatedAt: ptr(baseTime.Add(5 * time.Minute)),
	})
}

func testWalletVerifiedAt(t *testing.T, s RawStore) {
	id := newID(t)
	p := &dashboard.Profile{UserID: id, Email: newEmail(t), DisplayName: "W", UpdatedAt: &baseTime, CreatedAt: &baseTime}
	must(t, save(t, s, p, []string{dashboard.FieldEmail, dashboard.FieldDisplayName}, nil, ""), "create")
	if got := get(t, s, id); got.WalletVerifiedAt != nil {
		t.Fatalf("walletVerifiedAt of a new profile = %v, want nil", got.WalletVerifiedAt)
	}
	verified := baseTime.Add(30 * time.Second)
	at := baseTime.Add(time.Minute)
	next := *p
	next.WalletVerifiedAt, next.UpdatedAt = &verified, &at
	must(t, save(t, s, &next, []string{dashboard.FieldWalletVerifiedAt}, &baseTime, p.Email), "verify wallet")
	checkTime(t, "walletVerifiedAt", get(t, s, id).WalletVerifiedAt, verified)
	checkStoredTime(t, raw(t, s, "USER#"+id, "PROFILE"), "walletVerifiedAt", verified)

	at2 := at.Add(time.Minute)
	next.WalletVerifiedAt, next.UpdatedAt = nil, &at2
	must(t, save(t, s, &next, []string{dashboard.FieldWalletVerifiedAt}, &at, p.Email), "reset verification")
	if got := get(t, s, id); got.WalletVerifiedAt != nil {
		t.Errorf("walletVerifiedAt after reset = %v, want nil", got.WalletVerifiedAt)
	}
}
