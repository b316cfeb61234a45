// Package cursor makes pagination cursors that a client can hold but not
// forge or share: each is signed and bound to the member it was issued to,
// so a cursor from another member, or a tampered one, is refused.
package cursor

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"

	dashboard "github.com/thebabesclub/dashboard"
)

// maxLen bounds the cursors Open looks at.
const maxLen = 2048

// Signer signs and opens cursors with one key.
type Signer struct {
	key []byte
}

// NewSigner derives the cursor key from secret (for example JWT_SECRET) and
// a purpose label, so the cursor key is never the secret itself.
func NewSigner(secret []byte) *Signer {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("babesclub-dashboard/cursor/v1"))
	return &Signer{key: m.Sum(nil)}
}

// Seal returns a URL-safe cursor carrying state for member. State must be a
// JSON-encodable value.
func (s *Signer) Seal(member string, state any) (string, error) {
	body, err := json.Marshal(state)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding.EncodeToString(body)
	return enc + "." + base64.RawURLEncoding.EncodeToString(s.mac(member, enc)), nil
}

// Open verifies a cursor for member and decodes its state into v. Anything
// wrong — malformed, tampered, or issued to another member — fails with
// EINVALIDCURSOR.
func (s *Signer) Open(member, cursor string, v any) error {
	bad := dashboard.Errorf(dashboard.EINVALIDCURSOR, "The cursor is not valid; start from the first page.")
	if len(cursor) > maxLen {
		return bad
	}
	enc, sig, ok := strings.Cut(cursor, ".")
	if !ok {
		return bad
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(member, enc)) {
		return bad
	}
	body, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || json.Unmarshal(body, v) != nil {
		return bad
	}
	return nil
}

func (s *Signer) mac(member, enc string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(member))
	m.Write([]byte{0})
	m.Write([]byte(enc))
	return m.Sum(nil)[:16]
}
