package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/thebabesclub/dashboard/evm"
	"github.com/thebabesclub/dashboard/internal/evmtest"
	"github.com/thebabesclub/dashboard/internal/fakecmd"
	"github.com/thebabesclub/dashboard/siwe"
)

// TestMain runs the command's main instead of the tests when the test
// binary is started as the command (see start).
func TestMain(m *testing.M) { fakecmd.TestMain(m, main) }

// sepolia is a chain id other than the dev chain's own, as the browser
// tests pass one that the dashboard's NFT_CHAIN can name.
const sepolia = 11155111

// command is the chain running as its own process.
type command struct {
	*fakecmd.Process
	line started
}

// start runs the test binary as the command with args and decodes the
// line it prints.
func start(t *testing.T, args ...string) *command {
	t.Helper()
	p := fakecmd.Start(t, args...)
	dec := json.NewDecoder(strings.NewReader(p.Line))
	dec.DisallowUnknownFields()
	var line started
	if err := dec.Decode(&line); err != nil || !strings.HasPrefix(line.URL, "http://127.0.0.1:") || !common.IsHexAddress(line.Wallet) {
		t.Fatalf("printed %q (%v), want one JSON line with the url, chainId and wallet", p.Line, err)
	}
	return &command{Process: p, line: line}
}

// wait waits for the command to exit and checks it exited cleanly and
// stopped serving.
func (c *command) wait(t *testing.T) {
	t.Helper()
	if err := c.Wait(); err != nil {
		t.Fatalf("devchain exited with %v, want 0", err)
	}
	v, err := evm.New(c.line.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.CheckSignature(context.Background(), c.line.ChainID, c.line.Wallet, [32]byte{}, make([]byte, 65)); err == nil {
		t.Error("still answering after it exited")
	}
}

// The wallet it deploys is an ERC-1271 wallet of the owner on the chain id
// asked for, as the dashboard's own verifier sees it: the owner's
// signature is the wallet's, another key's is not, and a challenge of
// another chain is refused. Closing stdin stops the command.
func TestServesAWalletOfTheOwnerUntilStdinCloses(t *testing.T) {
	owner, stranger := evmtest.NewKey(t), evmtest.NewKey(t)
	c := start(t, "-owner", evmtest.Address(owner).Hex(), "-chain-id", strconv.Itoa(sepolia))
	if c.line.ChainID != sepolia {
		t.Errorf("chainId %d, want %d", c.line.ChainID, sepolia)
	}
	if c.line.Wallet != common.HexToAddress(c.line.Wallet).Hex() || strings.EqualFold(c.line.Wallet, evmtest.Address(owner).Hex()) {
		t.Errorf("wallet %s: want the contract's EIP-55 address, not the owner's %s", c.line.Wallet, evmtest.Address(owner).Hex())
	}
	v, err := evm.New(c.line.URL)
	if err != nil {
		t.Fatal(err)
	}
	hash := [32]byte(siwe.PersonalHash("a message the wallet signs"))
	ctx := context.Background()
	if ok, err := v.CheckSignature(ctx, sepolia, c.line.Wallet, hash, evmtest.Sign(t, owner, hash)); !ok || err != nil {
		t.Errorf("the owner's signature: %v, %v; want the wallet's", ok, err)
	}
	if ok, err := v.CheckSignature(ctx, sepolia, c.line.Wallet, hash, evmtest.Sign(t, stranger, hash)); ok || err != nil {
		t.Errorf("another key's signature: %v, %v; want refused", ok, err)
	}
	if ok, err := v.CheckSignature(ctx, evmtest.DevChainID, c.line.Wallet, hash, evmtest.Sign(t, owner, hash)); ok || !errors.Is(err, evm.ErrWrongChain) {
		t.Errorf("a signature for another chain: %v, %v; want ErrWrongChain", ok, err)
	}

	if err := c.CloseStdin(); err != nil {
		t.Fatal(err)
	}
	c.wait(t)
}

// Without -chain-id it is the dev chain's own id.
func TestStopsOnSIGTERM(t *testing.T) {
	c := start(t, "-owner", evmtest.Address(evmtest.NewKey(t)).Hex())
	if c.line.ChainID != evmtest.DevChainID {
		t.Errorf("chainId %d, want %d", c.line.ChainID, evmtest.DevChainID)
	}
	if err := c.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	c.wait(t)
}

// Arguments it cannot serve as written fail the start, before any line is
// printed.
func TestRefusesBadArguments(t *testing.T) {
	owner := evmtest.Address(evmtest.NewKey(t)).Hex()
	for name, args := range map[string][]string{
		"no owner":          {},
		"owner not hex":     {"-owner", "0xnothex"},
		"owner without 0x":  {"-owner", strings.TrimPrefix(owner, "0x")},
		"owner too short":   {"-owner", owner[:40]},
		"chain id zero":     {"-owner", owner, "-chain-id", "0"},
		"chain id negative": {"-owner", owner, "-chain-id", "-5"},
		"stray argument":    {"-owner", owner, "extra"},
		"unknown flag":      {"-owner", owner, "-key", "0x01"},
	} {
		var out bytes.Buffer
		err := run(context.Background(), args, strings.NewReader(""), &out, io.Discard)
		if err == nil || out.Len() != 0 {
			t.Errorf("%s: err %v, printed %q; want an error and no line", name, err, out.String())
		}
	}
}
