package mail_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/logtest"
	"github.com/thebabesclub/dashboard/internal/mailpittest"
	mailer "github.com/thebabesclub/dashboard/mail"
)

const testFrom = "Babes Club Tëam <no-reply@babesclub.test>"

func TestSMTPDeliversThroughMailpit(t *testing.T) {
	t.Parallel()
	to := mailpittest.Address(t)
	s, err := mailer.NewSMTP(mailpittest.SMTPURL(t), testFrom, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(t.Context(), sample(to)); err != nil {
		t.Fatal(err)
	}

	got := mailpittest.Wait(t, to)
	if got.From.Address != "no-reply@babesclub.test" || got.From.Name != "Babes Club Tëam" {
		t.Errorf("From = %+v", got.From)
	}
	if len(got.To) != 1 || got.To[0].Address != to {
		t.Errorf("To = %+v, want %s", got.To, to)
	}
	if got.Subject != sampleSubject {
		t.Errorf("Subject = %q, want %q", got.Subject, sampleSubject)
	}
	if crlf(got.Text) != sampleText {
		t.Errorf("Text = %q, want %q", got.Text, sampleText)
	}
	if crlf(got.HTML) != sampleHTML {
		t.Errorf("HTML = %q, want %q", got.HTML, sampleHTML)
	}
	if strings.Contains(strings.ToLower(got.HTML), "<img") || len(got.Attachments)+len(got.Inline) != 0 {
		t.Errorf("HTML has an image or the message has parts besides text and HTML: %q", got.HTML)
	}
	if got.Username != "" {
		t.Errorf("authenticated as %q without credentials in the URL", got.Username)
	}
	if got.Date.IsZero() || got.MessageID == "" || !strings.HasSuffix(got.MessageID, "@babesclub.test") {
		t.Errorf("Date %v, Message-ID %q", got.Date, got.MessageID)
	}
	if code := mailpittest.Code(t, got); code != sampleCode {
		t.Errorf("code = %q, want %q", code, sampleCode)
	}

	// The raw message as it arrived: RFC 5322 headers, the subject
	// RFC 2047-encoded, both parts UTF-8 quoted-printable.
	raw := mailpittest.Shared(t).Raw(t, got.ID)
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if subj := msg.Header.Get("Subject"); !strings.HasPrefix(subj, "=?utf-8?q?") {
		t.Errorf("raw Subject %q is not RFC 2047-encoded", subj)
	}
	if msg.Header.Get("MIME-Version") != "1.0" || !strings.HasPrefix(msg.Header.Get("Content-Type"), "multipart/alternative;") {
		t.Errorf("MIME-Version %q, Content-Type %q", msg.Header.Get("MIME-Version"), msg.Header.Get("Content-Type"))
	}
	if _, err := msg.Header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	for line := range strings.SplitSeq(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Errorf("line of %d bytes", len(line))
		}
	}
	if n := strings.Count(string(raw), "Content-Transfer-Encoding: quoted-printable"); n != 2 {
		t.Errorf("%d quoted-printable parts, want 2", n)
	}
	if n := strings.Count(string(raw), "charset=utf-8"); n != 2 {
		t.Errorf("%d UTF-8 parts, want 2", n)
	}
}

