// Package mailpittest gives tests a real SMTP server whose mailbox they can
// read: Mailpit (github.com/axllent/mailpit, pinned in scripts/mailpit.sh).
// Code under test sends to SMTPURL; the test reads what arrived through
// Mailpit's HTTP API.
//
// A test binary reuses the instance MAILPIT_URL (its HTTP API, e.g.
// http://127.0.0.1:8025) and MAILPIT_SMTP (its SMTP host:port) name when
// both are set, and otherwise starts the installed binary once, on free
// loopback ports with its database in a temporary folder, and stops it when
// the binary exits (use Main, or Stop, in TestMain). Tests share the mailbox, so each gives its
// mail a recipient of its own (Address) and reads only that recipient's
// messages; nothing here deletes another test's mail.
//
// A test that reads the code a handler mailed:
//
//	addr := mailpittest.Address(t)
//	// ... configure the mailer with SMTP_URL=mailpittest.SMTPURL(t), trigger the mail to addr ...
//	code := mailpittest.Code(t, mailpittest.Wait(t, addr))
package mailpittest

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard/internal/proctest"
)

// Server is one running Mailpit.
type Server struct {
	// API is the base URL of the HTTP API, e.g. http://127.0.0.1:8025.
	API string
	// SMTP is the SMTP listener's host:port.
	SMTP string
}

// SMTPURL returns the server's address as SMTP_URL expects it.
func (s *Server) SMTPURL() string { return "smtp://" + s.SMTP }

// shared is the Mailpit of this test binary. proctest.Shared keeps one
// URL, so the started instance's SMTP address and database folder travel in
// sharedSMTP and sharedDir, set inside Shared's once and read after it.
var (
	shared     = &proctest.Shared{Name: "mailpittest", Env: "MAILPIT_URL", Start: startShared}
	sharedSMTP string
	sharedMu   sync.Mutex
	sharedDir  string
)

// Shared returns the Mailpit every test of the binary uses: the one
// MAILPIT_URL and MAILPIT_SMTP name, or one started on first use. A missing
// installation fails the test rather than skipping it.
func Shared(t testing.TB) *Server {
	t.Helper()
	api := shared.URL(t)
	if os.Getenv("MAILPIT_URL") != "" {
		smtp := os.Getenv("MAILPIT_SMTP")
		if smtp == "" {
			t.Fatal("mailpittest: MAILPIT_URL is set but MAILPIT_SMTP (host:port) is not")
		}
		return &Server{API: strings.TrimRight(api, "/"), SMTP: smtp}
	}
	return &Server{API: api, SMTP: sharedSMTP}
}

// Main runs the package's tests and then stops the Mailpit Shared may have
// started. Use it as TestMain:
//
//	func TestMain(m *testing.M) { mailpittest.Main(m) }
//
// A package that needs other servers too calls Stop itself:
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		mailpittest.Stop()
//		dynamotest.Stop()
//		os.Exit(code)
//	}
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Stop stops the Mailpit Shared started, if any, and deletes its database.
// Without it the process still dies with the test binary (proctest gives it
// a parent-death signal), and the next launch sweeps up its database.
func Stop() {
	shared.Stop()
	sharedMu.Lock()
	dir := sharedDir
	sharedDir = ""
	sharedMu.Unlock()
	if dir != "" {
		_ = os.RemoveAll(dir)
	}
}

// SMTPURL returns the shared Mailpit's SMTP_URL (smtp://127.0.0.1:N). It
// accepts mail with or without AUTH PLAIN (any user and password, allowed
// without TLS on loopback), and records the user name.
func SMTPURL(t testing.TB) string { t.Helper(); return Shared(t).SMTPURL() }

// Messages lists what the shared Mailpit holds for the address to.
func Messages(t testing.TB, to string) []Summary { t.Helper(); return Shared(t).Messages(t, to) }

// Message returns one message of the shared Mailpit in full.
func Message(t testing.TB, id string) Full { t.Helper(); return Shared(t).Message(t, id) }

