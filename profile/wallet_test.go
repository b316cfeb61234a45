package profile

import (
	"strings"
	"testing"
)

// The test vectors of EIP-55 itself.
var eip55Vectors = []string{
	"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
	"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
	"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
	"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
	"0x52908400098527886E0F7030069857D2E4169EE7",
	"0x8617E340B3D01FA5F11F306F4090FD50E238070D",
	"0xde709f2102306220921060314715629080e2fb77",
	"0x27b1fdb04752bbc536007a920d24acb045561c26",
}

func TestChecksumAddress(t *testing.T) {
	for _, want := range eip55Vectors {
		for _, in := range []string{want, strings.ToLower(want), "0x" + strings.ToUpper(want[2:])} {
			got, ok := ChecksumAddress(in)
			if !ok || got != want {
				t.Errorf("ChecksumAddress(%q) = %q, %v; want %q", in, got, ok, want)
			}
		}
	}
}

func TestChecksumAddressRefuses(t *testing.T) {
	for _, in := range []string{
		"", "0x", "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", // no prefix
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",   // 39 digits
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd", // 41 digits
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg",  // not hex
		"0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",  // checksum broken by one letter
		"0x 5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",
	} {
		if got, ok := ChecksumAddress(in); ok {
			t.Errorf("ChecksumAddress(%q) = %q, accepted", in, got)
		}
	}
}
