// SPDX-License-Identifier: UNLICENSED
//
// SignatureValidator checks one signature in a single eth_call without "to",
// and deploys nothing: package evm sends this contract's creation code
// (SignatureValidator.bin, compiled by scripts/solc-fixtures.sh) followed by
// the ABI-encoded constructor arguments (signer, hash, signature). The
// constructor runs the check and, instead of returning runtime code, returns
// one byte: 0x01 when the signature is valid, 0x00 when it is not. A
// malformed ERC-6492 wrapper makes abi.decode revert, which package evm also
// reads as "not valid".
//
// Written from the Specification section of ERC-6492 (Signature Validation
// for Predeploy Contracts, https://eips.ethereum.org/EIPS/eip-6492), which
// fixes the order of the checks:
//
//   1. A signature ending with the ERC-6492 magic bytes is a wrapper
//      abi.encode(address factory, bytes factoryCalldata, bytes inner). If
//      the signer has no code, call factory with factoryCalldata (which
//      should deploy it) and ask the signer with ERC-1271 about inner. If
//      the signer already has code, ask it first; if it says no, the call
//      may be one that prepares the wallet (a migration), so make it and
//      ask again.
//   2. Otherwise, a signer with code decides with ERC-1271 on the whole
//      signature.
//   3. Otherwise, the signature is a 65-byte ECDSA signature r ‖ s ‖ v of
//      the signer's key.
//
// Whatever the factory call deploys or changes exists only inside the
// eth_call.
pragma solidity 0.8.30;

/// IERC1271 is the interface of ERC-1271 (https://eips.ethereum.org/EIPS/eip-1271).
interface IERC1271 {
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4 magicValue);
}

contract SignatureValidator {
    /// ERC6492_MAGIC is the magicBytes suffix of ERC-6492's wrapper format, as the ERC defines it.
    bytes32 private constant ERC6492_MAGIC = 0x6492649264926492649264926492649264926492649264926492649264926492;

    /// ERC1271_MAGIC is what isValidSignature returns for a signature it accepts, per ERC-1271:
    /// the selector of isValidSignature(bytes32,bytes).
    bytes4 private constant ERC1271_MAGIC = 0x1626ba7e;

    constructor(address signer, bytes32 hash, bytes memory signature) {
        bool valid = isValid(signer, hash, signature);
        assembly ("memory-safe") {
            mstore(0x00, valid)
            return(0x1f, 1) // the last byte of the word: 0x01 or 0x00
        }
    }

    /// isValid applies the three rules, in the ERC's order.
    function isValid(address signer, bytes32 hash, bytes memory signature) private returns (bool) {
        if (endsWithMagic(signature)) {
            (address factory, bytes memory factoryCalldata, bytes memory inner) =
                abi.decode(dropMagic(signature), (address, bytes, bytes));
            if (signer.code.length == 0) {
                // A factory that fails, or deploys elsewhere, leaves the signer
                // without code, and asking a codeless address yields no answer:
                // not valid either way.
                (bool deployed,) = factory.call(factoryCalldata);
                return deployed && erc1271(signer, hash, inner);
            }
            if (erc1271(signer, hash, inner)) {
                return true;
            }
            // A prepare call that fails changed nothing, so asking again would
            // give the same "no".
            (bool prepared,) = factory.call(factoryCalldata);
            return prepared && erc1271(signer, hash, inner);
        }
        if (signer.code.length != 0) {
            return erc1271(signer, hash, signature);
        }
        return ecdsa(signer, hash, signature);
    }

    /// erc1271 asks signer whether signature is its signature of hash. Only
    /// the magic value in a full return word is a yes: a revert, no code,
    /// short return data, or any other value is a no.
    function erc1271(address signer, bytes32 hash, bytes memory signature) private view returns (bool) {
        (bool ok, bytes memory answer) =
            signer.staticcall(abi.encodeCall(IERC1271.isValidSignature, (hash, signature)));
        return ok && answer.length >= 32 && bytes32(answer) == bytes32(ERC1271_MAGIC);
    }

    /// ecdsa reports whether signature, r ‖ s ‖ v with v 27 or 28, recovers
    /// to signer. ecrecover answers address(0) for a signature it cannot
    /// recover, so the zero address never has a valid signature.
    function ecdsa(address signer, bytes32 hash, bytes memory signature) private pure returns (bool) {
        if (signature.length != 65 || signer == address(0)) {
            return false;
        }
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly ("memory-safe") {
            r := mload(add(signature, 0x20))
            s := mload(add(signature, 0x40))
            v := byte(0, mload(add(signature, 0x60)))
        }
        if (v != 27 && v != 28) {
            return false;
        }
        return ecrecover(hash, v, r, s) == signer;
    }

    /// endsWithMagic reports whether the last 32 bytes of signature are ERC6492_MAGIC.
    function endsWithMagic(bytes memory signature) private pure returns (bool) {
        if (signature.length < 32) {
            return false;
        }
        bytes32 tail;
        assembly ("memory-safe") {
            // The content starts one word after the length word, so its last
            // word starts signature.length bytes after the length word.
            tail := mload(add(signature, mload(signature)))
        }
        return tail == ERC6492_MAGIC;
    }

    /// dropMagic shortens signature in place by its 32-byte suffix and
    /// returns it: the wrapper is only decoded once, so sharing its memory
    /// costs nothing.
    function dropMagic(bytes memory signature) private pure returns (bytes memory) {
        assembly ("memory-safe") {
            mstore(signature, sub(mload(signature), 32))
        }
        return signature;
    }
}
