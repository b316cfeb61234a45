package app_test

import (
	"io"
	"strings"
	"testing"

	"github.com/thebabesclub/dashboard/app"
)

// TestSiteOrigin checks that SITE_ORIGIN reaches the NFT service parsed,
// that an invalid one stops start-up, and that without it no site is
// assumed (wallet challenges then answer 503).
func TestSiteOrigin(t *testing.T) {
	newApp := func(origin string) (*app.App, error) {
		a, err := app.New(t.Context(), func(k string) string {
			if k == "SITE_ORIGIN" {
				return origin
			}
			return ""
		}, t.TempDir(), io.Discard)
		if err == nil {
			t.Cleanup(func() { a.Store.Close() })
		}
		return a, err
	}
	a, err := newApp("https://Dashboard.BabesClub.example:443")
	if err != nil {
		t.Fatal(err)
	}
	if got := a.NFTs.SiteOrigin.String(); got != "https://dashboard.babesclub.example" {
		t.Errorf("SiteOrigin = %s", got)
	}
	if a, err = newApp(""); err != nil {
		t.Fatalf("without SITE_ORIGIN: %v", err)
	} else if a.NFTs.SiteOrigin != nil {
		t.Errorf("without SITE_ORIGIN the origin is %v; want none", a.NFTs.SiteOrigin)
	}
	for _, bad := range []string{"dashboard.babesclub.example", "https://dashboard.babesclub.example/app", "ftp://x.example"} {
		if _, err := newApp(bad); err == nil || !strings.Contains(err.Error(), "SITE_ORIGIN") {
			t.Errorf("SITE_ORIGIN=%q: err = %v, want a start-up error naming SITE_ORIGIN", bad, err)
		}
	}
}
