package siwe

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	dashboard "github.com/thebabesclub/dashboard"
)

// The web3.js documentation's example for web3.eth.accounts.sign('Some data',
// key): a personal_sign vector made by another implementation.
const (
	web3Key     = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
	web3Address = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
	web3Message = "Some data"
	web3Hash    = "1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655"
	web3Sig     = "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd" +
		"6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c"
)

func mustKey(t testing.TB, hexKey string) *secp256k1.PrivateKey {
	t.Helper()
	b, err := hex.DecodeString(hexKey)
	if err != nil || len(b) != 32 {
		t.Fatalf("bad key %q", hexKey)
	}
	return secp256k1.PrivKeyFromBytes(b)
}

func mustSig(t testing.TB, s string) []byte {
	t.Helper()
	sig, err := ParseSignature(s)
	if err != nil {
		t.Fatalf("ParseSignature(%q): %v", s, err)
	}
	return sig
}

// TestChecksumAddressEIP55Vectors uses the test vectors listed in EIP-55
// itself, and refuses what is not an address or carries a broken checksum.
func TestChecksumAddressEIP55Vectors(t *testing.T) {
	vectors := []string{
		// All caps
		"0x52908400098527886E0F7030069857D2E4169EE7",
		"0x8617E340B3D01FA5F11F306F4090FD50E238070D",
		// All lower
		"0xde709f2102306220921060314715629080e2fb77",
		"0x27b1fdb04752bbc536007a920d24acb045561c26",
		// Normal
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
		"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
		"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
	}
	for _, v := range vectors {
		for _, in := range []string{v, "0x" + strings.ToLower(v[2:]), "0x" + strings.ToUpper(v[2:]), "0X" + v[2:]} {
			if got, ok := ChecksumAddress(in); !ok || got != v {
				t.Errorf("ChecksumAddress(%q) = %q, %v; want %q", in, got, ok, v)
			}
		}
	}
	// One letter's case flipped in a mixed-case address is a typo.
	bad := []string{
		"0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDB",
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",
		"5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00",
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg",
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed0",
		"5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", // no prefix
		"0x 5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",
		"0x",
		"",
	}
	for _, in := range bad {
		if got, ok := ChecksumAddress(in); ok {
			t.Errorf("ChecksumAddress(%q) = %q, true; want false", in, got)
		}
	}
}

func TestPubKeyAddressKnownVector(t *testing.T) {
	key := mustKey(t, web3Key)
	if got := PubKeyAddress(key.PubKey()); got != web3Address {
		t.Fatalf("address = %s, want %s", got, web3Address)
	}
}

func TestPersonalSignWeb3Vector(t *testing.T) {
	if got := hex.EncodeToString(PersonalHash(web3Message)); got != web3Hash {
		t.Fatalf("PersonalHash = %s, want %s", got, web3Hash)
	}
	got, err := RecoverAddress(web3Message, mustSig(t, web3Sig))
	if err != nil || got != web3Address {
		t.Fatalf("RecoverAddress(web3 vector) = %q, %v; want %s", got, err, web3Address)
	}
	// Both sides use RFC 6979 deterministic nonces and low-s, so signing the
	// same message with the same key must give the very same bytes.
	sig, err := SignPersonal(mustKey(t, web3Key), web3Message)
	if err != nil || sig != web3Sig {
		t.Fatalf("SignPersonal = %s, %v; want %s", sig, err, web3Sig)
	}
}

func TestPersonalHashCountsBytes(t *testing.T) {
	// The EIP-191 length is of the UTF-8 bytes, not of characters.
	want := keccak256([]byte("\x19Ethereum Signed Message:\n2é"))
	if got := PersonalHash("é"); hex.EncodeToString(got) != hex.EncodeToString(want) {
		t.Fatalf("PersonalHash(é) = %x, want %x", got, want)
	}
}

// highS returns the malleated twin (r, n−s, v^1) of a low-s signature.
func highS(t testing.TB, sig []byte) []byte {
	t.Helper()
	var s secp256k1.ModNScalar
	s.SetByteSlice(sig[32:64])
	s.Negate()
	out := append([]byte(nil), sig...)
	s.PutBytesUnchecked(out[32:64])
	out[64] = 27 + ((out[64] - 27) ^ 1) // 27 <-> 28
	return out
}

