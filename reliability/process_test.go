//go:build linux

package reliability

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// workDir holds the binary and is removed when the package's tests end;
// TestMain creates it so that a lazily built binary outlives any one test.
var workDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dashboard-reliability-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	workDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds ./cmd/dashboard once per test process, on first use, so
// that a fuzz run of this package (which needs no server) pays nothing.
// RELIABILITY_SERVER_RACE=1 builds it with the race detector, to hunt data
// races in the product under the storm and the soak.
func binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		goBin, err := exec.LookPath("go")
		if err != nil {
			buildErr = fmt.Errorf("the go command is not on PATH: %w", err)
			return
		}
		binPath = filepath.Join(workDir, "dashboard")
		args := []string{"build", "-o", binPath}
		if os.Getenv("RELIABILITY_SERVER_RACE") == "1" {
			args = append(args, "-race")
		}
		cmd := exec.Command(goBin, append(args, "github.com/thebabesclub/dashboard/cmd/dashboard")...)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/dashboard: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// server is one `dashboard serve` process on 127.0.0.1 and a free port. It
// runs in its own process group with Pdeathsig, so neither a failed test
// nor a killed `go test` leaves it behind.
type server struct {
	t       testing.TB
	cmd     *exec.Cmd
	URL     string
	logPath string
	done    chan struct{} // closed when the process has been reaped
}

var servingLine = regexp.MustCompile(`Serving the dashboard API on (http://127\.0\.0\.1:\d+)`)

// startServer runs `dashboard serve` on dataDir with exactly env (nothing
// is inherited, so a DYNAMODB_ENDPOINT set in the developer's shell cannot
// move the server off its embedded store) and waits for it to listen.
func startServer(t testing.TB, dataDir string, env map[string]string) *server {
	t.Helper()
	bin := binary(t)
	logFile, err := os.CreateTemp(filepath.Dir(dataDir), "server-*.log")
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", dataDir)
	cmd.Dir = filepath.Dir(dataDir) // a folder of its own: the binary carries its web dashboard
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "TMPDIR=" + os.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stderr = logFile
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, cmd: cmd, logPath: logFile.Name(), done: make(chan struct{})}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case urls <- m[1]:
				default:
				}
			}
		}
		cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		s.stop()
		if b, _ := os.ReadFile(s.logPath); bytes.Contains(b, []byte("WARNING: DATA RACE")) {
			t.Errorf("the server (built with -race) reported a data race\n%s", s.logTail(60))
		}
	})
	select {
	case s.URL = <-urls:
		return s
	case <-s.done:
		t.Fatalf("dashboard serve exited before listening: %v\n%s", cmd.ProcessState, s.logTail(30))
	case <-time.After(2 * time.Minute): // only a server that never listens gets here
		s.kill()
		t.Fatalf("dashboard serve did not listen within 2 minutes\n%s", s.logTail(30))
	}
	return nil
}

// pid is the server's process id.
func (s *server) pid() int { return s.cmd.Process.Pid }

// kill sends SIGKILL to the whole process group — kill -9, no shutdown
// hook, no flush — and waits until the process is reaped.
func (s *server) kill() {
	_ = syscall.Kill(-s.pid(), syscall.SIGKILL)
	<-s.done
}

// stop ends the server gracefully (SIGTERM, as a supervisor would) and
// kills it if it has not exited within a minute: well past the server's own
// 10 s shutdown deadline, so a slow machine's clean exit is never cut
// short into an unclean one. Safe to call twice.
func (s *server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = syscall.Kill(-s.pid(), syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(time.Minute):
		s.t.Logf("dashboard serve ignored SIGTERM for a minute; killing it")
		s.kill()
	}
}

// exitedCleanly reports whether the process has ended with status 0.
func (s *server) exitedCleanly() bool {
	<-s.done
	return s.cmd.ProcessState != nil && s.cmd.ProcessState.Success()
}

// rssKB reads the server's resident set size (VmRSS) from /proc.
func (s *server) rssKB() int64 {
	s.t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.pid()))
	if err != nil {
		s.t.Fatalf("read the server's memory: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err == nil {
				return n
			}
		}
	}
	s.t.Fatalf("no VmRSS in /proc/%d/status", s.pid())
	return 0
}

// openFDs counts the server's open file descriptors (sockets included), a
// leak detector beside RSS.
func (s *server) openFDs() int {
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", s.pid()))
	if err != nil {
		return -1
	}
	return len(ents)
}

// logTail returns the last n lines of the server's log, for failures.
func (s *server) logTail(n int) string {
	b, _ := os.ReadFile(s.logPath)
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "server log (" + s.logPath + "):\n" + string(bytes.Join(lines, []byte("\n")))
}

// logLevels counts the server's log lines by level, so a test can report
// (or refuse) errors the responses did not show.
func (s *server) logLevels() map[string]int {
	b, _ := os.ReadFile(s.logPath)
	out := map[string]int{}
	re := regexp.MustCompile(`"level":"([A-Z]+)"`)
	for _, m := range re.FindAllSubmatch(b, -1) {
		out[string(m[1])]++
	}
	return out
}

// checkLogClean fails when the server's log contains any of needles:
// member data CONTRACT §2 keeps out of logs (tokens, emails, addresses,
// phone numbers, wallets).
func (s *server) checkLogClean(t testing.TB, needles ...string) {
	t.Helper()
	b, _ := os.ReadFile(s.logPath)
	lower := bytes.ToLower(b) // wallets are logged, if ever, in EIP-55 case
	for _, n := range needles {
		if i := bytes.Index(lower, bytes.ToLower([]byte(n))); n != "" && i >= 0 {
			t.Errorf("the server log carries member data %q: …%s…", n, b[max(0, i-200):min(len(b), i+len(n)+50)])
		}
	}
}

// percentile returns the p-th percentile (0–100) of ds, sorting ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	i := int(float64(len(ds)-1) * p / 100)
	return ds[i]
}

// envInt reads a positive integer setting, or def.
func envInt(t testing.TB, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s must be a positive integer, got %q", name, v)
	}
	return n
}
