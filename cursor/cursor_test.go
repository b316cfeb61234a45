package cursor

import (
	"regexp"
	"strings"
	"testing"

	dashboard "github.com/thebabesclub/dashboard"
)

type state struct {
	After string `json:"a"`
	N     int64  `json:"n"`
}

func TestSealOpen(t *testing.T) {
	s := NewSigner([]byte("secret"))
	c, err := s.Seal("alice", state{After: "ORDER#0000000001#cs_1", N: 7})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[A-Za-z0-9_.~-]+$`).MatchString(c) {
		t.Errorf("cursor %q is not URL-safe", c)
	}
	var got state
	if err := s.Open("alice", c, &got); err != nil || got.After != "ORDER#0000000001#cs_1" || got.N != 7 {
		t.Fatalf("Open = %+v, %v", got, err)
	}
}

func TestOpenRefuses(t *testing.T) {
	s := NewSigner([]byte("secret"))
	c, _ := s.Seal("alice", state{After: "x"})
	enc, sig, _ := strings.Cut(c, ".")
	other, _ := NewSigner([]byte("other")).Seal("alice", state{After: "x"})
	forged, _ := s.Seal("bob", state{After: "y"})
	fEnc, _, _ := strings.Cut(forged, ".")
	flip := func(s string) string {
		b := []byte(s)
		if b[0] == 'A' {
			b[0] = 'B'
		} else {
			b[0] = 'A'
		}
		return string(b)
	}
	for name, bad := range map[string]string{
		"another member":  c, // opened as bob below
		"tampered state":  flip(enc) + "." + sig,
		"tampered mac":    enc + "." + flip(sig),
		"swapped state":   fEnc + "." + sig,
		"another key":     other,
		"no dot":          enc,
		"empty":           "",
		"garbage":         "%%%.%%%",
		"too long":        strings.Repeat("A", 3000) + "." + sig,
		"not JSON inside": "bm90IGpzb24." + sig,
	} {
		var v state
		if err := s.Open("bob", bad, &v); dashboard.ErrorCode(err) != dashboard.EINVALIDCURSOR {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func FuzzOpen(f *testing.F) {
	s := NewSigner([]byte("secret"))
	c, _ := s.Seal("alice", state{After: "x"})
	f.Add(c)
	f.Add("a.b")
	f.Fuzz(func(t *testing.T, in string) {
		var v state
		if err := s.Open("alice", in, &v); err != nil && dashboard.ErrorCode(err) != dashboard.EINVALIDCURSOR {
			t.Fatalf("code %q", dashboard.ErrorCode(err))
		}
	})
}

func BenchmarkSealOpen(b *testing.B) {
	s := NewSigner([]byte("secret"))
	b.ReportAllocs()
	for b.Loop() {
		c, _ := s.Seal("0123456789abcdef0123456789abcdef", state{After: "ORDER#1764192504#cs_test_a1b2c3", N: 1764192504000})
		var v state
		if err := s.Open("0123456789abcdef0123456789abcdef", c, &v); err != nil {
			b.Fatal(err)
		}
	}
}
