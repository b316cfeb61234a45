package profile

import (
	"encoding/hex"
	"strings"

	"golang.org/x/crypto/sha3"
)

// ChecksumAddress returns the EIP-55 mixed-case checksum form of an EVM
// address ("0x" + 40 hex digits, any case), and false if s is not one. An
// address already in mixed case must carry a correct checksum: a wrong one
// is a typo that would send a member's holdings lookup to a stranger's wallet.
func ChecksumAddress(s string) (string, bool) {
	if len(s) != 42 || (s[:2] != "0x" && s[:2] != "0X") {
		return "", false
	}
	body := s[2:]
	if _, err := hex.DecodeString(body); err != nil {
		return "", false
	}
	lower := strings.ToLower(body)
	h := sha3.NewLegacyKeccak256()
	h.Write([]byte(lower))
	digest := h.Sum(nil)
	out := []byte(lower)
	for i, c := range out {
		if c < 'a' {
			continue // a digit has no case
		}
		nibble := digest[i/2]
		if i%2 == 0 {
			nibble >>= 4
		}
		if nibble&0x0f >= 8 {
			out[i] = c - 'a' + 'A'
		}
	}
	sum := "0x" + string(out)
	mixed := body != lower && body != strings.ToUpper(body)
	if mixed && sum[2:] != body {
		return "", false
	}
	return sum, true
}
