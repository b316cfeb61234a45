package httpapi

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/demo"
	"github.com/thebabesclub/dashboard/nfts"
	"github.com/thebabesclub/dashboard/orders"
)

// TestAppendResponseMatchesMarshal compares appendResponse with
// json.Marshal on many values of every body it encodes: every exported
// field filled by reflection (so a field added to a type later is filled
// too, and the test fails until appendResponse writes it), strings full of
// what encoding/json escapes, times in odd zones and out of RFC 3339's
// range, metadata with floats at the exponent cutoffs, NaN and infinities.
// Where json.Marshal fails appendResponse must decline, and it may decline
// nothing else.
func TestAppendResponseMatchesMarshal(t *testing.T) {
	bodies := []struct {
		name string
		new  func() any // a fresh, filled value
	}{
		{"profile", func() any { var v profileResponse; return &v }},
		{"orders list", func() any { var v orders.List; return &v }},
		{"order", func() any { var v orderResponse; return &v }},
		{"nfts list", func() any { var v nfts.List; return &v }},
		{"wallets", func() any { var v walletsResponse; return &v }},
		{"emails", func() any { var v emailsResponse; return &v }},
	}
	for i, body := range bodies {
		t.Run(body.name, func(t *testing.T) {
			f := filler{r: rand.New(rand.NewPCG(uint64(i), 14))}
			encoded, declined := 0, 0
			for range 3000 {
				p := body.new()
				f.fill(reflect.ValueOf(p).Elem())
				v := p
				if _, isList := p.(*orders.List); !isList {
					if _, isNFTs := p.(*nfts.List); !isNFTs {
						v = reflect.ValueOf(p).Elem().Interface() // the handlers pass these by value
					}
				}
				want, err := json.Marshal(v)
				got, ok := appendResponse([]byte("prefix"), v)
				switch {
				case err != nil && ok:
					t.Fatalf("json.Marshal fails (%v) but appendResponse wrote %s", err, got)
				case err != nil:
					declined++
				case !ok:
					t.Fatalf("appendResponse declined a value json.Marshal writes:\n%s", want)
				case !bytes.Equal(got, append([]byte("prefix"), want...)):
					t.Fatalf("appendResponse differs from json.Marshal\n got: %s\nwant: prefix%s", got, want)
				default:
					encoded++
				}
			}
			// Most values must be encoded, or the comparison proves little.
			if encoded < 2000 || declined == 0 {
				t.Fatalf("%d of 3000 values encoded, %d declined: both kinds must be common enough to prove something", encoded, declined)
			}
		})
	}
}

// TestAppendStringEscapes pins the escapes that matter most, one by one.
func TestAppendStringEscapes(t *testing.T) {
	for _, s := range []string{
		"", "plain", `"quoted"`, `back\slash`, "<script>alert(1)</script>", "a & b", "\u2028\u2029",
		"\x00\x01\x1f\x7f", "\b\f\n\r\t", "\xff", "a\xc3", "\xed\xa0\x80", "é日本😀", "\uFFFD", "line\u2028sep",
	} {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	}
}

// TestWriteJSONFallsBack checks that a body appendResponse declines is
// still written by encoding/json, and that one nothing can write is the
// contract's internal error.
func TestWriteJSONFallsBack(t *testing.T) {
	bad := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := newBodyRecorder()
	writeJSON(rec, 200, walletsResponse{Wallets: []dashboard.Wallet{{Address: "0x1", VerifiedAt: &bad}}})
	if rec.status != 500 || rec.body.String() != "{\"error\":\"Internal error.\",\"code\":\"internal\"}\n" {
		t.Errorf("an unencodable body = %d %q, want the internal error", rec.status, rec.body.String())
	}
	rec = newBodyRecorder()
	writeJSON(rec, 200, map[string]int{"n": 1})
	if rec.status != 200 || rec.body.String() != "{\"n\":1}\n" || rec.header.Get("Content-Length") != "8" {
		t.Errorf("a body for encoding/json = %d %q %v", rec.status, rec.body.String(), rec.header)
	}
}

type bodyRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBodyRecorder() *bodyRecorder { return &bodyRecorder{header: http.Header{}} }

func (r *bodyRecorder) Header() http.Header         { return r.header }
func (r *bodyRecorder) WriteHeader(status int)      { r.status = status }
func (r *bodyRecorder) Write(b []byte) (int, error) { return r.body.Write(b) }

// filler fills values with random data shaped to find where an encoder
// parts from encoding/json.
type filler struct {
	r     *rand.Rand
	depth int
}

var timeType = reflect.TypeFor[time.Time]()

