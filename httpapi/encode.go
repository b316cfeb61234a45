package httpapi

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/nfts"
	"github.com/thebabesclub/dashboard/orders"
)

// The read routes answer on every page view, and encoding/json's reflection
// was the largest part of their cost after the store's decoding was cached
// (see docs/performance.md). appendResponse writes their bodies without
// reflection, byte for byte as json.Marshal does — field order, omitempty,
// null for nil pointers and slices, sorted map keys, the escaping of <, >,
// &, U+2028, U+2029 and invalid UTF-8, RFC 3339 times, ES6 float form —
// and gives up (ok false) on anything it would not write exactly so, for
// writeJSON to hand to json.Marshal. TestAppendResponseMatchesMarshal fills
// every field of these types, including fields added later, and compares.

// Response bodies of the read routes with a fixed shape. A struct with one
// field encodes exactly as the one-key map the handlers used before.
type (
	orderResponse struct {
		Order *dashboard.OrderDetail `json:"order"`
	}
	walletsResponse struct {
		Wallets []dashboard.Wallet `json:"wallets"`
	}
	emailsResponse struct {
		Emails []dashboard.MemberEmail `json:"emails"`
	}
)

// appendResponse appends v's JSON to b when v is one of the read routes'
// bodies and every value in it is one encoding/json writes as this does.
func appendResponse(b []byte, v any) (out []byte, ok bool) {
	e := encoder{b: b}
	switch v := v.(type) {
	case profileResponse:
		e.profileResponse(v)
	case *orders.List:
		if v == nil {
			return b, false
		}
		e.orderList(v)
	case orderResponse:
		e.b = append(e.b, `{"order":`...)
		e.orderDetail(v.Order)
		e.b = append(e.b, '}')
	case *nfts.List:
		if v == nil {
			return b, false
		}
		e.nftList(v)
	case walletsResponse:
		e.b = append(e.b, `{"wallets":`...)
		e.wallets(v.Wallets)
		e.b = append(e.b, '}')
	case emailsResponse:
		e.b = append(e.b, `{"emails":`...)
		e.emails(v.Emails)
		e.b = append(e.b, '}')
	default:
		return b, false
	}
	if e.failed {
		return b, false
	}
	return e.b, true
}

// encoder appends JSON to b. failed records a value only encoding/json may
// write (a time outside RFC 3339, a float that is not finite, …); the
// caller then discards b.
type encoder struct {
	b      []byte
	failed bool
}

// field starts a member of the object being written: the comma unless it
// is the first, then name, given quoted and with its colon (`"name":`).
func (e *encoder) field(name string) {
	if e.b[len(e.b)-1] != '{' {
		e.b = append(e.b, ',')
	}
	e.b = append(e.b, name...)
}

func (e *encoder) str(s string) { e.b = appendString(e.b, s) }

func (e *encoder) strPtr(p *string) {
	if p == nil {
		e.b = append(e.b, "null"...)
		return
	}
	e.str(*p)
}

func (e *encoder) int(n int64) { e.b = strconv.AppendInt(e.b, n, 10) }

func (e *encoder) bool(v bool) { e.b = strconv.AppendBool(e.b, v) }

// time writes t as time.Time.MarshalJSON does; a time it refuses (a year
// outside 0–9999, a zone offset of 24 hours or more) fails the encoding.
func (e *encoder) time(t time.Time) {
	e.b = append(e.b, '"')
	n0 := len(e.b)
	e.b = t.AppendFormat(e.b, time.RFC3339Nano)
	b := e.b
	switch {
	case b[n0+len("9999")] != '-':
		e.failed = true
	case b[len(b)-1] != 'Z':
		c := b[len(b)-len("Z07:00")]
		hours := 10*(b[len(b)-len("07:00")]-'0') + (b[len(b)-len("7:00")] - '0')
		if ('0' <= c && c <= '9') || hours >= 24 {
			e.failed = true
		}
	}
	e.b = append(e.b, '"')
}

