package nfts_test

import (
	"strings"
	"testing"

	"github.com/thebabesclub/dashboard/nfts"
)

func TestParseSiteOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://dashboard.babesclub.example":      "https://dashboard.babesclub.example",
		"https://Dashboard.BabesClub.example/":     "https://dashboard.babesclub.example",
		"https://dashboard.babesclub.example:443":  "https://dashboard.babesclub.example",
		"https://dashboard.babesclub.example:8443": "https://dashboard.babesclub.example:8443",
		"http://localhost:5173":                    "http://localhost:5173",
		"http://127.0.0.1:80":                      "http://127.0.0.1",
		"http://[::1]:8080":                        "http://[::1]:8080",
		" https://babesclub.example ":              "https://babesclub.example",
	} {
		u, err := nfts.ParseSiteOrigin(in)
		if err != nil || u.String() != want {
			t.Errorf("ParseSiteOrigin(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
	for _, in := range []string{
		"", "dashboard.babesclub.example", "ftp://babesclub.example", "https://", "https://babesclub.example/app",
		"https://babesclub.example?x=1", "https://babesclub.example#top", "https://user@babesclub.example",
		"https://babes club.example", "https://babesclub.example:0", "https://babesclub.example:99999",
		"https://-babesclub.example", "https:babesclub.example", "javascript:alert(1)",
	} {
		if u, err := nfts.ParseSiteOrigin(in); err == nil {
			t.Errorf("ParseSiteOrigin(%q) = %v, want an error", in, u)
		} else if !strings.Contains(err.Error(), "SITE_ORIGIN") {
			t.Errorf("ParseSiteOrigin(%q) error %q does not name SITE_ORIGIN", in, err)
		}
	}
}