// Wait waits for a message to to arrive at the shared Mailpit and returns
// the newest in full.
func Wait(t testing.TB, to string) Full { t.Helper(); return Shared(t).Wait(t, to) }

// WaitN waits until the shared Mailpit holds at least n messages for to and
// returns their summaries, newest first.
func WaitN(t testing.TB, to string, n int) []Summary {
	t.Helper()
	return Shared(t).WaitN(t, to, n)
}

// Bin returns the Mailpit binary: MAILPIT_BIN, or .cache/bin/mailpit in the
// repository that contains the working directory, where
// scripts/mailpit.sh install puts it.
func Bin() (string, error) {
	if b := os.Getenv("MAILPIT_BIN"); b != "" {
		return b, nil
	}
	root, err := proctest.RepoDir("scripts/mailpit.sh")
	if err != nil {
		return "", err
	}
	return filepath.Join(root, ".cache", "bin", "mailpit"), nil
}

// sharedArgs let the shared instance accept AUTH from any client, even
// without TLS, so a transport's credential path can be tested against it.
var sharedArgs = []string{"--smtp-auth-accept-any", "--smtp-auth-allow-insecure"}

func startShared() (string, *proctest.Server, error) {
	s, p, dir, err := launch(sharedArgs...)
	if err != nil {
		return "", nil, err
	}
	sharedSMTP = s.SMTP
	sharedMu.Lock()
	sharedDir = dir
	sharedMu.Unlock()
	return s.API, p, nil
}

// Start starts a Mailpit of the test's own, with extra flags (for example
// --smtp-tls-cert and --smtp-tls-key to offer STARTTLS). It stops when the
// test ends, or earlier through the returned function (for a test of a
// server that has gone away).
func Start(t testing.TB, args ...string) (*Server, func()) {
	t.Helper()
	s, p, dir, err := launch(args...)
	if err != nil {
		t.Fatalf("mailpittest: %v", err)
	}
	// Once: a second SIGTERM could reach a reused pid.
	stop := sync.OnceFunc(func() { p.Stop(); _ = os.RemoveAll(dir) })
	t.Cleanup(stop)
	return s, stop
}

// launch starts Mailpit on free loopback ports, retrying when a port was
// taken in between, and waits until both the API and SMTP answer. Its
// database lives in the returned folder, which the caller deletes after
// stopping it (Mailpit's own temporary database outlives a SIGKILL).
func launch(extra ...string) (*Server, *proctest.Server, string, error) {
	bin, err := Bin()
	if err != nil {
		return nil, nil, "", err
	}
	if _, err := os.Stat(bin); err != nil {
		return nil, nil, "", fmt.Errorf("mailpit is not installed at %s: run `make test-deps` or `scripts/mailpit.sh install` (or set MAILPIT_URL and MAILPIT_SMTP)", bin)
	}
	dir, err := dbDir()
	if err != nil {
		return nil, nil, "", err
	}
	var errs []error
	for i := range 3 {
		httpPort, err := proctest.FreePort()
		if err != nil {
			return nil, nil, "", err
		}
		smtpPort, err := proctest.FreePort()
		if err != nil {
			return nil, nil, "", err
		}
		if httpPort == smtpPort {
			continue
		}
		s := &Server{
			API:  "http://127.0.0.1:" + strconv.Itoa(httpPort),
			SMTP: "127.0.0.1:" + strconv.Itoa(smtpPort),
		}
		args := append([]string{
			"--listen", "127.0.0.1:" + strconv.Itoa(httpPort),
			"--smtp", s.SMTP,
			"--quiet",
			"--disable-version-check",
			"--smtp-disable-rdns",
			"--max", "0", // keep every message: a busy run must not prune a test's mail
			"--database", filepath.Join(dir, "mailpit-"+strconv.Itoa(i)+".db"),
		}, extra...)
		p, err := proctest.Launch("mailpit", "", bin, args...)
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, "", err
		}
		if err := p.WaitHTTP(s.API+"/readyz", 2*time.Minute); err != nil {
			p.Stop()
			errs = append(errs, err)
			continue // most likely a port taken in between
		}
		if err := waitSMTP(s.SMTP); err != nil {
			p.Stop()
			errs = append(errs, err)
			continue
		}
		return s, p, dir, nil
	}
	os.RemoveAll(dir)
	return nil, nil, "", fmt.Errorf("mailpit did not start: %w", errors.Join(errs...))
}

