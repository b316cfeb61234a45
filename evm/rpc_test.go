package evm_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/evm"
)

// The tests below put a fake JSON-RPC endpoint at the Verifier's edge, speaking
// the wire format of a hosted node (the real EVM is in chain_verify_test.go),
// to drive the failures a real node rarely shows on demand.

// secretPath stands for the API key hosted nodes carry in the URL; no error
// may repeat it.
const secretPath = "/v3/s3cr3t-api-key"

// Inputs every fake-endpoint test checks; the fakes do not look at them.
const (
	someWallet = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
	chainHex   = "0x539" // 1337
)

var someHash = [32]byte{0xaa}

// someSig is a 65-byte signature; someSig6492 ends with the ERC-6492 suffix.
var (
	suffix6492  = evm.ERC6492Suffix()
	someSig     = make([]byte, 65)
	someSig6492 = append(make([]byte, 96), suffix6492[:]...)
)

// reply is what the fake endpoint answers to one method.
type reply struct {
	status int             // HTTP status; 0 means 200
	raw    string          // a body sent as is, when set
	result any             // the JSON-RPC result otherwise
	err    *map[string]any // or the JSON-RPC error object
}

// fakeRPC serves JSON-RPC at a URL ending in secretPath, answering each
// request with answer(method), and counts the requests per method.
func fakeRPC(t *testing.T, answer func(method string) reply) (string, func(method string) int) {
	t.Helper()
	var mu sync.Mutex
	calls := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path != secretPath || r.Method != http.MethodPost || json.Unmarshal(body, &req) != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		mu.Lock()
		calls[req.Method]++
		mu.Unlock()
		a := answer(req.Method)
		w.Header().Set("Content-Type", "application/json")
		if a.status != 0 {
			w.WriteHeader(a.status)
		}
		if a.raw != "" {
			_, _ = io.WriteString(w, a.raw)
			return
		}
		resp := map[string]any{"jsonrpc": "2.0", "id": req.ID}
		if a.err != nil {
			resp["error"] = *a.err
		} else {
			resp["result"] = a.result
		}
		_ = json.NewEncoder(w).Encode(resp)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + secretPath, func(method string) int {
		mu.Lock()
		defer mu.Unlock()
		return calls[method]
	}
}

// onCall answers eth_chainId with the dev chain and eth_call with r.
func onCall(r reply) func(string) reply {
	return func(method string) reply {
		if method == "eth_chainId" {
			return reply{result: chainHex}
		}
		return r
	}
}

func rpcErr(code int, message string, data any) *map[string]any {
	e := map[string]any{"code": code, "message": message}
	if data != nil {
		e["data"] = data
	}
	return &e
}

func newVerifier(t *testing.T, url string) *evm.Verifier {
	t.Helper()
	v, err := evm.New(url)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// wantUnavailable fails unless the result is (false, an EUNAVAILABLE error
// that does not quote the URL's secret).
func wantUnavailable(t *testing.T, ok bool, err error) {
	t.Helper()
	if ok || err == nil || dashboard.ErrorCode(err) != dashboard.EUNAVAILABLE {
		t.Fatalf("CheckSignature = %v, %v; want false and an %s error", ok, err, dashboard.EUNAVAILABLE)
	}
	if strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("the error quotes the rpc url: %v", err)
	}
}

func word(prefix string) string { return "0x" + prefix + strings.Repeat("0", 64-len(prefix)) }

