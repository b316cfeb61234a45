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
	ctx["mailFrom"] = testMailFrom
	app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx})
	cfg, err := ConfigFromContext(app.Node())
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.ImportTable || cfg.ThrottleRate != 25 || cfg.LogRetentionDays != 90 || cfg.TableName != "babesclub-commerce" ||
		!slices.Equal(cfg.CORSAllowOrigins, []string{"https://dashboard.example", "https://www.example"}) ||
		cfg.siteOrigin() != "https://dashboard.example" {
		t.Errorf("config %+v", cfg)
	}
	if addr, identity, err := cfg.mailSender(); err != nil || addr != "no-reply@mail.babesclub.example" || identity != "mail.babesclub.example" {
		t.Errorf("mail sender %q under %q: %v", addr, identity, err)
	}
	for key, bad := range map[string]any{
		"corsAllowOrigins": "*", "importTable": "maybe", "logRetentionDays": "17", "throttleRate": "fast",
		"mailFrom": "", "siteOrigin": "https://evil.example", "mailIdentity": "babesclub.example",
	} {
		ctx := cdkJSONContext(t)
		ctx["mailFrom"] = testMailFrom
		ctx[key] = bad
		app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx})
		if _, err := ConfigFromContext(app.Node()); err == nil {
			t.Errorf("%s = %v accepted", key, bad)
		}
	}
	ctx = cdkJSONContext(t)
	ctx["mailFrom"] = testMailFrom
	ctx["stripeMaxRps"] = "20"
	if _, err := ConfigFromContext(awscdk.NewApp(&awscdk.AppProps{Context: &ctx}).Node()); err == nil ||
		!strings.Contains(err.Error(), "stripeRateBudget") {
		t.Errorf("the renamed stripeMaxRps: %v, want an error naming stripeRateBudget", err)
	}
	for _, bad := range []string{"no-reply", "<>", "a@b.example, c@d.example", "The Club no-reply@x.example"} {
		cfg := testConfig()
		cfg.MailFrom = bad
		if err := cfg.Validate(); err == nil {
			t.Errorf("mailFrom %q accepted", bad)
		}
	}
	cfg = testConfig()
	cfg.MailIdentity = "No-Reply@Mail.BabesClub.example" // the address itself is an identity too
	if _, identity, err := cfg.mailSender(); err != nil || identity != "no-reply@mail.babesclub.example" {
		t.Errorf("address identity: %q %v", identity, err)
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
