package apitest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/apitest"
)

// respond returns a handler that answers every request with status, the
// JSON encoding of v and a request id, after applying extra to the headers.
func respond(status int, v any, extra ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Request-Id", "req-1")
		for i := 0; i+1 < len(extra); i += 2 {
			if extra[i+1] == "" {
				h.Del(extra[i])
			} else {
				h.Set(extra[i], extra[i+1])
			}
		}
		var body []byte
		switch v := v.(type) {
		case nil:
		case string:
			body = []byte(v)
		default:
			var err error
			if body, err = json.Marshal(v); err != nil {
				panic(err)
			}
		}
		if body != nil {
			h.Set("Content-Type", "application/json; charset=utf-8")
		}
		w.WriteHeader(status)
		w.Write(body)
	})
}

func ptr[T any](v T) *T { return &v }

var updated = time.Date(2025, 11, 26, 21, 28, 24, 123000000, time.UTC)

func fullProfile() *dashboard.Profile {
	addr := &dashboard.Address{Name: "Demo Babe", Line1: "1 Sparkle Street", City: "Los Angeles", State: "CA", PostalCode: "90001", Country: "US"}
	return &dashboard.Profile{
		UserID: "0d3e0d3e0d3e0d3e0d3e0d3e0d3e0d3e", Email: "demo@babesclub.example", DisplayName: "Demo Babe",
		Phone: ptr("+1 (555) 010-2025"), ShippingAddress: addr, BillingAddress: addr,
		PreferredWallet:  ptr("0x52908400098527886E0F7030069857D2E4169EE7"),
		AvatarURL:        ptr("https://images.babesclub.example/avatars/demo.png"),
		StripeCustomerID: ptr("cus_Qabc123"), DashboardSettings: dashboard.DefaultDashboardSettings(),
		CreatedAt: &updated, UpdatedAt: &updated,
	}
}

// claimsProfile is a profile built from token claims: every optional value null.
func claimsProfile() *dashboard.Profile {
	return &dashboard.Profile{
		UserID: "0d3e0d3e0d3e0d3e0d3e0d3e0d3e0d3e", Email: "demo@babesclub.example", DisplayName: "Demo",
		DashboardSettings: dashboard.DefaultDashboardSettings(),
	}
}

func errorBody(code string) map[string]any {
	return map[string]any{"error": "Something went wrong.", "code": code}
}

// validate serves req with h and returns the validation error of the answer.
func validate(t *testing.T, h http.Handler, req *http.Request) error {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	resp := rec.Result()
	return apitest.NewValidator(t).Validate(req, resp, rec.Body.Bytes())
}

