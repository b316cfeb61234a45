package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/thebabesclub/dashboard/internal/logtest"
	"github.com/thebabesclub/dashboard/web"
)

// served is one `dashboard serve --demo` run in-process by startServe.
type served struct {
	base, token string
	data        string // the embedded store's folder
	out, errOut *logtest.Buffer
	// stop ends the server and returns serve's error; the test's cleanup
	// calls it too, and only the first call stops.
	stop func() error
}

// startServe runs `dashboard serve --demo` with args on a free port and a
// temporary store, waits for its demo token, and stops it when the test ends.
func startServe(t *testing.T, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{data: t.TempDir(), out: &logtest.Buffer{}, errOut: &logtest.Buffer{}}
	exited := make(chan struct{})
	var runErr error
	go func() {
		defer close(exited)
		runErr = run(ctx, append([]string{"serve", "--demo", "--addr", "127.0.0.1:0", "--data", s.data}, args...), env(nil), s.out, s.errOut)
	}()
	s.stop = sync.OnceValue(func() error {
		cancel()
		<-exited
		return runErr
	})
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	tokenLine := regexp.MustCompile(`Token:\s+(\S+)`)
	baseLine := regexp.MustCompile(`API on (http://127\.0\.0\.1:\d+)`)
	// The bound only turns a server that never starts into a failure.
	wait, stopWaiting := context.WithTimeout(context.Background(), 2*time.Minute)
	defer stopWaiting()
	out, err := s.out.WaitLines(wait, exited, errors.New("serve stopped"), tokenLine.MatchString)
	if err != nil {
		t.Fatalf("no token printed (%v); stdout %q stderr %q", err, out, s.errOut.String())
	}
	s.token = tokenLine.FindStringSubmatch(out)[1]
	if m := baseLine.FindStringSubmatch(out); m != nil {
		s.base = m[1]
	} else {
		t.Fatalf("no API address printed: %q", out)
	}
	return s
}

type reply struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, url, token string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, string(b)}
}

// checkAPI checks that the API around the web dashboard is the JSON API
// whatever "/" serves.
func checkAPI(t *testing.T, s *served) {
	t.Helper()
	for _, c := range []struct {
		path, token string
		status      int
		want        string
	}{
		{"/healthz", "", 200, `"ok":true`},
		{"/dashboard/profile", s.token, 200, `"profile"`},
		{"/dashboard/profile", "", 401, `"error"`},
		{"/dashboard/no-such-route", s.token, 404, `"not_found"`},
	} {
		r := get(t, s.base+c.path, c.token)
		if r.status != c.status || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") || !strings.Contains(r.body, c.want) {
			t.Errorf("GET %s = %d %q %.200s, want %d JSON with %s", c.path, r.status, r.header.Get("Content-Type"), r.body, c.status, c.want)
		}
	}
}

// useEmbedded makes serve use fsys as the dashboard embedded in the binary.
func useEmbedded(t *testing.T, fsys fs.FS) {
	prev := embeddedWeb
	embeddedWeb = func() (fs.FS, bool) { return fsys, web.Built(fsys) }
	t.Cleanup(func() { embeddedWeb = prev })
}

// TestServeEmbeddedWebFromAnyFolder runs serve, as built, from a folder with
// no web/dist: "/" still serves what the binary embeds (the web build, or the
// page saying how to make one), never a 404 (contract §8). Before the
// dashboard was embedded, "/" was a 404 from any folder but the repository's.
func TestServeEmbeddedWebFromAnyFolder(t *testing.T) {
	t.Chdir(t.TempDir())
	s := startServe(t)
	dist, built := web.Dist()
	r := get(t, s.base+"/", "")
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("GET / Content-Type = %q", r.header.Get("Content-Type"))
	}
	if built {
		index, err := fs.ReadFile(dist, "index.html")
		if err != nil {
			t.Fatal(err)
		}
		if r.status != 200 || r.body != string(index) {
			t.Errorf("GET / = %d %.200s, want 200 and the embedded index.html", r.status, r.body)
		}
	} else if r.status != 503 || !strings.Contains(r.body, "make web") {
		t.Errorf("GET / without a web build = %d %.200s, want 503 and how to build it", r.status, r.body)
	}
	checkAPI(t, s)
}