func TestSMTPAuthOnLoopback(t *testing.T) {
	t.Parallel()
	to := mailpittest.Address(t)
	// The shared Mailpit accepts any credentials; loopback may carry them
	// without TLS.
	u := strings.Replace(mailpittest.SMTPURL(t), "smtp://", "smtp://club-user:s3cret@", 1)
	s, err := mailer.NewSMTP(u, testFrom, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(t.Context(), sample(to)); err != nil {
		t.Fatal(err)
	}
	if got := mailpittest.Wait(t, to); got.Username != "club-user" {
		t.Errorf("arrived authenticated as %q, want club-user", got.Username)
	}
}

// startTLSMailpit starts a Mailpit that requires STARTTLS and accepts AUTH
// PLAIN only over TLS, with a certificate for host, and returns it with the
// certificate.
func startTLSMailpit(t *testing.T, host string) (*mailpittest.Server, *x509.Certificate) {
	t.Helper()
	certFile, keyFile, cert := selfSigned(t, t.TempDir(), host)
	srv, _ := mailpittest.Start(t, "--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile,
		"--smtp-require-starttls", "--smtp-auth-accept-any")
	return srv, cert
}

// dialTo returns a dialer that connects to addr whatever the URL names, so a
// test can use a non-loopback host name for a server on this machine.
func dialTo(addr string, dials *atomic.Int32) func(ctx context.Context, network, _ string) (net.Conn, error) {
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		if dials != nil {
			dials.Add(1)
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
}

func TestSMTPStartTLS(t *testing.T) {
	t.Parallel()
	const host = "mail.babesclub.test"
	srv, cert := startTLSMailpit(t, host)
	_, port, _ := net.SplitHostPort(srv.SMTP)
	u := "smtp://club-user:s3cret@" + host + ":" + port

	t.Run("verified", func(t *testing.T) {
		to := mailpittest.Address(t)
		s, err := mailer.NewSMTP(u, testFrom, nil)
		if err != nil {
			t.Fatal(err)
		}
		roots := x509.NewCertPool()
		roots.AddCert(cert)
		s.TLSConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
		s.DialContext = dialTo(srv.SMTP, nil)
		if err := s.Send(t.Context(), sample(to)); err != nil {
			t.Fatal(err)
		}
		// The server takes mail only after STARTTLS, and AUTH PLAIN only
		// over TLS: the user name proves both happened.
		got := srv.Wait(t, to)
		if got.Username != "club-user" || got.Subject != sampleSubject {
			t.Errorf("arrived as %q with subject %q", got.Username, got.Subject)
		}
	})

	t.Run("untrusted certificate", func(t *testing.T) {
		to := mailpittest.Address(t)
		s, err := mailer.NewSMTP(u, testFrom, nil)
		if err != nil {
			t.Fatal(err)
		}
		s.DialContext = dialTo(srv.SMTP, nil) // system roots do not know the test's CA
		err = s.Send(t.Context(), sample(to))
		if err == nil || !strings.Contains(err.Error(), "starttls") {
			t.Fatalf("Send = %v, want a starttls error", err)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error shows the password: %v", err)
		}
		if n := len(srv.Messages(t, to)); n != 0 {
			t.Errorf("%d messages arrived", n)
		}
	})
}

func TestSMTPRefusesCredentialsWithoutTLS(t *testing.T) {
	t.Parallel()
	to := mailpittest.Address(t)
	shared := mailpittest.Shared(t)
	_, port, _ := net.SplitHostPort(shared.SMTP)

	// A host name that is not loopback, on a server that offers no STARTTLS.
	s, err := mailer.NewSMTP("smtp://club-user:s3cret@mail.babesclub.test:"+port, testFrom, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.DialContext = dialTo(shared.SMTP, nil)
	err = s.Send(t.Context(), sample(to))
	if err == nil || !strings.Contains(err.Error(), "refusing to send credentials") {
		t.Fatalf("Send = %v, want a refusal", err)
	}

	// Then the same recipient without credentials: once it arrives, the
	// refused one would be there too had it gone through.
	plain, err := mailer.NewSMTP("smtp://mail.babesclub.test:"+port, testFrom, nil)
	if err != nil {
		t.Fatal(err)
	}
	plain.DialContext = dialTo(shared.SMTP, nil)
	if err := plain.Send(t.Context(), sample(to)); err != nil {
		t.Fatal(err)
	}
	got := mailpittest.WaitN(t, to, 1)
	if len(got) != 1 || got[0].Username != "" {
		t.Errorf("arrived %d message(s), first user %q; want only the one without credentials", len(got), got[0].Username)
	}
}

func TestSMTPServerGone(t *testing.T) {
	t.Parallel()
	t.Run("closed port", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		s, err := mailer.NewSMTP("smtp://"+addr, testFrom, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Send(t.Context(), sample(mailpittest.Address(t))); err == nil || !strings.Contains(err.Error(), "smtp dial") {
			t.Fatalf("Send = %v, want a dial error", err)
		}
	})
	t.Run("mailpit stopped", func(t *testing.T) {
		srv, stop := mailpittest.Start(t)
		s, err := mailer.NewSMTP(srv.SMTPURL(), testFrom, nil)
		if err != nil {
			t.Fatal(err)
		}
		to := mailpittest.Address(t)
		if err := s.Send(t.Context(), sample(to)); err != nil {
			t.Fatalf("before stopping: %v", err)
		}
		srv.WaitN(t, to, 1)
		stop()
		if err := s.Send(t.Context(), sample(to)); err == nil {
			t.Fatal("Send to a stopped server succeeded")
		}
	})
}

// fakeSMTP is a server at the outside edge speaking SMTP as Postfix does,
// for replies Mailpit never gives: it greets, answers EHLO, and rejects
// every recipient naming the address, as "550 5.1.1 <a@b>: Recipient
// address rejected: User unknown in virtual mailbox table".
func fakeSMTP(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				tc := textproto.NewConn(c)
				_ = tc.PrintfLine("220 mx.babesclub.test ESMTP Postfix")
				for {
					line, err := tc.ReadLine()
					if err != nil {
						return
					}
					verb, arg, _ := strings.Cut(line, " ")
					switch strings.ToUpper(verb) {
					case "EHLO", "HELO":
						_ = tc.PrintfLine("250-mx.babesclub.test\r\n250-PIPELINING\r\n250 8BITMIME")
					case "MAIL":
						_ = tc.PrintfLine("250 2.1.0 Ok")
					case "RCPT":
						addr := strings.TrimSuffix(strings.TrimPrefix(strings.ToUpper(arg), "TO:"), " ")
						_ = tc.PrintfLine("550 5.1.1 %s: Recipient address rejected: User unknown in virtual mailbox table", addr)
					case "QUIT":
						_ = tc.PrintfLine("221 2.0.0 Bye")
						return
					default:
						_ = tc.PrintfLine("250 2.0.0 Ok")
					}
				}
			}()
		}
	}()
	return l.Addr().String()
}

