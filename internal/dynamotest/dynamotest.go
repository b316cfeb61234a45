// Package dynamotest gives tests a real DynamoDB: AWS's DynamoDB Local, as
// scripts/dynamodb-local.sh installs it under .cache/dynamodb-local/. A test
// binary reuses the instance DYNAMODB_ENDPOINT names, if any, and otherwise
// starts its own JVM once, on a free loopback port, and stops it when the
// binary exits.
package dynamotest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/thebabesclub/dashboard/internal/proctest"
)

// launcher is the class scripts/dynamodb-local.sh compiles into
// .cache/dynamodb-local/launcher to bind DynamoDB Local to 127.0.0.1 (the jar
// itself has no flag for the listen address).
const launcher = "LoopbackDynamoDBLocal"

// instance is the DynamoDB Local of this test binary.
var instance = &proctest.Shared{Name: "dynamotest", Env: "DYNAMODB_ENDPOINT", Start: Start}

// Endpoint returns the base URL of a running DynamoDB Local: DYNAMODB_ENDPOINT
// when set, otherwise one JVM started on first use and shared by every test
// of the binary. A missing installation fails the test rather than skipping
// it, because a skipped store test would hide a broken store.
func Endpoint(t testing.TB) string { t.Helper(); return instance.URL(t) }

// Main runs the tests of a package and then stops the JVM Endpoint may have
// started. Use it as the package's TestMain:
//
//	func TestMain(m *testing.M) { dynamotest.Main(m) }
func Main(m *testing.M) { instance.Main(m) }

// Stop stops the JVM this process started, if any: SIGTERM to its process
// group, then SIGKILL after five seconds.
func Stop() { instance.Stop() }

// Dir returns the DynamoDB Local installation directory:
// DYNAMODB_LOCAL_DIR, or .cache/dynamodb-local in the repository that
// contains the working directory (go test runs in the package's folder).
func Dir() (string, error) {
	if d := os.Getenv("DYNAMODB_LOCAL_DIR"); d != "" {
		return d, nil
	}
	root, err := proctest.RepoDir("scripts/dynamodb-local.sh")
	if err != nil {
		return "", err
	}
	return filepath.Join(root, ".cache", "dynamodb-local"), nil
}

// Start starts a DynamoDB Local on a free loopback port and returns its
// endpoint and process; the caller stops it. Endpoint calls it once per
// test binary; internal/withservers calls it once for a whole test run.
func Start() (string, *proctest.Server, error) { return StartJVM("-Xms64m") }

// StartJVM is Start with jvmArgs (heap, collector) given to the JVM:
// make scale's DynamoDB Local holds a million items and needs a heap of its
// own.
func StartJVM(jvmArgs ...string) (string, *proctest.Server, error) {
	dir, err := Dir()
	if err != nil {
		return "", nil, err
	}
	jar := filepath.Join(dir, "DynamoDBLocal.jar")
	if _, err := os.Stat(filepath.Join(dir, "VERSION")); err != nil {
		return "", nil, fmt.Errorf("DynamoDB Local is not installed in %s: run `make test` or `scripts/dynamodb-local.sh install` (or set DYNAMODB_ENDPOINT)", dir)
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return "", nil, fmt.Errorf("java not found: run `scripts/dynamodb-local.sh install`: %w", err)
	}
	var errs []error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := proctest.FreePort()
		if err != nil {
			return "", nil, err
		}
		args := append(slices.Clone(jvmArgs), "-Djava.library.path="+filepath.Join(dir, "DynamoDBLocal_lib"))
		if _, err := os.Stat(filepath.Join(dir, "launcher", launcher+".class")); err == nil {
			args = append(args, "-cp", jar+string(os.PathListSeparator)+filepath.Join(dir, "launcher"), launcher)
		} else {
			args = append(args, "-jar", jar) // listens on all interfaces
		}
		args = append(args, "-inMemory", "-sharedDb", "-disableTelemetry", "-port", strconv.Itoa(port))
		p, err := proctest.Launch("DynamoDB Local", dir, java, args...)
		if err != nil {
			return "", nil, err
		}
		ep := "http://127.0.0.1:" + strconv.Itoa(port)
		if err := p.WaitHTTP(ep, 3*time.Minute); err != nil {
			p.Stop()
			errs = append(errs, err)
			continue
		}
		return ep, p, nil
	}
	return "", nil, fmt.Errorf("DynamoDB Local did not start: %w", errors.Join(errs...))
}