func (e *encoder) timePtr(t *time.Time) {
	if t == nil {
		e.b = append(e.b, "null"...)
		return
	}
	e.time(*t)
}

// float writes f as encoding/json writes a float64: like ES6, the shortest
// form that reads back the same, with an exponent below 1e-6 and from
// 1e21. NaN and infinities fail the encoding, as they fail json.Marshal.
func (e *encoder) float(f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		e.failed = true
		return
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	e.b = strconv.AppendFloat(e.b, f, format, -1, 64)
	if format == 'e' {
		// e-09 → e-9, as encoding/json writes it.
		if n := len(e.b); n >= 4 && e.b[n-4] == 'e' && e.b[n-3] == '-' && e.b[n-2] == '0' {
			e.b[n-2] = e.b[n-1]
			e.b = e.b[:n-1]
		}
	}
}

// value writes a value of a decoded JSON document (NFT metadata): the
// types encoding/json decodes into, and json.Marshal's own output for any
// other.
func (e *encoder) value(v any) {
	switch v := v.(type) {
	case nil:
		e.b = append(e.b, "null"...)
	case string:
		e.str(v)
	case bool:
		e.bool(v)
	case float64:
		e.float(v)
	case map[string]any:
		e.object(v)
	case []any:
		if v == nil {
			e.b = append(e.b, "null"...)
			return
		}
		e.b = append(e.b, '[')
		for i, x := range v {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.value(x)
		}
		e.b = append(e.b, ']')
	default:
		raw, err := json.Marshal(v)
		if err != nil {
			e.failed = true
			return
		}
		e.b = append(e.b, raw...)
	}
}

