// Package siwe implements Sign-In with Ethereum (EIP-4361) messages and the
// EIP-191 personal_sign signatures over them, so that a member can prove they
// control the wallet named as their preferredWallet before the dashboard
// treats NFT holdings of that wallet as theirs.
//
// The relying party (this service) issues the message text; the member's
// wallet signs it verbatim; Verify parses that text strictly, checks every
// term against what was issued and recovers the signer from the signature.
package siwe

import (
	"errors"
	"strconv"
	"strings"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// Version is the only message version EIP-4361 defines.
const Version = "1"

// MaxMessageSize bounds the text Parse accepts, in bytes. A challenge this
// service issues is well under 1 KiB; anything far larger is an attempt to
// make the server hash and scan attacker-sized input.
const MaxMessageSize = 4096

// headerSuffix follows the domain on the first line of every message.
const headerSuffix = " wants you to sign in with your Ethereum account:"

// Message is one EIP-4361 message. The zero ExpirationTime, a nil NotBefore,
// an empty Statement or RequestID and an empty Resources slice mean that the
// optional term is absent, which is why Parse refuses a message that spells
// those terms out empty: they could not be told apart when re-serialised.
type Message struct {
	Domain         string
	Address        string
	Statement      string
	URI            string
	Version        string
	ChainID        int64
	Nonce          string
	IssuedAt       time.Time
	ExpirationTime time.Time
	NotBefore      *time.Time
	RequestID      string
	Resources      []string
}

// String returns the exact EIP-4361 text of m, the text a wallet shows and
// signs. An empty Version is written as "1" so that a challenge can be built
// without repeating the constant. Times are written in RFC 3339 with their
// own offset and only the fractional digits they need, so callers should
// pass UTC times (the contract's timestamp form). String does not validate:
// Parse(m.String()) does.
func (m Message) String() string {
	var b strings.Builder
	b.Grow(256 + len(m.Statement) + len(m.URI))
	b.WriteString(m.Domain)
	b.WriteString(headerSuffix)
	b.WriteString("\n")
	b.WriteString(m.Address)
	b.WriteString("\n\n")
	if m.Statement != "" {
		b.WriteString(m.Statement)
		b.WriteString("\n")
	}
	b.WriteString("\nURI: ")
	b.WriteString(m.URI)
	version := m.Version
	if version == "" {
		version = Version
	}
	b.WriteString("\nVersion: ")
	b.WriteString(version)
	b.WriteString("\nChain ID: ")
	b.WriteString(strconv.FormatInt(m.ChainID, 10))
	b.WriteString("\nNonce: ")
	b.WriteString(m.Nonce)
	b.WriteString("\nIssued At: ")
	b.WriteString(formatTime(m.IssuedAt))
	if !m.ExpirationTime.IsZero() {
		b.WriteString("\nExpiration Time: ")
		b.WriteString(formatTime(m.ExpirationTime))
	}
	if m.NotBefore != nil {
		b.WriteString("\nNot Before: ")
		b.WriteString(formatTime(*m.NotBefore))
	}
	if m.RequestID != "" {
		b.WriteString("\nRequest ID: ")
		b.WriteString(m.RequestID)
	}
	if len(m.Resources) > 0 {
		b.WriteString("\nResources:")
		for _, r := range m.Resources {
			b.WriteString("\n- ")
			b.WriteString(r)
		}
	}
	return b.String()
}

// Parse reads an EIP-4361 message strictly: every line must be where the
// grammar puts it, spelled as String would spell it. Any deviation yields an
// EVALIDATION *dashboard.Error with a generic message: which rule broke is of
// no use to a client and of some use to someone probing the parser.
//
// Beyond the ABNF, Parse refuses what String cannot reproduce or what this
// service never issues: a scheme or userinfo in the domain, a statement or
// request id that is present but empty, a "Resources:" line with no
// resource, a chain id of 0 or with leading zeros, a time that is the zero
// instant or not in its canonical RFC 3339 spelling (so "2021-09-30T16:25:24Z"
// but not ".000Z" or "+00:00"), any byte other than LF and printable ASCII
// (so CR, tabs and UTF-8 too, which the grammar never allows), and input over
// MaxMessageSize bytes.
func Parse(text string) (*Message, error) {
	m, err := parse(text)
	if err != nil {
		return nil, errMalformed()
	}
	return m, nil
}

// errMalformed is the one error Parse returns; a new value each time because
// callers may add to its Fields map.
func errMalformed() *dashboard.Error {
	return &dashboard.Error{
		Code:    dashboard.EVALIDATION,
		Message: "The signed message is not a valid Sign-In with Ethereum message.",
		Fields:  map[string]string{FieldMessage: "The message does not follow the Sign-In with Ethereum format."},
	}
}

// lineReader hands out the lines of a message one at a time.
type lineReader struct {
	lines []string
	pos   int
}

// more reports whether a line is left.
func (r *lineReader) more() bool { return r.pos < len(r.lines) }

// peek returns the next line without consuming it; the caller checks more.
func (r *lineReader) peek() string { return r.lines[r.pos] }

// next returns the next line, which must exist.
func (r *lineReader) next(what string) (string, error) {
	if !r.more() {
		return "", errors.New("siwe: missing " + what)
	}
	r.pos++
	return r.lines[r.pos-1], nil
}

// field returns the value of the next line, which must start with prefix.
func (r *lineReader) field(prefix string) (string, error) {
	line, err := r.next(prefix)
	if err != nil {
		return "", err
	}
	value, ok := strings.CutPrefix(line, prefix)
	if !ok {
		return "", errors.New("siwe: expected " + strconv.Quote(prefix))
	}
	return value, nil
}

// optional returns the value of the next line when it starts with prefix,
// and false (consuming nothing) when it does not.
func (r *lineReader) optional(prefix string) (string, bool) {
	if !r.more() {
		return "", false
	}
	value, ok := strings.CutPrefix(r.peek(), prefix)
	if ok {
		r.pos++
		return value, true
	}
	return "", false
}

// parse does the work of Parse and says what failed, for tests.
func parse(text string) (*Message, error) {
	if len(text) > MaxMessageSize {
		return nil, errors.New("siwe: message too large")
	}
	for i := 0; i < len(text); i++ {
		if c := text[i]; c != '\n' && (c < 0x20 || c > 0x7e) {
			return nil, errors.New("siwe: byte outside printable ASCII")
		}
	}
	r := &lineReader{lines: strings.Split(text, "\n")}
	m := &Message{}

	header, _ := r.next("header")
	domain, ok := strings.CutSuffix(header, headerSuffix)
	if !ok || !validDomain(domain) {
		return nil, errors.New("siwe: bad header or domain")
	}
	m.Domain = domain

	address, err := r.next("address")
	if err != nil {
		return nil, err
	}
	if sum, ok := ChecksumAddress(address); !ok || sum != address {
		return nil, errors.New("siwe: address not in EIP-55 form")
	}
	m.Address = address

	if blank, err := r.next("blank line"); err != nil || blank != "" {
		return nil, errors.New("siwe: expected blank line after address")
	}
	statement, err := r.next("statement")
	if err != nil {
		return nil, err
	}
	if statement != "" {
		if !validStatement(statement) {
			return nil, errors.New("siwe: bad statement")
		}
		m.Statement = statement
		if blank, err := r.next("blank line"); err != nil || blank != "" {
			return nil, errors.New("siwe: expected blank line after statement")
		}
	}

	if m.URI, err = r.field("URI: "); err != nil {
		return nil, err
	}
	if !validURI(m.URI) {
		return nil, errors.New("siwe: bad URI")
	}
	if m.Version, err = r.field("Version: "); err != nil {
		return nil, err
	}
	if m.Version != Version {
		return nil, errors.New("siwe: unsupported version")
	}
	chain, err := r.field("Chain ID: ")
	if err != nil {
		return nil, err
	}
	if m.ChainID, err = parseChainID(chain); err != nil {
		return nil, err
	}
	if m.Nonce, err = r.field("Nonce: "); err != nil {
		return nil, err
	}
	if !validNonce(m.Nonce) {
		return nil, errors.New("siwe: bad nonce")
	}
	issued, err := r.field("Issued At: ")
	if err != nil {
		return nil, err
	}
	if m.IssuedAt, err = parseTime(issued); err != nil {
		return nil, err
	}

	if v, ok := r.optional("Expiration Time: "); ok {
		if m.ExpirationTime, err = parseTime(v); err != nil {
			return nil, err
		}
	}
	if v, ok := r.optional("Not Before: "); ok {
		t, err := parseTime(v)
		if err != nil {
			return nil, err
		}
		m.NotBefore = &t
	}
	if v, ok := r.optional("Request ID: "); ok {
		if v == "" || !validPctRun(v, isPchar) {
			return nil, errors.New("siwe: bad request id")
		}
		m.RequestID = v
	}
	if r.more() && r.peek() == "Resources:" {
		r.pos++
		for r.more() {
			v, ok := r.optional("- ")
			if !ok || !validURI(v) {
				return nil, errors.New("siwe: bad resource")
			}
			m.Resources = append(m.Resources, v)
		}
		if len(m.Resources) == 0 {
			return nil, errors.New("siwe: empty resources")
		}
	}
	if r.more() {
		return nil, errors.New("siwe: unexpected line")
	}
	return m, nil
}

// parseChainID reads an EIP-155 chain id: decimal, positive, no leading zero.
func parseChainID(s string) (int64, error) {
	if s == "" || s[0] == '0' || !validRun(s, isDigit) {
		return 0, errors.New("siwe: bad chain id")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errors.New("siwe: chain id out of range")
	}
	return n, nil
}

// validNonce reports whether s is at least 8 ASCII letters and digits.
func validNonce(s string) bool {
	return len(s) >= 8 && validRun(s, func(c byte) bool { return isAlpha(c) || isDigit(c) })
}

// validStatement reports whether s uses only RFC 3986 reserved and
// unreserved characters and spaces, as the statement rule requires.
func validStatement(s string) bool {
	return validRun(s, func(c byte) bool { return c == ' ' || isUnreserved(c) || isReserved(c) })
}

// formatTime writes t the one way parseTime accepts it back.
func formatTime(t time.Time) string {
	return t.Format(time.RFC3339Nano)
}

// parseTime reads an RFC 3339 date-time and insists on the spelling
// formatTime would give it, so that a parsed message re-serialises to the
// very text that was signed.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.IsZero() || formatTime(t) != s {
		return time.Time{}, errors.New("siwe: bad time")
	}
	return t, nil
}
