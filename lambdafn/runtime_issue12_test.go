package lambdafn_test

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/profile"
)

// The runtime tests of the functions of issue 12: checkout emails, the
// export and the internal fulfilment route, each started with only the
// environment the stack gives it.

// codeMailer keeps the messages a profile service sends, so a test can read
// the code a member would find in their mail.
type codeMailer struct {
	mu   sync.Mutex
	sent []dashboard.Message
}

func (m *codeMailer) Send(_ context.Context, msg dashboard.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, msg)
	return nil
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

func TestLambdaCheckoutEmails(t *testing.T) {
	t.Parallel()
	w := newWorld(t).withQueue()
	w.seedMember(memberA, "", "")
	fn := w.start("checkout-emails")
	ctx := context.Background()
	const guest = "guest-lambda@example.com"

	// The code goes out as the function would send it (the stack gives it
	// SES, which the test has not): a profile service with the same
	// CURSOR_SECRET-derived key on the same table adds the address.
	mails := &codeMailer{}
	svc := &profile.Service{Store: w.store, CodeKey: profile.NewCodeKey([]byte(cursorSecret)), Mailer: mails}
	if _, err := svc.AddCheckoutEmail(ctx, dashboard.Member{UserID: memberA, Email: "member-012345@example.com"}, guest); err != nil {
		t.Fatal(err)
	}
	code := sixDigits.FindString(mails.sent[0].Text)

	resp, body := fn.http(apiEvent("GET", "/dashboard/emails", memberContext(memberA), ""))
	want(t, "GET /dashboard/emails", resp, body, 200, "")
	if list, _ := body["emails"].([]any); len(list) != 2 || list[0].(map[string]any)["primary"] != true ||
		list[1].(map[string]any)["email"] != guest || list[1].(map[string]any)["verified"] != false {
		t.Errorf("emails = %s", resp.Body)
	}
	resp, body = fn.http(apiEvent("GET", "/dashboard/emails", memberContext(memberB), ""))
	if list, _ := body["emails"].([]any); resp.StatusCode != 200 || len(list) != 1 {
		t.Errorf("member B sees %s", resp.Body)
	}
	resp, body = fn.http(apiEvent("POST", "/dashboard/emails", memberContext(memberA), `{"email":"not an address"}`))
	want(t, "POST a malformed address", resp, body, 400, "validation_failed")

	// A wrong code verifies nothing and queues nothing; the right one
	// writes the lookup in its transaction and queues the address's sync.
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	resp, body = fn.http(apiEvent("POST", "/dashboard/emails/verify", memberContext(memberA), `{"email":"`+guest+`","code":"`+wrong+`"}`))
	want(t, "verify with a wrong code", resp, body, 400, "invalid_code")
	if n := w.queued(); n != 0 {
		t.Errorf("a wrong code queued %d refreshes", n)
	}
	resp, body = fn.http(apiEvent("POST", "/dashboard/emails/verify", memberContext(memberB), `{"email":"`+guest+`","code":"`+code+`"}`))
	want(t, "member B verifying A's address", resp, body, 404, "not_found")
	resp, body = fn.http(apiEvent("POST", "/dashboard/emails/verify", memberContext(memberA), `{"email":"`+guest+`","code":"`+code+`"}`))
	want(t, "verify", resp, body, 200, "")
	if body["verified"] != true {
		t.Errorf("verify = %s", resp.Body)
	}
	if id, err := w.store.UserIDByCheckoutEmail(ctx, guest); err != nil || id != memberA {
		t.Errorf("lookup after verify = %q, %v", id, err)
	}
	if n := w.queued(); n != 1 {
		t.Errorf("%d refreshes queued after the verification, want 1 (the address's Stripe sync)", n)
	}

	resp, body = fn.http(apiEvent("DELETE", "/dashboard/emails/nobody@example.com", memberContext(memberA), ""))
	want(t, "DELETE an address the member does not have", resp, body, 404, "not_found")
	resp, _ = fn.http(apiEvent("DELETE", "/dashboard/emails/"+guest, memberContext(memberA), ""))
	if resp.StatusCode != 204 {
		t.Errorf("DELETE = %d %s, want 204", resp.StatusCode, resp.Body)
	}
	if _, err := w.store.UserIDByCheckoutEmail(ctx, guest); dashboard.ErrorCode(err) != dashboard.ENOTFOUND {
		t.Errorf("the lookup survived the delete: %v", err)
	}
	if m := fn.metrics(); m["Errors"] != 0 || m["UpstreamFailures/dynamodb"] != 0 {
		t.Errorf("metrics = %v", m)
	}
}

