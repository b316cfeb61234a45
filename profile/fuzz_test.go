package profile

import (
	"testing"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/siwe"
)

// FuzzParseUpdate feeds arbitrary payloads to the update parser: it must
// never panic, must fail only with a client error, and whatever it accepts
// must satisfy the rules it enforces.
func FuzzParseUpdate(f *testing.F) {
	for _, seed := range []string{
		`{}`, `null`, `[]`, `{"displayName": "Ruby"}`, `{"email": "a@b.co", "phone": null}`,
		`{"shippingAddress": {"line1": "1", "city": "c", "state": "s", "postalCode": "p", "country": "us"}}`,
		`{"preferredWallet": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"}`,
		`{"dashboardSettings": {"showOrderHistory": false}}`, `{"avatarUrl": "https://a.example/x.png"}`,
		"{\"displayName\": \"\xff\"}", `{"displayName": "a", "displayName": 1}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		u, err := ParseUpdate(body)
		if err != nil {
			if code := dashboard.ErrorCode(err); code != dashboard.EINVALIDREQUEST && code != dashboard.EVALIDATION {
				t.Fatalf("code %q for %q", code, body)
			}
			return
		}
		if u.Has(dashboard.FieldDisplayName) && (u.displayName == "" || hasControl(u.displayName)) {
			t.Fatalf("accepted displayName %q", u.displayName)
		}
		if u.Has(dashboard.FieldEmail) && !validEmail(u.email) {
			t.Fatalf("accepted email %q", u.email)
		}
		if u.preferredWallet != nil {
			if sum, ok := siwe.ChecksumAddress(*u.preferredWallet); !ok || sum != *u.preferredWallet {
				t.Fatalf("accepted wallet %q", *u.preferredWallet)
			}
		}
		for _, a := range []*dashboard.Address{u.shippingAddress, u.billingAddress} {
			if a != nil && (a.Line1 == "" || !validCountry(a.Country)) {
				t.Fatalf("accepted address %+v", a)
			}
		}
	})
}
