package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/thebabesclub/dashboard/internal/dynamotest"
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
	ep, p, err := dynamotest.StartJVM("-Xms512m", "-Xmx"+heap, "-XX:+UseParallelGC")
	if err != nil {
		return "", nil, err
	}
	return ep, p.Stop, nil
}
