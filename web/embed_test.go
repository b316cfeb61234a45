package web

import (
	"bytes"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// TestDistIsWebDist checks that the binary embeds web/dist as it was when
// this test was compiled: a build when there is one, nothing otherwise.
func TestDistIsWebDist(t *testing.T) {
	dist, built := Dist()
	index, err := os.ReadFile(filepath.Join("dist", "index.html"))
	if built != (err == nil) {
		t.Fatalf("Dist built = %v, but reading dist/index.html: %v", built, err)
	}
	if !built {
		return
	}
	embedded, err := fs.ReadFile(dist, "index.html")
	if err != nil || !bytes.Equal(embedded, index) {
		t.Errorf("embedded index.html differs from dist/index.html (%v)", err)
	}
}

func serve(h http.Handler, method, path string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHandlerServesBuild(t *testing.T) {
	h := Handler(fstest.MapFS{
		"index.html":               {Data: []byte("<!doctype html><title>dashboard</title>")},
		"favicon.svg":              {Data: []byte("<svg/>")},
		"assets/index-Bh7b8urn.js": {Data: []byte("console.log(1)")},
		"assets/_virtual-x1.js":    {Data: []byte("export {}")},
	})

	w := serve(h, "GET", "/")
	tag := w.Header().Get("ETag")
	if w.Code != 200 || w.Body.String() != "<!doctype html><title>dashboard</title>" || w.Header().Get("Cache-Control") != "no-cache" ||
		!strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") || tag == "" {
		t.Fatalf("GET / = %d %v %q", w.Code, w.Header(), w.Body)
	}
	// The browser's revalidation of index.html costs a 304.
	if w := serve(h, "GET", "/", "If-None-Match", tag); w.Code != 304 || w.Body.Len() != 0 {
		t.Errorf("GET / If-None-Match = %d %q", w.Code, w.Body)
	}
	if w := serve(h, "GET", "/favicon.svg"); w.Code != 200 || w.Header().Get("Cache-Control") != "no-cache" || w.Header().Get("ETag") == tag {
		t.Errorf("GET /favicon.svg = %d %v", w.Code, w.Header())
	}
	if w := serve(h, "HEAD", "/"); w.Code != 200 || w.Body.Len() != 0 {
		t.Errorf("HEAD / = %d %q", w.Code, w.Body)
	}
	for _, p := range []string{"/assets/index-Bh7b8urn.js", "/assets/_virtual-x1.js"} {
		w := serve(h, "GET", p)
		if w.Code != 200 || w.Header().Get("Cache-Control") != immutable || !strings.Contains(w.Header().Get("Content-Type"), "javascript") {
			t.Errorf("GET %s = %d %v", p, w.Code, w.Header())
		}
	}
	// No client-side routes, no folder listings.
	for _, p := range []string{"/orders", "/assets", "/assets/", "/assets/gone.js", "/index.html/x"} {
		if w := serve(h, "GET", p); w.Code != 404 || w.Header().Get("Cache-Control") != "" {
			t.Errorf("GET %s = %d %v %q, want a plain 404", p, w.Code, w.Header(), w.Body)
		}
	}
}

// TestHandlerFromDisk serves a folder (`serve --web`): its files can change,
// so they get Last-Modified from the disk and no precomputed ETag.
func TestHandlerFromDisk(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("v1"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := Handler(os.DirFS(dir))
	w := serve(h, "GET", "/")
	if w.Code != 200 || w.Body.String() != "v1" || w.Header().Get("ETag") != "" || w.Header().Get("Last-Modified") == "" {
		t.Fatalf("GET / = %d %v %q", w.Code, w.Header(), w.Body)
	}
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("v2"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A later modification time than the first answer's, so a browser's
	// If-Modified-Since cannot keep the old page.
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "index.html"), later, later); err != nil {
		t.Fatal(err)
	}
	if w := serve(h, "GET", "/", "If-Modified-Since", w.Header().Get("Last-Modified")); w.Code != 200 || w.Body.String() != "v2" {
		t.Errorf("GET / after a rebuild = %d %q", w.Code, w.Body)
	}
}

// TestHandlerNotBuilt: with no index.html (a binary built before `make web`),
// every path answers 503 with how to build the dashboard.
func TestHandlerNotBuilt(t *testing.T) {
	for name, fsys := range map[string]fs.FS{
		"empty":       fstest.MapFS{},
		"assets only": fstest.MapFS{"assets/index-Bh7b8urn.js": {Data: []byte("x")}},
	} {
		h := Handler(fsys)
		for _, p := range []string{"/", "/index.html", "/assets/index-Bh7b8urn.js", "/orders"} {
			w := serve(h, "GET", p)
			if w.Code != http.StatusServiceUnavailable || w.Header().Get("Content-Type") != "text/html; charset=utf-8" ||
				w.Header().Get("Cache-Control") != "no-store" || !bytes.Equal(w.Body.Bytes(), missingPage) {
				t.Errorf("%s: GET %s = %d %v %.100q", name, p, w.Code, w.Header(), w.Body)
			}
		}
	}
	for _, want := range []string{"make web", "make build", "make run"} {
		if !bytes.Contains(missingPage, []byte(want)) {
			t.Errorf("the not-built page does not say %q", want)
		}
	}
}
