package httpapi_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/mailpittest"
	"github.com/thebabesclub/dashboard/internal/stripetest"
	"github.com/thebabesclub/dashboard/mail"
)

// withMailpit makes the harness's profile service send its mail through
// the SMTP transport to the test binary's Mailpit, so each test reads what
// really arrived.
func (h *harness) withMailpit(t *testing.T) *harness {
	t.Helper()
	m, err := mail.NewSMTP(mailpittest.SMTPURL(t), mail.DefaultFrom, h.server.Logger)
	if err != nil {
		t.Fatal(err)
	}
	h.profiles.Mailer, h.orders.Mailer = m, m
	return h
}

// memberWithEmail is a signed-up member (identity-service profile and
// EMAIL# lookup) whose address is a Mailpit mailbox of this test alone.
func (h *harness) memberWithEmail(t *testing.T) (id, token, email string) {
	t.Helper()
	email = mailpittest.Address(t)
	id, token = h.member(email)
	h.putIdentityProfile(id, email)
	return id, token, email
}

// requestEmailChange asks for newEmail and returns the code that arrived there.
func (h *harness) requestEmailChange(t *testing.T, token, newEmail string) string {
	t.Helper()
	r := h.do("PUT", "/dashboard/profile", token, fmt.Sprintf(`{"email": %q}`, newEmail))
	if r.status != 200 || r.body["emailVerificationSent"] != true {
		t.Fatalf("PUT email = %d %s, want 200 with emailVerificationSent", r.status, r.raw)
	}
	n := len(mailpittest.Messages(t, newEmail))
	msgs := mailpittest.WaitN(t, newEmail, max(n, 1))
	return mailpittest.Code(t, mailpittest.Message(t, msgs[0].ID))
}

func wrongCode(code string) string {
	if code == "123456" {
		return "654321"
	}
	return "123456"
}

func TestEmailChangeWaitsForTheMailedCode(t *testing.T) {
	h := newTestHarness(t)
	h.withMailpit(t)
	id, token, oldEmail := h.memberWithEmail(t)
	newEmail := mailpittest.Address(t)

	r := h.do("PUT", "/dashboard/profile", token, fmt.Sprintf(`{"email": %q, "displayName": "Ann"}`, newEmail))
	if r.status != 200 || r.body["emailVerificationSent"] != true {
		t.Fatalf("PUT = %d %s", r.status, r.raw)
	}
	p := r.profile(t)
	if p["email"] != oldEmail || p["pendingEmail"] != newEmail || p["pendingEmailExpiresAt"] == nil || p["displayName"] != "Ann" {
		t.Fatalf("profile after the change request = %v", p)
	}
	// Nothing about the new address is claimed yet.
	if item := h.rawItem("EMAIL#"+strings.ToLower(newEmail), "LOOKUP"); item != nil {
		t.Fatalf("EMAIL# of the pending address was claimed: %s", item)
	}
	if item := h.rawItem("EMAIL#"+strings.ToLower(oldEmail), "LOOKUP"); !bytes.Contains(item, []byte(id)) {
		t.Fatalf("EMAIL# of the old address = %s, want it to stay the member's", item)
	}
	codeMail := mailpittest.Wait(t, newEmail)
	code := mailpittest.Code(t, codeMail)
	if codeMail.Text == "" || codeMail.HTML == "" {
		t.Errorf("the code mail lacks a text or HTML body: %+v", codeMail)
	}
	notice := mailpittest.Wait(t, oldEmail)
	if strings.Contains(notice.Text, code) || strings.Contains(notice.HTML, code) || strings.Contains(notice.Subject, code) {
		t.Errorf("the notice to the old address carries the code")
	}
	if strings.Contains(notice.Text, newEmail) {
		t.Errorf("the notice names the whole new address: %q", notice.Text)
	}
	if got := h.do("GET", "/dashboard/profile", token, "").profile(t); got["pendingEmail"] != newEmail || got["email"] != oldEmail {
		t.Fatalf("GET profile = %v", got)
	}

	// A wrong code changes nothing but the count of tries.
	before := h.rawItem("USER#"+id, "PROFILE")
	h.do("POST", "/dashboard/profile/email/verify", token, fmt.Sprintf(`{"code": %q}`, wrongCode(code))).wantError(t, 400, "invalid_code")
	if after := h.rawItem("USER#"+id, "PROFILE"); !bytes.Equal(before, after) {
		t.Errorf("a wrong code changed the profile:\n%s\n%s", before, after)
	}

	r = h.do("POST", "/dashboard/profile/email/verify", token, fmt.Sprintf(`{"code": %q}`, code))
	if r.status != 200 {
		t.Fatalf("verify = %d %s", r.status, r.raw)
	}
	if p := r.profile(t); p["email"] != newEmail || p["pendingEmail"] != nil {
		t.Fatalf("profile after verify = %v", p)
	}
	if item := h.rawItem("EMAIL#"+strings.ToLower(newEmail), "LOOKUP"); !bytes.Contains(item, []byte(id)) {
		t.Errorf("EMAIL# of the new address = %s, want it to name the member", item)
	}
	if item := h.rawItem("EMAIL#"+strings.ToLower(oldEmail), "LOOKUP"); item != nil {
		t.Errorf("EMAIL# of the old address survives: %s", item)
	}
	// A code is single use.
	h.do("POST", "/dashboard/profile/email/verify", token, fmt.Sprintf(`{"code": %q}`, code)).wantError(t, 400, "code_expired")
}

