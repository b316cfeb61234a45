package evm_test

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"math/big"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth"
	"github.com/ethereum/go-ethereum/eth/catalyst"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
)

// chain is a real Ethereum node running in the test process: go-ethereum's
// dev chain sealed on demand by its simulated beacon, assembled from the
// same parts as ethclient/simulated.NewBackend (which keeps its node
// private), so that the node's own JSON-RPC handler can be served over
// HTTP on 127.0.0.1. The Verifier under test talks to URL exactly as it
// talks to ETH_RPC_URL in production; the test itself deploys and inspects
// contracts through an in-process client.
type chain struct {
	t       *testing.T
	URL     string
	ChainID *big.Int
	client  *ethclient.Client
	beacon  *catalyst.SimulatedBeacon
	funder  *ecdsa.PrivateKey
}

// devChainID is the chain id of go-ethereum's dev chain (and of the
// simulated backend).
const devChainID = 1337

func startChain(t *testing.T) *chain {
	t.Helper()
	funder := newKey(t)
	alloc := core.SystemContractAllocs()
	alloc[crypto.PubkeyToAddress(funder.PublicKey)] = types.Account{Balance: new(big.Int).Mul(big.NewInt(1000), big.NewInt(params.Ether))}

	nodeConf := node.DefaultConfig
	nodeConf.DataDir = "" // in memory
	nodeConf.P2P = p2p.Config{NoDiscovery: true}
	ethConf := ethconfig.Defaults
	ethConf.Genesis = &core.Genesis{
		Config:   params.AllDevChainProtocolChanges,
		GasLimit: ethconfig.Defaults.Miner.GasCeil,
		Alloc:    alloc,
	}
	ethConf.SyncMode = ethconfig.FullSync
	ethConf.TxPool.NoLocals = true

	stack, err := node.New(&nodeConf)
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	backend, err := eth.New(stack, &ethConf)
	if err != nil {
		t.Fatalf("eth: %v", err)
	}
	if err := stack.Start(); err != nil {
		t.Fatalf("start node: %v", err)
	}
	t.Cleanup(func() { _ = stack.Close() })
	beacon, err := catalyst.NewSimulatedBeacon(0, common.Address{}, backend)
	if err != nil {
		t.Fatalf("beacon: %v", err)
	}
	t.Cleanup(func() { _ = beacon.Stop() })
	if err := beacon.Fork(backend.BlockChain().GetCanonicalHash(0)); err != nil {
		t.Fatalf("beacon: %v", err)
	}
	handler, err := stack.RPCHandler()
	if err != nil {
		t.Fatalf("rpc handler: %v", err)
	}
	srv := httptest.NewServer(handler) // listens on 127.0.0.1
	t.Cleanup(srv.Close)
	client := ethclient.NewClient(stack.Attach())
	t.Cleanup(client.Close)
	c := &chain{t: t, URL: srv.URL, ChainID: big.NewInt(devChainID), client: client, beacon: beacon, funder: funder}
	if id, err := client.ChainID(context.Background()); err != nil || id.Int64() != devChainID {
		t.Fatalf("chain id = %v, %v; want %d", id, err, devChainID)
	}
	return c
}

// send signs a transaction from the funded account, seals it into a block
// and returns its receipt, failing the test unless it succeeded.
func (c *chain) send(to *common.Address, data []byte) *types.Receipt {
	c.t.Helper()
	ctx := context.Background()
	from := crypto.PubkeyToAddress(c.funder.PublicKey)
	nonce, err := c.client.PendingNonceAt(ctx, from)
	if err != nil {
		c.t.Fatalf("nonce: %v", err)
	}
	tx := types.MustSignNewTx(c.funder, types.LatestSignerForChainID(c.ChainID), &types.DynamicFeeTx{
		ChainID:   c.ChainID,
		Nonce:     nonce,
		GasTipCap: big.NewInt(params.GWei),
		GasFeeCap: big.NewInt(100 * params.GWei),
		Gas:       5_000_000,
		To:        to,
		Data:      data,
	})
	if err := c.client.SendTransaction(ctx, tx); err != nil {
		c.t.Fatalf("send: %v", err)
	}
	c.beacon.Commit()
	receipt, err := c.client.TransactionReceipt(ctx, tx.Hash())
	if err != nil {
		c.t.Fatalf("receipt: %v", err)
	}
	if receipt.Status != types.ReceiptStatusSuccessful {
		c.t.Fatalf("transaction failed: %+v", receipt)
	}
	return receipt
}

// deploy creates a contract from its creation code and returns its address.
func (c *chain) deploy(code []byte) common.Address {
	c.t.Helper()
	addr := c.send(nil, code).ContractAddress
	if len(c.code(addr)) == 0 {
		c.t.Fatalf("no code at the deployed address")
	}
	return addr
}

// code returns the code at addr at the latest block.
func (c *chain) code(addr common.Address) []byte {
	c.t.Helper()
	code, err := c.client.CodeAt(context.Background(), addr, nil)
	if err != nil {
		c.t.Fatalf("code: %v", err)
	}
	return code
}

// callRevertCode runs eth_call and returns the JSON-RPC error code of its
// failure, failing the test when the call does not fail: it proves that a
// case meant to revert really reverts on the EVM.
func (c *chain) callRevertCode(to common.Address, data []byte) int {
	c.t.Helper()
	_, err := c.client.CallContract(context.Background(), ethereum.CallMsg{To: &to, Data: data}, nil)
	var rpcErr rpc.Error
	if !errors.As(err, &rpcErr) {
		c.t.Fatalf("eth_call error = %v, want a json-rpc error", err)
	}
	return rpcErr.ErrorCode()
}

// contract is a compiled test fixture from testdata/ (see
// scripts/solc-fixtures.sh).
type contract struct {
	Code []byte
	ABI  abi.ABI
}

func loadContract(t *testing.T, name string) contract {
	t.Helper()
	bin, err := os.ReadFile(filepath.Join("testdata", name+".bin"))
	if err != nil {
		t.Fatal(err)
	}
	code, err := hex.DecodeString(strings.TrimSpace(string(bin)))
	if err != nil {
		t.Fatalf("%s.bin: %v", name, err)
	}
	f, err := os.Open(filepath.Join("testdata", name+".abi"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	parsed, err := abi.JSON(f)
	if err != nil {
		t.Fatalf("%s.abi: %v", name, err)
	}
	return contract{Code: code, ABI: parsed}
}

// pack ABI-encodes a call of method, failing the test on a bad argument.
func (k contract) pack(t *testing.T, method string, args ...any) []byte {
	t.Helper()
	data, err := k.ABI.Pack(method, args...)
	if err != nil {
		t.Fatalf("pack %s: %v", method, err)
	}
	return data
}

// initCode is the creation code of a constructor call: code followed by
// the ABI-encoded arguments.
func (k contract) initCode(t *testing.T, args ...any) []byte {
	t.Helper()
	enc, err := k.ABI.Pack("", args...)
	if err != nil {
		t.Fatalf("pack constructor: %v", err)
	}
	return append(append([]byte{}, k.Code...), enc...)
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// sign is what a wallet's owner key produces for a 32-byte digest: r ‖ s ‖
// v with v as 27 or 28.
func sign(t *testing.T, key *ecdsa.PrivateKey, hash [32]byte) []byte {
	t.Helper()
	sig, err := crypto.Sign(hash[:], key)
	if err != nil {
		t.Fatal(err)
	}
	sig[64] += 27
	return sig
}
