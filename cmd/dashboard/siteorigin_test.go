package main

import (
	"net"
	"testing"
)

// TestServeSiteOriginDefault checks SITE_ORIGIN's default under `serve`
// (CONTRACT §10): http://<--addr>, with the port the listener got and
// "localhost" for a wildcard host.
func TestServeSiteOriginDefault(t *testing.T) {
	for _, tc := range []struct {
		addr  string
		bound int
		want  string
	}{
		{"127.0.0.1:8080", 8080, "http://127.0.0.1:8080"},
		{"127.0.0.1:0", 41234, "http://127.0.0.1:41234"},
		{":8080", 8080, "http://localhost:8080"},
		{"0.0.0.0:8080", 8080, "http://localhost:8080"},
		{"[::]:9000", 9000, "http://localhost:9000"},
		{"[::1]:9000", 9000, "http://[::1]:9000"},
		{"localhost:80", 80, "http://localhost"},
		{"dashboard.lan:8080", 8080, "http://dashboard.lan:8080"},
	} {
		u, err := ownOrigin(tc.addr, &net.TCPAddr{Port: tc.bound})
		if err != nil || u.String() != tc.want {
			t.Errorf("ownOrigin(%q, port %d) = %v, %v; want %s", tc.addr, tc.bound, u, err, tc.want)
		}
	}
}
