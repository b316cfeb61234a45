package evmtest

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/http/httptest"
	"strings"

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
)

// Run starts a fresh chain whose EIP-155 id is chainID, outside any test:
// for the devchain command, which serves one to other processes (a test
// calls Start). The chain is go-ethereum's dev chain under another id when
// chainID is not DevChainID, so that it can stand in for the chain a
// program under test is configured for. The caller must Close it.
func Run(chainID int64) (c *Chain, err error) {
	if chainID <= 0 {
		return nil, fmt.Errorf("evmtest: chain id %d is not positive", chainID)
	}
	funder, err := crypto.GenerateKey()
	if err != nil {
		return nil, fmt.Errorf("evmtest: funder key: %w", err)
	}
	c = &Chain{chainID: big.NewInt(chainID), funder: funder}
	defer func() {
		if err != nil {
			c.Close()
		}
	}()

	alloc := core.SystemContractAllocs()
	alloc[crypto.PubkeyToAddress(funder.PublicKey)] = types.Account{Balance: new(big.Int).Mul(big.NewInt(1000), big.NewInt(params.Ether))}
	chainConf := *params.AllDevChainProtocolChanges
	chainConf.ChainID = big.NewInt(chainID)

	nodeConf := node.DefaultConfig
	nodeConf.DataDir = "" // in memory
	nodeConf.P2P = p2p.Config{NoDiscovery: true}
	ethConf := ethconfig.Defaults
	ethConf.Genesis = &core.Genesis{
		Config:   &chainConf,
		GasLimit: ethconfig.Defaults.Miner.GasCeil,
		Alloc:    alloc,
	}
	ethConf.SyncMode = ethconfig.FullSync
	ethConf.TxPool.NoLocals = true

	stack, err := node.New(&nodeConf)
	if err != nil {
		return c, fmt.Errorf("evmtest: node: %w", err)
	}
	c.stops = append(c.stops, func() { _ = stack.Close() })
	backend, err := eth.New(stack, &ethConf)
	if err != nil {
		return c, fmt.Errorf("evmtest: eth: %w", err)
	}
	if err := stack.Start(); err != nil {
		return c, fmt.Errorf("evmtest: start node: %w", err)
	}
	beacon, err := catalyst.NewSimulatedBeacon(0, common.Address{}, backend)
	if err != nil {
		return c, fmt.Errorf("evmtest: beacon: %w", err)
	}
	c.beacon = beacon
	c.stops = append(c.stops, func() { _ = beacon.Stop() })
	if err := beacon.Fork(backend.BlockChain().GetCanonicalHash(0)); err != nil {
		return c, fmt.Errorf("evmtest: beacon: %w", err)
	}
	handler, err := stack.RPCHandler()
	if err != nil {
		return c, fmt.Errorf("evmtest: rpc handler: %w", err)
	}
	srv := httptest.NewServer(handler) // listens on 127.0.0.1
	c.url = srv.URL
	c.stops = append(c.stops, srv.Close)
	c.client = ethclient.NewClient(stack.Attach())
	c.stops = append(c.stops, c.client.Close)
	if id, err := c.client.ChainID(context.Background()); err != nil || id.Int64() != chainID {
		return c, fmt.Errorf("evmtest: chain id = %v, %v; want %d", id, err, chainID)
	}
	return c, nil
}

// Close stops the chain's HTTP server and node; the chain is unusable
// afterwards.
func (c *Chain) Close() {
	for i := len(c.stops) - 1; i >= 0; i-- {
		c.stops[i]()
	}
	c.stops = nil
}

// DeployTestWallet deploys a TestWallet of owner directly (not through the
// factory) and returns its address: an ERC-1271 wallet that accepts the
// owner key's signatures.
func (c *Chain) DeployTestWallet(ctx context.Context, owner common.Address) (common.Address, error) {
	k, err := load("TestWallet")
	if err != nil {
		return common.Address{}, err
	}
	args, err := k.ABI.Pack("", owner)
	if err != nil {
		return common.Address{}, fmt.Errorf("evmtest: pack constructor: %w", err)
	}
	receipt, err := c.send(ctx, nil, append(append([]byte{}, k.Code...), args...))
	if err != nil {
		return common.Address{}, err
	}
	code, err := c.client.CodeAt(ctx, receipt.ContractAddress, nil)
	if err != nil {
		return common.Address{}, fmt.Errorf("evmtest: code: %w", err)
	}
	if len(code) == 0 {
		return common.Address{}, errors.New("evmtest: no code at the deployed address")
	}
	return receipt.ContractAddress, nil
}

// send signs a transaction from the funded account, seals it into a block
// and returns its receipt; a transaction that did not succeed is an error.
// A nil to creates a contract from data.
func (c *Chain) send(ctx context.Context, to *common.Address, data []byte) (*types.Receipt, error) {
	from := crypto.PubkeyToAddress(c.funder.PublicKey)
	nonce, err := c.client.PendingNonceAt(ctx, from)
	if err != nil {
		return nil, fmt.Errorf("evmtest: nonce: %w", err)
	}
	tx, err := types.SignNewTx(c.funder, types.LatestSignerForChainID(c.chainID), &types.DynamicFeeTx{
		ChainID:   c.chainID,
		Nonce:     nonce,
		GasTipCap: big.NewInt(params.GWei),
		GasFeeCap: big.NewInt(100 * params.GWei),
		Gas:       5_000_000,
		To:        to,
		Data:      data,
	})
	if err != nil {
		return nil, fmt.Errorf("evmtest: sign: %w", err)
	}
	if err := c.client.SendTransaction(ctx, tx); err != nil {
		return nil, fmt.Errorf("evmtest: send: %w", err)
	}
	c.beacon.Commit()
	receipt, err := c.client.TransactionReceipt(ctx, tx.Hash())
	if err != nil {
		return nil, fmt.Errorf("evmtest: receipt: %w", err)
	}
	if receipt.Status != types.ReceiptStatusSuccessful {
		return nil, fmt.Errorf("evmtest: transaction failed: %+v", receipt)
	}
	return receipt, nil
}

// load reads the compiled fixture name (see Load).
func load(name string) (Contract, error) {
	bin, err := fixtures.ReadFile("testdata/" + name + ".bin")
	if err != nil {
		return Contract{}, fmt.Errorf("evmtest: %w", err)
	}
	code, err := hex.DecodeString(strings.TrimSpace(string(bin)))
	if err != nil {
		return Contract{}, fmt.Errorf("evmtest: %s.bin: %w", name, err)
	}
	abiJSON, err := fixtures.ReadFile("testdata/" + name + ".abi")
	if err != nil {
		return Contract{}, fmt.Errorf("evmtest: %w", err)
	}
	parsed, err := abi.JSON(bytes.NewReader(abiJSON))
	if err != nil {
		return Contract{}, fmt.Errorf("evmtest: %s.abi: %w", name, err)
	}
	return Contract{Code: code, ABI: parsed}, nil
}
