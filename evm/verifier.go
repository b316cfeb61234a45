// Package evm checks the signatures of smart-contract wallets for Sign-In
// with Ethereum (contract §10) by asking an Ethereum JSON-RPC endpoint
// (ETH_RPC_URL) to run the wallet's own code with eth_call.
//
// A wallet signature takes one of three paths:
//
//   - ecrecover: an ordinary account (EOA) signs with its key, and
//     recovering the signer from the signature gives the address. That path
//     is the caller's (package siwe does it, with no network); the caller
//     asks a Verifier only when recovery does not match the address.
//   - ERC-1271: a deployed contract wallet (Safe, Coinbase Smart Wallet, an
//     ERC-4337 account) decides itself: eth_call of
//     isValidSignature(hash, signature) on the wallet must return the magic
//     value 0x1626ba7e. An address without code answers with empty data,
//     which is "not valid".
//   - ERC-6492: a wallet that is not deployed yet wraps its signature with
//     the factory call that would deploy it, and ends it with a 32-byte
//     magic suffix. Such a signature goes to our ERC-6492 validator
//     (contracts/SignatureValidator.sol) in a single eth_call without "to":
//     the validator's creation code with (signer, hash, signature) as
//     constructor arguments deploys the wallet inside the call, asks it
//     with ERC-1271 and returns one byte, 0x01 for valid. Nothing is
//     written to the chain.
//
// A Verifier never answers true on a failure: a revert (the wallet or the
// validator refusing) is "not valid" (false, nil), and a timeout, transport
// failure, HTTP error or JSON-RPC error is an error whose chain holds an
// EUNAVAILABLE dashboard.Error, which the HTTP layer turns into a 503.
//
// The package speaks JSON-RPC with net/http and encoding/json and encodes
// its two calls by hand, so the Lambda binaries do not link go-ethereum;
// only its tests do, to run a real EVM in-process.
package evm

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// DefaultTimeout bounds one CheckSignature when Verifier.Timeout is zero: a
// member is waiting on the answer, and a node that takes longer is down for
// the purpose.
const DefaultTimeout = 5 * time.Second

// DefaultMaxResponseBytes bounds the body read from the RPC endpoint when
// Verifier.MaxResponseBytes is zero. The answers expected are a few hundred
// bytes; a revert may carry a wallet's error data, far below this.
const DefaultMaxResponseBytes = 1 << 20

// erc6492Suffix is the magicBytes an ERC-6492 signature ends with.
var erc6492Suffix = [32]byte{
	0x64, 0x92, 0x64, 0x92, 0x64, 0x92, 0x64, 0x92, 0x64, 0x92, 0x64, 0x92, 0x64, 0x92, 0x64, 0x92,
	0x64, 0x92, 0x64, 0x92, 0x64, 0x92, 0x64, 0x92, 0x64, 0x92, 0x64, 0x92, 0x64, 0x92, 0x64, 0x92,
}

// ERC6492Suffix returns the 32 magic bytes
// (0x6492649264926492649264926492649264926492649264926492649264926492) an
// ERC-6492 signature ends with; a copy, so no caller can change it.
func ERC6492Suffix() [32]byte { return erc6492Suffix }

// ErrWrongChain is in the chain of the error CheckSignature returns when the
// RPC endpoint serves another chain than the one the signature is for: a
// wallet at the same address on another chain may have other owners, or
// other code.
var ErrWrongChain = errors.New("the rpc endpoint serves another chain")

// signatureValidatorHex is the creation bytecode of our deployless ERC-6492
// validator, contracts/SignatureValidator.sol (written from the ERC's
// Specification section), compiled by scripts/solc-fixtures.sh with a
// pinned solc; `scripts/solc-fixtures.sh check`, part of `make test`,
// proves it matches the source.
//
//go:embed contracts/SignatureValidator.bin
var signatureValidatorHex string

// signatureValidator is signatureValidatorHex decoded once.
var signatureValidator = mustHex(strings.TrimSpace(signatureValidatorHex))

// mustHex decodes the embedded bytecode; a broken file is a defect of the
// build, so it stops the program at start-up rather than fail each check.
func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) == 0 {
		panic("evm: contracts/SignatureValidator.bin is not bytecode in hex")
	}
	return b
}

// Verifier checks smart-contract wallet signatures through one Ethereum
// JSON-RPC endpoint. Set its fields before the first call; it is then safe
// for concurrent use.
type Verifier struct {
	// Timeout bounds one CheckSignature, every round trip included; zero
	// means DefaultTimeout.
	Timeout time.Duration
	// MaxResponseBytes bounds each response body; zero means
	// DefaultMaxResponseBytes. A longer body is an error.
	MaxResponseBytes int64
	// HTTPClient sends the requests; nil means http.DefaultTransport. Its
	// redirect policy is replaced: a JSON-RPC POST is never redirected.
	HTTPClient *http.Client

	// url may carry an API key in its path or query (most hosted nodes put
	// it there), so it never appears in an error or a log line.
	url string

	clientOnce sync.Once
	client     *http.Client

	// chainID is the endpoint's chain, 0 until eth_chainId first answers.
	// A failed lookup is not remembered, so the next call tries again;
	// calls racing before the first answer each ask, which is harmless and
	// never makes one wait on another's slow request.
	chainID atomic.Int64

	requestID atomic.Uint64
}

