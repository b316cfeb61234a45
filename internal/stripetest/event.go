package stripetest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// APIVersion is the API version the fake's events carry: the one stripe-go
// v85 is pinned to, as a webhook endpoint created for this SDK would send.
const APIVersion = "2026-03-25.dahlia"

// SignWebhook returns the Stripe-Signature header Stripe would send for
// payload signed with secret at time at: "t=<unix>,v1=<hex HMAC-SHA256 of
// "<unix>.<payload>">".
func SignWebhook(secret string, payload []byte, at time.Time) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(payload)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Event is a webhook event to render with Payload. Zero fields get
// defaults: a random evt_ id, Created now, APIVersion above.
type Event struct {
	ID         string
	Type       string // e.g. checkout.session.completed, charge.refunded
	Created    time.Time
	APIVersion string
	// Object is the event's data.object: a Session or Charge of this
	// package (rendered as Stripe would, without expansions), or any value
	// encoding/json can render (a map for odd shapes).
	Object any
}

// EventPayload renders an event of type typ about object, created now.
func EventPayload(typ string, object any) []byte {
	return Event{Type: typ, Object: object}.Payload()
}

// Payload renders the event as Stripe's JSON.
func (e Event) Payload() []byte {
	if e.ID == "" {
		var b [12]byte
		_, _ = rand.Read(b[:])
		e.ID = "evt_" + hex.EncodeToString(b[:])
	}
	if e.Created.IsZero() {
		e.Created = time.Now()
	}
	if e.APIVersion == "" {
		e.APIVersion = APIVersion
	}
	obj := e.Object
	switch o := obj.(type) {
	case Session:
		c := o.complete(0)
		obj = c.wire(expansions{}, 0)
	case *Session:
		c := o.complete(0)
		obj = c.wire(expansions{}, 0)
	case Charge:
		c := o.complete()
		obj = c.wire()
	case *Charge:
		c := o.complete()
		obj = c.wire()
	}
	raw, err := json.Marshal(map[string]any{
		"id":               e.ID,
		"object":           "event",
		"api_version":      e.APIVersion,
		"created":          e.Created.Unix(),
		"data":             map[string]any{"object": obj},
		"livemode":         false,
		"pending_webhooks": 1,
		"request":          map[string]any{"id": nil, "idempotency_key": nil},
		"type":             e.Type,
	})
	if err != nil {
		panic(fmt.Sprintf("stripetest: event object cannot be rendered: %v", err))
	}
	return raw
}
