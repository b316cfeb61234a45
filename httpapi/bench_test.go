package httpapi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard/auth"
	"github.com/thebabesclub/dashboard/demo"
	"github.com/thebabesclub/dashboard/obs"
)

// benchServer is the whole API on the embedded store with the demo member,
// auth on, as `dashboard serve --demo` runs it.
func benchServer(b *testing.B) (http.Handler, string) {
	b.Helper()
	store := openStore(b)
	if err := demo.Seed(b.Context(), store, time.Now()); err != nil {
		b.Fatal(err)
	}
	h := newHarness(b, store, nil)
	// As `dashboard serve` logs by default (LOG_LEVEL=info, one JSON line
	// per request), to nowhere: the harness's in-memory debug log would
	// grow with every iteration and measure itself.
	h.server.Logger = obs.NewLogger(io.Discard, "info")
	tok, err := auth.Sign(testSecret, auth.Claims{UserID: demo.Member.UserID, Email: demo.Member.Email}, time.Now(), time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	return h.server.Handler(), tok
}

// BenchmarkHandlers measures each read route in-process: routing,
// middleware, auth, the service and the embedded store, without a network.
func BenchmarkHandlers(b *testing.B) {
	handler, tok := benchServer(b)
	order := demo.Orders(time.Now())[0].OrderID
	for _, path := range []string{"/dashboard/profile", "/dashboard/orders", "/dashboard/orders/" + order, "/dashboard/nfts", "/dashboard/wallets", "/dashboard/emails"} {
		b.Run(path, func(b *testing.B) {
			req := httptest.NewRequest("GET", path, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				rec := httptest.NewRecorder()
				handler.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("%s = %d %s", path, rec.Code, rec.Body)
				}
			}
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// processCPU is the CPU time the process has used so far (user and system,
// every thread: the garbage collector and any goroutine a request starts
// included). Per request it is what a saturated server pays, and on a
// shared machine it moves far less than wall-clock ns/op, which also counts
// the time the benchmark waits for a core.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