// TestServeWebBuild serves a web build as the embedded one from another
// folder: its files with their cache headers, 404 for what it lacks, and the
// API untouched.
func TestServeWebBuild(t *testing.T) {
	index := "<!doctype html><title>dashboard</title><script src=./assets/index-Bh7b8urn.js></script>"
	useEmbedded(t, fstest.MapFS{
		"index.html":               {Data: []byte(index)},
		"favicon.svg":              {Data: []byte("<svg xmlns='http://www.w3.org/2000/svg'/>")},
		"assets/index-Bh7b8urn.js": {Data: []byte("console.log('dashboard')")},
	})
	t.Chdir(t.TempDir())
	s := startServe(t)
	if !strings.Contains(s.out.String(), "Web dashboard at "+s.base+"/ (embedded in the binary)") {
		t.Errorf("start-up lines %q do not say where the dashboard is", s.out.String())
	}

	r := get(t, s.base+"/", "")
	if r.status != 200 || r.body != index || r.header.Get("Cache-Control") != "no-cache" || r.header.Get("ETag") == "" {
		t.Errorf("GET / = %d %v %q", r.status, r.header, r.body)
	}
	r = get(t, s.base+"/assets/index-Bh7b8urn.js", "")
	if r.status != 200 || r.body != "console.log('dashboard')" || !strings.Contains(r.header.Get("Content-Type"), "javascript") ||
		!strings.Contains(r.header.Get("Cache-Control"), "immutable") {
		t.Errorf("GET asset = %d %v %q", r.status, r.header, r.body)
	}
	for _, path := range []string{"/orders", "/assets/", "/assets/missing.js"} {
		if r := get(t, s.base+path, ""); r.status != 404 {
			t.Errorf("GET %s = %d %q, want 404", path, r.status, r.body)
		}
	}
	checkAPI(t, s)
}

// TestServeWebNotBuilt serves what a binary built before `make web` embeds
// (an empty dist): "/" and every other page path answer 503 with how to build
// the dashboard, and the API works as usual.
func TestServeWebNotBuilt(t *testing.T) {
	useEmbedded(t, fstest.MapFS{})
	t.Chdir(t.TempDir())
	s := startServe(t)
	if !strings.Contains(s.out.String(), "none in this binary") {
		t.Errorf("start-up lines %q do not say the dashboard is missing", s.out.String())
	}
	for _, path := range []string{"/", "/index.html", "/assets/index-Bh7b8urn.js"} {
		r := get(t, s.base+path, "")
		if r.status != 503 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
			!strings.Contains(r.body, "make web") || !strings.Contains(r.body, "make run") || r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s = %d %v %.300s", path, r.status, r.header, r.body)
		}
	}
	checkAPI(t, s)
}

// TestServeWebFlag serves a built folder from disk with --web: a rebuild
// shows without restarting, and a folder with no build is refused at start.
func TestServeWebFlag(t *testing.T) {
	useEmbedded(t, fstest.MapFS{}) // so that "/" can only come from --web
	dist := t.TempDir()
	if err := os.WriteFile(filepath.Join(dist, "index.html"), []byte("first build"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	s := startServe(t, "--web", dist)
	if r := get(t, s.base+"/", ""); r.status != 200 || r.body != "first build" {
		t.Errorf("GET / = %d %q, want the --web folder's index.html", r.status, r.body)
	}
	if err := os.WriteFile(filepath.Join(dist, "index.html"), []byte("second build"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := get(t, s.base+"/", ""); r.status != 200 || r.body != "second build" {
		t.Errorf("GET / after a rebuild = %d %q", r.status, r.body)
	}
	checkAPI(t, s)

	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--web", t.TempDir()}, env(nil), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "--web") || !strings.Contains(err.Error(), "index.html") || out.Len() != 0 {
		t.Errorf("serve --web <empty folder> = %v, printed %q", err, out.String())
	}
}
