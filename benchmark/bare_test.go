package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestBareTwinReplaysTheCapturedAnswer holds the ceiling to honesty: for
// each path the bare server answers exactly the captured status, headers
// and bytes (with its own Date and a Content-Length), and nothing for a
// path it was not given.
func TestBareTwinReplaysTheCapturedAnswer(t *testing.T) {
	answers := []captured{
		{Path: "/dashboard/profile", Status: 200, Body: []byte(`{"profile":{"userId":"0d3e"}}` + "\n"), Header: http.Header{
			"Content-Type": {"application/json; charset=utf-8"}, "Cache-Control": {"no-store"},
			"Etag": {`"2026-11-30T22:29:59.953Z"`}, "X-Request-Id": {"9651159609fc1e9bc41aaf7ab829fb6c"},
			"Date": {"Mon, 30 Nov 2026 22:30:02 GMT"}, "Content-Length": {"999"},
		}},
		{Path: "/dashboard/orders/cs_1?x=1", Status: 200, Body: []byte(`{"order":{}}`), Header: http.Header{
			"Content-Type": {"application/json; charset=utf-8"}, "Vary": {"Origin"},
		}},
	}
	srv := httptest.NewServer(bareHandler(answers))
	defer srv.Close()
	for range 2 { // the second answer must not differ from the first
		for _, a := range answers {
			resp, err := http.Get(srv.URL + a.Path)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != a.Status || string(body) != string(a.Body) {
				t.Errorf("%s = %d %q, want %d %q", a.Path, resp.StatusCode, body, a.Status, a.Body)
			}
			if got, want := resp.Header.Get("Content-Length"), strconv.Itoa(len(a.Body)); got != want {
				t.Errorf("%s Content-Length = %q, want %q", a.Path, got, want)
			}
			if d := resp.Header.Get("Date"); d == "" || len(a.Header["Date"]) > 0 && d == a.Header.Get("Date") {
				t.Errorf("%s Date = %q: want net/http's own, not the captured one", a.Path, d)
			}
			for k, v := range a.Header {
				if k == "Date" || k == "Content-Length" {
					continue
				}
				if !slices.Equal(resp.Header.Values(k), v) {
					t.Errorf("%s %s = %q, want %q", a.Path, k, resp.Header.Values(k), v)
				}
			}
		}
	}
	resp, err := http.Get(srv.URL + "/dashboard/nfts")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("a path without a captured answer = %d, want 404", resp.StatusCode)
	}
}

// TestStatistics checks the helpers the tables are made of on known data.
func TestStatistics(t *testing.T) {
	ds := make([]time.Duration, 100)
	for i := range ds {
		ds[len(ds)-1-i] = time.Duration(i+1) * time.Millisecond // 100 ms … 1 ms, unsorted
	}
	for _, c := range []struct {
		q    float64
		want float64
	}{{50, 50}, {99, 99}, {100, 100}, {1, 1}} {
		if got := percentile(ds, c.q); got != c.want {
			t.Errorf("percentile(1..100 ms, %v) = %v, want %v", c.q, got, c.want)
		}
	}
	if ds[0] != 100*time.Millisecond {
		t.Error("percentile reordered its input")
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile(none) = %v", got)
	}
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("median(3,1,2) = %v", got)
	}
	if got := median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("median(4,1,3,2) = %v", got)
	}
	r := ratios([]loadRun{{rps: 700}, {rps: 900}}, []loadRun{{rps: 1000}, {rps: 1000}})
	if !slices.Equal(r, []float64{0.7, 0.9}) {
		t.Errorf("ratios = %v", r)
	}
	if order(0) != [2]int{0, 1} || order(1) != [2]int{1, 0} {
		t.Error("the route and its twin do not alternate who goes first")
	}
	if v := verdict(0.7, 4.99); v != "met" {
		t.Errorf("verdict(70 %%, 4.99 ms) = %q", v)
	}
	if v := verdict(0.69, 5); v != "missed: ratio, p99" {
		t.Errorf("verdict(69 %%, 5 ms) = %q", v)
	}
}

// TestParseFloor reads a BenchmarkDynamoFloor line as `go test` prints it
// and refuses one that lacks a metric.
func TestParseFloor(t *testing.T) {
	out := []byte("goos: linux\nBenchmarkDynamoFloor-2   \t    2000\t   1234567 ns/op\t       210.5 getitem-p50-us\t       900.0 getitem-p99-us\t       250.0 handler-p50-us\t      1100 handler-p99-us\t        12.50 init-again-ms\t        25.00 init-cold-ms\t       220.0 store-p50-us\t       950.0 store-p99-us\nPASS\n")
	m, err := parseFloor(out)
	if err != nil {
		t.Fatal(err)
	}
	if m["getitem-p50-us"] != 210.5 || m["handler-p99-us"] != 1100 || m["init-cold-ms"] != 25 || m["init-again-ms"] != 12.5 {
		t.Errorf("parseFloor = %v", m)
	}
	if _, err := parseFloor([]byte("BenchmarkDynamoFloor-2 10 5 ns/op 1 getitem-p50-us\n")); err == nil {
		t.Error("a line without every metric was accepted")
	}
}
