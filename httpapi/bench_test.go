package httpapi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
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

// BenchmarkTwinGap measures, in-process, what separates each read route
// from its bare twin in `make bench` (benchmark/bare.go): a handler that
// answers the route's path with the bytes and headers the route gave, and
// does nothing else. Blocks of requests to the route and to the twin
// alternate, so whatever else the machine does falls on both alike, and the
// CPU time of each is summed: extra-ns is the route's cost per request
// above the twin's, which is what the HTTP ratio depends on, and it moves
// far less on a shared machine than the ratio does. One iteration is
// twinGapBlock requests to each.
func BenchmarkTwinGap(b *testing.B) {
	const twinGapBlock = 500
	handler, tok := benchServer(b)
	order := demo.Orders(time.Now())[0].OrderID
	for _, route := range []struct{ name, path string }{
		{"profile", "/dashboard/profile"}, {"orders", "/dashboard/orders"}, {"order", "/dashboard/orders/" + order},
		{"nfts", "/dashboard/nfts"}, {"wallets", "/dashboard/wallets"}, {"emails", "/dashboard/emails"},
	} {
		req := httptest.NewRequest("GET", route.path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		captured := httptest.NewRecorder()
		handler.ServeHTTP(captured, req)
		if captured.Code != 200 {
			b.Fatalf("%s = %d %s", route.path, captured.Code, captured.Body)
		}
		header := captured.Result().Header.Clone()
		header.Set("Content-Length", strconv.Itoa(captured.Body.Len()))
		body := captured.Body.Bytes()
		twin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.RequestURI() != route.path {
				http.NotFound(w, r)
				return
			}
			h := w.Header()
			for k, v := range header {
				h[k] = v
			}
			w.WriteHeader(http.StatusOK)
			w.Write(body)
		})
		b.Run(route.name, func(b *testing.B) {
			var spent [2]time.Duration // the route's, the twin's
			for b.Loop() {
				for i, h := range []http.Handler{handler, twin} {
					cpu := processCPU()
					for range twinGapBlock {
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, req)
						if rec.Code != http.StatusOK {
							b.Fatalf("%s = %d %s", route.path, rec.Code, rec.Body)
						}
					}
					spent[i] += processCPU() - cpu
				}
			}
			n := float64(b.N * twinGapBlock)
			b.ReportMetric(float64(spent[0])/n, "route-cpu-ns")
			b.ReportMetric(float64(spent[1])/n, "twin-cpu-ns")
			b.ReportMetric(float64(spent[0]-spent[1])/n, "extra-cpu-ns")
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
