package queue

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// TestMain silences slog.Default, which HandleBatch and NewSQS log to, so the
// expected warnings of failure tests do not bury real output.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

// wallet is a made-up EVM address, used to check it never reaches a log.
const wallet = "0x52908400098527886E0F7030069857D2E4169EE7"

// recorder is a RefreshHandler that counts calls per collapse key and can be
// told to fail, so tests can assert exactly which syncs ran.
type recorder struct {
	mu    sync.Mutex
	calls map[string]int
	fail  func(r dashboard.RefreshRequest, call int) error
}

func newRecorder(fail func(r dashboard.RefreshRequest, call int) error) *recorder {
	return &recorder{calls: map[string]int{}, fail: fail}
}

func (rec *recorder) handle(_ context.Context, r dashboard.RefreshRequest) error {
	rec.mu.Lock()
	k := collapseKey(r)
	rec.calls[k]++
	n := rec.calls[k]
	rec.mu.Unlock()
	if rec.fail != nil {
		return rec.fail(r, n)
	}
	return nil
}

func (rec *recorder) count(r dashboard.RefreshRequest) int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.calls[collapseKey(r)]
}

func (rec *recorder) total() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	n := 0
	for _, c := range rec.calls {
		n += c
	}
	return n
}

// eventually polls cond until it holds or the deadline passes. It bounds a
// wait; it does not measure speed.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// testCtx returns a context that ends with the test or after a generous
// deadline, so a bug shows as a failure instead of a hung test.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func stripeReq(user string) dashboard.RefreshRequest {
	return dashboard.RefreshRequest{Kind: dashboard.SyncStripe, UserID: user}
}

func nftReq(user string) dashboard.RefreshRequest {
	return dashboard.RefreshRequest{Kind: dashboard.SyncNFT, UserID: user}
}
