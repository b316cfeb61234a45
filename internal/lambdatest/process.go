package lambdatest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/thebabesclub/dashboard/internal/logtest"
)

// Process is a function binary running against a Server, with the
// environment Lambda gives a provided.al2023 function.
type Process struct {
	// Started is when the process was started: the start of its cold
	// start. Server.FirstNext ends the init phase; the first Result's
	// Answered ends the first invocation.
	Started time.Time

	cmd    *exec.Cmd
	stdout logtest.Buffer
	stderr logtest.Buffer
	exited chan struct{}
	err    error // Wait's error, once exited is closed
}

var (
	procsMu sync.Mutex
	procs   = map[*Process]bool{}
)

// Start runs binary as the function that s serves. The environment is
// Lambda's (AWS_LAMBDA_RUNTIME_API, AWS_LAMBDA_FUNCTION_NAME, region, fake
// static credentials, _HANDLER, LAMBDA_TASK_ROOT, TZ) followed by env
// ("KEY=value"; a key given twice keeps its last value); nothing is
// inherited from this process but PATH, so a developer's AWS settings cannot
// leak in.
func Start(binary string, s *Server, env ...string) (*Process, error) {
	cmd := exec.Command(binary)
	cmd.Dir = filepath.Dir(binary)
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"AWS_LAMBDA_RUNTIME_API=" + s.Addr(),
		"AWS_LAMBDA_FUNCTION_NAME=" + s.FunctionName,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + s.FunctionName,
		"AWS_LAMBDA_LOG_STREAM_NAME=local",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=local",
		"AWS_SECRET_ACCESS_KEY=local",
		"AWS_EXECUTION_ENV=AWS_Lambda_provided.al2023",
		"_HANDLER=bootstrap",
		"LAMBDA_TASK_ROOT=" + cmd.Dir,
		"TZ=:UTC",
	}, env...)
	// The output is bounded, so a runaway function cannot fill the memory.
	p := &Process{cmd: cmd, stdout: logtest.Buffer{Max: 8 << 20}, stderr: logtest.Buffer{Max: 8 << 20}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = &p.stdout, &p.stderr
	cmd.SysProcAttr = sysProcAttr()
	started := make(chan error, 1)
	go func() {
		// The parent-death signal fires when the thread that started the
		// child exits: keep this goroutine on its thread for the child's
		// whole life, so that only this process's end ends it.
		runtime.LockOSThread()
		p.Started = time.Now()
		err := cmd.Start()
		started <- err
		if err == nil {
			p.err = cmd.Wait()
		}
		close(p.exited)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("lambdatest: start %s: %w", binary, err)
	}
	procsMu.Lock()
	procs[p] = true
	procsMu.Unlock()
	return p, nil
}

// Stdout is what the function wrote to stdout so far (EMF metrics).
func (p *Process) Stdout() string { return p.stdout.String() }

// Stderr is what the function wrote to stderr so far (its JSON log).
func (p *Process) Stderr() string { return p.stderr.String() }

// Exited is closed when the process has exited.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// ExitCode is the process's exit code once Exited is closed (-1 if it was
// killed by a signal).
func (p *Process) ExitCode() int {
	<-p.exited
	return p.cmd.ProcessState.ExitCode()
}

// Stop ends the process as Lambda ends an execution environment: SIGTERM,
// then SIGKILL after two seconds. It waits for the exit.
func (p *Process) Stop() {
	procsMu.Lock()
	delete(procs, p)
	procsMu.Unlock()
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(2 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// StopAll stops every process Start started and Stop has not, for a
// TestMain to call once the tests are done.
func StopAll() {
	procsMu.Lock()
	all := make([]*Process, 0, len(procs))
	for p := range procs {
		all = append(all, p)
	}
	procsMu.Unlock()
	var wg sync.WaitGroup
	for _, p := range all {
		wg.Add(1)
		go func() { defer wg.Done(); p.Stop() }()
	}
	wg.Wait()
}

// WaitStdout waits until cond holds for what the function wrote to stdout
// so far (only whole lines are shown to it), the process exits, or ctx
// ends, and returns that output. It wakes on every write rather than
// polling, so a test waits exactly as long as the function takes: output
// reaches us through a pipe, after the function answered.
func (p *Process) WaitStdout(ctx context.Context, cond func(string) bool) (string, error) {
	return p.stdout.WaitLines(ctx, p.exited, errExited, cond)
}

// errExited is WaitStdout's error when the process ended first.
var errExited = errors.New("lambdatest: the function exited")
