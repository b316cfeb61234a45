package mail_test

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	mailer "github.com/thebabesclub/dashboard/mail"
)

var outboxName = regexp.MustCompile(`^\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{16}\.eml$`)

func outboxFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestOutboxWritesParseableMessages(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data", "outbox")
	o, err := mailer.NewOutbox(dir, testFrom, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The clock ticks one millisecond per message, so the file names must
	// sort in the order of sending.
	clock := time.Date(2026, 11, 30, 17, 1, 2, 123_000_000, time.FixedZone("CET", 3600))
	o.Now = func() time.Time { clock = clock.Add(time.Millisecond); return clock }
	first := clock.Add(time.Millisecond)
	recipients := []string{"first@babesclub.test", "second@babesclub.test", "third@babesclub.test"}
	for _, to := range recipients {
		if err := o.Send(t.Context(), sample(to)); err != nil {
			t.Fatal(err)
		}
	}

	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("outbox folder: %v, mode %v; want 0700", err, fi.Mode().Perm())
	}
	names := outboxFiles(t, dir)
	if len(names) != len(recipients) {
		t.Fatalf("files %v, want %d (no temporary files left)", names, len(recipients))
	}
	// os.ReadDir sorts by name; the To check below proves that order is
	// the order of sending.
	if want := "20261130T160102.124Z-"; !strings.HasPrefix(names[0], want) {
		t.Errorf("first file %s, want the UTC time %s…", names[0], want)
	}
	for i, name := range names {
		if !outboxName.MatchString(name) {
			t.Errorf("file name %q", name)
		}
		path := filepath.Join(dir, name)
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", name, fi.Mode().Perm())
		}
		text, html, h := parseFile(t, path)
		if text != sampleText || html != sampleHTML {
			t.Errorf("%s: bodies\n%q\n%q", name, text, html)
		}
		to, err := h.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Address != recipients[i] {
			t.Errorf("%s: To %v (%v), want %s: files sort in sending order", name, to, err, recipients[i])
		}
		from, err := h.AddressList("From")
		if err != nil || len(from) != 1 || from[0].Address != "no-reply@babesclub.test" || from[0].Name != "Babes Club Tëam" {
			t.Errorf("%s: From %v (%v)", name, from, err)
		}
		subj, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
		if err != nil || subj != sampleSubject {
			t.Errorf("%s: Subject %q (%v)", name, subj, err)
		}
		date, err := h.Date()
		if want := first.Add(time.Duration(i) * time.Millisecond).Truncate(time.Second); err != nil || !date.Equal(want) {
			t.Errorf("%s: Date %v (%v), want %v", name, date, err, want)
		}
		if id := h.Get("Message-ID"); !regexp.MustCompile(`^<[0-9a-f]{32}@babesclub\.test>$`).MatchString(id) {
			t.Errorf("%s: Message-ID %q", name, id)
		}
		if h.Get("MIME-Version") != "1.0" {
			t.Errorf("%s: MIME-Version %q", name, h.Get("MIME-Version"))
		}
	}

	// ReadOutbox gives the same, oldest first.
	read, err := mailer.ReadOutbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(read) != len(recipients) {
		t.Fatalf("ReadOutbox: %d messages", len(read))
	}
	for i, m := range read {
		if m.To != recipients[i] || m.Subject != sampleSubject || m.Text != sampleText || m.HTML != sampleHTML ||
			filepath.Base(m.Path) != names[i] {
			t.Errorf("ReadOutbox[%d] = %+v", i, m)
		}
	}
}

// parseFile reads an .eml with net/mail and mime/multipart, checking the
// MIME structure on the way: multipart/alternative of UTF-8
// quoted-printable text/plain and text/html.
func parseFile(t *testing.T, path string) (text, html string, h mail.Header) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("%s: Content-Type %q (%v)", path, mt, err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	var types []string
	for {
		// NextRawPart: decode quoted-printable here, not in the reader.
		p, err := r.NextRawPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		pt, pp, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil || pp["charset"] != "utf-8" || p.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
			t.Errorf("%s: part %q %v, encoding %q (%v)", path, pt, pp, p.Header.Get("Content-Transfer-Encoding"), err)
		}
		types = append(types, pt)
		b, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		switch pt {
		case "text/plain":
			text = crlf(string(b))
		case "text/html":
			html = crlf(string(b))
		}
	}
	if !slices.Equal(types, []string{"text/plain", "text/html"}) {
		t.Errorf("%s: parts %v, want text/plain then text/html", path, types)
	}
	return text, html, msg.Header
}

func TestOutboxConcurrentSendsNeverCollide(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	o, err := mailer.NewOutbox(dir, testFrom, nil)
	if err != nil {
		t.Fatal(err)
	}
	// One instant for all: only the random part keeps the names apart.
	at := time.Date(2026, 11, 30, 17, 1, 2, 0, time.UTC)
	o.Now = func() time.Time { return at }
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() { errs <- o.Send(t.Context(), sample("member@babesclub.test")) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if names := outboxFiles(t, dir); len(names) != n {
		t.Fatalf("%d files for %d messages", len(names), n)
	}
}

func TestOutboxRefusesInvalidMessages(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "outbox")
	o, err := mailer.NewOutbox(dir, testFrom, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, change := range invalidMessages {
		if err := o.Send(t.Context(), change(sample("member@babesclub.test"))); !errors.Is(err, mailer.ErrInvalidMessage) {
			t.Errorf("%s: Send = %v, want ErrInvalidMessage", name, err)
		}
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("invalid messages created the outbox (%v)", err)
	}
	if got, err := mailer.ReadOutbox(dir); err != nil || len(got) != 0 {
		t.Errorf("ReadOutbox of a missing folder = %v, %v", got, err)
	}
}

func TestOutboxUnwritableFolderIsAnError(t *testing.T) {
	t.Parallel()
	// A file where the folder should be.
	dir := filepath.Join(t.TempDir(), "outbox")
	if err := os.WriteFile(dir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	o, err := mailer.NewOutbox(dir, testFrom, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Send(t.Context(), sample("member@babesclub.test")); err == nil {
		t.Fatal("Send succeeded with a file in place of the folder")
	}
}