func TestSMTPRejectionNeverNamesRecipient(t *testing.T) {
	t.Parallel()
	log, logs := logtest.NewLogger()
	s, err := mailer.NewSMTP("smtp://"+fakeSMTP(t), testFrom, log)
	if err != nil {
		t.Fatal(err)
	}
	to := "Member.Secret@Example.com"
	err = s.Send(t.Context(), sample(to))
	if err == nil {
		t.Fatal("Send succeeded against a server rejecting the recipient")
	}
	// The fake echoes the address upper-cased, as some servers do.
	if strings.Contains(strings.ToLower(err.Error()), "member.secret") {
		t.Errorf("error names the recipient: %v", err)
	}
	if !strings.Contains(err.Error(), "[recipient]") || !strings.Contains(err.Error(), "rcpt to") {
		t.Errorf("error lost the server's reason: %v", err)
	}
	var tpe *textproto.Error
	if !errors.As(err, &tpe) || tpe.Code != 550 {
		t.Errorf("errors.As(*textproto.Error) = %v, code %v; want 550", tpe != nil, tpe)
	}
	if strings.Contains(logs.String(), "mail sent") {
		t.Errorf("a rejected message was logged as sent: %s", logs)
	}
}

func TestSMTPCancelledContext(t *testing.T) {
	t.Parallel()
	// A server that accepts the connection and never greets.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	s, err := mailer.NewSMTP("smtp://"+l.Addr().String(), testFrom, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Send(ctx, sample("member@babesclub.test")) }()
	c := <-accepted
	defer c.Close()
	cancel()
	err = <-done
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Send = %v, want context.Canceled", err)
	}
}

func TestSMTPTimeoutBoundsASilentServer(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err == nil {
			// Hold the connection, silent, until the client gives up.
			_, _ = bufio.NewReader(c).ReadByte()
			c.Close()
		}
	}()
	s, err := mailer.NewSMTP("smtp://"+l.Addr().String(), testFrom, nil)
	if err != nil {
		t.Fatal(err)
	}
	// No deadline on the context: Timeout alone must end the exchange.
	s.Timeout = 100 * time.Millisecond
	err = s.Send(context.Background(), sample("member@babesclub.test"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send = %v, want context.DeadlineExceeded", err)
	}
}

