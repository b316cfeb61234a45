// Command infra is the AWS CDK app of the dashboard backend: one stack,
// BabesClubDashboard, with the DynamoDB table, the Lambda functions, the REST
// API, the refresh queue, the schedules and the alarms. `scripts/cdk.sh
// synth|diff|deploy` runs it; docs/operations.md is the manual.
//
// Synthesis runs aws-cdk-lib on Node through the jsii runtime, whose
// JavaScript ships inside the Go modules: it needs `node` on PATH and
// nothing from the network.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
)

func main() {
	defer jsii.Close()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		jsii.Close()
		os.Exit(1)
	}
}

func run() error {
	app := awscdk.NewApp(nil)
	cfg, err := ConfigFromContext(app.Node())
	if err != nil {
		return err
	}
	code, err := lambdaCode(cfg)
	if err != nil {
		return err
	}
	// The stack is environment-agnostic: it deploys to the account and
	// region of the CLI's credentials (--profile, AWS_REGION) and needs no
	// lookups, so synthesis needs no AWS access at all.
	if _, err := NewDashboardStack(app, StackName, &DashboardStackProps{Config: cfg, Code: code}); err != nil {
		return err
	}
	app.Synth(nil)
	return nil
}

// lambdaCode returns the packages from cfg.LambdaDir, after checking that
// every one exists; with placeholderCode, a stub instead.
func lambdaCode(cfg Config) (func(string) awslambda.Code, error) {
	if cfg.PlaceholderCode {
		dir, err := PlaceholderDir(os.TempDir())
		if err != nil {
			return nil, err
		}
		return func(string) awslambda.Code { return awslambda.Code_FromAsset(jsii.String(dir), nil) }, nil
	}
	dir := cfg.LambdaDir
	if !filepath.IsAbs(dir) {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		dir = filepath.Join(wd, dir)
	}
	var missing []string
	for _, f := range functionSpecs() {
		if _, err := os.Stat(filepath.Join(dir, f.Name+".zip")); err != nil {
			missing = append(missing, f.Name+".zip")
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%d Lambda packages missing in %s (%v): run `make lambdas` first, "+
			"or pass -c placeholderCode=true to synthesize with a stub that fails every invocation (never deploy that)",
			len(missing), dir, missing)
	}
	return func(name string) awslambda.Code {
		return awslambda.Code_FromAsset(jsii.String(filepath.Join(dir, name+".zip")), nil)
	}, nil
}

// placeholderBootstrap is the stub's bootstrap: it exits at once, so every
// invocation fails (Runtime.ExitError) and a stack deployed with it by
// mistake answers 5xx and raises its alarms rather than pretending to work.
const placeholderBootstrap = "#!/bin/sh\n# Placeholder: the real bootstrap comes from `make lambdas`.\nexit 1\n"

// PlaceholderDir writes a folder holding only the stub bootstrap under
// parent and returns it. Its content never changes, so neither does the
// asset hash.
func PlaceholderDir(parent string) (string, error) {
	dir := filepath.Join(parent, "babesclub-dashboard-placeholder")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("placeholder code: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bootstrap"), []byte(placeholderBootstrap), 0o755); err != nil {
		return "", fmt.Errorf("placeholder code: %w", err)
	}
	return dir, nil
}
