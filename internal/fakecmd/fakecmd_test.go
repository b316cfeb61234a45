package fakecmd_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"strings"
	"syscall"
	"testing"

	"github.com/thebabesclub/dashboard/internal/fakecmd"
)

// TestMain makes the test binary, when Start starts it, an echo fake: it
// announces the value of -say, or fails with -fail.
func TestMain(m *testing.M) {
	fakecmd.TestMain(m, func() { fakecmd.Main("echo", echo) })
}

// echo is the fake the tests run.
func echo(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("echo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	say := fs.String("say", "", "the line to print")
	fail := fs.Bool("fail", false, "fail instead")
	if err := fakecmd.Parse(fs, args); err != nil {
		return err
	}
	if *fail {
		return errors.New("asked to fail")
	}
	return fakecmd.Announce(ctx, stdin, stdout, *say)
}

// Parse hands back -h as flag.ErrHelp and refuses an unknown flag and a
// positional argument, but not a flag's value.
func TestParse(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		ok   bool
		help bool
	}{
		"flags":        {args: []string{"-say", "two words", "-fail=false"}, ok: true},
		"no arguments": {ok: true},
		"help":         {args: []string{"-h"}, help: true},
		"unknown flag": {args: []string{"-shout", "x"}},
		"stray word":   {args: []string{"-say", "x", "extra"}},
		"word first":   {args: []string{"extra", "-say", "x"}},
	} {
		var usage bytes.Buffer
		fs := flag.NewFlagSet("echo", flag.ContinueOnError)
		fs.SetOutput(&usage)
		fs.String("say", "", "")
		fs.Bool("fail", false, "")
		err := fakecmd.Parse(fs, tc.args)
		switch {
		case tc.ok && err != nil:
			t.Errorf("%s: %v, want nil", name, err)
		case !tc.ok && err == nil:
			t.Errorf("%s: accepted", name)
		case errors.Is(err, flag.ErrHelp) != tc.help:
			t.Errorf("%s: %v; want ErrHelp: %v", name, err, tc.help)
		}
	}
}

// The command's line reaches the parent while it runs, and closing its
// stdin stops it with status 0.
func TestRunsUntilStdinCloses(t *testing.T) {
	p := fakecmd.Start(t, "-say", "hello fake")
	if p.Line != "hello fake" {
		t.Errorf("line %q, want %q", p.Line, "hello fake")
	}
	if err := p.CloseStdin(); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(); err != nil {
		t.Errorf("exited with %v, want 0", err)
	}
}

// SIGTERM (and SIGINT, the same context) stops it with status 0, its stdin
// still open.
func TestStopsOnSIGTERM(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		p := fakecmd.Start(t, "-say", "up")
		if err := p.Signal(sig); err != nil {
			t.Fatal(err)
		}
		if err := p.Wait(); err != nil {
			t.Errorf("%v: exited with %v, want 0", sig, err)
		}
	}
}

// Announce refuses a line the parent would read as two, printing nothing.
func TestAnnounceRefusesALineBreak(t *testing.T) {
	for _, line := range []string{"http://127.0.0.1:1\nhttp://127.0.0.1:2", "a\rb", "\n"} {
		var out bytes.Buffer
		if err := fakecmd.Announce(t.Context(), strings.NewReader(""), &out, line); err == nil || out.Len() != 0 {
			t.Errorf("%q: err %v, printed %q; want an error and nothing printed", line, err, out.String())
		}
	}
}

// Announce flushes a buffered stdout before it blocks, and returns when its
// context ends although stdin stays open.
func TestAnnounceFlushesAndStopsWithTheContext(t *testing.T) {
	stdinR, stdinW := io.Pipe()
	defer stdinW.Close()
	stdoutR, stdoutW := io.Pipe()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- fakecmd.Announce(ctx, stdinR, bufio.NewWriter(stdoutW), "ready") }()
	line, err := bufio.NewReader(stdoutR).ReadString('\n')
	if err != nil || line != "ready\n" {
		t.Fatalf("read %q, %v; want the line", line, err)
	}
	select {
	case err := <-done:
		t.Fatalf("returned %v before stdin closed or the context ended", err)
	default:
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("returned %v, want nil", err)
	}
}
