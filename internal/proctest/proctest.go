// Package proctest starts the real servers tests run against (DynamoDB
// Local, stripe-mock, Mailpit) as child processes that cannot outlive the
// test binary: each in its own process group, with a parent-death signal on
// Linux, stopped with SIGTERM and then SIGKILL. It is the one owner of their
// start and stop; the scripts in scripts/ only install them.
package proctest

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/thebabesclub/dashboard/internal/logtest"
)

// Server is a process a test binary started.
type Server struct {
	name   string
	cmd    *exec.Cmd
	exited chan struct{}
	log    *logtest.Buffer
}

// Launch starts bin with args in dir ("" for the current one). Its output is
// kept (up to 64 KiB) for error messages.
func Launch(name, dir, bin string, args ...string) (*Server, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	log := &logtest.Buffer{Max: 64 << 10}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = sysProcAttr()
	s := &Server{name: name, cmd: cmd, exited: make(chan struct{}), log: log}
	started := make(chan error, 1)
	go func() {
		// The parent-death signal fires when the thread that forked the
		// child exits, not the process: keep this goroutine on its thread
		// for the child's whole life so only the binary's exit ends it.
		runtime.LockOSThread()
		err := cmd.Start()
		started <- err
		if err == nil {
			_ = cmd.Wait()
		}
		close(s.exited)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	return s, nil
}

// WaitHTTP polls url until any HTTP answer comes back, the process exits,
// or timeout passes.
func (s *Server) WaitHTTP(url string, timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("%s exited: %s", s.name, s.log.String())
		default:
		}
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("%s: no answer on %s within %s: %s", s.name, url, timeout, s.log.String())
}

// Stop sends SIGTERM to the process group, then SIGKILL after five seconds.
func (s *Server) Stop() {
	pid := s.cmd.Process.Pid
	killGroup(pid, false)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		killGroup(pid, true)
		<-s.exited
	}
}

// FreePort asks the kernel for a free loopback port. Another process may
// take it before the child binds it, so callers retry a failed start.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// RepoDir returns the folder above the working directory (go test runs in
// the package's folder) that holds marker, a path relative to the
// repository root such as "scripts/stripe-mock.sh".
func RepoDir(marker string) (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, marker)); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no %s above %s", marker, wd)
		}
	}
}