// invalidMessages are refused by every transport before anything leaves.
var invalidMessages = map[string]func(dashboard.Message) dashboard.Message{
	"no recipient":     func(m dashboard.Message) dashboard.Message { m.To = ""; return m },
	"two recipients":   func(m dashboard.Message) dashboard.Message { m.To += ", other@babesclub.test"; return m },
	"not an address":   func(m dashboard.Message) dashboard.Message { m.To = "member at babesclub"; return m },
	"header injection": func(m dashboard.Message) dashboard.Message { m.Subject = "Hi\r\nBcc: x@evil.test"; return m },
	"no subject":       func(m dashboard.Message) dashboard.Message { m.Subject = " "; return m },
	"huge subject":     func(m dashboard.Message) dashboard.Message { m.Subject = strings.Repeat("a", 1000); return m },
	"no text":          func(m dashboard.Message) dashboard.Message { m.Text = ""; return m },
	"no html":          func(m dashboard.Message) dashboard.Message { m.HTML = ""; return m },
	"tracking pixel": func(m dashboard.Message) dashboard.Message {
		m.HTML += `<IMG src="https://t.test/p.gif" width=1>`
		return m
	},
	"css background image": func(m dashboard.Message) dashboard.Message {
		m.HTML += `<p style="background:url(https://t.test/p)">`
		return m
	},
	"remote style sheet": func(m dashboard.Message) dashboard.Message {
		m.HTML += `<link rel=stylesheet href="https://t.test/s.css">`
		return m
	},
}

func TestSMTPRefusesInvalidMessagesWithoutDialling(t *testing.T) {
	t.Parallel()
	var dials atomic.Int32
	s, err := mailer.NewSMTP(mailpittest.SMTPURL(t), testFrom, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.DialContext = dialTo(mailpittest.Shared(t).SMTP, &dials)
	for name, change := range invalidMessages {
		err := s.Send(t.Context(), change(sample("member@babesclub.test")))
		if !errors.Is(err, mailer.ErrInvalidMessage) {
			t.Errorf("%s: Send = %v, want ErrInvalidMessage", name, err)
		}
	}
	if n := dials.Load(); n != 0 {
		t.Errorf("dialled %d times for invalid messages", n)
	}
	// The same transport does send a valid one, so the zero above means
	// something.
	to := mailpittest.Address(t)
	if err := s.Send(t.Context(), sample(to)); err != nil {
		t.Fatal(err)
	}
	mailpittest.WaitN(t, to, 1)
	if n := dials.Load(); n != 1 {
		t.Errorf("dialled %d times for one valid message", n)
	}
}

func TestNewSMTPRejectsBadURLs(t *testing.T) {
	t.Parallel()
	for _, u := range []string{
		"smtp://user:pa55word@mail.test",        // no port
		"smtp://user:pa55word@mail.test:99999",  // bad port
		"smtp://user:pa55word@mail.test:abc",    // bad port
		"smtps://user:pa55word@mail.test:465",   // not smtp
		"http://mail.test:25",                   // not smtp
		"smtp://user:pa55word@:25",              // no host
		"smtp://user:pa55word@mail.test:25/x",   // a path
		"smtp://user:pa55word@mail.test:25?a=b", // a query
		"smtp://user@mail.test:25",              // user without password
		"smtp://user:pa55word@mail.test:25\x7f", // unparsable
		"mail.test:25",                          // no scheme
	} {
		_, err := mailer.NewSMTP(u, testFrom, nil)
		if err == nil {
			t.Errorf("NewSMTP(%q) succeeded", u)
			continue
		}
		if strings.Contains(err.Error(), "pa55word") {
			t.Errorf("NewSMTP(%q) error shows the password: %v", u, err)
		}
	}
	if _, err := mailer.NewSMTP("smtp://127.0.0.1:"+strconv.Itoa(2525), "not an address", nil); err == nil {
		t.Error("NewSMTP accepted an invalid sender")
	}
}
