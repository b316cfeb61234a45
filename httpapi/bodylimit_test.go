package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/internal/stripetest"
)

// paddedSession returns a paid session of member whose metadata makes its
// event payload at least size bytes: a large Stripe event, as an order with
// rich metadata produces.
func paddedSession(id, member string, size int) stripetest.Session {
	s := stripetest.NewSession(id, time.Now().Add(-time.Minute)).WithUserID(member).WithItem("Hoops", 1, 8900).Paid()
	for i := 0; i*500 < size; i++ {
		s = s.WithMetadata(fmt.Sprintf("note_%04d", i), strings.Repeat("x", 490))
	}
	return s
}

// TestWebhookBodyLimit checks finding 7f of issue 10: webhook routes accept
// bodies up to 512 KiB, so a large Stripe event is not refused for ever,
// while member and internal bodies stay at 16 KiB (CONTRACT §1). A body
// over its limit is 413 and changes nothing.
func TestWebhookBodyLimit(t *testing.T) {
	h := newTestHarness(t)
	a, tok := h.member("big-event@example.com")

	// A 100 KiB signed event is processed.
	big := paddedSession("cs_test_big_"+a[:8], a, 100<<10)
	h.stripe.AddSession(big)
	payload := stripetest.Event{ID: "evt_big_" + a[:8], Type: "checkout.session.completed", Object: big}.Payload()
	if len(payload) < 100<<10 || len(payload) > 512<<10 {
		t.Fatalf("payload is %d bytes, want 100 KiB to 512 KiB", len(payload))
	}
	for _, path := range []string{"/webhooks/stripe", "/stripe/webhook"} {
		r := h.do("POST", path, "", string(payload), "Stripe-Signature", stripetest.SignWebhook(webhookSecret, payload, time.Now()))
		if r.status != 200 || r.body["received"] != true {
			t.Fatalf("%s with a %d-byte event = %d %s", path, len(payload), r.status, r.raw)
		}
	}
	if got := h.memberOrders(a); len(got) != 1 || !h.eventRecorded("evt_big_"+a[:8]) {
		t.Fatalf("the large event was not processed: %d orders", len(got))
	}

	// A 600 KiB signed event is 413, and nothing is recorded or fetched.
	b, _ := h.member("huge-event@example.com")
	huge := paddedSession("cs_test_huge_"+b[:8], b, 600<<10)
	h.stripe.AddSession(huge)
	payload = stripetest.Event{ID: "evt_huge_" + b[:8], Type: "checkout.session.completed", Object: huge}.Payload()
	h.stripe.ResetCalls()
	for _, path := range []string{"/webhooks/stripe", "/stripe/webhook"} {
		h.do("POST", path, "", string(payload), "Stripe-Signature", stripetest.SignWebhook(webhookSecret, payload, time.Now())).
			wantError(t, 413, "payload_too_large")
	}
	if got := h.memberOrders(b); len(got) != 0 || h.eventRecorded("evt_huge_"+b[:8]) {
		t.Fatalf("a refused event was recorded: %d orders", len(got))
	}
	if n := h.stripe.Calls("/"); n != 0 {
		t.Errorf("a refused event made %d Stripe calls", n)
	}
	// The marketplace webhook has the same limits: a delivery of many
	// transfers (mints to one wallet) above 16 KiB is acted on, one above
	// 512 KiB is refused before anything is queued.
	notifyOf := func(transfers int) []byte {
		n := markettest.NFTActivity("ETH_MAINNET")
		for i := range transfers {
			n = n.Transfer(babesContract, fmt.Sprint(i), markettest.ZeroAddress, testKeyWallet)
		}
		return n.JSON()
	}
	perTransfer := len(notifyOf(2)) - len(notifyOf(1))
	notify := notifyOf(100<<10/perTransfer + 1)
	if len(notify) < 100<<10 || len(notify) > 512<<10 {
		t.Fatalf("notify payload is %d bytes", len(notify))
	}
	h.setWallet(tok, testKeyWallet)
	h.market.SetHoldings(testKeyWallet, threeNFTs())
	if r := h.do("POST", "/webhooks/nfts", "", string(notify), "X-Alchemy-Signature", signNotify(nftWebhookSecret, notify)); r.status != 200 {
		t.Fatalf("a %d-byte marketplace delivery = %d %s", len(notify), r.status, r.raw)
	}
	if err := h.queue.Idle(t.Context()); err != nil {
		t.Fatal(err)
	}
	calls := h.market.WalletCalls(testKeyWallet)
	if calls == 0 {
		t.Fatal("the large marketplace delivery queued no sync")
	}
	notify = notifyOf(600<<10/perTransfer + 1)
	h.do("POST", "/webhooks/nfts", "", string(notify), "X-Alchemy-Signature", signNotify(nftWebhookSecret, notify)).wantError(t, 413, "payload_too_large")
	if err := h.queue.Idle(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := h.market.WalletCalls(testKeyWallet); n != calls {
		t.Errorf("a refused marketplace delivery queued %d syncs", n-calls)
	}

	// Member and internal bodies stay at 16 KiB.
	before := h.rawItem("USER#"+a, "PROFILE")
	h.do("PUT", "/dashboard/profile", tok, `{"displayName": "`+strings.Repeat("x", 17<<10)+`"}`).wantError(t, 413, "payload_too_large")
	if after := h.rawItem("USER#"+a, "PROFILE"); string(after) != string(before) {
		t.Errorf("a refused profile update changed the profile:\n%s\n%s", before, after)
	}
	h.do("POST", "/internal/sync/nfts", "", `{"userId": "`+a+`", "pad": "`+strings.Repeat("x", 17<<10)+`"}`,
		"X-Internal-Token", "internal-token-0123456789abcdef0123456789").wantError(t, 413, "payload_too_large")
}
