// Command withservers runs a command (in practice `go test`) with one
// DynamoDB Local and one stripe-mock for all of it, and stops them when the
// command ends. Every test binary would otherwise start its own: correct,
// but a JVM start and warm-up per package costs the whole run about three
// times the time on a small machine.
//
//	go run ./internal/withservers go test ./...
//
// It starts the servers with the same code the test binaries use
// (internal/dynamotest, internal/stripetest on internal/proctest), so there
// is one owner of their lifecycle, and passes them on as DYNAMODB_ENDPOINT
// and STRIPE_MOCK_URL, which those packages reuse. A variable already set
// names a running instance and is passed through untouched. The servers are
// child processes with a parent-death signal: they end with this command
// even when it is killed.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/thebabesclub/dashboard/internal/dynamotest"
	"github.com/thebabesclub/dashboard/internal/proctest"
	"github.com/thebabesclub/dashboard/internal/stripetest"
)

// servers are what withservers starts, by the variable that names them.
var servers = []struct {
	env   string
	name  string
	start func() (string, *proctest.Server, error)
}{
	{"DYNAMODB_ENDPOINT", "DynamoDB Local", dynamotest.Start},
	{"STRIPE_MOCK_URL", "stripe-mock", stripetest.StartMock},
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./internal/withservers COMMAND [ARG...]")
		os.Exit(2)
	}
	os.Exit(run(os.Args[1], os.Args[2:]))
}

func run(name string, args []string) int {
	// Ctrl-C reaches the command too, as it shares our process group; a
	// SIGTERM sent to us alone is passed on. Either way we wait for the
	// command to end and then stop the servers in order.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	var started []*proctest.Server
	defer func() {
		for _, p := range started {
			p.Stop()
		}
	}()
	env := os.Environ()
	for _, s := range servers {
		if u := os.Getenv(s.env); u != "" {
			fmt.Fprintf(os.Stderr, "withservers: %s at %s (%s)\n", s.name, u, s.env)
			continue
		}
		u, p, err := s.start()
		if err != nil {
			fmt.Fprintf(os.Stderr, "withservers: %v\n", err)
			return 1
		}
		started = append(started, p)
		env = append(env, s.env+"="+u)
		fmt.Fprintf(os.Stderr, "withservers: %s at %s\n", s.name, u)
	}
	cmd := exec.Command(name, args...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "withservers: %s: %v\n", name, err)
		return 1
	}
	go func() {
		for sig := range sigs {
			if sig == syscall.SIGTERM {
				_ = cmd.Process.Signal(sig)
			}
		}
	}()
	err := cmd.Wait()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit) && exit.ExitCode() > 0:
		return exit.ExitCode()
	default:
		fmt.Fprintf(os.Stderr, "withservers: %s: %v\n", name, err)
		return 1
	}
}
