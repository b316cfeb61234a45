package httpapi_test

import (
	"fmt"
	"github.com/thebabesclub/dashboard/internal/mailpittest"
	"net/http"
	"strings"
	"sync"
	"testing"
)

const fullUpdate = `{
	"displayName": "Ruby Tuesday", "phone": "+1 (555) 010-9999",
	"shippingAddress": {"name": "Ruby", "line1": "1 Sparkle Street", "city": "Los Angeles", "state": "CA", "postalCode": "90001", "country": "us"},
	"billingAddress": {"line1": "2 Gem Road", "line2": "Suite 5", "city": "Austin", "state": "TX", "postalCode": "73301", "country": "US"},
	"preferredWallet": "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
	"avatarUrl": "https://cdn.babesclub.example/a/ruby.png",
	"dashboardSettings": {"showNftHoldings": false}
}`

func TestProfileFromClaimsThenFirstSaveCreatesIt(t *testing.T) {
	h := newTestHarness(t)
	id, tok := h.member("ruby@example.com")
	r := h.do("GET", "/dashboard/profile", tok, "")
	if r.status != 200 {
		t.Fatalf("GET = %d %s", r.status, r.raw)
	}
	p := r.profile(t)
	if p["userId"] != id || p["email"] != "ruby@example.com" || p["createdAt"] != nil || p["updatedAt"] != nil {
		t.Errorf("profile from claims = %v", p)
	}
	settings := p["dashboardSettings"].(map[string]any)
	if settings["showOrderHistory"] != true || settings["showNftHoldings"] != true || settings["emailNotifications"] != true {
		t.Errorf("defaults = %v", settings)
	}
	if h.rawItem("USER#"+id, "PROFILE") != nil {
		t.Fatal("GET must not create the item")
	}

	r = h.do("PUT", "/dashboard/profile", tok, fullUpdate)
	if r.status != 200 {
		t.Fatalf("PUT = %d %s", r.status, r.raw)
	}
	p = r.profile(t)
	if p["displayName"] != "Ruby Tuesday" || p["preferredWallet"] != "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed" {
		t.Errorf("updated profile = %v", p)
	}
	if p["shippingAddress"].(map[string]any)["country"] != "US" {
		t.Errorf("country not upper-cased: %v", p["shippingAddress"])
	}
	if p["dashboardSettings"].(map[string]any)["showNftHoldings"] != false || p["createdAt"] == nil || p["updatedAt"] == nil {
		t.Errorf("settings or times wrong: %v", p)
	}
	if _, ok := r.body["emailChanged"]; ok {
		t.Error("emailChanged sent although the email did not change")
	}
	if r.header.Get("ETag") != `"`+p["updatedAt"].(string)+`"` {
		t.Errorf("ETag %q does not carry updatedAt %v", r.header.Get("ETag"), p["updatedAt"])
	}
	// The item now exists with the token's email, and GET reads it back.
	again := h.do("GET", "/dashboard/profile", tok, "").profile(t)
	if fmt.Sprint(again) != fmt.Sprint(p) {
		t.Errorf("GET after PUT differs:\n%v\n%v", again, p)
	}
	if uid, err := h.store.UserIDByEmail(t.Context(), "RUBY@example.com"); err != nil || uid != id {
		t.Errorf("email lookup = %q, %v", uid, err)
	}
}

func TestUpdateAliasAndPartialUpdate(t *testing.T) {
	h := newTestHarness(t)
	_, tok := h.member("alias@example.com")
	h.do("PUT", "/dashboard/profile", tok, fullUpdate)
	r := h.do("POST", "/dashboard/update-profile", tok, `{"phone": null, "billingAddress": null}`)
	if r.status != 200 {
		t.Fatalf("POST alias = %d %s", r.status, r.raw)
	}
	p := r.profile(t)
	if p["phone"] != nil || p["billingAddress"] != nil {
		t.Errorf("null did not clear: %v", p)
	}
	if p["displayName"] != "Ruby Tuesday" || p["shippingAddress"] == nil || p["avatarUrl"] == nil {
		t.Errorf("absent fields changed: %v", p)
	}
}

