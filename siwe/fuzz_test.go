package siwe

import (
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	dashboard "github.com/thebabesclub/dashboard"
)

// FuzzParse checks that Parse never panics, fails only with the EVALIDATION
// error, and that whatever it accepts re-serialises to the very text it was
// given: the text a member signed and the message the server acts on can
// then never disagree.
func FuzzParse(f *testing.F) {
	f.Add(eipExample)
	full := challenge()
	nb := issuedAt
	full.NotBefore = &nb
	full.RequestID = "r%20q:@"
	full.Resources = []string{"https://a.example/x?y#z", "urn:x:y"}
	f.Add(full.String())
	noStatement := challenge()
	noStatement.Statement = ""
	noStatement.Domain = "[::1]:8080"
	f.Add(noStatement.String())
	f.Add(strings.Replace(eipExample, "Z\n", "+05:30\n", 1))
	f.Add("")
	f.Add("\n\n\n\n")
	f.Fuzz(func(t *testing.T, text string) {
		m, err := Parse(text)
		if err != nil {
			if m != nil || dashboard.ErrorCode(err) != dashboard.EVALIDATION {
				t.Fatalf("Parse = %v, %v", m, err)
			}
			return
		}
		again := m.String()
		if again != text {
			t.Fatalf("Parse accepted %q but it re-serialises as %q", text, again)
		}
		m2, err := Parse(again)
		if err != nil || !sameMessage(*m, *m2) {
			t.Fatalf("second Parse = %+v, %v; want %+v", m2, err, m)
		}
	})
}

// FuzzRecover checks that signature parsing and recovery never panic on any
// bytes, and that whatever they accept is low-s with an Ethereum v and yields
// a checksummed address.
func FuzzRecover(f *testing.F) {
	sig := mustSig(f, web3Sig)
	f.Add(web3Message, sig, web3Sig)
	f.Add(eipExample, sig, "")
	f.Add("", make([]byte, SignatureSize), "0x")
	f.Add("x", highS(f, sig), strings.ToUpper(web3Sig))
	f.Fuzz(func(t *testing.T, message string, signature []byte, sigHex string) {
		if b, err := ParseSignature(sigHex); err == nil && len(b) != SignatureSize {
			t.Fatalf("ParseSignature(%q) gave %d bytes", sigHex, len(b))
		}
		addr, err := RecoverAddress(message, signature)
		if err != nil {
			if dashboard.ErrorCode(err) != dashboard.EVALIDATION {
				t.Fatalf("RecoverAddress error %v", err)
			}
			return
		}
		if v := signature[64]; v > 1 && v != 27 && v != 28 {
			t.Fatalf("accepted v = %d", v)
		}
		if sum, ok := ChecksumAddress(addr); !ok || sum != addr {
			t.Fatalf("recovered %q, not an EIP-55 address", addr)
		}
		var sc secp256k1.ModNScalar
		if sc.SetByteSlice(signature[32:64]); sc.IsOverHalfOrder() {
			t.Fatal("accepted a high-s signature")
		}
	})
}
