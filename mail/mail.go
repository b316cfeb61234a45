// Package mail sends the dashboard's mail (CONTRACT §9) through one of three
// transports behind dashboard.Mailer: Amazon SES v2 on AWS, an SMTP server
// when SMTP_URL names one, and otherwise a local outbox folder holding one
// RFC 5322 file per message. FromEnv picks one from the environment.
//
// Every transport checks a message the same way before it leaves: one
// recipient address, a one-line subject, both a text and an HTML body, and
// no HTML element that would load something remote (a tracking pixel, an
// image, a style sheet). SMTP and the outbox send the very same bytes, built
// by compose. Logs name the kind of message and the transport, never the
// recipient, the subject or the body, because those are member data.
package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"time"
	"unicode"

	dashboard "github.com/thebabesclub/dashboard"
)

// DefaultFrom is the sender of the SMTP and outbox transports when MAIL_FROM
// is unset. SES has no default: it sends only from a verified identity, so
// its sender must be configured on purpose.
const DefaultFrom = "The Babes Club <no-reply@babesclub.localhost>"

// ErrInvalidMessage marks a message that no transport would send (no
// recipient, a subject with a line break, an HTML body loading a remote
// image). Sending it again cannot succeed, so callers should not retry.
var ErrInvalidMessage = errors.New("mail: invalid message")

// maxSubject bounds the subject in bytes, well inside the 998-byte line limit
// of RFC 5322 even before encoding.
const maxSubject = 400

// remoteContent finds HTML that makes a mail client fetch something when the
// message is opened: images (the usual tracking pixel), frames, media, style
// sheets, scripts, and CSS url(...) or background attributes. The dashboard's
// messages are self-contained text, so any of these is a mistake.
var remoteContent = regexp.MustCompile(`(?i)<\s*(img|image|picture|source|video|audio|iframe|frame|object|embed|link|script|svg)\b|\burl\s*\(|\bbackground\s*=|@import`)

// letter is a checked message: the recipient parsed, ready for any transport.
type letter struct {
	to   *mail.Address
	m    dashboard.Message
	kind string
}

// check validates m for every transport and parses its recipient.
func check(m dashboard.Message) (letter, error) {
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return letter{}, fmt.Errorf("%w: the recipient is not one valid address", ErrInvalidMessage)
	}
	switch {
	case strings.TrimSpace(m.Subject) == "":
		return letter{}, fmt.Errorf("%w: no subject", ErrInvalidMessage)
	case len(m.Subject) > maxSubject:
		return letter{}, fmt.Errorf("%w: subject longer than %d bytes", ErrInvalidMessage, maxSubject)
	case strings.ContainsFunc(m.Subject, unicode.IsControl):
		return letter{}, fmt.Errorf("%w: control character in the subject", ErrInvalidMessage)
	case strings.TrimSpace(m.Text) == "" || strings.TrimSpace(m.HTML) == "":
		return letter{}, fmt.Errorf("%w: needs both a text and an HTML body", ErrInvalidMessage)
	case remoteContent.MatchString(m.HTML):
		return letter{}, fmt.Errorf("%w: the HTML body loads remote content (images, frames, style sheets)", ErrInvalidMessage)
	}
	kind := m.Kind
	if kind == "" {
		kind = "unnamed"
	}
	return letter{to: to, m: m, kind: kind}, nil
}

// parseFrom parses a sender such as MAIL_FROM.
func parseFrom(from string) (*mail.Address, error) {
	a, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mail: MAIL_FROM %q is not a valid address: %w", from, err)
	}
	return a, nil
}

// formatAddress writes a as a header value: the bare addr-spec when there is
// no display name, otherwise the display name (RFC 2047-encoded when not
// ASCII) and the address in angle brackets.
func formatAddress(a *mail.Address) string {
	s := a.String()
	if a.Name == "" {
		return strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
	}
	return s
}

// compose returns l as an RFC 5322 message from `from`, dated now: UTF-8
// text and HTML as the two quoted-printable parts of multipart/alternative.
// SMTP and the outbox both send exactly these bytes.
func compose(from *mail.Address, l letter, now time.Time) ([]byte, error) {
	id, err := randomHex(16)
	if err != nil {
		return nil, err
	}
	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, p := range []struct{ typ, content string }{{"text/plain", l.m.Text}, {"text/html", l.m.HTML}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {p.typ + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, fmt.Errorf("mail: compose: %w", err)
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(p.content)); err != nil {
			return nil, fmt.Errorf("mail: compose: %w", err)
		}
		if err := qp.Close(); err != nil {
			return nil, fmt.Errorf("mail: compose: %w", err)
		}
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("mail: compose: %w", err)
	}

	var b bytes.Buffer
	header := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	header("Date", now.Format(time.RFC1123Z))
	header("From", formatAddress(from))
	header("To", formatAddress(l.to))
	header("Subject", encodeSubject(l.m.Subject))
	header("Message-ID", "<"+id+"@"+domain+">")
	header("MIME-Version", "1.0")
	// RFC 3834: an automatic message, so vacation responders stay quiet.
	header("Auto-Submitted", "auto-generated")
	header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	b.WriteString("\r\n")
	b.Write(body.Bytes())
	return b.Bytes(), nil
}

// encodeSubject RFC 2047-encodes a non-ASCII subject, folding between the
// encoded words so no header line grows past what RFC 5322 recommends.
func encodeSubject(s string) string {
	enc := mime.QEncoding.Encode("utf-8", s)
	return strings.ReplaceAll(enc, "?= =?", "?=\r\n =?")
}

// randomHex returns n random bytes in hex.
func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("mail: random: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// logSent writes the one line per message every transport logs: the kind
// and the transport, never whom it went to or what it said.
func logSent(log *slog.Logger, transport, kind string, attrs ...any) {
	log.Info("mail sent", append([]any{"kind", kind, "transport", transport}, attrs...)...)
}

// redacted is an error whose text has the recipient's address cut out:
// servers echo it in rejections ("550 5.1.1 <bob@…>: Recipient address
// rejected"), and callers log errors. Unwrap still reaches the original, so
// a caller can read an SMTP code with errors.As.
type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }

// redact returns err with every case-insensitive occurrence of addr in its
// text replaced by "[recipient]".
func redact(err error, addr string) error {
	if err == nil || addr == "" {
		return err
	}
	msg := err.Error()
	re := regexp.MustCompile(`(?i)` + regexp.QuoteMeta(addr))
	if !re.MatchString(msg) {
		return err
	}
	return &redacted{msg: re.ReplaceAllLiteralString(msg, "[recipient]"), err: err}
}

// orDefault returns l, or slog.Default() when l is nil.
func orDefault(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}
