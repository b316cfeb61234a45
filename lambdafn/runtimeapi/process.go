package runtimeapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Process is a function binary running against a Server, with the
// environment Lambda gives a provided.al2023 function.
type Process struct {
	// Started is when the process was started: the start of its cold
	// start. Server.FirstNext ends the init phase; the first Result's
	// Answered ends the first invocation.
	Started time.Time

	cmd    *exec.Cmd
	stdout syncBuffer
	stderr syncBuffer
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
	p := &Process{cmd: cmd, exited: make(chan struct{})}
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
		return nil, fmt.Errorf("runtimeapi: start %s: %w", binary, err)
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
	return p.stdout.wait(ctx, p.exited, cond)
}

// errExited is WaitStdout's error when the process ended first.
var errExited = errors.New("runtimeapi: the function exited")

// syncBuffer collects a process's output; exec writes it from another
// goroutine while tests read it.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced by every write
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.changed != nil {
		close(b.changed)
		b.changed = nil
	}
	if b.buf.Len() > 8<<20 {
		return len(p), nil // bounded: a runaway function cannot fill memory
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines returns the output up to its last newline and a channel closed by
// the next write.
func (b *syncBuffer) lines() (string, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.changed == nil {
		b.changed = make(chan struct{})
	}
	s := b.buf.String()
	return s[:strings.LastIndexByte(s, '\n')+1], b.changed
}

func (b *syncBuffer) wait(ctx context.Context, exited <-chan struct{}, cond func(string) bool) (string, error) {
	for {
		s, changed := b.lines()
		if cond(s) {
			return s, nil
		}
		select {
		case <-changed:
		case <-exited:
			// cmd.Wait has copied all the output before exited closes.
			if s, _ = b.lines(); cond(s) {
				return s, nil
			}
			return s, errExited
		case <-ctx.Done():
			return s, ctx.Err()
		}
	}
}
