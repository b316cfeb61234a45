package siwe

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

var (
	issuedAt = time.Date(2025, 11, 26, 21, 28, 24, 0, time.UTC)
	expect   = Expect{Domain: "dashboard.thebabesclub.com", URI: "https://dashboard.thebabesclub.com/dashboard/wallet/verify", ChainID: 1, Nonce: "Q2ZJ7KXW4NB6RTYU3MHC5VDE2L"}
)

// otherKey is an unrelated fixed private key (the secp256k1 scalar 2^128+1).
const otherKey = "0000000000000000000000000000000100000000000000000000000000000001"

// challenge is what the challenge route would issue for the web3 test key.
func challenge() Message {
	return Message{
		Domain:         expect.Domain,
		Address:        web3Address,
		Statement:      "Prove that you control this wallet for The Babes Club dashboard.",
		URI:            expect.URI,
		Version:        Version,
		ChainID:        expect.ChainID,
		Nonce:          expect.Nonce,
		IssuedAt:       issuedAt,
		ExpirationTime: issuedAt.Add(10 * time.Minute),
	}
}

// signed returns text and its personal_sign signature by the given key.
func signed(t testing.TB, key string, text string) (string, string) {
	t.Helper()
	sig, err := SignPersonal(mustKey(t, key), text)
	if err != nil {
		t.Fatal(err)
	}
	return text, sig
}

func TestVerifyAcceptsGoodSignature(t *testing.T) {
	text, sig := signed(t, web3Key, challenge().String())
	now := issuedAt.Add(time.Minute)
	for _, want := range []string{web3Address, strings.ToLower(web3Address), "0x" + strings.ToUpper(web3Address[2:])} {
		m, err := Verify(text, sig, want, now, expect)
		if err != nil {
			t.Fatalf("Verify(want %s): %v", want, err)
		}
		if m.Address != web3Address || m.Nonce != expect.Nonce {
			t.Fatalf("Verify returned %+v", m)
		}
	}
	// Without Expect.URI any URI is accepted.
	loose := expect
	loose.URI = ""
	if _, err := Verify(text, sig, web3Address, now, loose); err != nil {
		t.Fatalf("Verify without URI: %v", err)
	}
	// Issued At may be up to ClockSkew ahead of our clock.
	if _, err := Verify(text, sig, web3Address, issuedAt.Add(-ClockSkew), expect); err != nil {
		t.Fatalf("Verify within clock skew: %v", err)
	}
	// The last instant before expiry and the Not Before instant itself.
	m := challenge()
	nb := issuedAt.Add(2 * time.Minute)
	m.NotBefore = &nb
	text, sig = signed(t, web3Key, m.String())
	for _, now := range []time.Time{nb, m.ExpirationTime.Add(-time.Nanosecond)} {
		if _, err := Verify(text, sig, web3Address, now, expect); err != nil {
			t.Fatalf("Verify at %s: %v", now, err)
		}
	}
}

func TestVerifyAcceptsV01(t *testing.T) {
	text, sig := signed(t, web3Key, challenge().String())
	raw := mustSig(t, sig)
	raw[64] -= 27
	if _, err := Verify(text, "0x"+hex.EncodeToString(raw), web3Address, issuedAt, expect); err != nil {
		t.Fatalf("v=%d: %v", raw[64], err)
	}
}

