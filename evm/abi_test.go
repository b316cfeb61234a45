package evm

import (
	"bytes"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
)

// The hand-written encoders must produce what go-ethereum's ABI encoder
// produces, for signatures around every padding boundary.
func TestEncodersMatchGoEthereum(t *testing.T) {
	typ := func(s string) abi.Type {
		ty, err := abi.NewType(s, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		return ty
	}
	isValidSignature := abi.NewMethod("isValidSignature", "isValidSignature", abi.Function, "view", false, false,
		abi.Arguments{{Name: "hash", Type: typ("bytes32")}, {Name: "signature", Type: typ("bytes")}},
		abi.Arguments{{Type: typ("bytes4")}})
	if !bytes.Equal(isValidSignature.ID, erc1271Magic[:]) {
		t.Fatalf("selector of isValidSignature(bytes32,bytes) = %x, want %x", isValidSignature.ID, erc1271Magic)
	}
	constructor := abi.Arguments{{Type: typ("address")}, {Type: typ("bytes32")}, {Type: typ("bytes")}}

	signer := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	hash := [32]byte{0x01, 0x02, 31: 0xff}
	code := []byte{0x60, 0x80, 0x60, 0x40}
	for _, n := range []int{0, 1, 31, 32, 33, 64, 65, 66, 200} {
		sig := make([]byte, n)
		for i := range sig {
			sig[i] = byte(i + 1)
		}
		args, err := isValidSignature.Inputs.Pack(hash, sig)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := encodeIsValidSignature(hash, sig), append(append([]byte{}, isValidSignature.ID...), args...); !bytes.Equal(got, want) {
			t.Fatalf("encodeIsValidSignature, %d-byte signature:\n got %x\nwant %x", n, got, want)
		}
		args, err = constructor.Pack(signer, hash, sig)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := encodeValidatorCall(code, signer, hash, sig), append(append([]byte{}, code...), args...); !bytes.Equal(got, want) {
			t.Fatalf("encodeValidatorCall, %d-byte signature:\n got %x\nwant %x", n, got, want)
		}
	}
}

func TestIsERC1271Magic(t *testing.T) {
	magic := make([]byte, 32)
	copy(magic, erc1271Magic[:])
	dirty := bytes.Clone(magic)
	dirty[31] = 1
	rightAligned := make([]byte, 32)
	copy(rightAligned[28:], erc1271Magic[:])
	for _, tc := range []struct {
		name string
		out  []byte
		want bool
	}{
		{"magic", magic, true},
		{"magic then more", append(bytes.Clone(magic), make([]byte, 32)...), true},
		{"empty", nil, false},
		{"bare bytes4", erc1271Magic[:], false},
		{"31 bytes", magic[:31], false},
		{"dirty padding", dirty, false},
		{"right-aligned", rightAligned, false},
		{"failure value", append([]byte{0xff, 0xff, 0xff, 0xff}, make([]byte, 28)...), false},
	} {
		if got := isERC1271Magic(tc.out); got != tc.want {
			t.Errorf("%s: isERC1271Magic(%x) = %v, want %v", tc.name, tc.out, got, tc.want)
		}
	}
}

// The embedded validator is creation code, not runtime code or garbage.
func TestValidatorBytecode(t *testing.T) {
	// Solidity creation code starts by setting the free memory pointer:
	// PUSH1 0x80 ... PUSH1 0x40 MSTORE (the IR pipeline may DUP1 between).
	// TestSignatureValidator runs it.
	if !bytes.HasPrefix(signatureValidator, []byte{0x60, 0x80}) || !bytes.Contains(signatureValidator[:8], []byte{0x60, 0x40, 0x52}) || len(signatureValidator) < 500 {
		t.Fatalf("SignatureValidator.bin does not look like Solidity creation code (%d bytes)", len(signatureValidator))
	}
}
