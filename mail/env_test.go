package mail_test

import (
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/logtest"
	"github.com/thebabesclub/dashboard/internal/mailpittest"
	mailer "github.com/thebabesclub/dashboard/mail"
)

func envOf(env map[string]string) func(string) string { return func(k string) string { return env[k] } }

func TestFromEnvSelectsTransport(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	smtpURL := "smtp://127.0.0.1:2525"
	for _, c := range []struct {
		name string
		env  map[string]string
		dir  string
		want string // %T of the mailer
	}{
		{"nothing set: outbox", nil, data, "*mail.Outbox"},
		{"SMTP_URL set: smtp", map[string]string{"SMTP_URL": smtpURL}, data, "*mail.SMTP"},
		{"SMTP_URL without a data folder", map[string]string{"SMTP_URL": smtpURL}, "", "*mail.SMTP"},
		{"explicit smtp, any case", map[string]string{"MAIL_TRANSPORT": " SMTP ", "SMTP_URL": smtpURL}, "", "*mail.SMTP"},
		{"explicit outbox wins over SMTP_URL", map[string]string{"MAIL_TRANSPORT": "outbox", "SMTP_URL": smtpURL}, data, "*mail.Outbox"},
	} {
		m, err := mailer.FromEnv(envOf(c.env), c.dir, nil)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := typeName(m); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
		if o, ok := m.(*mailer.Outbox); ok && o.Dir() != filepath.Join(data, "outbox") {
			t.Errorf("%s: outbox in %s", c.name, o.Dir())
		}
	}
}

func typeName(m dashboard.Mailer) string {
	switch m.(type) {
	case *mailer.Outbox:
		return "*mail.Outbox"
	case *mailer.SMTP:
		return "*mail.SMTP"
	case *mailer.SES:
		return "*mail.SES"
	}
	return "other"
}

func TestFromEnvErrors(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	for _, c := range []struct {
		name string
		env  map[string]string
		dir  string
		want string // in the error
	}{
		{"nothing configured", nil, "", "not configured"},
		{"outbox without a data folder", map[string]string{"MAIL_TRANSPORT": "outbox"}, "", "not configured"},
		{"ses without MAIL_FROM", map[string]string{"MAIL_TRANSPORT": "ses"}, data, "MAIL_FROM"},
		{"ses with a bad MAIL_FROM", map[string]string{"MAIL_TRANSPORT": "ses", "MAIL_FROM": "no-reply"}, data, "MAIL_FROM"},
		{"smtp without SMTP_URL", map[string]string{"MAIL_TRANSPORT": "smtp"}, data, "SMTP_URL"},
		{"unknown transport", map[string]string{"MAIL_TRANSPORT": "sendmail"}, data, "unknown MAIL_TRANSPORT"},
		{"bad SMTP_URL", map[string]string{"SMTP_URL": "smtp://user:hunter22@mail.test"}, data, "SMTP_URL"},
		{"bad MAIL_FROM", map[string]string{"MAIL_FROM": "Babes Club"}, data, "MAIL_FROM"},
		{"bad MAIL_FROM for smtp", map[string]string{"MAIL_FROM": "a@b, c@d", "SMTP_URL": "smtp://127.0.0.1:25"}, data, "MAIL_FROM"},
	} {
		m, err := mailer.FromEnv(envOf(c.env), c.dir, nil)
		if err == nil {
			t.Errorf("%s: FromEnv = %T, want an error", c.name, m)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not mention %s", c.name, err, c.want)
		}
		if strings.Contains(err.Error(), "hunter22") {
			t.Errorf("%s: error shows the password: %v", c.name, err)
		}
	}
	if _, err := mailer.FromEnv(nil, data, nil); err == nil {
		t.Error("FromEnv(nil) succeeded")
	}
}

// TestFromEnvDefaultSender sends through what FromEnv built, to Mailpit and
// to the outbox, and finds the default MAIL_FROM on both.
func TestFromEnvDefaultSender(t *testing.T) {
	t.Parallel()
	to := mailpittest.Address(t)
	m, err := mailer.FromEnv(envOf(map[string]string{"SMTP_URL": mailpittest.SMTPURL(t)}), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(t.Context(), sample(to)); err != nil {
		t.Fatal(err)
	}
	got := mailpittest.Wait(t, to)
	if got.From.Address != "no-reply@babesclub.localhost" || got.From.Name != "The Babes Club" {
		t.Errorf("From %+v, want the default", got.From)
	}

	data := t.TempDir()
	m, err = mailer.FromEnv(envOf(nil), data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(t.Context(), sample("member@babesclub.test")); err != nil {
		t.Fatal(err)
	}
	read, err := mailer.ReadOutbox(mailer.OutboxDir(data))
	if err != nil || len(read) != 1 {
		t.Fatalf("outbox: %v, %d messages", err, len(read))
	}
	from, err := read[0].Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != "no-reply@babesclub.localhost" || from[0].Name != "The Babes Club" {
		t.Errorf("From %q (%v), want %q", read[0].Header.Get("From"), err, mailer.DefaultFrom)
	}
}

// TestLogsNeverNameRecipient sends one message through each transport and
// reads the whole log: one "mail sent" line per message, naming the kind
// and the transport, and no trace of the recipient, the subject or the
// body.
func TestLogsNeverNameRecipient(t *testing.T) {
	t.Parallel()
	log, logs := logtest.NewLogger()
	to := mailpittest.Address(t)
	local, _, _ := strings.Cut(to, "@")
	msg := sample(to)

	smtp, err := mailer.NewSMTP(mailpittest.SMTPURL(t), testFrom, log)
	if err != nil {
		t.Fatal(err)
	}
	outbox, err := mailer.NewOutbox(filepath.Join(t.TempDir(), "outbox"), testFrom, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(&fakeSES{})
	defer srv.Close()
	ses, err := mailer.NewSES(sesClient(srv.URL), testFrom, log)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []dashboard.Mailer{smtp, outbox, ses} {
		if err := m.Send(t.Context(), msg); err != nil {
			t.Fatalf("%T: %v", m, err)
		}
	}
	mailpittest.WaitN(t, to, 1)

	out := logs.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d log lines, want 3:\n%s", len(lines), out)
	}
	for i, transport := range []string{"smtp", "outbox", "ses"} {
		var rec map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &rec); err != nil {
			t.Fatal(err)
		}
		if rec["msg"] != "mail sent" || rec["kind"] != "email-change-code" || rec["transport"] != transport {
			t.Errorf("line %d: %v", i, rec)
		}
	}
	for _, secret := range []string{local, "Bestätige", "Hallo", sampleCode, "Dashboard"} {
		if strings.Contains(strings.ToLower(out), strings.ToLower(secret)) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
}