func TestRecoverAddressRejects(t *testing.T) {
	good := mustSig(t, web3Sig)
	with := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	ff := strings.Repeat("ff", 32)
	cases := map[string][]byte{
		"empty":          nil,
		"64 bytes":       good[:64],
		"66 bytes":       append(append([]byte(nil), good...), 0),
		"v 2":            with(func(b []byte) []byte { b[64] = 2; return b }),
		"v 26":           with(func(b []byte) []byte { b[64] = 26; return b }),
		"v 29":           with(func(b []byte) []byte { b[64] = 29; return b }),
		"v 37 (EIP-155)": with(func(b []byte) []byte { b[64] = 37; return b }),
		"r zero":         with(func(b []byte) []byte { clear(b[:32]); return b }),
		"s zero":         with(func(b []byte) []byte { clear(b[32:64]); return b }),
		"r over order":   with(func(b []byte) []byte { hex.Decode(b[:32], []byte(ff)); return b }),
		"s over order":   with(func(b []byte) []byte { hex.Decode(b[32:64], []byte(ff)); return b }),
		"high s":         highS(t, good),
	}
	for name, sig := range cases {
		t.Run(name, func(t *testing.T) {
			addr, err := RecoverAddress(web3Message, sig)
			if err == nil {
				t.Fatalf("RecoverAddress accepted it: %s", addr)
			}
			if dashboard.ErrorCode(err) != dashboard.EVALIDATION {
				t.Fatalf("code = %s", dashboard.ErrorCode(err))
			}
			if _, ok := dashboard.ErrorFields(err)[FieldSignature]; !ok {
				t.Fatalf("fields = %v", dashboard.ErrorFields(err))
			}
		})
	}
}

func TestHighSIsOtherwiseValid(t *testing.T) {
	// The refusal of high s is a policy, not an accident: the library alone
	// recovers the same key from the malleated twin.
	h := highS(t, mustSig(t, web3Sig))
	compact := append([]byte{h[64]}, h[:64]...)
	pub, _, err := ecdsa.RecoverCompact(compact, PersonalHash(web3Message))
	if err != nil || PubKeyAddress(pub) != web3Address {
		t.Fatalf("twin recovers %v, %v", pub, err)
	}
	_, err = RecoverAddress(web3Message, h)
	if got := dashboard.ErrorFields(err)[FieldSignature]; !strings.Contains(got, "canonical") {
		t.Fatalf("RecoverAddress(high s) = %v (%q), want the canonical-form refusal", err, got)
	}
}

func TestRecoverAddressAcceptsV01(t *testing.T) {
	good := mustSig(t, web3Sig)
	raw := append([]byte(nil), good...)
	raw[64] -= 27
	if raw[64] != 1 {
		t.Fatalf("vector v = %d", good[64])
	}
	if got, err := RecoverAddress(web3Message, raw); err != nil || got != web3Address {
		t.Fatalf("v=1: %q, %v", got, err)
	}
	raw[64] = 0 // the other parity recovers some other key, never ours
	if got, err := RecoverAddress(web3Message, raw); err == nil && got == web3Address {
		t.Fatal("v=0 recovered the same address")
	}
}

func TestParseSignature(t *testing.T) {
	for _, in := range []string{web3Sig, "0x" + strings.ToUpper(web3Sig[2:])} {
		if got, err := ParseSignature(in); err != nil || "0x"+hex.EncodeToString(got) != web3Sig {
			t.Errorf("ParseSignature(%q) = %x, %v", in, got, err)
		}
	}
	bad := []string{
		"", "0x", web3Sig[2:], "0X" + web3Sig[2:], web3Sig[:131], web3Sig + "0",
		web3Sig[:131] + "g", " " + web3Sig[1:], web3Sig[:130] + "1",
	}
	for _, in := range bad {
		got, err := ParseSignature(in)
		if err == nil {
			t.Errorf("ParseSignature(%q) = %x, want error", in, got)
			continue
		}
		if _, ok := dashboard.ErrorFields(err)[FieldSignature]; !ok || dashboard.ErrorCode(err) != dashboard.EVALIDATION {
			t.Errorf("ParseSignature(%q) error = %v", in, err)
		}
	}
}