// New returns a Verifier for the JSON-RPC endpoint rpcURL (http or https).
// The error never repeats the URL, which may hold a key.
func New(rpcURL string) (*Verifier, error) {
	u, err := url.Parse(rpcURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("evm: the rpc url must be an absolute http or https url")
	}
	return &Verifier{url: rpcURL}, nil
}

// CheckSignature reports whether signature is a valid signature of hash by
// the contract wallet at address (0x + 40 hex digits, any case) on chain
// chainID, through ERC-6492 when the signature ends with the ERC-6492 suffix and
// ERC-1271 otherwise (see the package documentation). hash is the digest
// the wallet signed: for SIWE, the EIP-191 personal_sign hash of the
// message (siwe.PersonalHash).
//
// It returns (false, nil) when the wallet says no, reverts, or has no code;
// an error when it cannot tell: the endpoint is slow, down, answers an
// error or serves another chain (ErrWrongChain). Such errors carry an
// EUNAVAILABLE dashboard.Error; a cancellation of ctx by the caller passes
// through as is. It never returns true together with an error.
func (v *Verifier) CheckSignature(ctx context.Context, chainID int64, address string, hash [32]byte, signature []byte) (bool, error) {
	signer, err := parseAddress(address)
	if err != nil {
		return false, err
	}
	timeout := v.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	if err := v.checkChain(ctx, chainID); err != nil {
		return false, err
	}
	if IsERC6492(signature) {
		out, reverted, err := v.call(ctx, nil, encodeValidatorCall(signatureValidator, signer, hash, signature))
		switch {
		case err != nil:
			return false, err
		case reverted:
			return false, nil
		case len(out) == 1 && out[0] == 1:
			return true, nil
		case len(out) == 1 && out[0] == 0:
			return false, nil
		}
		// The validator always returns exactly one byte: anything else
		// is an endpoint that did not run it.
		return false, unavailable("eth_call", fmt.Errorf("the erc-6492 validator returned %d bytes, not 1", len(out)))
	}
	out, reverted, err := v.call(ctx, &signer, encodeIsValidSignature(hash, signature))
	if err != nil || reverted {
		return false, err
	}
	return isERC1271Magic(out), nil
}

// IsERC6492 reports whether signature ends with the ERC-6492 suffix, the mark of
// a signature wrapped for a wallet that may not be deployed yet.
func IsERC6492(signature []byte) bool {
	return len(signature) >= len(erc6492Suffix) && bytes.Equal(signature[len(signature)-len(erc6492Suffix):], erc6492Suffix[:])
}

// checkChain compares chainID with the endpoint's eth_chainId, which it
// asks once per Verifier.
func (v *Verifier) checkChain(ctx context.Context, chainID int64) error {
	have := v.chainID.Load()
	if have == 0 {
		raw, err := v.rpc(ctx, "eth_chainId", []any{})
		if err != nil {
			return err
		}
		if have, err = parseQuantity(raw); err != nil {
			return unavailable("eth_chainId", err)
		}
		v.chainID.Store(have)
	}
	if have != chainID {
		return fmt.Errorf("evm: chain %d, rpc chain %d: %w: %w", chainID, have, &dashboard.Error{
			Code: dashboard.EUNAVAILABLE, Message: "Smart-contract wallets on this chain cannot be checked here.",
		}, ErrWrongChain)
	}
	return nil
}

// call runs eth_call at the latest block: a message call to *to, or a
// contract creation (the deployless ERC-6492 call) when to is nil. reverted
// is true when the EVM reverted, which is the contract's answer, not a
// failure.
func (v *Verifier) call(ctx context.Context, to *[20]byte, data []byte) (out []byte, reverted bool, err error) {
	tx := map[string]string{"data": "0x" + hex.EncodeToString(data)}
	if to != nil {
		tx["to"] = "0x" + hex.EncodeToString(to[:])
	}
	raw, err := v.rpc(ctx, "eth_call", []any{tx, "latest"})
	var rpcErr *rpcError
	if errors.As(err, &rpcErr) && rpcErr.reverted() {
		return nil, true, nil
	} else if err != nil {
		return nil, false, err
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, false, unavailable("eth_call", errors.New("the result is not a string"))
	}
	out, err = decodeHex(s)
	if err != nil {
		return nil, false, unavailable("eth_call", err)
	}
	return out, false, nil
}

