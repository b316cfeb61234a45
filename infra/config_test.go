package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
)

func TestConfigFromContext(t *testing.T) {
	ctx := cdkJSONContext(t)
	ctx["corsAllowOrigins"] = "https://dashboard.example, https://www.example"
	ctx["importTable"] = "true"
	ctx["throttleRate"] = "25"
	ctx["logRetentionDays"] = "90"
	app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx})
	cfg, err := ConfigFromContext(app.Node())
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.ImportTable || cfg.ThrottleRate != 25 || cfg.LogRetentionDays != 90 || cfg.TableName != "babesclub-commerce" ||
		!slices.Equal(cfg.CORSAllowOrigins, []string{"https://dashboard.example", "https://www.example"}) {
		t.Errorf("config %+v", cfg)
	}
	for key, bad := range map[string]any{
		"corsAllowOrigins": "*", "importTable": "maybe", "logRetentionDays": "17", "throttleRate": "fast",
	} {
		ctx := cdkJSONContext(t)
		ctx[key] = bad
		app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx})
		if _, err := ConfigFromContext(app.Node()); err == nil {
			t.Errorf("%s = %v accepted", key, bad)
		}
	}
}

func TestLambdaPackages(t *testing.T) {
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.LambdaDir = dir
	_, err := lambdaCode(cfg)
	if err == nil || !strings.Contains(err.Error(), "make lambdas") || !strings.Contains(err.Error(), "get-profile.zip") {
		t.Fatalf("missing packages: error %v, want one that names them and `make lambdas`", err)
	}
	for _, f := range allFunctions {
		if err := os.WriteFile(filepath.Join(dir, f+".zip"), []byte("PK"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, err := lambdaCode(cfg)
	if err != nil || code == nil {
		t.Fatalf("all packages present: %v", err)
	}
	if cfg := (Config{PlaceholderCode: true}); true {
		if code, err := lambdaCode(cfg); err != nil || code == nil {
			t.Fatalf("placeholder: %v", err)
		}
	}
}
