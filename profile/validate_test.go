package profile

import (
	"strings"
	"testing"

	dashboard "github.com/thebabesclub/dashboard"
)

func TestParseUpdateNormalises(t *testing.T) {
	u, err := ParseUpdate([]byte(`{
		"displayName": "  Ruby  ", "email": " ruby@example.com ", "phone": "+44 (20) 7946-0958",
		"shippingAddress": {"line1": "1 High St", "city": "London", "state": "LDN", "postalCode": "N1 9GU", "country": "gb", "line2": null},
		"billingAddress": null, "preferredWallet": "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
		"avatarUrl": "https://cdn.example.com/a.png", "dashboardSettings": {"showNftHoldings": false}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if u.displayName != "Ruby" || u.email != "ruby@example.com" || *u.phone != "+44 (20) 7946-0958" {
		t.Errorf("strings not trimmed: %q %q %q", u.displayName, u.email, *u.phone)
	}
	if u.shippingAddress.Country != "GB" || u.shippingAddress.Line2 != "" {
		t.Errorf("address = %+v", u.shippingAddress)
	}
	if !u.Has(dashboard.FieldBillingAddress) || u.billingAddress != nil {
		t.Error("null billingAddress must be present and clear the field")
	}
	if *u.preferredWallet != "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed" {
		t.Errorf("wallet not in EIP-55 form: %s", *u.preferredWallet)
	}
	if v, ok := u.settings[dashboard.SettingShowNftHoldings]; !ok || v || len(u.settings) != 1 {
		t.Errorf("settings = %v", u.settings)
	}
	if u.Has(dashboard.FieldAvatarURL) == false || u.Has("userId") {
		t.Error("Has reports the wrong fields")
	}
}

func TestParseUpdateReportsEveryField(t *testing.T) {
	_, err := ParseUpdate([]byte(`{"displayName": "", "userId": "x", "nickname": "y",
		"shippingAddress": {"line1": "", "city": "c", "state": "s", "postalCode": "p", "country": "XX", "floor": "2"}}`))
	if dashboard.ErrorCode(err) != dashboard.EVALIDATION {
		t.Fatalf("code = %q, want %q", dashboard.ErrorCode(err), dashboard.EVALIDATION)
	}
	fields := dashboard.ErrorFields(err)
	for _, f := range []string{"displayName", "userId", "nickname", "shippingAddress", "shippingAddress.line1", "shippingAddress.country", "shippingAddress.floor"} {
		if fields[f] == "" {
			t.Errorf("no message for %s in %v", f, fields)
		}
	}
	if !strings.Contains(fields["userId"], "read-only") {
		t.Errorf("userId message = %q", fields["userId"])
	}
}

func TestValidEmail(t *testing.T) {
	good := []string{"a@b.co", "first.last+tag@sub.example.org", "x_y@example.io"}
	bad := []string{"", "plain", "a@b", "@b.co", "a@.co", "a@b.co.", "A <a@b.co>", "a b@c.co", "a@b.co\n", strings.Repeat("a", 250) + "@b.co"}
	for _, s := range good {
		if !validEmail(s) {
			t.Errorf("validEmail(%q) = false", s)
		}
	}
	for _, s := range bad {
		if validEmail(s) {
			t.Errorf("validEmail(%q) = true", s)
		}
	}
}

func TestMatches(t *testing.T) {
	at := mustTime(t, "2025-11-26T21:28:24.123Z")
	for v, want := range map[string]bool{
		"2025-11-26T21:28:24.123Z":     true,
		`"2025-11-26T21:28:24.123Z"`:   true,
		`W/"2025-11-26T21:28:24.123Z"`: true,
		"*":                            true,
		"2025-11-26T21:28:24Z":         false,
		"yesterday":                    false,
	} {
		if got := matches(v, &at); got != want {
			t.Errorf("matches(%q) = %v, want %v", v, got, want)
		}
	}
	if matches("*", nil) {
		t.Error(`"*" must not match a profile that was never saved`)
	}
}
