package evm

import "encoding/binary"

// The package encodes exactly two ABI payloads by hand rather than link an
// ABI library. Both are a head of 32-byte words followed by one dynamic
// `bytes` tail; words are big-endian, an address is right-aligned (12 zero
// bytes, then its 20), and a bytes tail is its length as a word followed by
// its content padded with zeros to a multiple of 32:
//
//	isValidSignature(bytes32 hash, bytes signature), for ERC-1271:
//	  0x1626ba7e                          selector
//	  hash                                word 0
//	  0x40                                word 1: offset of the tail from word 0
//	  len(signature), signature, padding  tail
//
//	SignatureValidator creation code, then constructor(address signer, bytes32 hash, bytes signature):
//	  creation code
//	  signer                              word 0
//	  hash                                word 1
//	  0x60                                word 2: offset of the tail from word 0
//	  len(signature), signature, padding  tail

// erc1271Magic is the selector of isValidSignature(bytes32,bytes), which a
// wallet returns for a signature it accepts.
var erc1271Magic = [4]byte{0x16, 0x26, 0xba, 0x7e}

// encodeIsValidSignature returns the calldata of
// isValidSignature(hash, signature).
func encodeIsValidSignature(hash [32]byte, signature []byte) []byte {
	out := make([]byte, 0, 4+2*32+bytesTailSize(signature))
	out = append(out, erc1271Magic[:]...)
	out = append(out, hash[:]...)
	out = appendWord(out, 2*32)
	return appendBytesTail(out, signature)
}

// encodeValidatorCall returns code (a creation bytecode) followed by the
// constructor arguments (signer, hash, signature).
func encodeValidatorCall(code []byte, signer [20]byte, hash [32]byte, signature []byte) []byte {
	out := make([]byte, 0, len(code)+3*32+bytesTailSize(signature))
	out = append(out, code...)
	out = append(out, make([]byte, 12)...)
	out = append(out, signer[:]...)
	out = append(out, hash[:]...)
	out = appendWord(out, 3*32)
	return appendBytesTail(out, signature)
}

// isERC1271Magic reports whether out, the return data of isValidSignature,
// is the bytes4 magic value: a first word of 0x1626ba7e followed by 28
// zero bytes. Like OpenZeppelin's SignatureChecker it reads only the first
// word and wants the whole of it, so a contract returning anything else (a
// bool true, dirty padding, nothing) is not taken as approval.
func isERC1271Magic(out []byte) bool {
	if len(out) < 32 || [4]byte(out[:4]) != erc1271Magic {
		return false
	}
	for _, b := range out[4:32] {
		if b != 0 {
			return false
		}
	}
	return true
}

// bytesTailSize is the encoded size of b as a dynamic bytes value.
func bytesTailSize(b []byte) int {
	return 32 + (len(b)+31)/32*32
}

// appendWord appends n as a 32-byte big-endian word.
func appendWord(out []byte, n uint64) []byte {
	var w [32]byte
	binary.BigEndian.PutUint64(w[24:], n)
	return append(out, w[:]...)
}

// appendBytesTail appends b as a dynamic bytes value: its length, then its
// content padded with zeros to a multiple of 32 bytes.
func appendBytesTail(out, b []byte) []byte {
	out = appendWord(out, uint64(len(b)))
	out = append(out, b...)
	return append(out, make([]byte, (32-len(b)%32)%32)...)
}