func TestEmailChangeVoidAfterFiveWrongCodes(t *testing.T) {
	h := newTestHarness(t)
	h.withMailpit(t)
	id, token, oldEmail := h.memberWithEmail(t)
	newEmail := mailpittest.Address(t)
	code := h.requestEmailChange(t, token, newEmail)
	for i := 1; i < dashboard.MaxCodeAttempts; i++ {
		h.do("POST", "/dashboard/profile/email/verify", token, fmt.Sprintf(`{"code": %q}`, wrongCode(code))).wantError(t, 400, "invalid_code")
	}
	h.do("POST", "/dashboard/profile/email/verify", token, fmt.Sprintf(`{"code": %q}`, wrongCode(code))).wantError(t, 400, "code_expired")
	// The right code is no use any more.
	h.do("POST", "/dashboard/profile/email/verify", token, fmt.Sprintf(`{"code": %q}`, code)).wantError(t, 400, "code_expired")
	p := h.do("GET", "/dashboard/profile", token, "").profile(t)
	if p["email"] != oldEmail || p["pendingEmail"] != nil {
		t.Fatalf("profile = %v, want the old email and nothing pending", p)
	}
	if item := h.rawItem("USER#"+id, "CODE#EMAIL#PROFILE"); item != nil {
		t.Errorf("the void code is still stored: %s", item)
	}
	// Malformed codes are refused before they count.
	for _, body := range []string{`{"code": "12345"}`, `{"code": "abcdef"}`, `{"code": 123456}`, `{}`, `{"code": "123456", "x": 1}`} {
		r := h.do("POST", "/dashboard/profile/email/verify", token, body)
		if r.status != 400 {
			t.Errorf("%s = %d %s, want 400", body, r.status, r.raw)
		}
	}
}

func TestEmailChangeExpires(t *testing.T) {
	h := newTestHarness(t)
	h.withMailpit(t)
	_, token, oldEmail := h.memberWithEmail(t)
	code := h.requestEmailChange(t, token, mailpittest.Address(t))
	// The clock moves past the code's 15 minutes.
	h.profiles.Now = func() time.Time { return time.Now().Add(dashboard.CodeTTL + time.Minute) }
	h.do("POST", "/dashboard/profile/email/verify", token, fmt.Sprintf(`{"code": %q}`, code)).wantError(t, 400, "code_expired")
	p := h.do("GET", "/dashboard/profile", token, "").profile(t)
	if p["email"] != oldEmail || p["pendingEmail"] != nil {
		t.Fatalf("profile = %v, want the old email and nothing pending", p)
	}
}

func TestEmailChangeRateLimited(t *testing.T) {
	h := newTestHarness(t)
	h.withMailpit(t)
	id, token, _ := h.memberWithEmail(t)
	for range dashboard.VerificationMailsPerHour {
		h.requestEmailChange(t, token, mailpittest.Address(t))
	}
	before := h.rawItem("USER#"+id, "PROFILE")
	extra := mailpittest.Address(t)
	r := h.do("PUT", "/dashboard/profile", token, fmt.Sprintf(`{"email": %q}`, extra))
	r.wantError(t, 429, "rate_limited")
	if r.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if after := h.rawItem("USER#"+id, "PROFILE"); !bytes.Equal(before, after) {
		t.Errorf("a refused change wrote the profile")
	}
	if n := len(mailpittest.Messages(t, extra)); n != 0 {
		t.Errorf("%d mails went to the refused address", n)
	}
}

