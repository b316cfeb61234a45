package markettest

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// record counts r, whatever it asks for.
func (s *Server) record(r *http.Request) {
	q := r.URL.Query()
	cursor, wallet := q.Get("next"), q.Get("owner")
	if s.kind == Alchemy {
		cursor = q.Get("pageKey")
	} else if _, rest, ok := strings.Cut(r.URL.Path, "/account/"); ok {
		wallet, _, _ = strings.Cut(rest, "/")
	}
	page, _, _ := decodeCursor(cursor)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	s.walletCalls[strings.ToLower(wallet)]++
	s.requests = append(s.requests, Request{Path: r.URL.Path, Query: q, Page: page})
}

var addressRE = regexp.MustCompile(`^0x[0-9a-fA-F]{40}$`)

// query is a list request, read the same way for both providers.
type query struct {
	wallet, cursor string
	limit          int
	keep           func(NFT) bool
}

// serve answers a list request: it records it, applies the injections,
// then renders the page with render.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, q query, authorized bool,
	render func(nfts []NFT, next string, total int) []byte) {
	page, offset, cursorOK := decodeCursor(q.cursor)
	s.mu.Lock()
	var in injection
	if len(s.failNext) > 0 {
		in.status, s.failNext = s.failNext[0], s.failNext[1:]
	} else {
		in = s.pages[page]
	}
	retryAfter, pageSize := s.retryAfter, s.pageSize
	all := s.holdings[strings.ToLower(q.wallet)]
	s.mu.Unlock()

	if in.slow > 0 {
		select {
		case <-time.After(in.slow):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case in.status == Drop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	case in.body != "":
		writeRaw(w, in.status, in.body)
		return
	case in.status != 0:
		if (in.status == http.StatusTooManyRequests || in.status == http.StatusServiceUnavailable) && retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		s.writeError(w, in.status, "injected failure")
		return
	case !authorized:
		s.writeError(w, http.StatusUnauthorized, "invalid API key")
		return
	case !addressRE.MatchString(q.wallet):
		s.writeError(w, http.StatusBadRequest, "invalid address")
		return
	case !cursorOK:
		s.writeError(w, http.StatusBadRequest, "invalid cursor")
		return
	}
	var kept []NFT
	for _, n := range all {
		if q.keep == nil || q.keep(n) {
			kept = append(kept, n)
		}
	}
	size := min(q.limit, pageSize)
	end := min(offset+size, len(kept))
	next := ""
	if end < len(kept) {
		next = encodeCursor(page+1, end)
	}
	writeRaw(w, http.StatusOK, string(render(kept[min(offset, len(kept)):end], next, len(kept))))
}

func (s *Server) serveOpenSea(w http.ResponseWriter, r *http.Request) {
	if s.kind != OpenSea {
		http.NotFound(w, r)
		return
	}
	q := query{wallet: r.PathValue("address"), cursor: r.URL.Query().Get("next"), limit: 50}
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			s.writeError(w, http.StatusBadRequest, "limit must be between 1 and 200")
			return
		}
		q.limit = n
	}
	if slug := r.URL.Query().Get("collection"); slug != "" {
		q.keep = func(n NFT) bool { return n.Collection == slug }
	}
	s.mu.Lock()
	key, chain := s.key, s.chain
	s.mu.Unlock()
	if r.PathValue("chain") != chain {
		s.writeError(w, http.StatusBadRequest, "unsupported chain")
		return
	}
	s.serve(w, r, q, r.Header.Get("X-API-KEY") == key, func(nfts []NFT, next string, _ int) []byte {
		return OpenSeaPage(chain, nfts, next)
	})
}

func (s *Server) serveAlchemy(w http.ResponseWriter, r *http.Request) {
	if s.kind != Alchemy {
		http.NotFound(w, r)
		return
	}
	v := r.URL.Query()
	q := query{wallet: v.Get("owner"), cursor: v.Get("pageKey"), limit: 100}
	if p := v.Get("pageSize"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 100 {
			s.writeError(w, http.StatusBadRequest, "pageSize must be between 1 and 100")
			return
		}
		q.limit = n
	}
	if cs := v["contractAddresses[]"]; len(cs) > 0 {
		q.keep = func(n NFT) bool {
			for _, c := range cs {
				if strings.EqualFold(c, n.Contract) {
					return true
				}
			}
			return false
		}
	}
	s.mu.Lock()
	key := s.key
	s.mu.Unlock()
	s.serve(w, r, q, r.PathValue("key") == key, AlchemyPage)
}

// writeError answers status with the provider's error body.
func (s *Server) writeError(w http.ResponseWriter, status int, msg string) {
	body := fmt.Sprintf(`{"errors": [%q]}`, msg)
	if s.kind == Alchemy {
		body = fmt.Sprintf(`{"error": {"message": %q}}`, msg)
	}
	writeRaw(w, status, body)
}

func writeRaw(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// encodeCursor makes the opaque next / pageKey of the page starting at
// offset.
func encodeCursor(page, offset int) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "page=%d&offset=%d", page, offset))
}

// decodeCursor reads a cursor; "" is page 1 at offset 0.
func decodeCursor(c string) (page, offset int, ok bool) {
	if c == "" {
		return 1, 0, true
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, 0, false
	}
	if _, err := fmt.Sscanf(string(b), "page=%d&offset=%d", &page, &offset); err != nil || page < 2 || offset < 0 {
		return 0, 0, false
	}
	return page, offset, true
}