func TestCheckSignatureAnswers(t *testing.T) {
	magic := word("1626ba7e")
	cases := []struct {
		name        string
		sig         []byte
		answer      func(string) reply
		want        bool
		unavailable bool
	}{
		// The positive controls show the fake is read as a node's answers.
		{name: "erc-1271 magic value", sig: someSig, answer: onCall(reply{result: magic}), want: true},
		{name: "erc-1271 magic value and more data", sig: someSig, answer: onCall(reply{result: magic + strings.Repeat("00", 32)}), want: true},
		{name: "erc-6492 validator says 0x01", sig: someSig6492, answer: onCall(reply{result: "0x01"}), want: true},

		{name: "erc-6492 validator says 0x00", sig: someSig6492, answer: onCall(reply{result: "0x00"})},
		{name: "no code: empty result", sig: someSig, answer: onCall(reply{result: "0x"})},
		{name: "erc-1271 failure value", sig: someSig, answer: onCall(reply{result: word("ffffffff")})},
		{name: "a bool true is not the magic value", sig: someSig, answer: onCall(reply{result: "0x" + strings.Repeat("0", 63) + "1"})},
		{name: "magic value with dirty padding", sig: someSig, answer: onCall(reply{result: magic[:len(magic)-1] + "1"})},
		{name: "magic value cut short", sig: someSig, answer: onCall(reply{result: "0x1626ba7e"})},
		{name: "revert with data, code 3", sig: someSig, answer: onCall(reply{err: rpcErr(3, "execution reverted: TestWallet: bad signature length", "0x08c379a0")})},
		{name: "empty revert, code -32000", sig: someSig, answer: onCall(reply{err: rpcErr(-32000, "execution reverted", nil)})},
		{name: "erc-6492 validator reverts", sig: someSig6492, answer: onCall(reply{err: rpcErr(3, "execution reverted", "0x")})},

		{name: "http 502", sig: someSig, answer: onCall(reply{status: http.StatusBadGateway, raw: "bad gateway"}), unavailable: true},
		{name: "http 429 with a json-rpc body", sig: someSig, answer: onCall(reply{status: http.StatusTooManyRequests, result: magic}), unavailable: true},
		{name: "json-rpc error", sig: someSig, answer: onCall(reply{err: rpcErr(-32000, "header not found", nil)}), unavailable: true},
		{name: "json-rpc error on eth_chainId", sig: someSig, answer: func(string) reply { return reply{err: rpcErr(-32601, "method not found", nil)} }, unavailable: true},
		{name: "eth_chainId not a quantity", sig: someSig, answer: func(string) reply { return reply{result: "1337"} }, unavailable: true},
		{name: "not json", sig: someSig, answer: onCall(reply{raw: "<html>gateway</html>"}), unavailable: true},
		{name: "no result", sig: someSig, answer: onCall(reply{result: nil}), unavailable: true},
		{name: "result not hex", sig: someSig, answer: onCall(reply{result: "1626ba7e"}), unavailable: true},
		{name: "answer to another request", sig: someSig, answer: onCall(reply{raw: `{"jsonrpc":"2.0","id":999999,"result":"` + magic + `"}`}), unavailable: true},
		{name: "erc-6492 validator returns nothing", sig: someSig6492, answer: onCall(reply{result: "0x"}), unavailable: true},
		{name: "erc-6492 validator returns a word", sig: someSig6492, answer: onCall(reply{result: word("01")}), unavailable: true},
		{name: "response too large", sig: someSig, answer: onCall(reply{result: magic + strings.Repeat("00", 2048)}), unavailable: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url, _ := fakeRPC(t, tc.answer)
			v := newVerifier(t, url)
			v.MaxResponseBytes = 1024
			ok, err := v.CheckSignature(context.Background(), 1337, someWallet, someHash, tc.sig)
			if tc.unavailable {
				wantUnavailable(t, ok, err)
				return
			}
			if err != nil || ok != tc.want {
				t.Fatalf("CheckSignature = %v, %v; want %v, nil", ok, err, tc.want)
			}
		})
	}
}

// TestCheckSignatureTimeout: an endpoint that never answers within the
// Timeout is unavailable. The handler holds eth_call until the test ends,
// so only the Verifier's own deadline can end the call.
func TestCheckSignatureTimeout(t *testing.T) {
	for _, method := range []string{"eth_chainId", "eth_call"} {
		t.Run(method, func(t *testing.T) {
			release := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var req struct {
					ID     json.RawMessage `json:"id"`
					Method string          `json:"method"`
				}
				_ = json.NewDecoder(r.Body).Decode(&req)
				if req.Method == method {
					select {
					case <-release:
					case <-r.Context().Done():
					}
					return
				}
				_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": chainHex})
			}))
			t.Cleanup(srv.Close)
			t.Cleanup(func() { close(release) }) // runs before srv.Close
			v := newVerifier(t, srv.URL+secretPath)
			v.Timeout = 50 * time.Millisecond
			ok, err := v.CheckSignature(context.Background(), 1337, someWallet, someHash, someSig)
			wantUnavailable(t, ok, err)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("error = %v, want it to say the deadline passed", err)
			}
		})
	}
}

// TestCheckSignatureDown: nothing listens at the URL.
func TestCheckSignatureDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + secretPath
	srv.Close()
	ok, err := newVerifier(t, url).CheckSignature(context.Background(), 1337, someWallet, someHash, someSig)
	wantUnavailable(t, ok, err)
}

