package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/thebabesclub/dashboard/internal/dynamotest"
	"github.com/thebabesclub/dashboard/internal/proctest"
)

// startDynamo starts a DynamoDB Local of the harness's own, in memory, on
// a free 127.0.0.1 port (through the loopback launcher that
// scripts/dynamodb-local.sh compiles), with a heap of its own: the test
// servers' JVM keeps the default, which a table of a million items
// outgrows. stop ends it.
func startDynamo(heap string) (endpoint string, stop func(), err error) {
	dir, err := dynamotest.Dir()
	if err != nil {
		return "", nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "launcher", "LoopbackDynamoDBLocal.class")); err != nil {
		return "", nil, fmt.Errorf("DynamoDB Local's loopback launcher is missing in %s: run `scripts/dynamodb-local.sh install`", dir)
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return "", nil, fmt.Errorf("java not found: run `scripts/dynamodb-local.sh install`: %w", err)
	}
	var errs []error
	for range 3 {
		port, err := proctest.FreePort()
		if err != nil {
			return "", nil, err
		}
		p, err := proctest.Launch("DynamoDB Local", dir, java,
			"-Xms512m", "-Xmx"+heap, "-XX:+UseParallelGC",
			"-Djava.library.path="+filepath.Join(dir, "DynamoDBLocal_lib"),
			"-cp", filepath.Join(dir, "DynamoDBLocal.jar")+string(os.PathListSeparator)+filepath.Join(dir, "launcher"),
			"LoopbackDynamoDBLocal", "-inMemory", "-sharedDb", "-disableTelemetry", "-port", strconv.Itoa(port))
		if err != nil {
			return "", nil, err
		}
		ep := "http://127.0.0.1:" + strconv.Itoa(port)
		if err := p.WaitHTTP(ep, 3*time.Minute); err != nil {
			p.Stop()
			errs = append(errs, err)
			continue
		}
		return ep, p.Stop, nil
	}
	return "", nil, fmt.Errorf("DynamoDB Local did not start: %w", errors.Join(errs...))
}
