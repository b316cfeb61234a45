// Package dynamolocal gives tests a real DynamoDB: AWS's DynamoDB Local, as
// scripts/dynamodb-local.sh installs it under .cache/dynamodb-local/. A test
// binary reuses DYNAMODB_ENDPOINT when the Makefile started one instance for
// the whole run, and otherwise starts its own JVM once, on a free loopback
// port, and stops it when the binary exits.
package dynamolocal

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// launcher is the class scripts/dynamodb-local.sh compiles into
// .cache/dynamodb-local/launcher to bind DynamoDB Local to 127.0.0.1 (the jar
// itself has no flag for the listen address).
const launcher = "LoopbackDynamoDBLocal"

var (
	once     sync.Once
	endpoint string
	startErr error

	procMu sync.Mutex
	proc   *server
)

// server is a DynamoDB Local JVM this process started.
type server struct {
	cmd    *exec.Cmd
	exited chan struct{}
	log    *syncBuffer
}

// Endpoint returns the base URL of a running DynamoDB Local: DYNAMODB_ENDPOINT
// when set, otherwise one JVM started on first use and shared by every test
// of the binary. A missing installation fails the test rather than skipping
// it, because a skipped store test would hide a broken store.
func Endpoint(t testing.TB) string {
	t.Helper()
	if ep := os.Getenv("DYNAMODB_ENDPOINT"); ep != "" {
		return ep
	}
	once.Do(func() { endpoint, startErr = start() })
	if startErr != nil {
		t.Fatalf("dynamolocal: %v", startErr)
	}
	return endpoint
}

// Main runs the tests of a package and then stops the JVM Endpoint may have
// started. Use it as the package's TestMain:
//
//	func TestMain(m *testing.M) { dynamolocal.Main(m) }
//
// Without it the JVM still dies with the test binary on Linux (it is started
// with a parent-death signal), but Main stops it in order and at once.
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Stop stops the JVM this process started, if any: SIGTERM to its process
// group, then SIGKILL after five seconds.
func Stop() {
	procMu.Lock()
	p := proc
	proc = nil
	procMu.Unlock()
	if p != nil {
		p.stop()
	}
}

// Dir returns the DynamoDB Local installation directory:
// DYNAMODB_LOCAL_DIR, or .cache/dynamodb-local in the repository that
// contains the working directory (go test runs in the package's folder).
func Dir() (string, error) {
	if d := os.Getenv("DYNAMODB_LOCAL_DIR"); d != "" {
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "scripts", "dynamodb-local.sh")); err == nil {
			return filepath.Join(d, ".cache", "dynamodb-local"), nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no scripts/dynamodb-local.sh above %s", wd)
		}
	}
}

func start() (string, error) {
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	jar := filepath.Join(dir, "DynamoDBLocal.jar")
	if _, err := os.Stat(filepath.Join(dir, "VERSION")); err != nil {
		return "", fmt.Errorf("DynamoDB Local is not installed in %s: run `make test` or `scripts/dynamodb-local.sh install` (or set DYNAMODB_ENDPOINT)", dir)
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return "", fmt.Errorf("java not found: run `scripts/dynamodb-local.sh install`: %w", err)
	}
	var errs []error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return "", err
		}
		args := []string{"-Xms64m", "-Djava.library.path=" + filepath.Join(dir, "DynamoDBLocal_lib")}
		if _, err := os.Stat(filepath.Join(dir, "launcher", launcher+".class")); err == nil {
			args = append(args, "-cp", jar+string(os.PathListSeparator)+filepath.Join(dir, "launcher"), launcher)
		} else {
			args = append(args, "-jar", jar) // listens on all interfaces
		}
		args = append(args, "-inMemory", "-sharedDb", "-disableTelemetry", "-port", strconv.Itoa(port))
		p, err := launch(java, dir, args)
		if err != nil {
			return "", err
		}
		ep := "http://127.0.0.1:" + strconv.Itoa(port)
		if err := p.waitReady(ep, 60*time.Second); err != nil {
			p.stop()
			errs = append(errs, err)
			continue
		}
		procMu.Lock()
		proc = p
		procMu.Unlock()
		return ep, nil
	}
	return "", fmt.Errorf("DynamoDB Local did not start: %w", errors.Join(errs...))
}

func launch(java, dir string, args []string) (*server, error) {
	cmd := exec.Command(java, args...)
	cmd.Dir = dir
	log := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = sysProcAttr()
	p := &server{cmd: cmd, exited: make(chan struct{}), log: log}
	started := make(chan error, 1)
	go func() {
		// The parent-death signal fires when the thread that forked the
		// JVM exits, not the process: keep this goroutine on its thread
		// for the JVM's whole life so only the binary's exit ends it.
		runtime.LockOSThread()
		err := cmd.Start()
		started <- err
		if err == nil {
			_ = cmd.Wait()
		}
		close(p.exited)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("start java: %w", err)
	}
	return p, nil
}

// waitReady polls ep until any HTTP answer comes back, the JVM exits, or
// the timeout passes.
func (p *server) waitReady(ep string, timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return fmt.Errorf("java exited: %s", p.log.String())
		default:
		}
		if resp, err := client.Get(ep); err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no answer on %s within %s: %s", ep, timeout, p.log.String())
}

func (p *server) stop() {
	pid := p.cmd.Process.Pid
	killGroup(pid, false)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		killGroup(pid, true)
		<-p.exited
	}
}

// freePort asks the kernel for a free loopback port. Another process may
// take it before the JVM binds it; start then retries with a new one.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// syncBuffer collects the JVM's output for error messages; exec writes it
// from another goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 64<<10 {
		return len(p), nil // enough to diagnose a failed start
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