func TestValidate(t *testing.T) {
	etag := `"` + updated.Format(time.RFC3339Nano) + `"`
	withHash := map[string]any{}
	raw, _ := json.Marshal(fullProfile())
	json.Unmarshal(raw, &withHash)
	withHash["passwordHash"] = "pbkdf2$abc"
	missingPhone := map[string]any{}
	json.Unmarshal(raw, &missingPhone)
	delete(missingPhone, "phone")
	badWallet := fullProfile()
	badWallet.PreferredWallet = ptr("0x1234")

	tests := []struct {
		name    string
		method  string
		target  string
		handler http.Handler
		wantErr string // "" means valid; otherwise a substring of the error
	}{
		{"valid profile", "GET", "/dashboard/profile",
			respond(200, map[string]any{"profile": fullProfile()}, "ETag", etag), ""},
		{"profile built from claims, nulls everywhere", "GET", "/dashboard/profile",
			respond(200, map[string]any{"profile": claimsProfile()}), ""},
		{"leaked passwordHash", "GET", "/dashboard/profile",
			respond(200, map[string]any{"profile": withHash}), "passwordHash"},
		{"missing nullable key", "GET", "/dashboard/profile",
			respond(200, map[string]any{"profile": missingPhone}), "phone"},
		{"bad wallet", "GET", "/dashboard/profile",
			respond(200, map[string]any{"profile": badWallet}), "preferredWallet"},
		{"malformed ETag", "GET", "/dashboard/profile",
			respond(200, map[string]any{"profile": fullProfile()}, "ETag", updated.Format(time.RFC3339)), "ETag"},
		{"missing X-Request-Id", "GET", "/dashboard/profile",
			respond(200, map[string]any{"profile": fullProfile()}, "X-Request-Id", ""), "X-Request-Id"},
		{"wrong success status", "GET", "/dashboard/profile",
			respond(201, map[string]any{"profile": fullProfile()}), "status 201 is not documented"},
		{"undocumented status with an Error body", "GET", "/dashboard/profile",
			respond(418, errorBody("teapot")), "status 418 is not documented"},
		{"status documented elsewhere only", "GET", "/dashboard/profile",
			respond(412, errorBody("precondition_failed")), "status 412 is not documented"},
		{"error without code", "GET", "/dashboard/profile",
			respond(401, map[string]any{"error": "A valid member token is required."}), "code"},
		{"error with unknown key", "GET", "/dashboard/profile",
			respond(401, map[string]any{"error": "No.", "code": "unauthorized", "detail": "stack"}), "detail"},
		{"valid 401", "GET", "/dashboard/profile",
			respond(401, errorBody("unauthorized"), "WWW-Authenticate", `Bearer realm="dashboard"`), ""},
		{"validation error with fields", "PUT", "/dashboard/profile",
			respond(400, map[string]any{"error": "Invalid fields: email.", "code": "validation_failed",
				"fields": map[string]string{"email": "Must be a valid email address."}}), ""},
		{"update with emailChanged", "POST", "/dashboard/update-profile",
			respond(200, map[string]any{"profile": fullProfile(), "emailChanged": true}, "ETag", etag), ""},
		{"503 without Retry-After", "GET", "/dashboard/orders/cs_test_a1",
			respond(503, errorBody("upstream_unavailable")), "Retry-After"},
		{"503 with Retry-After", "GET", "/dashboard/orders/cs_test_a1",
			respond(503, errorBody("upstream_unavailable"), "Retry-After", "5"), ""},
		{"unknown route, 404 Error", "GET", "/dashboard/nope",
			respond(404, errorBody("not_found")), ""},
		{"unknown route, 404 without code", "GET", "/nope",
			respond(404, map[string]any{"error": "No such route."}), "code"},
		{"unknown route, plain text 404", "GET", "/nope",
			respond(404, nil, "Content-Type", "text/plain"), "Content-Type"},
		{"unknown route answered 200", "GET", "/nope",
			respond(200, map[string]any{"ok": true}), "must be 404 or 405"},
		{"unknown method, 405 with Allow", "DELETE", "/dashboard/profile",
			respond(405, errorBody("method_not_allowed"), "Allow", "GET, PUT, OPTIONS"), ""},
		{"unknown method, 405 without Allow", "DELETE", "/dashboard/profile",
			respond(405, errorBody("method_not_allowed")), "Allow"},
		{"preflight is exempt", "OPTIONS", "/dashboard/profile",
			respond(204, nil), ""},
		{"preflight still needs a request id", "OPTIONS", "/dashboard/profile",
			respond(204, nil, "X-Request-Id", ""), "X-Request-Id"},
		{"HEAD checked as GET without body", "HEAD", "/healthz",
			respond(200, map[string]any{"ok": true}), ""},
		{"health", "GET", "/healthz", respond(200, map[string]any{"ok": true}), ""},
		{"health false", "GET", "/healthz", respond(200, map[string]any{"ok": false}), "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := validate(t, tt.handler, httptest.NewRequest(tt.method, tt.target, nil))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("want valid, got: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("want an error mentioning %q, got none", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("want an error mentioning %q, got: %v", tt.wantErr, err)
			}
		})
	}
}

