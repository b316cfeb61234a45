package mailpittest

import (
	"errors"
	"fmt"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

// send hands one plain message to Mailpit with the standard library, so
// these tests do not depend on package mail.
func send(t *testing.T, s *Server, to, body string) {
	t.Helper()
	msg := fmt.Sprintf("From: test@mailpit.test\r\nTo: %s\r\nSubject: hello\r\n\r\n%s\r\n", to, body)
	if err := smtp.SendMail(s.SMTP, nil, "test@mailpit.test", []string{to}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
}

func TestMessagesMatchTheExactRecipient(t *testing.T) {
	t.Parallel()
	s := Shared(t)
	to := Address(t)
	// Mailpit's search matches substrings; this address contains to.
	send(t, s, "x"+to, "not yours")
	send(t, s, to, "yours")
	got := s.WaitN(t, to, 1)
	if len(got) != 1 || got[0].To[0].Address != to {
		t.Fatalf("Messages(%s) = %+v, want only its own", to, got)
	}
	full := s.Message(t, got[0].ID)
	if strings.TrimSpace(full.Text) != "yours" || len(full.Headers["Subject"]) != 1 {
		t.Errorf("Message = %+v", full)
	}
	if !strings.Contains(string(s.Raw(t, got[0].ID)), "\r\n\r\nyours") {
		t.Error("Raw lacks the body")
	}
}

func TestAddressesAreUnique(t *testing.T) {
	t.Parallel()
	a, b := Address(t), Address(t)
	if a == b || !strings.HasPrefix(a, "testaddressesareunique-") || !strings.HasSuffix(a, "@mailpit.test") {
		t.Errorf("Address = %q, %q", a, b)
	}
}

func TestStartAndDeleteAll(t *testing.T) {
	t.Parallel()
	s, _ := Start(t)
	if s.SMTP == Shared(t).SMTP {
		t.Fatal("Start returned the shared instance")
	}
	to := Address(t)
	send(t, s, to, "one")
	s.WaitN(t, to, 1)
	s.DeleteAll(t)
	if got := s.Messages(t, to); len(got) != 0 {
		t.Errorf("after DeleteAll: %d messages", len(got))
	}
}

// fatalRecorder is a testing.TB whose Fatal ends only the goroutine that
// called it, so a test can see that a helper fails.
type fatalRecorder struct {
	testing.TB
	failed bool
}

func (r *fatalRecorder) Helper()               {}
func (r *fatalRecorder) Fatal(...any)          { r.failed = true; runtime.Goexit() }
func (r *fatalRecorder) Fatalf(string, ...any) { r.failed = true; runtime.Goexit() }

func code(t *testing.T, m Full) (string, bool) {
	r := &fatalRecorder{TB: t}
	var got string
	done := make(chan struct{})
	go func() { defer close(done); got = Code(r, m) }()
	<-done
	return got, !r.failed
}

func TestCode(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, text, html, want string
		ok                     bool
	}{
		{"one code", "Your code is 482913.\nIt expires in 15 minutes.", "<p>Your code is <b>482913</b></p>", "482913", true},
		{"repeated code", "Code 482913. Again: 482913", "<p>482913</p>", "482913", true},
		{"no code", "Your email changed.", "<p>Your email changed.</p>", "", false},
		{"two codes", "Code 482913 or 111111", "<p>482913</p>", "", false},
		{"html disagrees", "Code 482913", "<p>111111</p>", "", false},
		{"longer number is no code", "Order 1234567", "<p>1234567</p>", "", false},
	} {
		got, ok := code(t, Full{Text: c.text, HTML: c.html})
		if ok != c.ok || got != c.want {
			t.Errorf("%s: Code = %q, ok %v; want %q, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestDatabaseFoldersOfDeadBinariesAreSwept(t *testing.T) {
	t.Parallel()
	// A process that has exited and been reaped: its pid names no one.
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(os.TempDir(), "mailpittest")
	if err := os.MkdirAll(root, 0o700); err != nil {
		t.Fatal(err)
	}
	dead, err := os.MkdirTemp(root, strconv.Itoa(cmd.Process.Pid)+"-*")
	if err != nil {
		t.Fatal(err)
	}
	live, err := os.MkdirTemp(root, strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(live)

	dir, err := dbDir()
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if _, err := os.Stat(dead); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the dead binary's folder is still there (%v)", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("a live binary's folder was swept: %v", err)
	}
	if filepath.Dir(dir) != root || !strings.HasPrefix(filepath.Base(dir), strconv.Itoa(os.Getpid())+"-") {
		t.Errorf("dbDir = %s", dir)
	}
}