func TestEmailChangeToATakenAddress(t *testing.T) {
	h := newTestHarness(t)
	h.withMailpit(t)
	id, token, _ := h.memberWithEmail(t)
	_, _, taken := h.memberWithEmail(t)
	before := h.rawItem("USER#"+id, "PROFILE")
	h.do("PUT", "/dashboard/profile", token, fmt.Sprintf(`{"email": %q}`, strings.ToUpper(taken))).wantError(t, 409, "conflict")
	if after := h.rawItem("USER#"+id, "PROFILE"); !bytes.Equal(before, after) {
		t.Errorf("a refused change wrote the profile")
	}

	// Taken between the request and the code: 409, and the change is void.
	free := mailpittest.Address(t)
	code := h.requestEmailChange(t, token, free)
	other := newMemberID()
	h.putIdentityProfile(other, free)
	h.do("POST", "/dashboard/profile/email/verify", token, fmt.Sprintf(`{"code": %q}`, code)).wantError(t, 409, "conflict")
	if item := h.rawItem("EMAIL#"+strings.ToLower(free), "LOOKUP"); !bytes.Contains(item, []byte(other)) {
		t.Errorf("EMAIL# changed hands: %s", item)
	}
	if p := h.do("GET", "/dashboard/profile", token, "").profile(t); p["pendingEmail"] != nil {
		t.Errorf("pendingEmail = %v after the address was taken", p["pendingEmail"])
	}
}

func TestSameEmailInAnotherCaseIsNoChange(t *testing.T) {
	h := newTestHarness(t)
	h.withMailpit(t)
	id, token, email := h.memberWithEmail(t)
	h.do("PUT", "/dashboard/profile", token, `{"displayName": "Ann"}`)
	before := h.rawItem("USER#"+id, "PROFILE")
	r := h.do("PUT", "/dashboard/profile", token, fmt.Sprintf(`{"email": %q, "displayName": "Ann"}`, strings.ToUpper(email)))
	if r.status != 200 || r.body["emailVerificationSent"] != nil || r.profile(t)["pendingEmail"] != nil {
		t.Fatalf("PUT the same address = %d %s", r.status, r.raw)
	}
	if after := h.rawItem("USER#"+id, "PROFILE"); !bytes.Equal(before, after) {
		t.Errorf("the same address wrote the profile")
	}
	if n := len(mailpittest.Messages(t, email)); n != 0 {
		t.Errorf("%d mails were sent for no change", n)
	}
}