// TestDomainTypesMatchSpec marshals the domain types the way handlers do and
// checks the results against the document, so a JSON tag and a schema
// cannot drift apart unnoticed.
func TestDomainTypesMatchSpec(t *testing.T) {
	created := time.Date(2025, 11, 20, 10, 0, 0, 0, time.UTC)
	completed := created.Add(time.Minute)
	order := dashboard.Order{
		OrderID: "cs_test_a1B2c3D4e5F6g7H8", OrderNumber: dashboard.OrderNumber("cs_test_a1B2c3D4e5F6g7H8"),
		Status: dashboard.OrderCompleted, Amount: 3000, AmountSubtotal: 3200, Currency: "usd",
		CreatedAt: created, CompletedAt: &completed, ItemCount: 2,
		Items: []dashboard.LineItem{
			{Name: "Babes Tee", Quantity: 2, UnitPrice: 1600, AmountTotal: 3000, Currency: "usd",
				SKU: "TEE-1", ImageURL: "https://images.example/tee.png", StripePriceID: "price_1", StripeProductID: "prod_1"},
		},
		CustomerEmail:   ptr("demo@babesclub.example"),
		ShippingAddress: &dashboard.Address{Line1: "1 Sparkle Street", City: "Berlin", State: "", PostalCode: "10115", Country: "DE"},
	}
	bare := dashboard.Order{
		OrderID: "cs_live_x", OrderNumber: dashboard.OrderNumber("cs_live_x"), Status: dashboard.OrderPending,
		Currency: "eur", CreatedAt: created, Items: []dashboard.LineItem{},
	}
	detail := dashboard.OrderDetail{
		Order: order, StripePaymentIntentID: ptr("pi_3Qabc"), StripePaymentStatus: "paid",
		CustomerPhone: ptr("+49 30 1234"), Discounts: []dashboard.Discount{{Code: "BABES10", Name: "10% off", Amount: 200}},
		AmountRefunded: 0, ReceiptURL: ptr("https://pay.stripe.com/receipts/x"), UpdatedAt: completed, Stale: true,
	}
	bareDetail := dashboard.OrderDetail{Order: bare, StripePaymentStatus: "unpaid", Discounts: []dashboard.Discount{}, UpdatedAt: created}
	holding := dashboard.Holding{
		TokenID: "42", ContractAddress: "0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", CollectionID: "babes-club",
		TokenName: "Babe #42", ThumbnailURL: "https://img.example/42.png", ImageURL: "https://img.example/42-full.png",
		Metadata: map[string]any{"attributes": []any{map[string]any{"trait_type": "Hair", "value": "Pink"}}}, LastSyncedAt: completed,
		Wallet: "0x52908400098527886E0F7030069857D2E4169EE7",
	}
	bareHolding := holding
	bareHolding.Metadata, bareHolding.ThumbnailURL, bareHolding.TokenName = nil, "", ""

	tests := []struct {
		name, method, target string
		body                 any
	}{
		{"order list", "GET", "/dashboard/orders?limit=2", map[string]any{
			"orders": []dashboard.Order{order, bare}, "nextCursor": "eyJrIjoiYWJjIn0.sig", "hasOrders": true,
			"syncedAt": completed, "refreshing": false}},
		{"empty order list", "GET", "/dashboard/orders", map[string]any{
			"orders": []dashboard.Order{}, "nextCursor": nil, "hasOrders": false, "syncedAt": nil,
			"refreshing": true, "message": "We're fetching your orders."}},
		{"order detail", "GET", "/dashboard/orders/cs_test_a1B2c3D4e5F6g7H8", map[string]any{"order": detail}},
		{"bare order detail", "GET", "/dashboard/orders/cs_live_x", map[string]any{"order": bareDetail}},
		{"nft list", "GET", "/dashboard/nfts?collectionId=babes-club", map[string]any{
			"nfts": []dashboard.Holding{holding, bareHolding}, "nextCursor": nil,
			"wallet": "0x52908400098527886E0F7030069857D2E4169EE7", "walletVerified": false,
			"syncedAt": completed, "refreshing": false}},
		{"wallet challenge", "POST", "/dashboard/wallet/challenge", map[string]any{
			"message": "babesclub.example wants you to sign in with your Ethereum account: ...", "nonce": "k2Jd83nQp0",
			"expiresAt": completed}},
		{"wallet verify", "POST", "/dashboard/wallet/verify", map[string]any{
			"wallet": "0x52908400098527886E0F7030069857D2E4169EE7", "walletVerified": true}},
		{"stripe sync", "POST", "/internal/sync/stripe", map[string]any{"synced": 3, "created": 1, "updated": 1, "skipped": 1}},
		{"nft sync", "POST", "/internal/sync/nfts", map[string]any{"synced": 1, "added": 2, "removed": 0}},
		{"stripe webhook", "POST", "/webhooks/stripe", map[string]any{"received": true, "eventId": "evt_1", "duplicate": true}},
		{"stripe webhook alias", "POST", "/stripe/webhook", map[string]any{"received": true, "ignored": true}},
		{"nft webhook", "POST", "/webhooks/nfts", map[string]any{"received": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := validate(t, respond(200, tt.body), httptest.NewRequest(tt.method, tt.target, nil)); err != nil {
				t.Error(err)
			}
		})
	}

	t.Run("nil items slice fails", func(t *testing.T) {
		o := bare
		o.Items = nil
		body := map[string]any{"orders": []dashboard.Order{o}, "nextCursor": nil, "hasOrders": true, "syncedAt": nil, "refreshing": false}
		if err := validate(t, respond(200, body), httptest.NewRequest("GET", "/dashboard/orders", nil)); err == nil {
			t.Error(`"items": null passed; arrays must never be null`)
		}
	})
}

// recordingTB is a testing.TB that records failures instead of failing.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestClientChecksEveryResponse(t *testing.T) {
	v := apitest.NewValidator(t)

	t.Run("valid", func(t *testing.T) {
		var gotAuth string
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			gotAuth = r.Header.Get("Authorization")
			respond(200, map[string]any{"profile": fullProfile()}).ServeHTTP(w, r)
		})
		c := v.Client(t, h)
		c.Header.Set("Authorization", "Bearer token")
		resp, body := c.Do(httptest.NewRequest("GET", "/dashboard/profile", nil))
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"profile"`) {
			t.Errorf("got %d %s", resp.StatusCode, body)
		}
		if gotAuth != "Bearer token" {
			t.Errorf("Authorization = %q, want the client's default", gotAuth)
		}
	})

	t.Run("violation is reported", func(t *testing.T) {
		rec := &recordingTB{TB: t}
		withHash := map[string]any{"profile": map[string]any{"passwordHash": "x"}}
		c := v.Client(rec, respond(200, withHash))
		c.Do(httptest.NewRequest("GET", "/dashboard/profile", nil))
		if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "passwordHash") {
			t.Errorf("recorded %q, want one error about passwordHash", rec.errors)
		}
	})
}
