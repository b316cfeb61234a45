package profile

import "testing"

func BenchmarkParseUpdate(b *testing.B) {
	body := []byte(`{"displayName": "Ruby Tuesday", "phone": "+1 (555) 010-9999",
		"shippingAddress": {"line1": "1 Sparkle Street", "city": "Los Angeles", "state": "CA", "postalCode": "90001", "country": "US"},
		"preferredWallet": "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "dashboardSettings": {"showNftHoldings": false}}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := ParseUpdate(body); err != nil {
			b.Fatal(err)
		}
	}
}