// object writes m with its keys sorted, as encoding/json does (nil is null).
func (e *encoder) object(m map[string]any) {
	if m == nil {
		e.b = append(e.b, "null"...)
		return
	}
	var stack [16]string
	keys := stack[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.b = append(e.b, '{')
	for i, k := range keys {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.str(k)
		e.b = append(e.b, ':')
		e.value(m[k])
	}
	e.b = append(e.b, '}')
}

func (e *encoder) address(a *dashboard.Address) {
	if a == nil {
		e.b = append(e.b, "null"...)
		return
	}
	e.b = append(e.b, '{')
	if a.Name != "" {
		e.field(`"name":`)
		e.str(a.Name)
	}
	e.field(`"line1":`)
	e.str(a.Line1)
	if a.Line2 != "" {
		e.field(`"line2":`)
		e.str(a.Line2)
	}
	e.field(`"city":`)
	e.str(a.City)
	e.field(`"state":`)
	e.str(a.State)
	e.field(`"postalCode":`)
	e.str(a.PostalCode)
	e.field(`"country":`)
	e.str(a.Country)
	e.b = append(e.b, '}')
}

func (e *encoder) profileResponse(r profileResponse) {
	e.b = append(e.b, `{"profile":`...)
	e.profile(r.Profile)
	if r.EmailChanged {
		e.b = append(e.b, `,"emailChanged":true`...)
	}
	if r.EmailVerificationSent {
		e.b = append(e.b, `,"emailVerificationSent":true`...)
	}
	e.b = append(e.b, '}')
}

func (e *encoder) profile(p *dashboard.Profile) {
	if p == nil {
		e.b = append(e.b, "null"...)
		return
	}
	e.b = append(e.b, `{"userId":`...)
	e.str(p.UserID)
	e.b = append(e.b, `,"email":`...)
	e.str(p.Email)
	e.b = append(e.b, `,"displayName":`...)
	e.str(p.DisplayName)
	e.b = append(e.b, `,"phone":`...)
	e.strPtr(p.Phone)
	e.b = append(e.b, `,"shippingAddress":`...)
	e.address(p.ShippingAddress)
	e.b = append(e.b, `,"billingAddress":`...)
	e.address(p.BillingAddress)
	e.b = append(e.b, `,"preferredWallet":`...)
	e.strPtr(p.PreferredWallet)
	e.b = append(e.b, `,"avatarUrl":`...)
	e.strPtr(p.AvatarURL)
	e.b = append(e.b, `,"stripeCustomerId":`...)
	e.strPtr(p.StripeCustomerID)
	s := p.DashboardSettings
	e.b = append(e.b, `,"dashboardSettings":{"showOrderHistory":`...)
	e.bool(s.ShowOrderHistory)
	e.b = append(e.b, `,"showNftHoldings":`...)
	e.bool(s.ShowNftHoldings)
	e.b = append(e.b, `,"emailNotifications":`...)
	e.bool(s.EmailNotifications)
	e.b = append(e.b, `},"createdAt":`...)
	e.timePtr(p.CreatedAt)
	e.b = append(e.b, `,"updatedAt":`...)
	e.timePtr(p.UpdatedAt)
	if p.PendingEmail != nil {
		e.b = append(e.b, `,"pendingEmail":`...)
		e.str(*p.PendingEmail)
	}
	if p.PendingEmailExpiresAt != nil {
		e.b = append(e.b, `,"pendingEmailExpiresAt":`...)
		e.time(*p.PendingEmailExpiresAt)
	}
	e.b = append(e.b, '}')
}

func (e *encoder) orderList(l *orders.List) {
	e.b = append(e.b, `{"orders":`...)
	if l.Orders == nil {
		e.b = append(e.b, "null"...)
	} else {
		e.b = append(e.b, '[')
		for i := range l.Orders {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.b = append(e.b, '{')
			e.order(&l.Orders[i])
			e.b = append(e.b, '}')
		}
		e.b = append(e.b, ']')
	}
	e.b = append(e.b, `,"nextCursor":`...)
	e.strPtr(l.NextCursor)
	e.b = append(e.b, `,"hasOrders":`...)
	e.bool(l.HasOrders)
	e.b = append(e.b, `,"syncedAt":`...)
	e.timePtr(l.SyncedAt)
	e.b = append(e.b, `,"refreshing":`...)
	e.bool(l.Refreshing)
	if l.Message != "" {
		e.b = append(e.b, `,"message":`...)
		e.str(l.Message)
	}
	e.b = append(e.b, '}')
}

// order writes the members of o, without the braces: OrderDetail embeds
// Order, and encoding/json writes the embedded fields first, in one object.
func (e *encoder) order(o *dashboard.Order) {
	e.b = append(e.b, `"orderId":`...)
	e.str(o.OrderID)
	e.b = append(e.b, `,"orderNumber":`...)
	e.str(o.OrderNumber)
	e.b = append(e.b, `,"status":`...)
	e.str(string(o.Status))
	e.b = append(e.b, `,"amount":`...)
	e.int(o.Amount)
	e.b = append(e.b, `,"amountSubtotal":`...)
	e.int(o.AmountSubtotal)
	e.b = append(e.b, `,"currency":`...)
	e.str(o.Currency)
	e.b = append(e.b, `,"createdAt":`...)
	e.time(o.CreatedAt)
	e.b = append(e.b, `,"completedAt":`...)
	e.timePtr(o.CompletedAt)
	e.b = append(e.b, `,"itemCount":`...)
	e.int(o.ItemCount)
	e.b = append(e.b, `,"items":`...)
	if o.Items == nil {
		e.b = append(e.b, "null"...)
	} else {
		e.b = append(e.b, '[')
		for i := range o.Items {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.lineItem(&o.Items[i])
		}
		e.b = append(e.b, ']')
	}
	e.b = append(e.b, `,"customerEmail":`...)
	e.strPtr(o.CustomerEmail)
	e.b = append(e.b, `,"shippingAddress":`...)
	e.address(o.ShippingAddress)
	e.b = append(e.b, `,"fulfillmentStatus":`...)
	if o.FulfillmentStatus == nil {
		e.b = append(e.b, "null"...)
	} else {
		e.str(string(*o.FulfillmentStatus))
	}
}

func (e *encoder) lineItem(it *dashboard.LineItem) {
	e.b = append(e.b, `{"name":`...)
	e.str(it.Name)
	e.b = append(e.b, `,"quantity":`...)
	e.int(it.Quantity)
	e.b = append(e.b, `,"unitPrice":`...)
	e.int(it.UnitPrice)
	e.b = append(e.b, `,"amountTotal":`...)
	e.int(it.AmountTotal)
	e.b = append(e.b, `,"currency":`...)
	e.str(it.Currency)
	if it.SKU != "" {
		e.b = append(e.b, `,"sku":`...)
		e.str(it.SKU)
	}
	if it.ImageURL != "" {
		e.b = append(e.b, `,"imageUrl":`...)
		e.str(it.ImageURL)
	}
	if it.StripePriceID != "" {
		e.b = append(e.b, `,"stripePriceId":`...)
		e.str(it.StripePriceID)
	}
	if it.StripeProductID != "" {
		e.b = append(e.b, `,"stripeProductId":`...)
		e.str(it.StripeProductID)
	}
	e.b = append(e.b, '}')
}

func (e *encoder) orderDetail(d *dashboard.OrderDetail) {
	if d == nil {
		e.b = append(e.b, "null"...)
		return
	}
	e.b = append(e.b, '{')
	e.order(&d.Order)
	e.b = append(e.b, `,"stripePaymentIntentId":`...)
	e.strPtr(d.StripePaymentIntentID)
	e.b = append(e.b, `,"stripePaymentStatus":`...)
	e.str(d.StripePaymentStatus)
	e.b = append(e.b, `,"customerPhone":`...)
	e.strPtr(d.CustomerPhone)
	e.b = append(e.b, `,"discounts":`...)
	if d.Discounts == nil {
		e.b = append(e.b, "null"...)
	} else {
		e.b = append(e.b, '[')
		for i, x := range d.Discounts {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.b = append(e.b, '{')
			if x.Code != "" {
				e.field(`"code":`)
				e.str(x.Code)
			}
			if x.Name != "" {
				e.field(`"name":`)
				e.str(x.Name)
			}
			e.field(`"amount":`)
			e.int(x.Amount)
			e.b = append(e.b, '}')
		}
		e.b = append(e.b, ']')
	}
	e.b = append(e.b, `,"amountRefunded":`...)
	e.int(d.AmountRefunded)
	e.b = append(e.b, `,"receiptUrl":`...)
	e.strPtr(d.ReceiptURL)
	e.b = append(e.b, `,"updatedAt":`...)
	e.time(d.UpdatedAt)
	if d.Stale {
		e.b = append(e.b, `,"stale":true`...)
	}
	e.b = append(e.b, `,"fulfillment":`...)
	e.fulfillment(d.Fulfillment)
	e.b = append(e.b, '}')
}

func (e *encoder) fulfillment(f *dashboard.Fulfillment) {
	if f == nil {
		e.b = append(e.b, "null"...)
		return
	}
	e.b = append(e.b, `{"status":`...)
	e.str(string(f.Status))
	e.b = append(e.b, `,"carrier":`...)
	e.strPtr(f.Carrier)
	e.b = append(e.b, `,"trackingNumber":`...)
	e.strPtr(f.TrackingNumber)
	e.b = append(e.b, `,"trackingUrl":`...)
	e.strPtr(f.TrackingURL)
	e.b = append(e.b, `,"events":`...)
	if f.Events == nil {
		e.b = append(e.b, "null"...)
	} else {
		e.b = append(e.b, '[')
		for i, s := range f.Events {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.b = append(e.b, `{"status":`...)
			e.str(string(s.Status))
			e.b = append(e.b, `,"at":`...)
			e.time(s.At)
			if s.Note != "" {
				e.b = append(e.b, `,"note":`...)
				e.str(s.Note)
			}
			e.b = append(e.b, '}')
		}
		e.b = append(e.b, ']')
	}
	e.b = append(e.b, '}')
}

func (e *encoder) nftList(l *nfts.List) {
	e.b = append(e.b, `{"nfts":`...)
	if l.NFTs == nil {
		e.b = append(e.b, "null"...)
	} else {
		e.b = append(e.b, '[')
		for i := range l.NFTs {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.holding(&l.NFTs[i])
		}
		e.b = append(e.b, ']')
	}
	e.b = append(e.b, `,"nextCursor":`...)
	e.strPtr(l.NextCursor)
	e.b = append(e.b, `,"wallet":`...)
	e.strPtr(l.Wallet)
	e.b = append(e.b, `,"walletVerified":`...)
	e.bool(l.WalletVerified)
	e.b = append(e.b, `,"syncedAt":`...)
	e.timePtr(l.SyncedAt)
	e.b = append(e.b, `,"refreshing":`...)
	e.bool(l.Refreshing)
	e.b = append(e.b, '}')
}

func (e *encoder) holding(h *dashboard.Holding) {
	e.b = append(e.b, `{"tokenId":`...)
	e.str(h.TokenID)
	e.b = append(e.b, `,"contractAddress":`...)
	e.str(h.ContractAddress)
	e.b = append(e.b, `,"collectionId":`...)
	e.str(h.CollectionID)
	e.b = append(e.b, `,"tokenName":`...)
	e.str(h.TokenName)
	e.b = append(e.b, `,"thumbnailUrl":`...)
	e.str(h.ThumbnailURL)
	e.b = append(e.b, `,"imageUrl":`...)
	e.str(h.ImageURL)
	e.b = append(e.b, `,"metadata":`...)
	e.object(h.Metadata)
	e.b = append(e.b, `,"lastSyncedAt":`...)
	e.time(h.LastSyncedAt)
	e.b = append(e.b, `,"wallet":`...)
	e.str(h.Wallet)
	e.b = append(e.b, '}')
}

func (e *encoder) wallets(ws []dashboard.Wallet) {
	if ws == nil {
		e.b = append(e.b, "null"...)
		return
	}
	e.b = append(e.b, '[')
	for i := range ws {
		w := &ws[i]
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.b = append(e.b, `{"address":`...)
		e.str(w.Address)
		e.b = append(e.b, `,"verified":`...)
		e.bool(w.Verified)
		e.b = append(e.b, `,"verifiedAt":`...)
		e.timePtr(w.VerifiedAt)
		e.b = append(e.b, `,"primary":`...)
		e.bool(w.Primary)
		e.b = append(e.b, `,"kind":`...)
		e.str(string(w.Kind))
		e.b = append(e.b, '}')
	}
	e.b = append(e.b, ']')
}

func (e *encoder) emails(ms []dashboard.MemberEmail) {
	if ms == nil {
		e.b = append(e.b, "null"...)
		return
	}
	e.b = append(e.b, '[')
	for i := range ms {
		m := &ms[i]
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.b = append(e.b, `{"email":`...)
		e.str(m.Email)
		e.b = append(e.b, `,"verified":`...)
		e.bool(m.Verified)
		e.b = append(e.b, `,"primary":`...)
		e.bool(m.Primary)
		e.b = append(e.b, `,"addedAt":`...)
		e.timePtr(m.AddedAt)
		e.b = append(e.b, `,"verifiedAt":`...)
		e.timePtr(m.VerifiedAt)
		e.b = append(e.b, '}')
	}
	e.b = append(e.b, ']')
}

// hexDigits are the digits of \u00XX escapes, lower-case as encoding/json
// writes them.
const hexDigits = "0123456789abcdef"

// plain marks the ASCII bytes a JSON string holds as they are: not a
// control character, ", \\, <, > or &.
var plain = func() (t [utf8.RuneSelf]bool) {
	for b := ' '; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
	}
	return t
}()

// appendString appends s quoted as encoding/json quotes a string with
// HTML escaping on (json.Marshal's default): ", \ and control characters
// escaped (\b \f \n \r \t by name), <, > and & as \u003c \u003e \u0026,
// U+2028 and U+2029 as \u2028 \u2029, and each byte of invalid UTF-8 as
// \ufffd.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if plain[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