// TestUnverifiedEmailNeverMatchesOrders is the order takeover the review
// found: a member who sets a guest buyer's address as their email must
// not receive the buyer's orders, customer id or login lookup.
func TestUnverifiedEmailNeverMatchesOrders(t *testing.T) {
	h := newTestHarness(t)
	h.withMailpit(t)
	attacker, token, _ := h.memberWithEmail(t)
	guest := mailpittest.Address(t)
	r := h.do("PUT", "/dashboard/profile", token, fmt.Sprintf(`{"email": %q}`, guest))
	if r.status != 200 {
		t.Fatalf("PUT = %d %s", r.status, r.raw)
	}
	cus := "cus_" + attacker[:12]
	sess := stripetest.NewSession("cs_test_guest_"+attacker[:8], time.Now().Add(-time.Minute)).
		WithEmail(guest).WithCustomer(cus).WithPhone("+15550100").WithItem("Necklace", 1, 12000).Paid()
	h.stripe.AddSession(sess)
	if r := h.deliver(stripetest.Event{Type: "checkout.session.completed", Object: sess}.Payload()); r.status != 200 {
		t.Fatalf("webhook = %d %s", r.status, r.raw)
	}
	if _, err := h.orders.Reconcile(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if got := h.memberOrders(attacker); len(got) != 0 {
		t.Fatalf("the guest's order was filed under the member: %+v", got)
	}
	if list := h.do("GET", "/dashboard/orders", token, ""); len(list.body["orders"].([]any)) != 0 {
		t.Fatalf("orders list = %s", list.raw)
	}
	h.do("GET", "/dashboard/orders/"+sess.ID, token, "").wantError(t, 404, "not_found")
	p := h.do("GET", "/dashboard/profile", token, "").profile(t)
	if p["stripeCustomerId"] != nil {
		t.Errorf("the guest's customer id was linked: %v", p["stripeCustomerId"])
	}
	if item := h.rawItem("EMAIL#"+strings.ToLower(guest), "LOOKUP"); item != nil {
		t.Errorf("the guest's login lookup was claimed: %s", item)
	}
}

// TestVerifiedEmailMatchesOrders: once the member proves the address, a
// later session of it is theirs, and its customer id is linked.
func TestVerifiedEmailMatchesOrders(t *testing.T) {
	h := newTestHarness(t)
	h.withMailpit(t)
	id, token, _ := h.memberWithEmail(t)
	address := mailpittest.Address(t)
	code := h.requestEmailChange(t, token, address)
	if r := h.do("POST", "/dashboard/profile/email/verify", token, fmt.Sprintf(`{"code": %q}`, code)); r.status != 200 {
		t.Fatalf("verify = %d %s", r.status, r.raw)
	}
	cus := "cus_" + id[:12]
	sess := stripetest.NewSession("cs_test_owner_"+id[:8], time.Now().Add(-time.Minute)).
		WithEmail(strings.ToUpper(address)).WithCustomer(cus).WithItem("Ring", 1, 9000).Paid()
	h.stripe.AddSession(sess)
	if r := h.deliver(stripetest.Event{Type: "checkout.session.completed", Object: sess}.Payload()); r.status != 200 {
		t.Fatalf("webhook = %d %s", r.status, r.raw)
	}
	if got := h.memberOrders(id); len(got) != 1 || got[0].OrderID != sess.ID {
		t.Fatalf("orders = %+v, want the session", got)
	}
	if p := h.do("GET", "/dashboard/profile", token, "").profile(t); p["stripeCustomerId"] != cus {
		t.Errorf("stripeCustomerId = %v, want %s", p["stripeCustomerId"], cus)
	}
}

// TestMalformedMetadataUserIDIsNoProof: metadata.userId must be a
// well-formed member id, as a token's is; anything else proves nothing.
func TestMalformedMetadataUserIDIsNoProof(t *testing.T) {
	h := newTestHarness(t)
	id, _ := h.member("meta@example.com")
	for i, bad := range []string{id + "#PROFILE", " ", "a b", strings.Repeat("a", 129)} {
		sess := stripetest.NewSession(fmt.Sprintf("cs_test_meta%d_%s", i, id[:8]), time.Now().Add(-time.Minute)).
			WithUserID(bad).WithItem("Charm", 1, 1500).Paid()
		h.stripe.AddSession(sess)
		r := h.deliver(stripetest.Event{Type: "checkout.session.completed", Object: sess}.Payload())
		if r.status != 200 || r.body["ignored"] != true {
			t.Errorf("metadata.userId %q: webhook = %d %s, want 200 ignored", bad, r.status, r.raw)
		}
		if _, err := h.store.FindOrder(t.Context(), sess.ID); dashboard.ErrorCode(err) != dashboard.ENOTFOUND {
			t.Errorf("metadata.userId %q: the session was filed (%v)", bad, err)
		}
	}
}

// TestEmailChangeWhenMailFails: no code reached the address, so nothing is
// pending and the profile is as it was; the answer is 503.
func TestEmailChangeWhenMailFails(t *testing.T) {
	h := newTestHarness(t)
	id, token, _ := h.memberWithEmail(t)
	// A real SMTP transport towards a port where nothing listens.
	down, err := mail.NewSMTP("smtp://127.0.0.1:1", mail.DefaultFrom, h.server.Logger)
	if err != nil {
		t.Fatal(err)
	}
	h.profiles.Mailer = down
	before := h.rawItem("USER#"+id, "PROFILE")
	r := h.do("PUT", "/dashboard/profile", token, fmt.Sprintf(`{"email": %q}`, mailpittest.Address(t)))
	r.wantError(t, 503, "upstream_unavailable")
	if after := h.rawItem("USER#"+id, "PROFILE"); !bytes.Equal(before, after) {
		t.Errorf("a change whose mail failed wrote the profile:\n%s\n%s", before, after)
	}
}
