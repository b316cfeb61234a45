// SPDX-License-Identifier: MIT
//
// Test fixtures of package evmtest, compiled by scripts/solc-fixtures.sh
// into the .bin (creation bytecode) and .abi files next to this one. They are
// the smallest contracts that exercise the three paths of evm.Verifier on a
// real EVM; they are not wallets anyone should use.
pragma solidity 0.8.30;

/// TestWallet is a minimal ERC-1271 smart-contract wallet with one owner
/// key: a signature is the wallet's when it is the owner's ECDSA signature
/// (r ‖ s ‖ v, 65 bytes) of the hash.
contract TestWallet {
    bytes4 internal constant ERC1271_MAGIC = 0x1626ba7e;

    address public immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    /// isValidSignature returns the ERC-1271 magic value when the owner
    /// signed hash, 0xffffffff for any other signer, and reverts on a
    /// signature that is not 65 bytes long (as OpenZeppelin's ECDSA does),
    /// which gives the tests a real revert to meet.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        require(signature.length == 65, "TestWallet: bad signature length");
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        address signer = ecrecover(hash, v, r, s);
        if (signer != address(0) && signer == owner) {
            return ERC1271_MAGIC;
        }
        return 0xffffffff;
    }
}

/// TestWalletFactory deploys TestWallets with CREATE2, so a wallet's address
/// is known before it exists: the counterfactual wallets of ERC-6492.
contract TestWalletFactory {
    /// deploy creates the wallet of owner at the CREATE2 address given by
    /// this factory, salt and TestWallet's init code with owner appended.
    function deploy(address owner, bytes32 salt) external returns (address) {
        return address(new TestWallet{salt: salt}(owner));
    }
}

/// TestPreparedWallet is a wallet deployed but not yet ready to verify: it
/// accepts its owner's signatures (as TestWallet does) only once prepare has
/// been called. It is the "prepare" case of ERC-6492, where a wrapped
/// signature carries the call that makes a deployed wallet ready.
contract TestPreparedWallet {
    bytes4 internal constant ERC1271_MAGIC = 0x1626ba7e;

    address public immutable owner;
    bool public prepared;

    constructor(address owner_) {
        owner = owner_;
    }

    /// prepare makes the wallet ready; anyone may call it.
    function prepare() external {
        prepared = true;
    }

    /// isValidSignature returns the ERC-1271 magic value when the wallet is
    /// prepared and the owner signed hash (r ‖ s ‖ v, 65 bytes), and
    /// 0xffffffff otherwise.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (!prepared || signature.length != 65) {
            return 0xffffffff;
        }
        address signer = ecrecover(hash, uint8(signature[64]), bytes32(signature[0:32]), bytes32(signature[32:64]));
        if (signer != address(0) && signer == owner) {
            return ERC1271_MAGIC;
        }
        return 0xffffffff;
    }
}
