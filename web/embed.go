// Package web is the built web dashboard, embedded in the Go binary so that
// `dashboard serve` serves it at "/" from any working folder (contract §8),
// and the handler that serves it.
//
// The dashboard's sources are the React app in this folder. `make web`
// (scripts/web.sh build) builds it into web/dist, and the next `go build`
// embeds whatever web/dist then holds. web/dist exists only after a web build,
// and an embed pattern that matches no file fails the Go build, so the pattern
// is the glob "all:dist*", which also matches the committed dist-missing.html:
// a fresh clone builds, and its binary answers "/" with that page, saying how
// to build the dashboard. Nothing inside web/dist is committed, so neither
// Vite's emptying of it nor `rm -rf web/dist` can break the Go build (an
// empty web/dist folder, which no finished Vite build leaves, does: "cannot
// embed directory dist"; delete it or run `make web`). The "all:" prefix
// keeps files whose names start with "." or "_", which Vite may emit.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed all:dist*
var files embed.FS

// missingPage is the page every path answers when there is no built
// dashboard to serve.
//
//go:embed dist-missing.html
var missingPage []byte

// Dist returns the web dashboard embedded when this binary was built (web/dist,
// with index.html at its root) and whether there is one: false when the binary
// was built before `make web`.
func Dist() (fs.FS, bool) {
	dist, err := fs.Sub(files, "dist")
	if err != nil {
		// Unreachable: "dist" is a valid path; an empty FS serves the missing page.
		return embed.FS{}, false
	}
	return dist, Built(dist)
}

// Built reports whether fsys holds a built dashboard, that is an index.html at
// its root.
func Built(fsys fs.FS) bool {
	st, err := fs.Stat(fsys, "index.html")
	return err == nil && st.Mode().IsRegular()
}

// immutable is the Cache-Control of Vite's assets/ files, whose names carry a
// hash of their content: a changed file gets a new name.
const immutable = "public, max-age=31536000, immutable"

// Handler serves the built dashboard in fsys (GET and HEAD; httpapi.Server
// routes only those here): a file at its path, index.html at "/", and 404 for
// anything else, folders included (no listings). The dashboard has no
// client-side routes, so unknown paths are not answered with index.html.
//
// Files under assets/ may be cached for a year. Every other file (index.html
// above all) is marked no-cache, so a browser asks again on each load and never
// runs an old index.html that names assets a new build no longer has; files
// with no modification time (embedded ones, for which http.FileServer sends no
// Last-Modified) get an ETag of their content, so that asking again costs a 304.
//
// When fsys holds no index.html, every path answers 503 with a short page
// saying how to build the dashboard (503, not 200: this server is not serving
// the dashboard, and a check of "/" should say so; not 404: the page exists to
// be read).
func Handler(fsys fs.FS) http.Handler {
	if !Built(fsys) {
		return http.HandlerFunc(serveMissing)
	}
	etags := contentETags(fsys)
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name == "" {
			name = "index.html"
		}
		if st, err := fs.Stat(fsys, name); err == nil {
			if st.IsDir() {
				http.NotFound(w, r)
				return
			}
			h := w.Header()
			if strings.HasPrefix(name, "assets/") {
				h.Set("Cache-Control", immutable)
			} else {
				h.Set("Cache-Control", "no-cache")
			}
			if tag, ok := etags[name]; ok {
				h.Set("ETag", tag)
			}
		}
		files.ServeHTTP(w, r)
	})
}

// contentETags returns a strong ETag for each regular file of fsys that has
// no modification time. Only an immutable fsys (an embed.FS) has such files,
// so the tags, computed once, cannot go stale.
func contentETags(fsys fs.FS) map[string]string {
	tags := map[string]string{}
	fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if info, err := d.Info(); err != nil || !info.ModTime().IsZero() {
			return nil
		}
		f, err := fsys.Open(name)
		if err != nil {
			return nil
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return nil
		}
		tags[name] = `"` + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18]) + `"`
		return nil
	})
	return tags
}

func serveMissing(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusServiceUnavailable)
	w.Write(missingPage)
}
