// Command stripefake serves the stateful Stripe fake of package stripetest
// on a free loopback port, for tests that drive whole binaries rather than
// packages: the browser tests start it next to `dashboard serve --demo`,
// with STRIPE_SECRET set to any sk_test_ key and STRIPE_API_BASE to its
// URL, so that a guest order placed with a checkout email appears once the
// member verifies that address. It is test support and never shipped.
//
// Usage:
//
//	go run ./internal/stripetest/cmd/stripefake [-sessions FILE]
//
// Once it listens it prints its base URL (http://127.0.0.1:PORT) on stdout
// as one line, and nothing else there. It stops when its stdin closes or on
// SIGTERM or SIGINT, so a parent that dies takes it along: give it a pipe
// as stdin (with stdin at /dev/null it stops at once).
//
// FILE is a JSON array of Checkout Sessions:
//
//	[{"id": "cs_test_guest0001", "created": "2026-11-20T15:04:05Z",
//	  "customerEmail": "ruby.guest@example.com", "paid": true,
//	  "items": [{"name": "Pearl Drop Earrings", "quantity": 1, "unitAmount": 6400}]}]
//
// id (cs_…) and created (RFC 3339) are required; customerEmail is
// customer_details.email, the address the customer_details[email] filter
// matches (exactly, as Stripe does); paid true makes the session complete
// and paid, with a payment intent and a charge, false complete but unpaid.
// Optional: customerId (cus_…), userId (metadata.userId), currency
// (default usd), and per item sku and images. Unknown fields are refused,
// so a typo does not silently seed something else.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/thebabesclub/dashboard/internal/fakecmd"
	"github.com/thebabesclub/dashboard/internal/stripetest"
)

func main() { fakecmd.Main("stripefake", run) }

// run serves the fake until ctx ends or stdin closes; the streams are
// parameters so that tests drive it in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("stripefake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("sessions", "", "JSON file of the Checkout Sessions to serve")
	if err := fakecmd.Parse(fs, args); err != nil {
		return err
	}
	var sessions []stripetest.Session
	if *file != "" {
		var err error
		if sessions, err = readSeed(*file); err != nil {
			return err
		}
	}
	f := stripetest.Start()
	defer f.Close()
	f.AddSession(sessions...)
	return fakecmd.Announce(ctx, stdin, stdout, f.URL())
}

// seedSession is one session of the seed file.
type seedSession struct {
	ID            string                `json:"id"`
	Created       time.Time             `json:"created"`
	CustomerEmail string                `json:"customerEmail"`
	Paid          bool                  `json:"paid"`
	CustomerID    string                `json:"customerId"`
	UserID        string                `json:"userId"`
	Currency      string                `json:"currency"`
	Items         []stripetest.LineItem `json:"items"`
}

// readSeed reads the seed file into the fake's sessions.
func readSeed(path string) ([]stripetest.Session, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read sessions: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var seeds []seedSession
	if err := dec.Decode(&seeds); err != nil {
		return nil, fmt.Errorf("read sessions: %s: %w", path, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("read sessions: %s: more than one JSON value", path)
	}
	out := make([]stripetest.Session, 0, len(seeds))
	seen := map[string]bool{}
	for i, s := range seeds {
		switch {
		case !strings.HasPrefix(s.ID, "cs_"):
			return nil, fmt.Errorf("read sessions: session %d: id %q is not a Checkout Session id (cs_…)", i, s.ID)
		case seen[s.ID]:
			return nil, fmt.Errorf("read sessions: session %d: id %s appears twice", i, s.ID)
		case s.Created.IsZero():
			return nil, fmt.Errorf("read sessions: session %s: created (RFC 3339) is required", s.ID)
		}
		seen[s.ID] = true
		x := stripetest.NewSession(s.ID, s.Created).WithEmail(s.CustomerEmail).WithCustomer(s.CustomerID)
		if s.Currency != "" {
			x = x.WithCurrency(s.Currency)
		}
		if s.UserID != "" {
			x = x.WithUserID(s.UserID)
		}
		for _, li := range s.Items {
			if li.Quantity < 0 || li.UnitAmount < 0 {
				return nil, fmt.Errorf("read sessions: session %s: item %q has a negative quantity or amount", s.ID, li.Name)
			}
			x = x.WithLineItem(li)
		}
		if s.Paid {
			x = x.Paid()
		} else {
			x = x.Unpaid()
		}
		out = append(out, x)
	}
	return out, nil
}
