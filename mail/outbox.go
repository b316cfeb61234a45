package mail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// OutboxDir returns the outbox folder of a data folder: <dataDir>/outbox.
func OutboxDir(dataDir string) string { return filepath.Join(dataDir, "outbox") }

// Outbox is the local transport: it writes each message, as the same RFC
// 5322 bytes SMTP would send, to its own file in a folder only the owner can
// read (0700, files 0600), because the messages hold codes and addresses.
// A file appears whole or not at all (written to a temporary name, synced,
// renamed), and names sort by the time of sending and never collide:
// 20261130T170102.123Z-<16 hex digits>.eml. It is safe for concurrent use.
type Outbox struct {
	// Now dates the messages and names the files; time.Now when nil.
	Now func() time.Time

	dir  string
	from *mail.Address
	log  *slog.Logger
}

// NewOutbox returns the outbox transport writing to dir (created on first
// use) from `from`, logging to logger (nil: slog.Default()).
func NewOutbox(dir, from string, logger *slog.Logger) (*Outbox, error) {
	if dir == "" {
		return nil, errors.New("mail: outbox: no folder")
	}
	f, err := parseFrom(from)
	if err != nil {
		return nil, err
	}
	return &Outbox{dir: dir, from: f, log: orDefault(logger)}, nil
}

// Dir returns the folder the outbox writes to.
func (o *Outbox) Dir() string { return o.dir }

// Send writes m to a new file in the folder. The log names the file, never
// the recipient.
func (o *Outbox) Send(ctx context.Context, m dashboard.Message) error {
	l, err := check(m)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mail: outbox: %w", err)
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	t := now()
	raw, err := compose(o.from, l, t)
	if err != nil {
		return err
	}
	suffix, err := randomHex(8)
	if err != nil {
		return err
	}
	name := t.UTC().Format("20060102T150405.000Z") + "-" + suffix + ".eml"
	if err := writeAtomic(o.dir, name, raw); err != nil {
		return fmt.Errorf("mail: outbox: %w", err)
	}
	logSent(o.log, "outbox", l.kind, "file", name)
	return nil
}

// writeAtomic writes data to dir/name through a temporary file in dir, so
// a reader never sees half a message.
func writeAtomic(dir, name string, data []byte) (err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-*.eml") // mode 0600
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), filepath.Join(dir, name)); err != nil {
		return err
	}
	// Make the rename itself durable; a folder that cannot be synced
	// (some file systems refuse) still holds the file.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// OutboxMessage is one message read back from an outbox folder.
type OutboxMessage struct {
	// Path is the file.
	Path string
	// Header is the message's header, as written.
	Header mail.Header
	// To is the recipient's address; Subject is decoded.
	To, Subject string
	// Text and HTML are the decoded bodies, with "\n" line breaks.
	Text, HTML string
}

// ReadOutbox reads every message in dir, oldest first, for tests and tools
// that need what `dashboard serve` would have sent (a browser test reading a
// code). A missing folder holds no messages.
func ReadOutbox(dir string) ([]OutboxMessage, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("mail: read outbox: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".eml") && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	out := make([]OutboxMessage, 0, len(names))
	for _, n := range names {
		m, err := readMessage(filepath.Join(dir, n))
		if err != nil {
			return nil, fmt.Errorf("mail: read outbox %s: %w", n, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// readMessage parses one outbox file.
func readMessage(path string) (OutboxMessage, error) {
	f, err := os.Open(path)
	if err != nil {
		return OutboxMessage{}, err
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		return OutboxMessage{}, err
	}
	m := OutboxMessage{Path: path, Header: msg.Header}
	if m.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return OutboxMessage{}, fmt.Errorf("subject: %w", err)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil {
		return OutboxMessage{}, fmt.Errorf("to: %w", err)
	}
	if len(to) != 1 {
		return OutboxMessage{}, fmt.Errorf("to: %d addresses, want 1", len(to))
	}
	m.To = to[0].Address
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return OutboxMessage{}, fmt.Errorf("content type: %w", err)
	}
	if mt != "multipart/alternative" {
		return OutboxMessage{}, fmt.Errorf("content type %q, want multipart/alternative", mt)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart() // decodes quoted-printable
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return OutboxMessage{}, err
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return OutboxMessage{}, err
		}
		// Quoted-printable carries line breaks as CRLF; give them back as
		// the "\n" the sender wrote.
		body := strings.ReplaceAll(string(b), "\r\n", "\n")
		switch pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); pt {
		case "text/plain":
			m.Text = body
		case "text/html":
			m.HTML = body
		}
	}
	return m, nil
}
