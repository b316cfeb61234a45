// Command devchain serves the in-process Ethereum dev chain of package
// evmtest over JSON-RPC on a free loopback port, with one ERC-1271
// TestWallet deployed, for tests that drive whole binaries rather than
// packages: the browser tests start it next to `dashboard serve --demo`,
// with ETH_RPC_URL set to its URL and NFT_CHAIN naming its chain id, so
// that a member can add the smart-contract wallet and prove it by signing
// with the owner's key. It is test support and never shipped.
//
// Usage:
//
//	go run ./internal/evmtest/cmd/devchain -owner 0xADDRESS [-chain-id N]
//
// owner is the address whose key the wallet accepts signatures of (the
// key itself stays with the test's browser wallet); chain-id is the
// EIP-155 id the chain answers eth_chainId with (default 1337, the dev
// chain's), which must be the id of the chain the dashboard's challenges
// name, or it refuses the wallet's answer as another chain's.
//
// Once it serves, it prints one JSON line on stdout, and nothing else
// there:
//
//	{"url":"http://127.0.0.1:PORT","chainId":1337,"wallet":"0x…"}
//
// wallet being the TestWallet's address (EIP-55). It stops when its stdin
// closes or on SIGTERM or SIGINT, so a parent that dies takes it along:
// give it a pipe as stdin (with stdin at /dev/null it stops at once).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/ethereum/go-ethereum/common"

	"github.com/thebabesclub/dashboard/internal/evmtest"
	"github.com/thebabesclub/dashboard/internal/fakecmd"
)

func main() { fakecmd.Main("devchain", run) }

// started is the line printed once the chain serves.
type started struct {
	URL     string `json:"url"`
	ChainID int64  `json:"chainId"`
	Wallet  string `json:"wallet"`
}

// run serves the chain until ctx ends or stdin closes; the streams are
// parameters so that tests drive it in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("devchain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	owner := fs.String("owner", "", "address (0x + 40 hex) whose key the TestWallet accepts")
	chainID := fs.Int64("chain-id", evmtest.DevChainID, "EIP-155 chain id the chain answers with")
	if err := fakecmd.Parse(fs, args); err != nil {
		return err
	}
	if !common.IsHexAddress(*owner) || len(*owner) != 42 {
		return errors.New("-owner must be an address, 0x and 40 hex digits")
	}
	if *chainID <= 0 {
		return fmt.Errorf("-chain-id %d is not a chain id", *chainID)
	}

	chain, err := evmtest.Run(*chainID)
	if err != nil {
		return err
	}
	defer chain.Close()
	wallet, err := chain.DeployTestWallet(ctx, common.HexToAddress(*owner))
	if err != nil {
		return fmt.Errorf("deploy the wallet: %w", err)
	}
	line, err := json.Marshal(started{URL: chain.URL(), ChainID: chain.ChainID(), Wallet: wallet.Hex()})
	if err != nil {
		return fmt.Errorf("print the chain: %w", err)
	}
	return fakecmd.Announce(ctx, stdin, stdout, string(line))
}
