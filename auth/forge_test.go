package auth_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"testing"
)

// forgeHS256 signs a literal JSON payload with testSecret under the
// identity service's header, for claim shapes Sign does not produce.
func forgeHS256(t testing.TB, payload string) string {
	t.Helper()
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(payload))
	h := hmac.New(sha256.New, testSecret)
	h.Write([]byte(input))
	return input + "." + enc.EncodeToString(h.Sum(nil))
}

// itoa formats an epoch second count.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
