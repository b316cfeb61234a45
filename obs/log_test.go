package obs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestRedaction(t *testing.T) {
	var buf bytes.Buffer
	log := NewLogger(&buf, "debug")
	ctx := WithMemberID(WithRequestID(context.Background(), "req-1"), "0123456789abcdef0123456789abcdef")
	secrets := []string{
		"eyJhbGciOiJIUzI1NiJ9.eyJ1c2VySWQiOiJ4In0.c2lnbmF0dXJl",
		"ruby@example.com", "sk_test_51Habc", "whsec_abc123", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"+44 20 7946 0958", "1 Sparkle Street",
	}
	log.InfoContext(ctx, "event",
		slog.String("authorization", "Bearer "+secrets[0]),
		slog.String("note", "sent to ruby@example.com with key sk_test_51Habc and whsec_abc123"),
		slog.String("preferredWallet", secrets[4]),
		slog.Any("error", errors.New("lookup EMAIL#ruby@example.com failed for 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")),
		slog.String("detail", "call +44 20 7946 0958"),
		slog.Any("shippingAddress", map[string]string{"line1": "1 Sparkle Street"}),
		slog.String("free", "Bearer abc.def"),
	)
	out := buf.String()
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("log line contains %q: %s", s, out)
		}
	}
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if rec["requestId"] != "req-1" || rec["memberId"] != "0123456789abcdef0123456789abcdef" {
		t.Errorf("context attributes missing or altered: %v", rec)
	}
}

func TestAudit(t *testing.T) {
	var buf bytes.Buffer
	ctx := WithMemberID(WithRequestID(context.Background(), "req-2"), "m1")
	Audit(ctx, NewLogger(&buf, "info"), EventProfileUpdated, slog.Any("fields", []string{"email", "phone"}))
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["audit"] != true || rec["event"] != "profile.updated" || rec["memberId"] != "m1" || rec["requestId"] != "req-2" {
		t.Errorf("audit record = %v", rec)
	}
	if f, _ := rec["fields"].([]any); len(f) != 2 {
		t.Errorf("fields = %v", rec["fields"])
	}
}