func (f *filler) fill(v reflect.Value) {
	if v.Type() == timeType {
		v.Set(reflect.ValueOf(f.time()))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(f.string())
	case reflect.Bool:
		v.SetBool(f.r.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := []int64{0, 1, -1, 42, 1999, math.MaxInt64, math.MinInt64, f.r.Int64() - math.MaxInt64/2}[f.r.IntN(8)]
		v.SetInt(n)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(f.float())
	case reflect.Pointer:
		if f.r.IntN(4) == 0 {
			v.SetZero()
			return
		}
		p := reflect.New(v.Type().Elem())
		f.fill(p.Elem())
		v.Set(p)
	case reflect.Slice:
		switch f.r.IntN(5) {
		case 0:
			v.SetZero()
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			n := 1 + f.r.IntN(4)
			s := reflect.MakeSlice(v.Type(), n, n)
			for i := range n {
				f.fill(s.Index(i))
			}
			v.Set(s)
		}
	case reflect.Map:
		switch f.r.IntN(5) {
		case 0:
			v.SetZero()
		case 1:
			v.Set(reflect.MakeMap(v.Type()))
		default:
			m := reflect.MakeMap(v.Type())
			for range 1 + f.r.IntN(6) {
				k := reflect.New(v.Type().Key()).Elem()
				f.fill(k)
				e := reflect.New(v.Type().Elem()).Elem()
				f.fill(e)
				m.SetMapIndex(k, e)
			}
			v.Set(m)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				f.fill(v.Field(i))
			}
		}
	case reflect.Interface:
		if a := f.any(); a != nil {
			v.Set(reflect.ValueOf(a))
		}
	default:
		panic("filler: no rule for " + v.Type().String())
	}
}

// any is a value of a decoded JSON document, now and then of another type
// (for encoding/json's own output), nested a few levels at most.
func (f *filler) any() any {
	f.depth++
	defer func() { f.depth-- }()
	n := 9
	if f.depth > 3 {
		n = 5
	}
	switch f.r.IntN(n) {
	case 0:
		return nil
	case 1:
		return f.string()
	case 2:
		return f.r.IntN(2) == 0
	case 3:
		return f.float()
	case 4:
		return []int{1, 2}[:f.r.IntN(3)] // another type: encoding/json writes it
	case 5:
		return json.Number("12.50")
	case 6, 7:
		m := map[string]any{}
		if f.r.IntN(6) == 0 {
			m = nil
		}
		for range f.r.IntN(20) {
			if m != nil {
				m[f.string()] = f.any()
			}
		}
		return m
	default:
		if f.r.IntN(6) == 0 {
			return []any(nil)
		}
		a := make([]any, f.r.IntN(4))
		for i := range a {
			a[i] = f.any()
		}
		return a
	}
}

// pieces are what strings are made of: plain text and everything
// encoding/json escapes or replaces.
var pieces = []string{
	"", "a", "Ruby Rose", "0x52908400098527886E0F7030069857D2E4169EE7", "<", ">", "&", "<script>", `"`, `\`, "/",
	"\n", "\r", "\t", "\b", "\f", "\x00", "\x01", "\x1f", "\x7f", " ", "\u2028", "\u2029", "\xff", "\xc3", "\xed\xa0\x80",
	"é", "日本", "😀", "\uFFFD", "https://example.com/a?b=1&c=2",
}

func (f *filler) string() string {
	var b strings.Builder
	for range f.r.IntN(5) {
		b.WriteString(pieces[f.r.IntN(len(pieces))])
	}
	return b.String()
}

// float is a float64 near encoding/json's cutoffs between plain and
// exponent form, or a plain one; rarely one it refuses.
func (f *filler) float() float64 {
	all := []float64{
		0, math.Copysign(0, -1), 1, -1, 0.1, 123.456, 1e-6, 9.99999e-7, 1e-7, 1.5e-9, 1e20, 1e21, 999999999999999999999.0,
		1e100, -2.5e-300, math.SmallestNonzeroFloat64, math.MaxFloat64, 1 << 53, (1 << 53) + 1, f.r.Float64() * 1e6,
	}
	if f.r.IntN(100) == 0 {
		all = []float64{math.NaN(), math.Inf(1), math.Inf(-1)}
	}
	return all[f.r.IntN(len(all))]
}

// time is a time in UTC or another zone, with or without fractions, now
// and then outside what RFC 3339 (and so encoding/json) allows.
func (f *filler) time() time.Time {
	zones := []*time.Location{
		time.UTC, time.UTC, time.FixedZone("", 0), time.FixedZone("X", 5*3600+30*60), time.FixedZone("", -12*3600),
		time.FixedZone("", 23*3600+59*60),
	}
	zone := zones[f.r.IntN(len(zones))]
	secs := f.r.Int64N(253402300799+62135596800) - 62135596800 // years 1 to 9999
	switch f.r.IntN(200) {
	case 0:
		secs = 253402300800 + f.r.Int64N(1e9) // after 9999
	case 1:
		secs = -62135596800 - 86400*366 - f.r.Int64N(1e9) // before year 0
	case 2:
		zone = time.FixedZone("", 24*3600) // an offset RFC 3339 cannot write
	case 3:
		zone = time.FixedZone("", -(99*3600 + 59*60))
	case 4, 5, 6, 7:
		return time.Time{}
	}
	nanos := []int64{0, 1e6 * f.r.Int64N(1000), f.r.Int64N(1e9), 1, 999999999}[f.r.IntN(5)]
	return time.Unix(secs, nanos).In(zone)
}

// BenchmarkAppendResponse compares appendResponse with json.Marshal on
// the demo member's page of orders (12 orders, about 9 KB).
func BenchmarkAppendResponse(b *testing.B) {
	list := &orders.List{HasOrders: true}
	for _, o := range demo.Orders(time.Now()) {
		list.Orders = append(list.Orders, o.Order)
	}
	b.Run("appendResponse", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 16<<10)
		for b.Loop() {
			buf, _ = appendResponse(buf[:0], list)
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			json.Marshal(list)
		}
	})
}
