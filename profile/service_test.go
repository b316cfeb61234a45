package profile

import (
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustParse(t *testing.T, body string) *Update {
	t.Helper()
	u, err := ParseUpdate([]byte(body))
	if err != nil {
		t.Fatalf("ParseUpdate(%s): %v", body, err)
	}
	return u
}

func TestApplyReportsOnlyRealChanges(t *testing.T) {
	phone := "+1 555"
	cur := &dashboard.Profile{UserID: "u", Email: "a@b.co", DisplayName: "Ann", Phone: &phone,
		Settings: map[string]bool{dashboard.SettingShowOrderHistory: false}}
	_, changed := apply(cur, mustParse(t, `{"displayName": "Ann", "phone": "+1 555", "dashboardSettings": {"showOrderHistory": false}}`))
	if len(changed) != 0 {
		t.Errorf("changed = %v, want none", changed)
	}
	next, changed := apply(cur, mustParse(t, `{"displayName": "Anna", "phone": null, "dashboardSettings": {"emailNotifications": false}}`))
	want := []string{"displayName", "phone", "dashboardSettings"}
	if len(changed) != len(want) {
		t.Fatalf("changed = %v, want %v", changed, want)
	}
	if next.Phone != nil || next.DisplayName != "Anna" {
		t.Errorf("next = %+v", next)
	}
	if len(next.Settings) != 2 || next.Settings[dashboard.SettingShowOrderHistory] || next.Settings[dashboard.SettingEmailNotifications] {
		t.Errorf("settings must merge over the stored keys: %v", next.Settings)
	}
	if len(cur.Settings) != 1 {
		t.Error("apply changed its input")
	}
}

func TestApplySameWalletInOtherCaseIsNoChange(t *testing.T) {
	w := "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
	cur := &dashboard.Profile{PreferredWallet: &w}
	if _, changed := apply(cur, mustParse(t, `{"preferredWallet": "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"}`)); len(changed) != 0 {
		t.Errorf("changed = %v", changed)
	}
}
