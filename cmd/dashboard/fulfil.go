package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/app"
)

const fulfilUsage = "usage: dashboard fulfil ORDER_ID --status processing|shipped|delivered|returned " +
	"[--carrier C] [--tracking N] [--tracking-url https://…] [--at RFC3339] [--note TEXT] [--data DIR]"

// runFulfil runs `dashboard fulfil ORDER_ID --status S …` (CONTRACT §8,
// §11): the club's fulfilment tooling recording one event on an order from
// the command line, through the same service as the internal route, so the
// same rules hold (forward only, https tracking links, the member's mail).
func runFulfil(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fulfil", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, fulfilUsage); fs.PrintDefaults() }
	status := fs.String("status", "", "processing, shipped, delivered or returned (required)")
	carrier := fs.String("carrier", "", "the carrier, e.g. UPS")
	tracking := fs.String("tracking", "", "the tracking number")
	trackingURL := fs.String("tracking-url", "", "the carrier's tracking page (https)")
	at := fs.String("at", "", "when it happened, RFC 3339 (default now)")
	note := fs.String("note", "", "a note for the timeline (at most 200 characters)")
	dataDir := fs.String("data", "data", "folder of the embedded store")
	// The order id may stand before the flags (as the contract writes it),
	// after them or between them: flags are parsed around it.
	var ids []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return errUsage
		}
		if rest = fs.Args(); len(rest) == 0 {
			break
		}
		ids, rest = append(ids, rest[0]), rest[1:]
	}
	if len(ids) != 1 || *status == "" {
		fmt.Fprintln(stderr, fulfilUsage)
		return errUsage
	}
	ev := dashboard.FulfillmentEvent{
		Status: dashboard.FulfillmentStatus(*status), Carrier: *carrier, TrackingNumber: *tracking,
		TrackingURL: *trackingURL, Note: *note,
	}
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			fmt.Fprintf(stderr, "fulfil: --at must be an RFC 3339 time such as 2026-11-26T21:28:24Z, got %q\n", *at)
			return errUsage
		}
		ev.At = &t
	}

	a, err := app.New(ctx, getenv, *dataDir, stderr)
	if err != nil {
		return fmt.Errorf("fulfil: %w", err)
	}
	defer a.Store.Close()
	o, err := a.Orders.Fulfil(ctx, ids[0], ev)
	if err != nil {
		return fulfilError(ids[0], err)
	}
	printFulfillment(stdout, o)
	return nil
}

// fulfilError is what the command says when the service refuses: for a
// client-class error (the 4xx of the internal route) its message and the
// fields at fault, which is all an operator needs; anything else wrapped
// whole.
func fulfilError(orderID string, err error) error {
	var de *dashboard.Error
	if !errors.As(err, &de) || de.Code == dashboard.EINTERNAL || de.Code == dashboard.EUNAVAILABLE {
		return fmt.Errorf("fulfil %s: %w", orderID, err)
	}
	msg := de.Message
	var fields []string
	for name, problem := range de.Fields {
		fields = append(fields, name+": "+problem)
	}
	slices.Sort(fields)
	if len(fields) > 0 {
		msg += " (" + strings.Join(fields, "; ") + ")"
	}
	return fmt.Errorf("fulfil %s: %s", orderID, msg)
}

// printFulfillment prints the order's parcel in two or three lines: the
// order and its status, the carrier and tracking number, the link.
func printFulfillment(w io.Writer, o *dashboard.OrderDetail) {
	status := "no fulfilment"
	if o.Fulfillment != nil {
		status = string(o.Fulfillment.Status)
	}
	fmt.Fprintf(w, "%s (%s): %s\n", o.OrderNumber, o.OrderID, status)
	f := o.Fulfillment
	if f == nil {
		return
	}
	var parcel []string
	if f.Carrier != nil {
		parcel = append(parcel, "carrier "+*f.Carrier)
	}
	if f.TrackingNumber != nil {
		parcel = append(parcel, "tracking "+*f.TrackingNumber)
	}
	if len(parcel) > 0 {
		fmt.Fprintln(w, strings.Join(parcel, ", "))
	}
	if f.TrackingURL != nil {
		fmt.Fprintln(w, *f.TrackingURL)
	}
}
