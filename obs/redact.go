package obs

import (
	"log/slog"
	"regexp"
	"strings"
)

// Redacted replaces any value the redaction rule removes.
const Redacted = "[REDACTED]"

// sensitiveKeys are attribute names whose values never reach a log line,
// whatever they hold. Matching is case-insensitive and on the last segment of
// a grouped key.
var sensitiveKeys = map[string]bool{
	"authorization": true, "token": true, "jwt": true, "bearer": true,
	"secret": true, "password": true, "passwordhash": true, "passwordsalt": true,
	"cookie": true, "set-cookie": true, "x-internal-token": true, "signature": true,
	"stripe-signature": true, "x-alchemy-signature": true, "apikey": true, "api_key": true,
	"email": true, "customeremail": true, "phone": true, "customerphone": true,
	"address": true, "shippingaddress": true, "billingaddress": true,
	"wallet": true, "preferredwallet": true, "body": true, "payload": true,
}

// sensitiveValue finds secrets and personal data inside free text: JWTs,
// bearer credentials, Stripe keys and signatures, email addresses, EVM
// addresses and phone-like digit runs.
var sensitiveValue = regexp.MustCompile(
	`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*` + // JWT
		`|(?i:bearer)\s+\S+` +
		`|\b(?:sk|rk|pk|whsec)_[A-Za-z0-9_]+` + // Stripe keys and webhook secrets
		`|\bv1=[0-9a-f]{16,}` + // Stripe signatures
		`|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}` + // email
		`|\b0x[0-9a-fA-F]{40}\b` + // wallet
		`|\+\d[\d ()-]{6,}\d`) // international phone number

// RedactString removes secrets and personal data from free text.
func RedactString(s string) string {
	return sensitiveValue.ReplaceAllString(s, Redacted)
}

// sensitiveKey reports whether an attribute with this key is never logged.
func sensitiveKey(key string) bool {
	return sensitiveKeys[strings.ToLower(key)]
}

// trustedKeys hold values the dashboard itself generates (ids, routes), which
// are safe and which operators search by, so they skip the value scan.
var trustedKeys = map[string]bool{
	"requestId": true, "memberId": true, "route": true, "method": true, "time": true, "level": true, "msg": true,
	// The request line's numbers, on every request: skipping the scan
	// saves a lower-casing ("latencyMs") and two lookups each time.
	"status": true, "latencyMs": true, "bytes": true,
}

func redactAttr(_ []string, a slog.Attr) slog.Attr {
	if trustedKeys[a.Key] {
		return a
	}
	if sensitiveKey(a.Key) {
		return slog.String(a.Key, Redacted)
	}
	switch a.Value.Kind() {
	case slog.KindString:
		if s := a.Value.String(); sensitiveValue.MatchString(s) {
			return slog.String(a.Key, RedactString(s))
		}
	case slog.KindAny:
		// Errors and other values are rendered to text and scanned, so a
		// wrapped error that quotes a key or an email cannot leak it.
		if err, ok := a.Value.Any().(error); ok {
			return slog.String(a.Key, RedactString(err.Error()))
		}
		if s, ok := a.Value.Any().(interface{ String() string }); ok {
			return slog.String(a.Key, RedactString(s.String()))
		}
	}
	return a
}
