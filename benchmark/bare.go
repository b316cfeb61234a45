package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
)

// captured is one read route's answer as `dashboard serve --demo` gave it
// at the start of the run: what the bare twin replays, byte for byte.
type captured struct {
	Path   string      `json:"path"`
	Status int         `json:"status"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
}

// bareHandler is the ceiling of every route: plain net/http that answers
// each captured path with the captured status, headers and body, and does
// nothing else (no routing beyond one map lookup, no auth, no store, no
// encoding, no logging). The headers are the route's own (Content-Type,
// Cache-Control, Vary, the request id of the same length …) with an
// explicit Content-Length, so both servers put the same bytes on the wire;
// net/http adds Date to both. Any other path is a 404.
func bareHandler(answers []captured) http.Handler {
	type answer struct {
		status int
		header http.Header
		body   []byte
	}
	byPath := make(map[string]answer, len(answers))
	for _, a := range answers {
		h := a.Header.Clone()
		h.Del("Date") // net/http writes its own, as it does for the dashboard
		h.Set("Content-Length", strconv.Itoa(len(a.Body)))
		byPath[a.Path] = answer{status: a.Status, header: h, body: a.Body}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := byPath[r.URL.RequestURI()]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		for k, v := range a.header {
			h[k] = v
		}
		w.WriteHeader(a.status)
		w.Write(a.body)
	})
}

// serveBare runs the reference server in its own process (`benchmark
// bare-server answers.json`): it prints its address and serves the
// captured answers until killed.
func serveBare(specFile string) {
	b, err := os.ReadFile(specFile)
	if err != nil {
		fail(err)
	}
	var answers []captured
	if err := json.Unmarshal(b, &answers); err != nil {
		fail(fmt.Errorf("bare server: %w", err))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	fmt.Printf("BARE http://%s\n", ln.Addr())
	http.Serve(ln, bareHandler(answers))
}