func TestLambdaExport(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.seedMember(memberA, "", "")
	created := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	snap := &dashboard.OrderSnapshot{UserID: memberA, StatusAt: created, OrderDetail: dashboard.OrderDetail{
		Order: dashboard.Order{OrderID: "cs_test_lambda_export1", OrderNumber: dashboard.OrderNumber("cs_test_lambda_export1"),
			Status: dashboard.OrderCompleted, Amount: 2500, AmountSubtotal: 2500, Currency: "usd", CreatedAt: created,
			ItemCount: 1, Items: []dashboard.LineItem{{Name: "Tee", Quantity: 1, UnitPrice: 2500, AmountTotal: 2500, Currency: "usd"}}},
		Discounts: []dashboard.Discount{}, UpdatedAt: created,
	}}
	if err := w.store.PutOrder(context.Background(), snap); err != nil {
		t.Fatal(err)
	}
	fn := w.start("export")
	resp, body := fn.http(apiEvent("GET", "/dashboard/export", memberContext(memberA), ""))
	want(t, "GET /dashboard/export", resp, body, 200, "")
	if cd := header(resp, "Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="babes-club-`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if orders, _ := body["orders"].([]any); len(orders) != 1 || orders[0].(map[string]any)["orderId"] != "cs_test_lambda_export1" {
		t.Errorf("export orders = %v", body["orders"])
	}
	resp, body = fn.http(apiEvent("GET", "/dashboard/export", memberContext(memberA), ""))
	want(t, "a second export within the minute", resp, body, 429, "rate_limited")
	if header(resp, "Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	resp, body = fn.http(apiEvent("GET", "/dashboard/export", memberContext(memberB), ""))
	if orders, _ := body["orders"].([]any); resp.StatusCode != 200 || len(orders) != 0 {
		t.Errorf("member B's export = %d %v", resp.StatusCode, body["orders"])
	}
}

func TestLambdaInternalFulfillment(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.seedMember(memberA, "", "")
	created := time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Second)
	const id = "cs_test_lambda_fulfil1"
	snap := &dashboard.OrderSnapshot{UserID: memberA, StatusAt: created, OrderDetail: dashboard.OrderDetail{
		Order: dashboard.Order{OrderID: id, OrderNumber: dashboard.OrderNumber(id), Status: dashboard.OrderCompleted,
			Amount: 8900, AmountSubtotal: 8900, Currency: "usd", CreatedAt: created, ItemCount: 1,
			Items: []dashboard.LineItem{{Name: "Hoops", Quantity: 1, UnitPrice: 8900, AmountTotal: 8900, Currency: "usd"}}},
		Discounts: []dashboard.Discount{}, UpdatedAt: created,
	}}
	if err := w.store.PutOrder(context.Background(), snap); err != nil {
		t.Fatal(err)
	}
	fn := w.start("internal-fulfillment")
	path := "/internal/orders/" + id + "/fulfillment"
	shipped := `{"status":"shipped","carrier":"UPS","trackingNumber":"1Z999AA10123456784","trackingUrl":"https://www.ups.com/track?tracknum=1Z999AA10123456784"}`
	internal := func(body string) (int, map[string]any) {
		ev := apiEvent("POST", path, nil, body)
		ev.MultiValueHeaders["X-Internal-Token"] = []string{internalToken}
		resp, b := fn.http(ev)
		return resp.StatusCode, b
	}

	resp, body := fn.http(apiEvent("POST", path, memberContext(memberA), shipped))
	want(t, "with a member's authorizer context", resp, body, 401, "unauthorized")
	if st, b := internal(`{"status":"shipped","trackingUrl":"http://www.ups.com/track"}`); st != 400 || b["code"] != "validation_failed" {
		t.Errorf("an http tracking link = %d %v, want 400 validation_failed", st, b)
	}
	if o, err := w.store.FindOrder(context.Background(), id); err != nil || o.Fulfillment != nil {
		t.Fatalf("a refused event changed the order: %+v, %v", o, err)
	}
	st, b := internal(shipped)
	if order, _ := b["order"].(map[string]any); st != 200 || order["fulfillmentStatus"] != "shipped" {
		t.Errorf("shipped = %d %v", st, b)
	}
	if st, b := internal(`{"status":"processing"}`); st != 409 || b["code"] != "conflict" {
		t.Errorf("backwards = %d %v, want 409 conflict", st, b)
	}
	if st, b := internal(`{"status":"shipped"}`); st != 200 {
		t.Errorf("the same status again = %d %v, want 200", st, b)
	}
	o, err := w.store.FindOrder(context.Background(), id)
	if err != nil || o.Fulfillment == nil || o.Fulfillment.Status != dashboard.FulfillmentShipped || len(o.Fulfillment.Events) != 1 ||
		o.Fulfillment.Carrier == nil || *o.Fulfillment.Carrier != "UPS" {
		t.Errorf("stored fulfilment = %+v, %v", o.Fulfillment, err)
	}
	ev := apiEvent("POST", "/internal/orders/cs_test_lambda_nowhere/fulfillment", nil, shipped)
	ev.MultiValueHeaders["X-Internal-Token"] = []string{internalToken}
	resp, body = fn.http(ev)
	want(t, "an unknown order", resp, body, 404, "not_found")
}
