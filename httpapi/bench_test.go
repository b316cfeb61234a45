package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard/auth"
	"github.com/thebabesclub/dashboard/demo"
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
	for _, path := range []string{"/dashboard/profile", "/dashboard/orders", "/dashboard/orders/" + order, "/dashboard/nfts"} {
		b.Run(path, func(b *testing.B) {
			req := httptest.NewRequest("GET", path, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				handler.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("%s = %d %s", path, rec.Code, rec.Body)
				}
			}
		})
	}
}
