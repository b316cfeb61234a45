package httpapi_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard/internal/mailpittest"
	"github.com/thebabesclub/dashboard/internal/stripetest"
)

// addCheckoutEmail asks for address and returns the code that arrived there.
func (h *harness) addCheckoutEmail(t *testing.T, token, address string) string {
	t.Helper()
	n := len(mailpittest.Messages(t, address))
	r := h.do("POST", "/dashboard/emails", token, fmt.Sprintf(`{"email": %q}`, address))
	if r.status != 202 || r.body["verified"] != false || r.body["expiresAt"] == nil {
		t.Fatalf("POST /dashboard/emails = %d %s", r.status, r.raw)
	}
	msgs := mailpittest.WaitN(t, address, n+1)
	return mailpittest.Code(t, mailpittest.Message(t, msgs[0].ID))
}

// emails returns the member's addresses as GET /dashboard/emails lists
// them: address → "verified" or "pending", the primary one marked.
func (h *harness) emails(t *testing.T, token string) map[string]string {
	t.Helper()
	r := h.do("GET", "/dashboard/emails", token, "")
	if r.status != 200 {
		t.Fatalf("GET /dashboard/emails = %d %s", r.status, r.raw)
	}
	out := map[string]string{}
	for _, e := range r.body["emails"].([]any) {
		e := e.(map[string]any)
		state := "pending"
		if e["verified"] == true {
			state = "verified"
		}
		if e["primary"] == true {
			state += ",primary"
		}
		out[e["email"].(string)] = state
	}
	return out
}

