package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/thebabesclub/dashboard/api"
)

func TestSpecIsValid(t *testing.T) {
	doc, err := api.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
}

// TestSpecConventions checks the rules every operation of the document
// follows, so that a new operation cannot quietly skip one.
func TestSpecConventions(t *testing.T) {
	doc, err := api.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			if op.OperationID == "" || seen[op.OperationID] {
				t.Errorf("%s: operationId %q is missing or not unique", name, op.OperationID)
			}
			seen[op.OperationID] = true
			if op.Responses.Default() == nil {
				t.Errorf("%s: no default response", name)
			}
			for status, ref := range op.Responses.Map() {
				r := ref.Value
				if h := r.Headers["X-Request-Id"]; h == nil || !h.Value.Required {
					t.Errorf("%s %s: X-Request-Id is not a required header", name, status)
				}
				if status == "429" || status == "503" {
					if h := r.Headers["Retry-After"]; h == nil || !h.Value.Required {
						t.Errorf("%s %s: Retry-After is not a required header", name, status)
					}
				}
				if status >= "400" && status != "default" {
					mt := r.Content.Get("application/json")
					if mt == nil || mt.Schema == nil || mt.Schema.Ref != "#/components/schemas/Error" {
						t.Errorf("%s %s: the body is not the Error schema", name, status)
					}
				}
			}
		}
	}
	for _, want := range []string{
		"GET /dashboard/profile", "PUT /dashboard/profile", "POST /dashboard/update-profile",
		"POST /dashboard/profile/email/verify",
		"GET /dashboard/orders", "GET /dashboard/orders/{orderId}", "GET /dashboard/nfts",
		"POST /dashboard/wallet/challenge", "POST /dashboard/wallet/verify", "GET /healthz",
		"POST /internal/sync/stripe", "POST /internal/sync/nfts",
		"POST /webhooks/stripe", "POST /stripe/webhook", "POST /webhooks/nfts",
	} {
		method, path, _ := strings.Cut(want, " ")
		if item := doc.Paths.Value(path); item == nil || item.GetOperation(method) == nil {
			t.Errorf("%s is not in the document", want)
		}
	}
}

func TestSpecIsACopy(t *testing.T) {
	a := api.Spec()
	a[0] = 'X'
	if b := api.Spec(); b[0] == 'X' {
		t.Error("Spec returned the embedded bytes themselves")
	}
}
