// Package evmtest runs a real Ethereum node inside the test process, for
// tests of what talks to an Ethereum JSON-RPC endpoint (ETH_RPC_URL):
// go-ethereum's dev chain sealed on demand by its simulated beacon,
// assembled from the same parts as ethclient/simulated.NewBackend (which
// keeps its node private), so that the node's own JSON-RPC handler can be
// served over HTTP on 127.0.0.1. Code under test talks to URL exactly as it
// talks to an RPC provider in production; the test deploys and inspects
// contracts through an in-process client.
//
// It also carries the Solidity test fixtures (testdata/TestWallet.sol,
// compiled by scripts/solc-fixtures.sh): TestWallet, a minimal ERC-1271
// smart-contract wallet with one owner key, and TestWalletFactory, which
// deploys it with CREATE2 so a wallet's address is known before it exists
// (the counterfactual wallets of ERC-6492); and TestPreparedWallet, which
// accepts signatures only after a prepare call (ERC-6492's "prepare" case).
//
// Only tests may import it, and the test-only devchain command (cmd/devchain,
// which serves a chain with a TestWallet to the browser tests): it links
// go-ethereum, which no product binary does.
package evmtest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"embed"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/catalyst"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
)

// DevChainID is the chain id of go-ethereum's dev chain (and of the
// simulated backend), the chain Start runs.
const DevChainID int64 = 1337

// Chain is a running in-process node with one funded account, which sends
// every transaction the test asks for. A Chain is used from one test
// goroutine at a time.
type Chain struct {
	url     string
	chainID *big.Int
	client  *ethclient.Client
	beacon  *catalyst.SimulatedBeacon
	funder  *ecdsa.PrivateKey
	// factory is the TestWalletFactory, deployed by the first wallet
	// method that needs it.
	factory *common.Address
	// stops shuts down what Run started, in the order it started them.
	stops []func()
}

