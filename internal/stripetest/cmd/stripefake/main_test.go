package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/fakecmd"
	"github.com/thebabesclub/dashboard/stripe"
)

// TestMain runs the command's main instead of the tests when the test
// binary is started as the command (see start).
func TestMain(m *testing.M) { fakecmd.TestMain(m, main) }

const seed = `[
  {"id": "cs_test_guest0001", "created": "2026-11-20T15:04:05Z", "customerEmail": "ruby.guest@example.com", "paid": true,
   "items": [{"name": "Pearl Drop Earrings", "quantity": 2, "unitAmount": 6400, "sku": "BC-PEARL-01"},
             {"name": "Charm Anklet", "quantity": 1, "unitAmount": 4200}]},
  {"id": "cs_test_guest0002", "created": "2026-11-21T09:00:00Z", "customerEmail": "ruby.guest@example.com", "paid": false,
   "items": [{"name": "Tennis Bracelet", "quantity": 1, "unitAmount": 15900}]},
  {"id": "cs_test_other0001", "created": "2026-11-22T09:00:00Z", "customerEmail": "someone@example.com", "paid": true,
   "customerId": "cus_someone", "userId": "0123456789abcdef0123456789abcdef", "currency": "eur",
   "items": [{"name": "Initial Signet Ring", "quantity": 1, "unitAmount": 7500}]}
]`

// command is the fake running as its own process.
type command struct {
	*fakecmd.Process
	url string
}

// start runs the test binary as the command with args and reads the URL
// it prints.
func start(t *testing.T, args ...string) *command {
	t.Helper()
	p := fakecmd.Start(t, args...)
	if !strings.HasPrefix(p.Line, "http://127.0.0.1:") {
		t.Fatalf("printed %q, want one line with the base URL", p.Line)
	}
	return &command{Process: p, url: p.Line}
}

// wait waits for the command to exit and checks it exited cleanly and
// stopped serving.
func (c *command) wait(t *testing.T) {
	t.Helper()
	if err := c.Wait(); err != nil {
		t.Fatalf("stripefake exited with %v, want 0", err)
	}
	if resp, err := http.Get(c.url + "/v1/checkout/sessions"); err == nil {
		resp.Body.Close()
		t.Errorf("still serving after it exited: %s", resp.Status)
	}
}

func writeSeed(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sessions.json")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The seeded sessions are served in Stripe's wire format: the dashboard's
// own Stripe adapter lists a guest's sessions by customer_details[email]
// and reads them whole. Closing stdin stops the command.
func TestServesTheSeedUntilStdinCloses(t *testing.T) {
	c := start(t, "-sessions", writeSeed(t, seed))
	payments, err := stripe.New(stripe.Config{SecretKey: "sk_test_stripefake", APIBase: c.url, MaxRPS: -1})
	if err != nil {
		t.Fatal(err)
	}
	var got []*dashboard.CheckoutSession
	err = payments.ListSessions(t.Context(), dashboard.SessionQuery{CustomerEmail: "ruby.guest@example.com"}, func(s *dashboard.CheckoutSession) error {
		got = append(got, s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "cs_test_guest0002" || got[1].ID != "cs_test_guest0001" {
		t.Fatalf("listed %v, want the two guest sessions newest first", got)
	}
	paid, unpaid := got[1], got[0]
	switch o := paid.Order; {
	case paid.PaymentStatus != "paid" || paid.Status != "complete" || o.StripePaymentIntentID == nil || o.ReceiptURL == nil:
		t.Errorf("paid session: %+v", paid)
	case o.Amount != 2*6400+4200 || o.ItemCount != 3 || len(o.Items) != 2 || o.Items[0].Name != "Pearl Drop Earrings" || o.Items[0].UnitPrice != 6400:
		t.Errorf("paid session's order: %+v", o)
	case !o.CreatedAt.Equal(paid.Created) || paid.Created.Format("2006-01-02T15:04:05Z07:00") != "2026-11-20T15:04:05Z":
		t.Errorf("created %v", paid.Created)
	}
	if unpaid.PaymentStatus != "unpaid" || unpaid.Status != "complete" {
		t.Errorf("unpaid session: %s / %s", unpaid.Status, unpaid.PaymentStatus)
	}
	other, err := payments.Session(t.Context(), "cs_test_other0001")
	if err != nil {
		t.Fatal(err)
	}
	if other.CustomerID != "cus_someone" || other.MetadataUserID != "0123456789abcdef0123456789abcdef" || other.Order.Currency != "eur" ||
		other.CustomerEmail != "someone@example.com" {
		t.Errorf("other session: %+v", other)
	}

	if err := c.CloseStdin(); err != nil {
		t.Fatal(err)
	}
	c.wait(t)
}

func TestStopsOnSIGTERM(t *testing.T) {
	c := start(t)
	resp, err := http.Get(c.url + "/v1/checkout/sessions") // no key: Stripe's 401
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unauthenticated list: %s, want 401", resp.Status)
	}
	if err := c.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	c.wait(t)
}

// A seed file it cannot serve as written fails the start, before any URL
// is printed.
func TestRefusesABadSeed(t *testing.T) {
	for name, text := range map[string]string{
		"not json":        `{"id": `,
		"not an array":    `{"id": "cs_test_1", "created": "2026-11-20T15:04:05Z"}`,
		"unknown field":   `[{"id": "cs_test_1", "created": "2026-11-20T15:04:05Z", "email": "a@example.com"}]`,
		"not a session":   `[{"id": "pi_1", "created": "2026-11-20T15:04:05Z"}]`,
		"no created":      `[{"id": "cs_test_1"}]`,
		"twice":           `[{"id": "cs_test_1", "created": "2026-11-20T15:04:05Z"}, {"id": "cs_test_1", "created": "2026-11-20T15:04:05Z"}]`,
		"negative amount": `[{"id": "cs_test_1", "created": "2026-11-20T15:04:05Z", "items": [{"name": "A", "unitAmount": -1}]}]`,
		"two values":      `[] []`,
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), []string{"-sessions", writeSeed(t, text)}, strings.NewReader(""), &out, &errOut)
		if err == nil || out.Len() != 0 {
			t.Errorf("%s: err %v, printed %q; want an error and no URL", name, err, out.String())
		}
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"-sessions", filepath.Join(t.TempDir(), "missing.json")}, strings.NewReader(""), &out, io.Discard)
	if !errors.Is(err, os.ErrNotExist) || out.Len() != 0 {
		t.Errorf("missing file: %v, printed %q", err, out.String())
	}
	if err := run(context.Background(), []string{"extra"}, strings.NewReader(""), &out, io.Discard); err == nil {
		t.Error("a stray argument was accepted")
	}
}