func TestForeignAttributesSurviveAndNeverShow(t *testing.T) {
	h := newTestHarness(t)
	id, tok := h.member("owner@example.com")
	h.putIdentityProfile(id, "owner@example.com")
	for _, body := range []string{fullUpdate, `{"email": "new-owner@example.com"}`, `{"preferredWallet": null, "dashboardSettings": null}`} {
		r := h.do("PUT", "/dashboard/profile", tok, body)
		if r.status != 200 {
			t.Fatalf("PUT %s = %d %s", body, r.status, r.raw)
		}
		for _, leaked := range []string{"passwordHash", "passwordSalt", "hashAlgorithm", "hashIterations", "status", "roles", "PK", "SK", "GSI1PK", "expiresAt", "walletVerifiedAt"} {
			if strings.Contains(string(r.raw), `"`+leaked+`"`) {
				t.Errorf("response leaks %s: %s", leaked, r.raw)
			}
		}
		item, err := h.store.RawItem(t.Context(), "USER#"+id, "PROFILE")
		if err != nil {
			t.Fatal(err)
		}
		if item["passwordHash"] != "pbkdf2$c2VjcmV0aGFzaA==" || item["passwordSalt"] != "c2FsdA==" ||
			item["hashIterations"] != float64(310000) || item["status"] != "active" || fmt.Sprint(item["roles"]) != "[customer]" ||
			item["hashAlgorithm"] != "pbkdf2-sha256" {
			t.Fatalf("foreign attributes lost after %s: %v", body, item)
		}
	}
	get := h.do("GET", "/dashboard/profile", tok, "")
	if strings.Contains(string(get.raw), "password") || strings.Contains(string(get.raw), "roles") {
		t.Errorf("GET leaks foreign attributes: %s", get.raw)
	}
}

func TestIfMatch(t *testing.T) {
	h := newTestHarness(t)
	id, tok := h.member("etag@example.com")
	first := h.do("PUT", "/dashboard/profile", tok, `{"displayName": "One"}`)
	etag := first.header.Get("ETag")
	second := h.do("PUT", "/dashboard/profile", tok, `{"displayName": "Two"}`, "If-Match", etag)
	if second.status != 200 {
		t.Fatalf("matching If-Match = %d %s", second.status, second.raw)
	}
	before := h.rawItem("USER#"+id, "PROFILE")
	stale := h.do("PUT", "/dashboard/profile", tok, `{"displayName": "Three"}`, "If-Match", etag)
	stale.wantError(t, http.StatusPreconditionFailed, "precondition_failed")
	unquoted := h.do("PUT", "/dashboard/profile", tok, `{"displayName": "Three"}`, "If-Match", strings.Trim(etag, `"`))
	unquoted.wantError(t, http.StatusPreconditionFailed, "precondition_failed")
	if string(h.rawItem("USER#"+id, "PROFILE")) != string(before) {
		t.Error("a 412 changed the stored item")
	}
	cur := second.profile(t)["updatedAt"].(string)
	ok := h.do("PUT", "/dashboard/profile", tok, `{"displayName": "Three"}`, "If-Match", cur)
	if ok.status != 200 || ok.profile(t)["displayName"] != "Three" {
		t.Fatalf("unquoted current updatedAt = %d %s", ok.status, ok.raw)
	}
	if ok.profile(t)["updatedAt"] == cur {
		t.Error("updatedAt did not move")
	}
}

func TestEmailChangeSwapsLookup(t *testing.T) {
	h := newTestHarness(t)
	h.withMailpit(t)
	ctx := t.Context()
	a, tokA, oldA := h.memberWithEmail(t)
	b, tokB, oldB := h.memberWithEmail(t)
	newA := mailpittest.Address(t)

	code := h.requestEmailChange(t, tokA, newA)
	r := h.do("POST", "/dashboard/profile/email/verify", tokA, fmt.Sprintf(`{"code": %q}`, code))
	if r.status != 200 || r.body["emailChanged"] != true || r.profile(t)["email"] != newA {
		t.Fatalf("email change = %d %s", r.status, r.raw)
	}
	if uid, err := h.store.UserIDByEmail(ctx, strings.ToUpper(newA)); err != nil || uid != a {
		t.Errorf("new lookup = %q, %v", uid, err)
	}
	if h.rawItem("EMAIL#"+strings.ToLower(oldA), "LOOKUP") != nil {
		t.Error("old lookup not released")
	}

	// B may not take A's address, in any case; nothing changes.
	beforeB, beforeLookup := h.rawItem("USER#"+b, "PROFILE"), h.rawItem("EMAIL#"+strings.ToLower(oldB), "LOOKUP")
	taken := h.do("PUT", "/dashboard/profile", tokB, fmt.Sprintf(`{"email": %q, "displayName": "Bee"}`, strings.ToUpper(newA)))
	taken.wantError(t, http.StatusConflict, "conflict")
	if string(h.rawItem("USER#"+b, "PROFILE")) != string(beforeB) || string(h.rawItem("EMAIL#"+strings.ToLower(oldB), "LOOKUP")) != string(beforeLookup) {
		t.Error("a 409 changed B's profile or lookup")
	}
	if uid, _ := h.store.UserIDByEmail(ctx, newA); uid != a {
		t.Error("a 409 moved A's lookup")
	}
	// The freed address is free.
	code = h.requestEmailChange(t, tokB, oldA)
	if r := h.do("POST", "/dashboard/profile/email/verify", tokB, fmt.Sprintf(`{"code": %q}`, code)); r.status != 200 {
		t.Errorf("taking a released address = %d %s", r.status, r.raw)
	}
}