// dbDir makes a folder for one Mailpit's database under
// $TMPDIR/mailpittest, named after this test binary's pid, after deleting
// the folders of binaries that are gone (killed before they could clean up).
func dbDir() (string, error) {
	root := filepath.Join(os.TempDir(), "mailpittest")
	if err := os.MkdirAll(root, 0o700); err != nil {
		return "", fmt.Errorf("mailpit database folder: %w", err)
	}
	if entries, err := os.ReadDir(root); err == nil {
		for _, e := range entries {
			pid, _, ok := strings.Cut(e.Name(), "-")
			if n, err := strconv.Atoi(pid); ok && err == nil && !alive(n) {
				_ = os.RemoveAll(filepath.Join(root, e.Name()))
			}
		}
	}
	dir, err := os.MkdirTemp(root, strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return "", fmt.Errorf("mailpit database folder: %w", err)
	}
	return dir, nil
}

// alive reports whether process pid exists (signal 0 checks without
// sending anything).
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

// waitSMTP waits for Mailpit's own SMTP greeting on addr (Mailpit starts its
// SMTP listener after the HTTP one), so a port another process took is
// noticed rather than mistaken for Mailpit.
func waitSMTP(addr string) error {
	var last error
	// A wall-clock bound that only a hang reaches, even on a loaded machine.
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		last = greets(addr)
		if last == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("mailpit smtp on %s: %w", addr, last)
}

func greets(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "220 ") || !strings.Contains(line, "Mailpit") {
		return fmt.Errorf("not a Mailpit greeting: %q", line)
	}
	_, _ = c.Write([]byte("QUIT\r\n"))
	return nil
}

// Address returns a recipient address no other test uses, so parallel tests
// sharing one Mailpit never read each other's mail.
func Address(t testing.TB) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	name := strings.ToLower(nonAlnum.ReplaceAllString(t.Name(), "-"))
	name = strings.Trim(name, "-")
	if len(name) > 40 {
		name = name[:40]
	}
	return name + "-" + hex.EncodeToString(b) + "@mailpit.test"
}

var nonAlnum = regexp.MustCompile(`[^A-Za-z0-9]+`)

// Addr is an address as Mailpit's API gives it.
type Addr struct {
	Name    string
	Address string
}

// Summary is a message in Mailpit's listing.
type Summary struct {
	ID        string
	MessageID string
	From      Addr
	To        []Addr
	Subject   string
	Created   time.Time
	// Username is the SMTP AUTH user the message arrived with ("" without).
	Username string
	Snippet  string
}

// Full is one message with its decoded bodies and headers.
type Full struct {
	ID        string
	MessageID string
	From      Addr
	To        []Addr
	Subject   string
	Date      time.Time
	Username  string
	Text      string
	HTML      string
	// Headers maps each header name to its values, as received.
	Headers     map[string][]string
	Attachments []json.RawMessage
	Inline      []json.RawMessage
}

// Messages lists the messages whose recipients include to (compared without
// regard to case), newest first.
func (s *Server) Messages(t testing.TB, to string) []Summary {
	t.Helper()
	list, err := s.messages(to)
	if err != nil {
		t.Fatalf("mailpittest: %v", err)
	}
	return list
}