// TestCheckoutEmailBringsGuestOrders is issue 12's "done when": a guest
// order placed with a second address shows in the member's list within one
// sync after they verify the address, later webhooks for it file under
// them, and removing it stops new matches while filed orders stay.
func TestCheckoutEmailBringsGuestOrders(t *testing.T) {
	h := newTestHarness(t).withMailpit(t)
	id, token, loginEmail := h.memberWithEmail(t)
	other, _ := h.member("other@example.com")
	guest := mailpittest.Address(t)

	// Stripe has two sessions placed with the guest address: one a guest
	// checkout, one that another member's id claims (it stays theirs).
	guestOrder := stripetest.NewSession("cs_test_guest_"+id[:8], time.Now().Add(-48*time.Hour)).WithEmail(guest).WithItem("Hoops", 1, 8900).Paid()
	claimed := stripetest.NewSession("cs_test_claimed_"+id[:8], time.Now().Add(-24*time.Hour)).WithEmail(guest).WithUserID(other).Paid()
	h.stripe.AddSession(guestOrder, claimed)

	code := h.addCheckoutEmail(t, token, guest)
	if got := h.emails(t, token); got[loginEmail] != "verified,primary" || got[guest] != "pending" || len(got) != 2 {
		t.Fatalf("emails while pending = %v", got)
	}
	// Pending: the address matches nothing, and no lookup names it.
	if item := h.rawItem("CHECKOUTEMAIL#"+strings.ToLower(guest), "LOOKUP"); item != nil {
		t.Fatalf("a pending address has a lookup: %s", item)
	}
	if r := h.deliver(stripetest.EventPayload("checkout.session.completed", guestOrder)); r.status != 200 || len(h.memberOrders(id)) != 0 {
		t.Fatalf("a webhook for the pending address = %d %s, orders %v", r.status, r.raw, h.memberOrders(id))
	}

	r := h.do("POST", "/dashboard/emails/verify", token, fmt.Sprintf(`{"email": %q, "code": %q}`, guest, wrongCode(code)))
	r.wantError(t, 400, "invalid_code")
	if got := h.emails(t, token); got[guest] != "pending" {
		t.Fatalf("a wrong code changed the address: %v", got)
	}
	r = h.do("POST", "/dashboard/emails/verify", token, fmt.Sprintf(`{"email": %q, "code": %q}`, strings.ToUpper(guest), code))
	if r.status != 200 || r.body["verified"] != true || r.body["email"] != guest {
		t.Fatalf("verify = %d %s", r.status, r.raw)
	}
	if err := h.queue.Idle(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := h.emails(t, token); got[guest] != "verified" {
		t.Fatalf("emails after verifying = %v", got)
	}
	list := h.do("GET", "/dashboard/orders", token, "")
	if ids := orderIDs(t, list); !slices.Equal(ids, []string{guestOrder.ID}) {
		t.Fatalf("orders after the checkout-email sync = %v, want the guest order only", ids)
	}
	if o, err := h.store.FindOrder(t.Context(), claimed.ID); err == nil && o.UserID != other {
		t.Fatalf("the session another member's id claims was filed under %s", o.UserID)
	}

	// A later order placed with the address files under the member.
	later := stripetest.NewSession("cs_test_later_"+id[:8], time.Now().Add(-time.Minute)).WithEmail(guest).Paid()
	h.stripe.AddSession(later)
	if r := h.deliver(stripetest.EventPayload("checkout.session.completed", later)); r.status != 200 {
		t.Fatalf("webhook = %d %s", r.status, r.raw)
	}
	if n := len(h.memberOrders(id)); n != 2 {
		t.Fatalf("after the later webhook the member has %d orders, want 2", n)
	}

	// Removing it stops new matches; filed orders stay.
	r = h.do("DELETE", "/dashboard/emails/"+url.PathEscape(guest), token, "")
	if r.status != 204 {
		t.Fatalf("DELETE = %d %s", r.status, r.raw)
	}
	if item := h.rawItem("CHECKOUTEMAIL#"+strings.ToLower(guest), "LOOKUP"); item != nil {
		t.Fatalf("the lookup outlived the address: %s", item)
	}
	after := stripetest.NewSession("cs_test_after_"+id[:8], time.Now()).WithEmail(guest).Paid()
	h.stripe.AddSession(after)
	h.deliver(stripetest.EventPayload("checkout.session.completed", after))
	if n := len(h.memberOrders(id)); n != 2 {
		t.Fatalf("after removal the member has %d orders, want the 2 filed before", n)
	}
	if got := h.emails(t, token); len(got) != 1 {
		t.Fatalf("emails after removal = %v", got)
	}
}

// TestCheckoutEmailRefusals sends what must be refused and checks that each
// answer is the contract's and that nothing about anyone's addresses moved.
func TestCheckoutEmailRefusals(t *testing.T) {
	h := newTestHarness(t).withMailpit(t)
	id, token, loginEmail := h.memberWithEmail(t)
	otherID, otherToken, otherLogin := h.memberWithEmail(t)
	held := mailpittest.Address(t)
	code := h.addCheckoutEmail(t, otherToken, held)
	if r := h.do("POST", "/dashboard/emails/verify", otherToken, fmt.Sprintf(`{"email": %q, "code": %q}`, held, code)); r.status != 200 {
		t.Fatalf("the other member's verify = %d %s", r.status, r.raw)
	}
	// Three addresses of the member's own, pending.
	mine := []string{mailpittest.Address(t), mailpittest.Address(t), mailpittest.Address(t)}
	for _, a := range mine {
		h.addCheckoutEmail(t, token, a)
	}
	snapshot := func() string {
		var b strings.Builder
		for _, a := range append(slices.Clone(mine), held, loginEmail, otherLogin, "fourth@example.com") {
			fmt.Fprintf(&b, "%s|%s|%s|%s\n", h.rawItem("USER#"+id, "CHECKOUTEMAIL#"+strings.ToLower(a)),
				h.rawItem("USER#"+otherID, "CHECKOUTEMAIL#"+strings.ToLower(a)),
				h.rawItem("CHECKOUTEMAIL#"+strings.ToLower(a), "LOOKUP"), h.rawItem("EMAIL#"+strings.ToLower(a), "LOOKUP"))
		}
		return b.String()
	}
	before := snapshot()
	cases := []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"malformed address", "POST", "/dashboard/emails", `{"email": "not-an-address"}`, 400, "validation_failed"},
		{"unknown key", "POST", "/dashboard/emails", `{"email": "a@example.com", "userId": "x"}`, 400, "invalid_request"},
		{"a fourth address", "POST", "/dashboard/emails", `{"email": "fourth@example.com"}`, 400, "validation_failed"},
		{"the member's own login email", "POST", "/dashboard/emails", fmt.Sprintf(`{"email": %q}`, strings.ToUpper(loginEmail)), 409, "conflict"},
		{"another member's login email", "POST", "/dashboard/emails", fmt.Sprintf(`{"email": %q}`, otherLogin), 409, "conflict"},
		{"another member's verified address", "POST", "/dashboard/emails", fmt.Sprintf(`{"email": %q}`, held), 409, "conflict"},
		{"verify an address the member lacks", "POST", "/dashboard/emails/verify", fmt.Sprintf(`{"email": %q, "code": "123456"}`, held), 404, "not_found"},
		{"verify with a malformed code", "POST", "/dashboard/emails/verify", fmt.Sprintf(`{"email": %q, "code": "12ab56"}`, mine[0]), 400, "validation_failed"},
		{"remove an address the member lacks", "DELETE", "/dashboard/emails/" + url.PathEscape(held), "", 404, "not_found"},
		{"remove the login email", "DELETE", "/dashboard/emails/" + url.PathEscape(loginEmail), "", 400, "validation_failed"},
		{"change the login email to another member's checkout email", "PUT", "/dashboard/profile", fmt.Sprintf(`{"email": %q}`, held), 409, "conflict"},
	}
	for _, c := range cases {
		r := h.do(c.method, c.path, token, c.body)
		if r.status != c.status || r.body["code"] != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, r.status, r.raw, c.status, c.code)
		}
		if after := snapshot(); after != before {
			t.Fatalf("%s changed the stored addresses:\nbefore %s\nafter  %s", c.name, before, after)
		}
	}
	// Another member verifying an address first wins it: the second
	// verification of the same address answers 409 and changes nothing.
	contested := mailpittest.Address(t)
	h.do("DELETE", "/dashboard/emails/"+url.PathEscape(mine[2]), token, "")
	myCode := h.addCheckoutEmail(t, token, contested)
	theirCode := h.addCheckoutEmail(t, otherToken, contested)
	if r := h.do("POST", "/dashboard/emails/verify", otherToken, fmt.Sprintf(`{"email": %q, "code": %q}`, contested, theirCode)); r.status != 200 {
		t.Fatalf("first verify = %d %s", r.status, r.raw)
	}
	r := h.do("POST", "/dashboard/emails/verify", token, fmt.Sprintf(`{"email": %q, "code": %q}`, contested, myCode))
	r.wantError(t, 409, "conflict")
	if item := h.rawItem("CHECKOUTEMAIL#"+strings.ToLower(contested), "LOOKUP"); !strings.Contains(string(item), otherID) {
		t.Fatalf("the lookup after the losing verify = %s", item)
	}
	if got := h.emails(t, token); got[contested] != "pending" {
		t.Fatalf("the losing member's address = %q", got[contested])
	}
}

// TestCheckoutEmailMailsShareTheHourlyLimit: checkout-email codes count
// against the same five verification mails an hour as email changes.
func TestCheckoutEmailMailsShareTheHourlyLimit(t *testing.T) {
	h := newTestHarness(t).withMailpit(t)
	_, token, _ := h.memberWithEmail(t)
	address := mailpittest.Address(t)
	h.requestEmailChange(t, token, mailpittest.Address(t))
	for range 4 {
		h.addCheckoutEmail(t, token, address) // the first adds, the others resend
	}
	r := h.do("POST", "/dashboard/emails", token, fmt.Sprintf(`{"email": %q}`, address))
	r.wantError(t, 429, "rate_limited")
	if r.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}