// TestTwoMembersRaceForOneEmail: several members prove the same address
// (each got a code for it) and confirm at once: exactly one wins the login
// lookup; the others get 409 and keep their email.
func TestTwoMembersRaceForOneEmail(t *testing.T) {
	h := newTestHarness(t)
	h.withMailpit(t)
	const racers = 6
	prize := mailpittest.Address(t)
	tokens, codes := make([]string, racers), make([]string, racers)
	for i := range racers {
		_, tokens[i], _ = h.memberWithEmail(t)
		if r := h.do("PUT", "/dashboard/profile", tokens[i], fmt.Sprintf(`{"email": %q}`, prize)); r.status != 200 {
			t.Fatalf("PUT = %d %s", r.status, r.raw)
		}
		msgs := mailpittest.WaitN(t, prize, i+1)
		codes[i] = mailpittest.Code(t, mailpittest.Message(t, msgs[0].ID)) // newest first
	}
	statuses := make([]int, racers)
	var wg sync.WaitGroup
	for i, tok := range tokens {
		wg.Go(func() {
			statuses[i] = h.do("POST", "/dashboard/profile/email/verify", tok, fmt.Sprintf(`{"code": %q}`, codes[i])).status
		})
	}
	wg.Wait()
	won, lost := 0, 0
	for _, s := range statuses {
		switch s {
		case 200:
			won++
		case 409:
			lost++
		}
	}
	if won != 1 || lost != racers-1 {
		t.Fatalf("statuses = %v, want one 200 and the rest 409", statuses)
	}
	winner, err := h.store.UserIDByEmail(t.Context(), prize)
	if err != nil {
		t.Fatal(err)
	}
	p, err := h.store.GetProfile(t.Context(), winner)
	if err != nil || p.Email != prize {
		t.Fatalf("winner's profile = %+v, %v", p, err)
	}
}

func TestMemberIsolation(t *testing.T) {
	h := newTestHarness(t)
	a, tokA := h.member("iso-a@example.com")
	b, tokB := h.member("iso-b@example.com")
	h.do("PUT", "/dashboard/profile", tokA, `{"displayName": "Alice", "phone": "+1 555 0100"}`)
	beforeA := h.rawItem("USER#"+a, "PROFILE")

	// B names A in every place a request could carry an id: none is used.
	r := h.do("PUT", "/dashboard/profile?userId="+a, tokB, `{"displayName": "Bob"}`, "X-User-Id", a)
	if r.status != 200 || r.profile(t)["userId"] != b {
		t.Fatalf("B's update = %d %s", r.status, r.raw)
	}
	h.do("PUT", "/dashboard/profile", tokB, `{"userId": "`+a+`", "displayName": "Mallory"}`).wantError(t, 400, "validation_failed")
	got := h.do("GET", "/dashboard/profile?userId="+a, tokB, "")
	if got.profile(t)["userId"] != b || strings.Contains(string(got.raw), "Alice") || strings.Contains(string(got.raw), "0100") {
		t.Errorf("B read A's data: %s", got.raw)
	}
	if string(h.rawItem("USER#"+a, "PROFILE")) != string(beforeA) {
		t.Error("B's requests changed A's profile")
	}
}

func TestChangingWalletResetsVerification(t *testing.T) {
	h := newTestHarness(t)
	id, tok := h.member("wallet@example.com")
	h.do("PUT", "/dashboard/profile", tok, `{"preferredWallet": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"}`)
	// Mark the wallet verified as the verification flow will.
	if err := h.store.PutRawItem(t.Context(), withAttr(t, h, id, "walletVerifiedAt", "2025-11-26T21:28:24.000Z")); err != nil {
		t.Fatal(err)
	}
	p, _ := h.store.GetProfile(t.Context(), id)
	if p.WalletVerifiedAt == nil {
		t.Fatal("setup: walletVerifiedAt not read back")
	}
	h.do("PUT", "/dashboard/profile", tok, `{"preferredWallet": "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "displayName": "Same wallet"}`)
	if p, _ = h.store.GetProfile(t.Context(), id); p.WalletVerifiedAt == nil {
		t.Error("the same wallet in another case reset verification")
	}
	h.do("PUT", "/dashboard/profile", tok, `{"preferredWallet": "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"}`)
	if p, _ = h.store.GetProfile(t.Context(), id); p.WalletVerifiedAt != nil {
		t.Error("a new wallet kept the old verification")
	}
}

// withAttr returns the raw profile item of id with one attribute set.
func withAttr(t *testing.T, h *harness, id, name string, value any) map[string]any {
	item, err := h.store.RawItem(t.Context(), "USER#"+id, "PROFILE")
	if err != nil || item == nil {
		t.Fatalf("raw item: %v %v", item, err)
	}
	item[name] = value
	return item
}