// rpcError is a JSON-RPC error object. Its message and data come from the
// endpoint and may quote the call, so only the code reaches error strings.
type rpcError struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

func (e *rpcError) Error() string { return "json-rpc error " + strconv.Itoa(e.Code) }

// reverted reports whether the error is the EVM reverting: code 3 with the
// revert data is what geth, Erigon, Nethermind and the hosted nodes built
// on them send; some send code -32000 with the message "execution
// reverted" (an empty revert), which means the same.
func (e *rpcError) reverted() bool {
	return e.Code == 3 || strings.HasPrefix(strings.ToLower(e.Message), "execution reverted")
}

// rpc sends one JSON-RPC request and returns its result. Every failure is
// wrapped by unavailable, except a cancellation by the caller; a JSON-RPC
// error object is an *rpcError in the chain, so call can tell a revert.
func (v *Verifier) rpc(ctx context.Context, method string, params []any) (json.RawMessage, error) {
	id := v.requestID.Add(1)
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	if err != nil {
		return nil, fmt.Errorf("evm: %s: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("evm: %s: cannot build the request", method)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := v.httpClient().Do(req)
	if err != nil {
		return nil, v.transportError(ctx, method, err)
	}
	defer resp.Body.Close()
	limit := v.MaxResponseBytes
	if limit <= 0 {
		limit = DefaultMaxResponseBytes
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, v.transportError(ctx, method, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, unavailable(method, fmt.Errorf("http status %d", resp.StatusCode))
	}
	if int64(len(raw)) > limit {
		return nil, unavailable(method, fmt.Errorf("response longer than %d bytes", limit))
	}
	var r struct {
		ID     json.RawMessage `json:"id"`
		Result json.RawMessage `json:"result"`
		Error  *rpcError       `json:"error"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, unavailable(method, errors.New("the response is not a json-rpc response"))
	}
	if string(r.ID) != strconv.FormatUint(id, 10) {
		return nil, unavailable(method, errors.New("the response answers another request"))
	}
	if r.Error != nil {
		return nil, unavailable(method, r.Error)
	}
	if len(r.Result) == 0 || string(r.Result) == "null" {
		return nil, unavailable(method, errors.New("the response has no result"))
	}
	return r.Result, nil
}

// httpClient returns the client requests go through: HTTPClient's (or a
// default) with redirects refused and no timeout of its own, since the
// context carries the deadline.
func (v *Verifier) httpClient() *http.Client {
	v.clientOnce.Do(func() {
		c := http.Client{}
		if v.HTTPClient != nil {
			c = *v.HTTPClient
		}
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		v.client = &c
	})
	return v.client
}

// transportError describes a request that got no complete answer. The
// *url.Error net/http returns quotes the URL, which may hold a key, so only
// its cause is kept. The caller cancelling ctx is the caller's business
// and passes through; anything else, the deadline included, is the
// endpoint being unavailable.
func (v *Verifier) transportError(ctx context.Context, method string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("evm: %s: %w", method, ctx.Err())
	}
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	return unavailable(method, err)
}

// unavailable wraps cause in an EUNAVAILABLE dashboard.Error: its message
// is what a member may see; cause, for the log, stays reachable with
// errors.Is and errors.As.
func unavailable(method string, cause error) error {
	return fmt.Errorf("evm: %s: %w: %w", method, &dashboard.Error{
		Code: dashboard.EUNAVAILABLE, Message: "Smart-contract wallet signatures cannot be checked right now; try again later.",
	}, cause)
}

// parseAddress reads an address, "0x" and 40 hex digits in any case; the
// checksum is the caller's concern (the address comes from a SIWE message
// that siwe already checked).
func parseAddress(s string) ([20]byte, error) {
	var a [20]byte
	if len(s) != 42 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') {
		return a, errors.New("evm: the address is not 0x and 40 hex digits")
	}
	if _, err := hex.Decode(a[:], []byte(s[2:])); err != nil {
		return a, errors.New("evm: the address is not 0x and 40 hex digits")
	}
	return a, nil
}

// parseQuantity reads a JSON-RPC quantity ("0x539") as a positive int64.
func parseQuantity(raw json.RawMessage) (int64, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil || !strings.HasPrefix(s, "0x") {
		return 0, errors.New("the result is not a hex quantity")
	}
	n, err := strconv.ParseInt(s[2:], 16, 64)
	if err != nil || n <= 0 {
		return 0, errors.New("the result is not a positive chain id")
	}
	return n, nil
}

// decodeHex reads JSON-RPC data: "0x" and an even number of hex digits.
func decodeHex(s string) ([]byte, error) {
	if !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		return nil, errors.New("the result is not 0x-prefixed hex")
	}
	b, err := hex.DecodeString(s[2:])
	if err != nil {
		return nil, errors.New("the result is not 0x-prefixed hex")
	}
	return b, nil
}
