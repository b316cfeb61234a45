package fakecmd

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// runAsMain runs the test binary as the echo fake of fakecmd_test.go
// with args, its stdin empty, and returns its exit status and output.
func runAsMain(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asMain+"=1")
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), string(out), errOut.String()
}

// Main prints a failing command's error on stderr after its name, nothing
// on stdout, and exits with status 2.
func TestMainExitsTwoOnAnError(t *testing.T) {
	code, out, errOut := runAsMain(t, "-fail")
	if code != 2 || out != "" || !strings.Contains(errOut, "echo: asked to fail") {
		t.Errorf("status %d, stdout %q, stderr %q; want 2, nothing on stdout, the error on stderr", code, out, errOut)
	}
	code, out, errOut = runAsMain(t, "extra")
	if code != 2 || out != "" || !strings.Contains(errOut, "echo: unexpected arguments") {
		t.Errorf("a stray argument: status %d, stdout %q, stderr %q; want 2 and the error", code, out, errOut)
	}
}

// Asked for its usage, a command prints it on stderr and exits with 0,
// printing nothing on stdout.
func TestMainExitsZeroOnHelp(t *testing.T) {
	code, out, errOut := runAsMain(t, "-h")
	if code != 0 || out != "" || !strings.Contains(errOut, "-say") || strings.Contains(errOut, "echo: ") {
		t.Errorf("status %d, stdout %q, stderr %q; want 0, nothing on stdout, the usage and no error on stderr", code, out, errOut)
	}
}
