package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"os"
	"strconv"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// DefaultSMTPTimeout bounds one whole SMTP exchange (dial to QUIT) when the
// caller's context has no earlier deadline, so a server that accepts the
// connection and then says nothing cannot hold a request for ever.
const DefaultSMTPTimeout = 30 * time.Second

// SMTP sends each message over a new connection to the server SMTP_URL
// names: STARTTLS whenever the server offers it, AUTH PLAIN only when the URL
// carries credentials, and never credentials over an unencrypted connection
// unless the server is on this machine (loopback). It is safe for concurrent
// use; set the exported fields before the first Send.
type SMTP struct {
	// TLSConfig is the configuration for STARTTLS; nil means the system's
	// roots. ServerName defaults to the URL's host.
	TLSConfig *tls.Config
	// DialContext opens the connection; nil means a net.Dialer.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Timeout bounds one Send when the context's deadline is later;
	// DefaultSMTPTimeout when zero.
	Timeout time.Duration
	// Now dates the messages; time.Now when nil.
	Now func() time.Time

	addr     string // host:port
	host     string // for TLS and the loopback test
	user     string
	pass     string
	withAuth bool
	from     *mail.Address
	log      *slog.Logger
}

// NewSMTP returns the SMTP transport for rawURL
// (smtp://[user:pass@]host:port) sending from `from` (a MAIL_FROM address)
// and logging to logger (nil: slog.Default()). Errors never repeat the URL,
// which may hold a password.
func NewSMTP(rawURL, from string, logger *slog.Logger) (*SMTP, error) {
	f, err := parseFrom(from)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errors.New("mail: SMTP_URL is not a valid URL (smtp://[user:pass@]host:port)")
	}
	if u.Scheme != "smtp" {
		return nil, errors.New("mail: SMTP_URL must start with smtp://")
	}
	host, port := u.Hostname(), u.Port()
	if host == "" || port == "" {
		return nil, errors.New("mail: SMTP_URL needs a host and a port (smtp://[user:pass@]host:port)")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, errors.New("mail: SMTP_URL has an invalid port")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return nil, errors.New("mail: SMTP_URL must have no path or query (smtp://[user:pass@]host:port)")
	}
	s := &SMTP{addr: net.JoinHostPort(host, port), host: host, from: f, log: orDefault(logger)}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
		if s.user == "" || s.pass == "" {
			return nil, errors.New("mail: SMTP_URL credentials need both a user and a password")
		}
		s.withAuth = true
	}
	return s, nil
}

// Send delivers m to the server and returns once the server accepted it
// (its reply to the end of DATA). The whole exchange ends at the context's
// deadline or after Timeout, whichever comes first; cancelling the context
// aborts it.
func (s *SMTP) Send(ctx context.Context, m dashboard.Message) error {
	l, err := check(m)
	if err != nil {
		return err
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	raw, err := compose(s.from, l, now())
	if err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultSMTPTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	dial := s.DialContext
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	conn, err := dial(ctx, "tcp", s.addr)
	if err != nil {
		return fmt.Errorf("mail: smtp dial: %w", err)
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	// A cancelled context interrupts whatever read or write is under way.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		conn.Close()
		return s.fail(ctx, "greeting", err, l)
	}
	defer c.Close()
	if err := s.deliver(c, l, raw); err != nil {
		return s.fail(ctx, "", err, l)
	}
	// The server has the message: a failed QUIT changes nothing, and an
	// error here would make the caller send it twice.
	_ = c.Quit()
	logSent(s.log, "smtp", l.kind)
	return nil
}

// deliver runs the SMTP dialogue on c after the greeting.
func (s *SMTP) deliver(c *smtp.Client, l letter, raw []byte) error {
	if err := c.Hello("localhost"); err != nil {
		return fmt.Errorf("ehlo: %w", err)
	}
	tlsOn := false
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if s.TLSConfig != nil {
			cfg = s.TLSConfig.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = s.host
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
		tlsOn = true
	}
	if s.withAuth {
		if !tlsOn && !isLoopback(s.host) {
			return errors.New("refusing to send credentials: the server offers no STARTTLS")
		}
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("the URL has credentials but the server offers no AUTH")
		}
		if err := c.Auth(smtp.PlainAuth("", s.user, s.pass, s.host)); err != nil {
			return fmt.Errorf("auth: %w", err)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return fmt.Errorf("mail from: %w", err)
	}
	if err := c.Rcpt(l.to.Address); err != nil {
		return fmt.Errorf("rcpt to: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return nil
}

// fail wraps err with the step, says so when the context ended it, and cuts
// the recipient out of the server's words.
func (s *SMTP) fail(ctx context.Context, step string, err error, l letter) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// The connection's deadline is the context's (or already past
		// when it was cancelled): let the context's own timer catch up,
		// so the error says which it was.
		<-ctx.Done()
	}
	if cerr := ctx.Err(); cerr != nil {
		err = fmt.Errorf("%w (%w)", err, cerr)
	}
	err = redact(err, l.to.Address)
	if step != "" {
		return fmt.Errorf("mail: smtp %s: %w", step, err)
	}
	return fmt.Errorf("mail: smtp %w", err)
}

// isLoopback reports whether host names this machine: "localhost" or a
// loopback IP. Only there may credentials travel without TLS.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
