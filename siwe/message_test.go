package siwe

import (
	"reflect"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// eipExample is the example message of EIP-4361, byte for byte.
const eipExample = `service.org wants you to sign in with your Ethereum account:
0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2

I accept the ServiceOrg Terms of Service: https://service.org/tos

URI: https://service.org/login
Version: 1
Chain ID: 1
Nonce: 32891756
Issued At: 2021-09-30T16:25:24Z
Resources:
- ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/
- https://example.com/my-web2-claim.json`

func eipExampleMessage() Message {
	return Message{
		Domain:    "service.org",
		Address:   "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
		Statement: "I accept the ServiceOrg Terms of Service: https://service.org/tos",
		URI:       "https://service.org/login",
		Version:   "1",
		ChainID:   1,
		Nonce:     "32891756",
		IssuedAt:  time.Date(2021, 9, 30, 16, 25, 24, 0, time.UTC),
		Resources: []string{
			"ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/",
			"https://example.com/my-web2-claim.json",
		},
	}
}

func TestStringMatchesEIPExample(t *testing.T) {
	if got := eipExampleMessage().String(); got != eipExample {
		t.Fatalf("String() =\n%s\nwant\n%s", got, eipExample)
	}
	m, err := Parse(eipExample)
	if err != nil {
		t.Fatalf("Parse(EIP example): %v", err)
	}
	if want := eipExampleMessage(); !reflect.DeepEqual(*m, want) {
		t.Fatalf("Parse(EIP example) = %+v, want %+v", *m, want)
	}
}

func TestStringWithoutStatementKeepsTwoBlankLines(t *testing.T) {
	m := Message{
		Domain:         "localhost:8080",
		Address:        "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23",
		URI:            "http://localhost:8080/dashboard",
		ChainID:        137,
		Nonce:          "ABCDEFGH234567",
		IssuedAt:       time.Date(2025, 11, 26, 21, 28, 24, 0, time.UTC),
		ExpirationTime: time.Date(2025, 11, 26, 21, 38, 24, 500_000_000, time.UTC),
	}
	want := "localhost:8080 wants you to sign in with your Ethereum account:\n" +
		"0x2c7536E3605D9C16a7a3D7b1898e529396a65c23\n" +
		"\n" +
		"\n" +
		"URI: http://localhost:8080/dashboard\n" +
		"Version: 1\n" +
		"Chain ID: 137\n" +
		"Nonce: ABCDEFGH234567\n" +
		"Issued At: 2025-11-26T21:28:24Z\n" +
		"Expiration Time: 2025-11-26T21:38:24.5Z"
	if got := m.String(); got != want {
		t.Fatalf("String() =\n%q\nwant\n%q", got, want)
	}
}

func TestStringOptionalFieldOrder(t *testing.T) {
	nb := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	m := eipExampleMessage()
	m.ExpirationTime = nb.Add(time.Hour)
	m.NotBefore = &nb
	m.RequestID = "req-1"
	got := m.String()
	order := []string{"\nIssued At: ", "\nExpiration Time: ", "\nNot Before: ", "\nRequest ID: req-1", "\nResources:\n- ipfs://"}
	last := -1
	for _, s := range order {
		i := strings.Index(got, s)
		if i <= last {
			t.Fatalf("%q out of order in\n%s", s, got)
		}
		last = i
	}
}

func TestRoundTrip(t *testing.T) {
	nb := time.Date(2025, 11, 26, 21, 28, 0, 0, time.UTC)
	offset := time.FixedZone("", 5*3600+30*60)
	full := Message{
		Domain:         "dashboard.thebabesclub.com",
		Address:        "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23",
		Statement:      "Prove that you control this wallet for The Babes Club dashboard.",
		URI:            "https://dashboard.thebabesclub.com/dashboard/wallet/verify?x=%2F#frag",
		Version:        "1",
		ChainID:        1,
		Nonce:          "Q2ZJ7KXW4NB6RTYU3MHC5VDE2L",
		IssuedAt:       time.Date(2025, 11, 26, 21, 28, 24, 123_000_000, time.UTC),
		ExpirationTime: time.Date(2025, 11, 26, 21, 38, 24, 0, time.UTC),
		NotBefore:      &nb,
		RequestID:      "a1b2-c3d4:%20@x",
		Resources:      []string{"https://thebabesclub.com/terms", "urn:isbn:0451450523", "file:///tmp/x"},
	}
	cases := map[string]Message{
		"full":         full,
		"EIP example":  eipExampleMessage(),
		"no statement": func() Message { m := full; m.Statement = ""; return m }(),
		"required only": {
			Domain: "[2001:db8::1]:8443", Address: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
			URI: "https://[2001:db8::1]:8443/", Version: "1", ChainID: 9223372036854775807,
			Nonce: "abcdefgh", IssuedAt: time.Date(2000, 2, 29, 0, 0, 0, 1, time.UTC),
		},
		"offset time":   func() Message { m := full; m.IssuedAt = time.Date(2025, 1, 1, 12, 0, 0, 0, offset); return m }(),
		"IPv4 and port": func() Message { m := full; m.Domain = "127.0.0.1:3000"; m.URI = "http://127.0.0.1:3000"; return m }(),
		"statement with every reserved character": func() Message {
			m := full
			m.Statement = " :/?#[]@!$&'()*+,;=-._~ AZaz09 "
			return m
		}(),
	}
	for name, m := range cases {
		t.Run(name, func(t *testing.T) {
			text := m.String()
			got, err := parse(text)
			if err != nil {
				t.Fatalf("parse(%q): %v", text, err)
			}
			if got.String() != text {
				t.Fatalf("re-serialised\n%q\nwant\n%q", got.String(), text)
			}
			if !sameMessage(*got, m) {
				t.Fatalf("parsed %+v\nwant %+v", *got, m)
			}
		})
	}
}

// sameMessage compares messages with time.Time.Equal, since a parsed offset
// lives in a FixedZone while the original may use another *Location.
func sameMessage(a, b Message) bool {
	if !a.IssuedAt.Equal(b.IssuedAt) || !a.ExpirationTime.Equal(b.ExpirationTime) {
		return false
	}
	if (a.NotBefore == nil) != (b.NotBefore == nil) || a.NotBefore != nil && !a.NotBefore.Equal(*b.NotBefore) {
		return false
	}
	a.IssuedAt, b.IssuedAt = time.Time{}, time.Time{}
	a.ExpirationTime, b.ExpirationTime = time.Time{}, time.Time{}
	a.NotBefore, b.NotBefore = nil, nil
	return reflect.DeepEqual(a, b)
}

// validText is a message with every optional term, the base the malformed
// cases below each break in one place.
func validText(t *testing.T) string {
	t.Helper()
	nb := time.Date(2021, 9, 30, 16, 25, 24, 0, time.UTC)
	m := eipExampleMessage()
	m.ExpirationTime = nb.Add(10 * time.Minute)
	m.NotBefore = &nb
	m.RequestID = "req1"
	text := m.String()
	if _, err := parse(text); err != nil {
		t.Fatalf("base message does not parse: %v", err)
	}
	return text
}

func TestParseRejectsMalformed(t *testing.T) {
	base := validText(t)
	const addr = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"
	replace := func(old, new string) func() string {
		return func() string {
			if !strings.Contains(base, old) {
				t.Fatalf("base lacks %q", old)
			}
			return strings.Replace(base, old, new, 1)
		}
	}
	cases := []struct {
		name   string
		text   func() string
		reason string
	}{
		{"empty", func() string { return "" }, "header"},
		{"oversized", replace("I accept", strings.Repeat("a", MaxMessageSize)), "too large"},
		{"CRLF line endings", func() string { return strings.ReplaceAll(base, "\n", "\r\n") }, "printable"},
		{"tab", replace("I accept", "I\taccept"), "printable"},
		{"NUL byte", replace("req1", "req\x001"), "printable"},
		{"non-ASCII statement", replace("accept", "accépt"), "printable"},
		{"trailing newline", func() string { return base + "\n" }, "resource"},
		{"scheme before domain", replace("service.org wants", "https://service.org wants"), "domain"},
		{"userinfo in domain", replace("service.org wants", "service.org@evil.example wants"), "domain"},
		{"port zero", replace("service.org wants", "service.org:0 wants"), "domain"},
		{"port too big", replace("service.org wants", "service.org:65536 wants"), "domain"},
		{"empty domain", replace("service.org wants", " wants"), "domain"},
		{"label with underscore", replace("service.org wants", "ser_vice.org wants"), "domain"},
		{"unclosed IPv6", replace("service.org wants", "[::1 wants"), "domain"},
		{"header case", replace("Ethereum account:", "ethereum account:"), "header"},
		{"lower-case address", replace(addr, strings.ToLower(addr)), "EIP-55"},
		{"wrong checksum", replace(addr, "0xc02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"), "EIP-55"},
		{"short address", replace(addr, addr[:41]), "EIP-55"},
		{"address without 0x", replace(addr, "C02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"), "EIP-55"},
		{"no blank after address", replace(addr+"\n\n", addr+"\n"), "blank line after address"},
		{"empty statement spelled out", replace("\nI accept the ServiceOrg Terms of Service: https://service.org/tos\n", "\n\n"), "URI"},
		{"no blank after statement", replace("tos\n\nURI", "tos\nURI"), "blank line after statement"},
		{"statement with quote", replace("I accept", `I "accept"`), "statement"},
		{"statement with percent", replace("I accept", "I 100% accept"), "statement"},
		{"missing URI", replace("URI: https://service.org/login\n", ""), "URI"},
		{"relative URI", replace("URI: https://service.org/login", "URI: /login"), "URI"},
		{"URI with space", replace("URI: https://service.org/login", "URI: https://service.org/log in"), "URI"},
		{"URI with bad escape", replace("URI: https://service.org/login", "URI: https://service.org/%zz"), "URI"},
		{"URI with brace", replace("URI: https://service.org/login", "URI: https://service.org/{x}"), "URI"},
		{"lower-case label", replace("URI: ", "uri: "), "URI"},
		{"version 2", replace("Version: 1", "Version: 2"), "version"},
		{"version trailing space", replace("Version: 1", "Version: 1 "), "version"},
		{"chain id leading zero", replace("Chain ID: 1", "Chain ID: 01"), "chain id"},
		{"chain id zero", replace("Chain ID: 1", "Chain ID: 0"), "chain id"},
		{"chain id hex", replace("Chain ID: 1", "Chain ID: 0x1"), "chain id"},
		{"chain id overflow", replace("Chain ID: 1", "Chain ID: 9223372036854775808"), "range"},
		{"short nonce", replace("Nonce: 32891756", "Nonce: 3289175"), "nonce"},
		{"nonce with dash", replace("Nonce: 32891756", "Nonce: 3289-1756"), "nonce"},
		{"duplicate nonce", replace("Nonce: 32891756\n", "Nonce: 32891756\nNonce: 32891756\n"), "Issued At"},
		{"time with space", replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-09-30 16:25:24Z"), "time"},
		{"time without zone", replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-09-30T16:25:24"), "time"},
		{"time with .000", replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-09-30T16:25:24.000Z"), "time"},
		{"time with +00:00", replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-09-30T16:25:24+00:00"), "time"},
		{"time month 13", replace("Expiration Time: 2021-09-30", "Expiration Time: 2021-13-30"), "time"},
		{"zero time", replace("Issued At: 2021-09-30T16:25:24Z", "Issued At: 0001-01-01T00:00:00Z"), "time"},
		{"fields out of order", func() string {
			lines := strings.Split(base, "\n")
			for i, l := range lines {
				if strings.HasPrefix(l, "Expiration Time: ") {
					lines[i], lines[i+1] = lines[i+1], lines[i]
					break
				}
			}
			return strings.Join(lines, "\n")
		}, "unexpected line"},
		{"duplicate expiration", replace("Not Before: ", "Expiration Time: 2021-09-30T16:35:24Z\nNot Before: "), "unexpected line"},
		{"unknown field", replace("Request ID: req1", "Request ID: req1\nFoo: bar"), "unexpected line"},
		{"empty request id", replace("Request ID: req1", "Request ID: "), "request id"},
		{"request id with space", replace("Request ID: req1", "Request ID: req 1"), "request id"},
		{"resources without items", func() string { return base[:strings.Index(base, "\n- ")] }, "empty resources"},
		{"resource without dash", replace("- https://example.com", "https://example.com"), "resource"},
		{"resource not a URI", replace("- https://example.com/my-web2-claim.json", "- example.com/claim"), "resource"},
	}
	if len(cases) < 20 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := c.text()
			_, err := parse(text)
			if err == nil {
				t.Fatalf("parse accepted %q", text)
			}
			if !strings.Contains(err.Error(), c.reason) {
				t.Errorf("parse error %q, want it to mention %q", err, c.reason)
			}
			m, perr := Parse(text)
			if m != nil || dashboard.ErrorCode(perr) != dashboard.EVALIDATION {
				t.Fatalf("Parse = %v, %v; want nil, EVALIDATION", m, perr)
			}
			if msg := dashboard.ErrorMessage(perr); strings.Contains(msg, "siwe:") {
				t.Errorf("Parse leaks the parser's reason: %q", msg)
			}
			if _, ok := dashboard.ErrorFields(perr)[FieldMessage]; !ok {
				t.Errorf("Parse error fields %v lack %q", dashboard.ErrorFields(perr), FieldMessage)
			}
		})
	}
}

func TestParseAcceptsMaxSize(t *testing.T) {
	base := validText(t)
	pad := MaxMessageSize - len(base)
	text := strings.Replace(base, "I accept", "I accept"+strings.Repeat("a", pad), 1)
	if len(text) != MaxMessageSize {
		t.Fatalf("len = %d", len(text))
	}
	if _, err := parse(text); err != nil {
		t.Fatalf("a message of exactly MaxMessageSize bytes: %v", err)
	}
	if _, err := parse(text + "a"); err == nil {
		t.Fatal("a message one byte over MaxMessageSize was accepted")
	}
}

func TestValidDomain(t *testing.T) {
	good := []string{"example.com", "localhost", "localhost:8080", "a-b.c", "127.0.0.1", "[::1]", "[2001:db8::1]:443", "EXAMPLE.com"}
	bad := []string{"", "-a.com", "a-.com", "a..com", ".com", "a.com.", "a.com:", "a.com:08", "[::1]x", "[fe80::1%25eth0]", "[1.2.3.4]", "[v1.x]", "a b", "a.com/x", strings.Repeat("a", 64) + ".com"}
	for _, d := range good {
		if !validDomain(d) {
			t.Errorf("validDomain(%q) = false", d)
		}
	}
	for _, d := range bad {
		if validDomain(d) {
			t.Errorf("validDomain(%q) = true", d)
		}
	}
}

func TestValidURI(t *testing.T) {
	good := []string{"https://a.com", "https://a.com/", "http://u:p@a.com:8080/p/a;t?q=1&r=/?#f", "urn:isbn:0451450523", "mailto:a@b.c", "file:///etc/hosts", "ipfs://bafy/", "https://[::1]:3000/x", "a+b.c-d:x", "https://a.com/%41"}
	bad := []string{"", ":x", "1http://a", "https://a.com/ x", "https://a.com/%4", "https://a.com/%G1", "https://a.com/#a#b", "https://a b.com", "https://[::1/x", "https://a.com:x/", "https://a.com/\\", "https://a.com/[x]", "https://a@b@c/"}
	for _, u := range good {
		if !validURI(u) {
			t.Errorf("validURI(%q) = false", u)
		}
	}
	for _, u := range bad {
		if validURI(u) {
			t.Errorf("validURI(%q) = true", u)
		}
	}
}
