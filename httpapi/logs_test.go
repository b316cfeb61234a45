package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestLogsHoldNoSecretsOrPersonalData runs requests that carry a token, an
// email, a phone number, an address and a wallet — good and bad ones, with
// audit events and errors — and then searches the whole log for them.
func TestLogsHoldNoSecretsOrPersonalData(t *testing.T) {
	h := newTestHarness(t)
	id, tok := h.member("secret.keeper@example.com")
	h.putIdentityProfile(id, "secret.keeper@example.com")
	h.do("GET", "/dashboard/profile", tok, "")
	h.do("PUT", "/dashboard/profile", tok, fullUpdate)
	h.do("PUT", "/dashboard/profile", tok, `{"email": "keeper.new@example.com"}`)
	h.do("PUT", "/dashboard/profile", tok, `{"email": "bad email@example.com", "phone": "+1 (555) 010-9999x"}`)
	h.do("GET", "/dashboard/profile", tok+"tampered", "")
	h.do("GET", "/dashboard/profile", "", "", "Authorization", "Basic "+tok)

	logs := h.logs.String()
	if !strings.Contains(logs, `"event":"profile.updated"`) {
		t.Fatal("no audit event was logged; the test would prove nothing")
	}
	for _, secret := range []string{
		tok, tok[:40], "secret.keeper@example.com", "keeper.new@example.com", "bad email",
		"555) 010-9999", "1 Sparkle Street", "Los Angeles", "90001", "2 Gem Road",
		"5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
		string(testSecret), "pbkdf2",
	} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
	// The audit event names the fields and the member, nothing else.
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %s", line)
		}
		if rec["event"] == "profile.updated" {
			if rec["memberId"] != id || rec["requestId"] == nil || rec["fields"] == nil {
				t.Errorf("audit event = %v", rec)
			}
		}
	}
}