func TestVerifyRejects(t *testing.T) {
	now := issuedAt.Add(time.Minute)
	good, goodSig := signed(t, web3Key, challenge().String())
	sign := func(f func(m *Message)) (string, string) {
		m := challenge()
		f(&m)
		return signed(t, web3Key, m.String())
	}
	type tc struct {
		text, sig, want string
		now             time.Time
		expect          Expect
		field           string
	}
	with := func(f func(c *tc)) tc {
		c := tc{text: good, sig: goodSig, want: web3Address, now: now, expect: expect}
		f(&c)
		return c
	}
	raw := mustSig(t, goodSig)
	cases := map[string]tc{
		"wrong key": with(func(c *tc) { c.text, c.sig = signed(t, otherKey, good) }),
		"altered statement": with(func(c *tc) {
			c.text = strings.Replace(good, "Prove that", "Prove thAt", 1)
			c.field = FieldSignature
		}),
		"altered expiration": with(func(c *tc) { c.text = strings.Replace(good, "21:38:24Z", "21:39:24Z", 1) }),
		"reused nonce":       with(func(c *tc) { c.expect.Nonce = "NEWNONCE234567ABCDEFGHIJKL"; c.field = FieldNonce }),
		"no nonce expected":  with(func(c *tc) { c.expect.Nonce = ""; c.field = FieldNonce }),
		"expired at expiry":  with(func(c *tc) { c.now = issuedAt.Add(10 * time.Minute); c.field = FieldExpired }),
		"expired later":      with(func(c *tc) { c.now = issuedAt.Add(time.Hour); c.field = FieldExpired }),
		"not before": with(func(c *tc) {
			c.text, c.sig = sign(func(m *Message) { nb := issuedAt.Add(5 * time.Minute); m.NotBefore = &nb })
			c.field = FieldNotBefore
		}),
		"issued in the future": with(func(c *tc) { c.now = issuedAt.Add(-ClockSkew - time.Second); c.field = FieldNotBefore }),
		"no expiration": with(func(c *tc) {
			c.text, c.sig = sign(func(m *Message) { m.ExpirationTime = time.Time{} })
			c.field = FieldMessage
		}),
		"other domain":        with(func(c *tc) { c.expect.Domain = "evil.example"; c.field = FieldDomain }),
		"no domain expected":  with(func(c *tc) { c.expect.Domain = ""; c.field = FieldDomain }),
		"other URI":           with(func(c *tc) { c.expect.URI = "https://dashboard.thebabesclub.com/other"; c.field = FieldURI }),
		"other chain id":      with(func(c *tc) { c.expect.ChainID = 137; c.field = FieldChainID }),
		"other wallet":        with(func(c *tc) { c.want = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"; c.field = FieldAddress }),
		"no preferred wallet": with(func(c *tc) { c.want = ""; c.field = FieldAddress }),
		"message for other wallet signed by it": with(func(c *tc) {
			other := PubKeyAddress(mustKey(t, otherKey).PubKey())
			c.text, c.sig = sign(func(m *Message) { m.Address = other })
			c.field = FieldAddress
		}),
		"not SIWE":           with(func(c *tc) { c.text = "Some data"; c.field = FieldMessage }),
		"signature 64 bytes": with(func(c *tc) { c.sig = goodSig[:130] }),
		"signature 66 bytes": with(func(c *tc) { c.sig = goodSig + "00" }),
		"signature empty":    with(func(c *tc) { c.sig = "" }),
		"signature no 0x":    with(func(c *tc) { c.sig = goodSig[2:] + "00" }),
		"signature not hex":  with(func(c *tc) { c.sig = goodSig[:131] + "z" }),
		"high s":             with(func(c *tc) { c.sig = "0x" + hex.EncodeToString(highS(t, raw)) }),
		"v 29":               with(func(c *tc) { c.sig = goodSig[:130] + "1d" }),
	}
	secrets := []string{expect.Nonce, strings.ToLower(web3Address[2:]), strings.ToLower(goodSig[2:20])}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if c.field == "" {
				c.field = FieldSignature
			}
			m, err := Verify(c.text, c.sig, c.want, c.now, c.expect)
			if err == nil {
				t.Fatalf("Verify accepted it: %+v", m)
			}
			if code := dashboard.ErrorCode(err); code != dashboard.EVALIDATION {
				t.Fatalf("code = %s (%v)", code, err)
			}
			fields := dashboard.ErrorFields(err)
			if _, ok := fields[c.field]; !ok || len(fields) != 1 {
				t.Fatalf("fields = %v, want only %q", fields, c.field)
			}
			all := strings.ToLower(err.Error() + dashboard.ErrorMessage(err) + fields[c.field])
			for _, s := range secrets {
				if strings.Contains(all, strings.ToLower(s)) {
					t.Fatalf("error echoes a secret: %q", all)
				}
			}
		})
	}
}

func TestNewNonce(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		n, err := NewNonce()
		if err != nil {
			t.Fatal(err)
		}
		// 26 base32 characters carry 130 bits, past the 96 asked for.
		if len(n) < 20 || !validNonce(n) || seen[n] {
			t.Fatalf("bad or repeated nonce %q", n)
		}
		seen[n] = true
	}
}

func BenchmarkVerify(b *testing.B) {
	text, sig := signed(b, web3Key, challenge().String())
	now := issuedAt.Add(time.Minute)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(text, sig, web3Address, now, expect); err != nil {
			b.Fatal(err)
		}
	}
}
