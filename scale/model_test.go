package main

import (
	"math"
	"testing"
)

// TestModelKeepsTheDocumentedFormulas holds the Go model to the first
// calculation of docs/scale.md's model (a separate script, run on
// 2026-11-30 over that day's measured inputs, whose DynamoDB and storage
// figures the doc printed): the same inputs must give the same read and
// write units, storage and mails. Lambda and SQS differ on purpose: the
// poll now runs as 16 queued units an hour.
func TestModelKeepsTheDocumentedFormulas(t *testing.T) {
	in := modelInputs{
		routeRCU: map[string]float64{
			"GET /dashboard/profile": 1, "GET /dashboard/orders (first page)": 3.58, "GET /dashboard/orders (deep page)": 6,
			"GET /dashboard/orders/{id}": 0.5, "GET /dashboard/nfts": 4.34, "GET /dashboard/nfts?collectionId=": 4.52,
			"GET /dashboard/wallets": 2, "GET /dashboard/emails": 1,
		},
		// That day's poll rewrote every holding: 9.864 table WCU, 18.73
		// with the GSI3 copies, which is what the model charged.
		memberPoll:     perItem{calls: 6.95, rcu: 5.408, wcu: 18.73},
		memberSync:     perItem{calls: 4.08, rcu: 2.082, wcu: 1},
		reconciled:     perItem{rcu: 1.375, wcu: 2.011},
		bytesPerMember: 14741,
	}
	for _, c := range []struct {
		n                       float64
		rru, wru, mails, stored float64
	}{
		{10_000, 17_799_141, 60_895_391, 3_685, 0.3},
		{1_000_000, 1_779_914_110, 6_089_539_100, 368_500, 26.5},
	} {
		m := in.month(c.n)
		if math.Round(m.rru) != c.rru || math.Round(m.wru) != c.wru || math.Round(m.mails) != c.mails ||
			math.Round(m.storageGB*10)/10 != c.stored {
			t.Errorf("%.0f members: RRU %.0f, WRU %.0f, mails %.0f, %.1f GB; the doc's model gave %.0f, %.0f, %.0f, %.1f",
				c.n, m.rru, m.wru, m.mails, m.storageGB, c.rru, c.wru, c.mails, c.stored)
		}
	}
	if got := group("1234567.89"); got != "1,234,567.89" {
		t.Errorf("group = %q", got)
	}
}