func (s *Server) messages(to string) ([]Summary, error) {
	var res struct {
		Messages []Summary `json:"messages"`
	}
	q := url.Values{"query": {`to:"` + to + `"`}, "limit": {"1000"}}
	if err := s.get("/api/v1/search?"+q.Encode(), &res); err != nil {
		return nil, err
	}
	// The search matches substrings; keep exact recipients only.
	var out []Summary
	for _, m := range res.Messages {
		for _, a := range m.To {
			if strings.EqualFold(a.Address, to) {
				out = append(out, m)
				break
			}
		}
	}
	return out, nil
}

// Message returns the message id in full: text, HTML and headers.
func (s *Server) Message(t testing.TB, id string) Full {
	t.Helper()
	var m Full
	if err := s.get("/api/v1/message/"+url.PathEscape(id), &m); err != nil {
		t.Fatalf("mailpittest: %v", err)
	}
	if err := s.get("/api/v1/message/"+url.PathEscape(id)+"/headers", &m.Headers); err != nil {
		t.Fatalf("mailpittest: %v", err)
	}
	return m
}

// Raw returns the message id exactly as it arrived.
func (s *Server) Raw(t testing.TB, id string) []byte {
	t.Helper()
	b, err := s.do(http.MethodGet, "/api/v1/message/"+url.PathEscape(id)+"/raw", nil)
	if err != nil {
		t.Fatalf("mailpittest: %v", err)
	}
	return b
}

// waitTries and waitPause bound a wait: it polls up to waitTries times,
// pausing waitPause between polls, so it gives up after about 30 s — a
// guard against a mail that never comes, far above any honest delivery.
const (
	waitTries = 600
	waitPause = 50 * time.Millisecond
)

// WaitN polls until at least n messages for to have arrived and returns
// them, newest first; it fails the test when they do not come.
func (s *Server) WaitN(t testing.TB, to string, n int) []Summary {
	t.Helper()
	var last []Summary
	for i := range waitTries {
		list, err := s.messages(to)
		if err != nil {
			t.Fatalf("mailpittest: %v", err)
		}
		if len(list) >= n {
			return list
		}
		last = list
		if i < waitTries-1 {
			time.Sleep(waitPause)
		}
	}
	t.Fatalf("mailpittest: %d message(s) for %s after %d polls, want %d", len(last), to, waitTries, n)
	return nil
}

// Wait waits for a message to to arrive and returns the newest in full.
func (s *Server) Wait(t testing.TB, to string) Full {
	t.Helper()
	return s.Message(t, s.WaitN(t, to, 1)[0].ID)
}

// DeleteAll empties the mailbox. Tests of a shared instance should not need
// it (each has its own Address); it is for an instance a test started.
func (s *Server) DeleteAll(t testing.TB) {
	t.Helper()
	if _, err := s.do(http.MethodDelete, "/api/v1/messages", nil); err != nil {
		t.Fatalf("mailpittest: %v", err)
	}
}

var codeRE = regexp.MustCompile(`\b\d{6}\b`)

// Code returns the 6-digit code of a mailed message. It fails the test
// unless the text holds exactly one distinct 6-digit number and the HTML
// shows the same one, so a mail with no code, two codes, or bodies that
// disagree cannot pass.
func Code(t testing.TB, m Full) string {
	t.Helper()
	codes := map[string]bool{}
	for _, c := range codeRE.FindAllString(m.Text, -1) {
		codes[c] = true
	}
	if len(codes) != 1 {
		t.Fatalf("mailpittest: want one 6-digit code in the text, found %d", len(codes))
	}
	var code string
	for c := range codes {
		code = c
	}
	if !strings.Contains(m.HTML, code) {
		t.Fatal("mailpittest: the HTML body does not show the text's code")
	}
	return code
}

func (s *Server) get(path string, v any) error {
	b, err := s.do(http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", path, err)
	}
	return nil
}

var client = &http.Client{Timeout: 10 * time.Second}

func (s *Server) do(method, path string, body []byte) ([]byte, error) {
	req, err := http.NewRequest(method, s.API+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(b))
	}
	return b, nil
}