// TestCheckSignatureCanceled: the caller giving up is not the endpoint
// being unavailable, and is never a valid signature.
func TestCheckSignatureCanceled(t *testing.T) {
	url, calls := fakeRPC(t, onCall(reply{result: word("1626ba7e")}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ok, err := newVerifier(t, url).CheckSignature(ctx, 1337, someWallet, someHash, someSig)
	if ok || !errors.Is(err, context.Canceled) || dashboard.ErrorCode(err) == dashboard.EUNAVAILABLE {
		t.Fatalf("CheckSignature = %v, %v; want false and the cancellation", ok, err)
	}
	if calls("eth_call") != 0 {
		t.Fatal("a canceled check reached eth_call")
	}
}

// TestChainIDAskedOnce: eth_chainId is asked once per Verifier, but a failed
// lookup is asked again.
func TestChainIDAskedOnce(t *testing.T) {
	var mu sync.Mutex
	failChainID := true
	url, calls := fakeRPC(t, func(method string) reply {
		mu.Lock()
		defer mu.Unlock()
		if method == "eth_chainId" && failChainID {
			failChainID = false
			return reply{status: http.StatusServiceUnavailable, raw: "try later"}
		}
		return onCall(reply{result: word("1626ba7e")})(method)
	})
	v := newVerifier(t, url)
	ok, err := v.CheckSignature(context.Background(), 1337, someWallet, someHash, someSig)
	wantUnavailable(t, ok, err)
	for i := range 3 {
		if ok, err := v.CheckSignature(context.Background(), 1337, someWallet, someHash, someSig); !ok || err != nil {
			t.Fatalf("call %d: CheckSignature = %v, %v; want true, nil", i, ok, err)
		}
	}
	if n := calls("eth_chainId"); n != 2 {
		t.Fatalf("eth_chainId asked %d times, want 2 (the failure, then once)", n)
	}
	if n := calls("eth_call"); n != 3 {
		t.Fatalf("eth_call asked %d times, want 3", n)
	}
	ok, err = v.CheckSignature(context.Background(), 8453, someWallet, someHash, someSig)
	if ok || !errors.Is(err, evm.ErrWrongChain) {
		t.Fatalf("CheckSignature on another chain = %v, %v; want false, ErrWrongChain", ok, err)
	}
	if calls("eth_call") != 3 {
		t.Fatal("a check for another chain reached eth_call")
	}
}

func TestCheckSignatureBadAddress(t *testing.T) {
	url, calls := fakeRPC(t, onCall(reply{result: word("1626ba7e")}))
	v := newVerifier(t, url)
	for _, addr := range []string{"", "0x1234", someWallet[2:], "0x" + strings.Repeat("g", 40), someWallet + "00"} {
		if ok, err := v.CheckSignature(context.Background(), 1337, addr, someHash, someSig); ok || err == nil {
			t.Fatalf("CheckSignature(%q) = %v, %v; want false and an error", addr, ok, err)
		}
	}
	if calls("eth_chainId")+calls("eth_call") != 0 {
		t.Fatal("a bad address reached the endpoint")
	}
}

func TestNew(t *testing.T) {
	for _, u := range []string{"", "localhost:8545", "ftp://node.example/s3cr3t", "https:///s3cr3t", "://s3cr3t"} {
		v, err := evm.New(u)
		if v != nil || err == nil {
			t.Fatalf("New(%q) = %v, %v; want an error", u, v, err)
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Fatalf("New's error quotes the url: %v", err)
		}
	}
	if _, err := evm.New("https://eth-mainnet.example/v2/s3cr3t"); err != nil {
		t.Fatal(err)
	}
}

func TestIsERC6492(t *testing.T) {
	if hex.EncodeToString(suffix6492[:]) != strings.Repeat("6492", 16) {
		t.Fatalf("ERC6492Suffix() = %x", suffix6492)
	}
	if !evm.IsERC6492(someSig6492) || !evm.IsERC6492(suffix6492[:]) {
		t.Fatal("a signature ending with the suffix is not recognized")
	}
	almost := append([]byte{}, someSig6492...)
	almost[len(almost)-1] ^= 1
	for _, sig := range [][]byte{nil, someSig, suffix6492[1:], almost} {
		if evm.IsERC6492(sig) {
			t.Fatalf("IsERC6492(%x) = true", sig)
		}
	}
}

// TestCheckSignatureNoRedirect: a JSON-RPC POST is never sent on to where a
// redirect points.
func TestCheckSignatureNoRedirect(t *testing.T) {
	elsewhere, calls := fakeRPC(t, onCall(reply{result: word("1626ba7e")}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	ok, err := newVerifier(t, srv.URL+secretPath).CheckSignature(context.Background(), 1337, someWallet, someHash, someSig)
	wantUnavailable(t, ok, err)
	if calls("eth_chainId")+calls("eth_call") != 0 {
		t.Fatal("the request followed the redirect")
	}
}
