// Package fakecmd is both ends of the small protocol of the test-only fake
// servers that the browser tests start beside `dashboard serve` (the
// commands internal/evmtest/cmd/devchain and
// internal/stripetest/cmd/stripefake): once it serves, a fake prints one
// line on stdout (its URL, or a JSON object) and then runs until its stdin
// closes or it gets SIGTERM or SIGINT, so a parent that dies takes it
// along. The commands use Main, Parse and Announce; their tests use
// TestMain and Start to run the command as a process of its own, exactly as
// the browser tests do (web/e2e/fake.mjs is the browser tests' end).
package fakecmd

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
)

// RunFunc is a fake command's body. Its streams are parameters so that
// tests drive it in-process, and ctx ends on SIGTERM or SIGINT.
type RunFunc func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error

// Main runs run with the process's arguments and streams under a context
// that SIGTERM and SIGINT end, so that a fake stops cleanly either way. An
// error is printed on stderr after name and exits with status 2, but for
// flag.ErrHelp (see Parse): asked for its usage, a fake exits with 0.
func Main(name string, run RunFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(2)
	}
}

// Parse parses a fake's arguments into fs, which must be a
// flag.ContinueOnError set, and refuses positional arguments: a fake takes
// flags only, so a stray word is a mistake rather than something to ignore.
// -h and -help return flag.ErrHelp after fs printed the usage, which run
// returns as it is for Main to exit with 0.
func Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return nil
}

// Announce prints line on stdout in one write (flushed, when stdout
// buffers) so that the parent can read it at once, and then blocks until
// stdin closes or ctx ends. A line with a line break in it is refused
// before anything is printed, as the parent reads exactly one line.
//
// When ctx ends first, the goroutine draining stdin stays until stdin
// closes; a fake returns from main at that point, which ends it.
func Announce(ctx context.Context, stdin io.Reader, stdout io.Writer, line string) error {
	if strings.ContainsAny(line, "\r\n") {
		return errors.New("announce: the line has a line break")
	}
	if _, err := io.WriteString(stdout, line+"\n"); err != nil {
		return fmt.Errorf("announce: %w", err)
	}
	if f, ok := stdout.(interface{ Flush() error }); ok {
		if err := f.Flush(); err != nil {
			return fmt.Errorf("announce: %w", err)
		}
	}
	closed := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, stdin) // returns when stdin closes
		close(closed)
	}()
	select {
	case <-ctx.Done():
	case <-closed:
	}
	return nil
}

// asMain is the environment variable by which Start tells a command's test
// binary to be the command.
const asMain = "FAKECMD_AS_MAIN"

// TestMain is a fake command's TestMain: it runs main instead of the tests
// when Start started the test binary as the command, so the tests run the
// real main without building a binary of their own.
func TestMain(m *testing.M, main func()) {
	if os.Getenv(asMain) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Process is the test binary running as the command, from Start.
type Process struct {
	// Line is the line the command printed, without its line break.
	Line string

	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// Start runs the test binary as the command (see TestMain) with args, a
// pipe as its stdin and its stderr on the test's, and reads the line it
// prints; a command that exits first fails the test. Whatever is still
// running when the test ends is killed.
func Start(t testing.TB, args ...string) *Process {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asMain+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("no line printed: %q, %v", line, err)
	}
	return &Process{Line: strings.TrimSuffix(line, "\n"), cmd: cmd, stdin: stdin}
}

// CloseStdin closes the command's stdin, as a parent that dies does.
func (p *Process) CloseStdin() error { return p.stdin.Close() }

// Signal sends sig to the command.
func (p *Process) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// Wait waits for the command to exit; a non-nil error is an exit status
// other than 0 (an *exec.ExitError) or a failure to wait.
func (p *Process) Wait() error { return p.cmd.Wait() }
