package siwe

import (
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"golang.org/x/crypto/sha3"

	dashboard "github.com/thebabesclub/dashboard"
)

// SignatureSize is the length of an Ethereum signature: r (32 bytes) ‖ s (32
// bytes) ‖ v (1 byte).
const SignatureSize = 65

// ChecksumAddress returns the EIP-55 mixed-case form of an Ethereum address
// ("0x" and 40 hex digits) and true, or "" and false when s is not an
// address. An all-lower-case or all-upper-case input is accepted and
// checksummed; a mixed-case input must already carry the right checksum,
// because a wrong one means a mistyped address that could name a stranger's
// wallet. It is the one EIP-55 implementation of the module: siwe owns it
// because it already holds Keccak-256, and the profile rules (a member's
// preferredWallet) and the NFT sync use it from here.
func ChecksumAddress(s string) (string, bool) {
	if len(s) != 42 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') {
		return "", false
	}
	body := s[2:]
	if !validRun(body, isHex) {
		return "", false
	}
	lower := strings.ToLower(body)
	sum := "0x" + checksumHex(lower)
	if body != lower && body != strings.ToUpper(body) && sum[2:] != body {
		return "", false
	}
	return sum, true
}

// checksumHex applies EIP-55 to 40 lower-case hex digits: a letter is
// upper-cased when the matching nibble of keccak256(lower) is 8 or more.
func checksumHex(lower string) string {
	digest := keccak256([]byte(lower))
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
	return string(out)
}

// keccak256 is the original Keccak (not FIPS SHA3-256) Ethereum uses.
func keccak256(parts ...[]byte) []byte {
	h := sha3.NewLegacyKeccak256()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// PersonalHash returns the EIP-191 version 0x45 ("personal_sign") digest of
// message: keccak256("\x19Ethereum Signed Message:\n" + len + message), with
// the length in decimal bytes. It is what a wallet signs for SIWE; exported
// so tests and tools can sign a challenge the way a wallet would.
func PersonalHash(message string) []byte {
	prefix := "\x19Ethereum Signed Message:\n" + strconv.Itoa(len(message))
	return keccak256([]byte(prefix), []byte(message))
}

// ParseSignature decodes a signature as wallets return it from
// personal_sign: "0x" and 130 hex digits (either case). It checks only the
// form; RecoverAddress judges the content.
func ParseSignature(s string) ([]byte, error) {
	if len(s) != 2+2*SignatureSize || !strings.HasPrefix(s, "0x") {
		return nil, errSignature("The signature must be 0x followed by 130 hex digits.")
	}
	sig, err := hex.DecodeString(s[2:])
	if err != nil {
		return nil, errSignature("The signature must be 0x followed by 130 hex digits.")
	}
	return sig, nil
}

// RecoverAddress returns the EIP-55 address of the key that made signature
// over message with personal_sign. The signature is r ‖ s ‖ v with v 27 or
// 28 (0 and 1, which some hardware wallets return, are read as 27 and 28).
// A signature whose s lies in the upper half of the group order is refused:
// (r, n−s) is an equally valid signature of the same message, and accepting
// both would let anyone turn one signature into two distinct ones.
func RecoverAddress(message string, signature []byte) (string, error) {
	if len(signature) != SignatureSize {
		return "", errSignature("The signature must be 65 bytes.")
	}
	v := signature[64]
	switch v {
	case 0, 1:
	case 27, 28:
		v -= 27
	default:
		return "", errSignature("The signature recovery byte is invalid.")
	}
	var s secp256k1.ModNScalar
	if overflow := s.SetByteSlice(signature[32:64]); overflow || s.IsZero() || s.IsOverHalfOrder() {
		return "", errSignature("The signature is not in canonical form.")
	}
	// decred's compact layout is <27 + recovery code> ‖ r ‖ s, the code
	// without its "compressed key" flag since Ethereum keys are uncompressed.
	var compact [SignatureSize]byte
	compact[0] = 27 + v
	copy(compact[1:], signature[:64])
	pub, _, err := ecdsa.RecoverCompact(compact[:], PersonalHash(message))
	if err != nil {
		return "", errSignature("The signature is invalid.")
	}
	return PubKeyAddress(pub), nil
}

// PubKeyAddress returns the EIP-55 Ethereum address of a secp256k1 public
// key: the last 20 bytes of keccak256 of its uncompressed X ‖ Y coordinates.
func PubKeyAddress(pub *secp256k1.PublicKey) string {
	digest := keccak256(pub.SerializeUncompressed()[1:])
	return "0x" + checksumHex(hex.EncodeToString(digest[12:]))
}

// errSignature reports a signature that cannot be used; it never repeats the
// signature back.
func errSignature(detail string) *dashboard.Error {
	return invalid(FieldSignature, detail)
}

// SignPersonal signs message with key as a wallet's personal_sign does and
// returns "0x" + hex(r ‖ s ‖ v), v being 27 or 28, s always in the lower
// half. The service never holds a member's key: this exists so that tests and
// the demo can answer a challenge end to end with a real signature.
func SignPersonal(key *secp256k1.PrivateKey, message string) (string, error) {
	compact := ecdsa.SignCompact(key, PersonalHash(message), false)
	// compact is <27 + recovery code> ‖ r ‖ s. Codes 2 and 3 (r overflowed
	// the group order, probability about 2^-127) have no Ethereum encoding.
	if compact[0] > 28 {
		return "", errSignature("The signature cannot be expressed for Ethereum.")
	}
	var sig [SignatureSize]byte
	copy(sig[:64], compact[1:])
	sig[64] = compact[0]
	return "0x" + hex.EncodeToString(sig[:]), nil
}
