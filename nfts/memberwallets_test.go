package nfts

import (
	"maps"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// TestShortcutsAgreeWithTheList holds holding() and primaryVerified(),
// which answer without building the wallet list (every NFT list asks), to
// the list the API shows: the wallets held are the primary and the
// verified ones, and the primary's verified flag is the list's. Every mix
// of a primary (none, stored, from before the wallet items, verified or
// not, spelled in another case) and stored wallets is tried.
func TestShortcutsAgreeWithTheList(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	a, b, c := "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB"
	stored := func(addr string, verified bool) dashboard.MemberWallet {
		w := dashboard.MemberWallet{Address: addr}
		if verified {
			w.VerifiedAt = &at
		}
		return w
	}
	primaries := []*string{nil, &a, new(strings.ToLower(a)), &c}
	sets := [][]dashboard.MemberWallet{
		nil,
		{stored(a, false)},
		{stored(a, true)},
		{stored(a, false), stored(b, true)},
		{stored(a, true), stored(b, false), stored(c, true)},
		{stored(b, false), stored(c, false)},
	}
	for _, primary := range primaries {
		for _, proofAt := range []*time.Time{nil, &at} {
			for _, set := range sets {
				w := &memberWallets{primary: primary, primaryVerifiedAt: proofAt, stored: set}
				want := map[string]string{}
				wantPrimaryVerified := false
				for _, x := range w.list() {
					if x.Verified || x.Primary {
						want[strings.ToLower(x.Address)] = x.Address
					}
					if x.Primary {
						wantPrimaryVerified = x.Verified
					}
				}
				if got := w.holding(); !maps.Equal(got, want) {
					t.Errorf("primary %v (proof %v), stored %+v: holding() = %v, the list holds %v", primary, proofAt != nil, set, got, want)
				}
				if got := w.primaryVerified(); got != wantPrimaryVerified {
					t.Errorf("primary %v (proof %v), stored %+v: primaryVerified() = %v, the list says %v", primary, proofAt != nil, set, got, wantPrimaryVerified)
				}
			}
		}
	}
}