// Start runs a fresh chain of DevChainID for the test and stops it when
// the test ends.
func Start(t testing.TB) *Chain {
	t.Helper()
	c, err := Run(DevChainID)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// URL is the chain's JSON-RPC endpoint over HTTP, what ETH_RPC_URL would
// name.
func (c *Chain) URL() string { return c.url }

// ChainID is the EIP-155 id of the chain the RPC serves.
func (c *Chain) ChainID() int64 { return c.chainID.Int64() }

// Send signs a transaction from the funded account, seals it into a block
// and returns its receipt, failing the test unless it succeeded. A nil to
// creates a contract from data.
func (c *Chain) Send(t testing.TB, to *common.Address, data []byte) *types.Receipt {
	t.Helper()
	receipt, err := c.send(context.Background(), to, data)
	if err != nil {
		t.Fatal(err)
	}
	return receipt
}

// Deploy creates a contract from its creation code and returns its
// address.
func (c *Chain) Deploy(t testing.TB, code []byte) common.Address {
	t.Helper()
	addr := c.Send(t, nil, code).ContractAddress
	if len(c.Code(t, addr)) == 0 {
		t.Fatalf("evmtest: no code at the deployed address")
	}
	return addr
}

// Code returns the code at addr at the latest block.
func (c *Chain) Code(t testing.TB, addr common.Address) []byte {
	t.Helper()
	code, err := c.client.CodeAt(context.Background(), addr, nil)
	if err != nil {
		t.Fatalf("evmtest: code: %v", err)
	}
	return code
}

// CallRevertCode runs eth_call and returns the JSON-RPC error code of its
// failure, failing the test when the call does not fail: it proves that a
// case meant to revert really reverts on the EVM.
func (c *Chain) CallRevertCode(t testing.TB, to common.Address, data []byte) int {
	t.Helper()
	_, err := c.client.CallContract(context.Background(), ethereum.CallMsg{To: &to, Data: data}, nil)
	var rpcErr rpc.Error
	if !errors.As(err, &rpcErr) {
		t.Fatalf("evmtest: eth_call error = %v, want a json-rpc error", err)
	}
	return rpcErr.ErrorCode()
}

// WalletFactory returns the address of the chain's TestWalletFactory,
// deploying it on first use.
func (c *Chain) WalletFactory(t testing.TB) common.Address {
	t.Helper()
	if c.factory == nil {
		addr := c.Deploy(t, Load(t, "TestWalletFactory").Code)
		c.factory = &addr
	}
	return *c.factory
}

// WalletAddress is the CREATE2 address at which the factory deploys the
// TestWallet of owner with salt, whether it is deployed yet or not.
func (c *Chain) WalletAddress(t testing.TB, owner common.Address, salt [32]byte) common.Address {
	t.Helper()
	return crypto.CreateAddress2(c.WalletFactory(t), salt, crypto.Keccak256(Load(t, "TestWallet").InitCode(t, owner)))
}

// WalletDeployCall is the factory calldata that deploys the TestWallet of
// owner with salt: what an ERC-6492 signature of a counterfactual wallet
// carries.
func (c *Chain) WalletDeployCall(t testing.TB, owner common.Address, salt [32]byte) []byte {
	t.Helper()
	return Load(t, "TestWalletFactory").Pack(t, "deploy", owner, salt)
}

// DeployWallet deploys the TestWallet of owner with salt through the
// factory and returns its address, failing the test unless the wallet's
// code is there.
func (c *Chain) DeployWallet(t testing.TB, owner common.Address, salt [32]byte) common.Address {
	t.Helper()
	factory, addr := c.WalletFactory(t), c.WalletAddress(t, owner, salt)
	c.Send(t, &factory, c.WalletDeployCall(t, owner, salt))
	if len(c.Code(t, addr)) == 0 {
		t.Fatalf("evmtest: the factory did not deploy the wallet at its CREATE2 address")
	}
	return addr
}

// fixtures are the compiled contracts of testdata/TestWallet.sol.
//
//go:embed testdata/*.bin testdata/*.abi
var fixtures embed.FS

// Contract is a compiled test fixture (see scripts/solc-fixtures.sh).
type Contract struct {
	Code []byte
	ABI  abi.ABI
}

// Load returns the compiled fixture name: "TestWallet",
// "TestWalletFactory" or "TestPreparedWallet".
func Load(t testing.TB, name string) Contract {
	t.Helper()
	k, err := load(name)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Pack ABI-encodes a call of method, failing the test on a bad argument.
func (k Contract) Pack(t testing.TB, method string, args ...any) []byte {
	t.Helper()
	data, err := k.ABI.Pack(method, args...)
	if err != nil {
		t.Fatalf("evmtest: pack %s: %v", method, err)
	}
	return data
}

// InitCode is the creation code of a constructor call: code followed by
// the ABI-encoded arguments.
func (k Contract) InitCode(t testing.TB, args ...any) []byte {
	t.Helper()
	enc, err := k.ABI.Pack("", args...)
	if err != nil {
		t.Fatalf("evmtest: pack constructor: %v", err)
	}
	return append(append([]byte{}, k.Code...), enc...)
}

// NewKey returns a fresh secp256k1 key.
func NewKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// Address is the account address of key.
func Address(key *ecdsa.PrivateKey) common.Address {
	return crypto.PubkeyToAddress(key.PublicKey)
}

// Sign is what a wallet's owner key produces for a 32-byte digest, and
// what TestWallet's isValidSignature accepts: r ‖ s ‖ v with v as 27 or 28.
func Sign(t testing.TB, key *ecdsa.PrivateKey, hash [32]byte) []byte {
	t.Helper()
	sig, err := crypto.Sign(hash[:], key)
	if err != nil {
		t.Fatal(err)
	}
	sig[64] += 27
	return sig
}

// erc6492Magic is the magicBytes an ERC-6492 signature ends with, as the
// ERC writes them: independent of the product's copy.
var erc6492Magic = bytes.Repeat([]byte{0x64, 0x92}, 16)

// ERC6492 wraps an inner signature the way a wallet that is not deployed
// yet does (ERC-6492, "Signer side"): abi.encode(factory, factoryCalldata,
// signature) followed by the magic suffix. It uses go-ethereum's ABI
// encoder, not the product's.
func ERC6492(t testing.TB, factory common.Address, factoryCalldata, inner []byte) []byte {
	t.Helper()
	mustType := func(s string) abi.Type {
		typ, err := abi.NewType(s, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		return typ
	}
	args := abi.Arguments{{Type: mustType("address")}, {Type: mustType("bytes")}, {Type: mustType("bytes")}}
	enc, err := args.Pack(factory, factoryCalldata, inner)
	if err != nil {
		t.Fatalf("evmtest: erc-6492: %v", err)
	}
	return append(enc, erc6492Magic...)
}
