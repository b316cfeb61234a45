package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// repoRoot is the module's folder: go test runs in the package's folder.
const repoRoot = "../.."

func TestImportsPointDownTheLayers(t *testing.T) {
	pkgs, err := ListPackages(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range Check(pkgs) {
		t.Error(p)
	}
}

// TestArchitectureDocIsCurrent fails when docs/architecture.md's picture
// differs from what the imports say; `go run ./internal/archdoc -w
// docs/architecture.md` brings it up to date.
func TestArchitectureDocIsCurrent(t *testing.T) {
	pkgs, err := ListPackages(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(repoRoot, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := Splice(string(doc), Render(pkgs))
	if err != nil {
		t.Fatal(err)
	}
	if want != string(doc) {
		t.Error("docs/architecture.md's layer picture is out of date: run `go run ./internal/archdoc -w docs/architecture.md`")
	}
}

// TestCheckFindsBrokenRules feeds Check a made-up module with one of each
// broken rule, so the check itself is known to bite.
func TestCheckFindsBrokenRules(t *testing.T) {
	pkgs := []Package{
		{Path: "."},
		{Path: "orders", Imports: []string{".", "dynamo"}},                          // a service importing a store
		{Path: "httpapi", Imports: []string{"orders", "internal/storetest"}},        // product code importing test support
		{Path: "bolt", Imports: []string{"app"}},                                    // an adapter importing a higher layer
		{Path: "newthing", Imports: []string{"."}},                                  // no layer
		{Path: "internal/storetest", Imports: []string{".", "internal/dynamotest"}}, // fine: test support may use test support
		{Path: "cmd/lambda/get-profile", Imports: []string{"lambdafn"}},             // fine
	}
	got := strings.Join(Check(pkgs), "\n")
	for _, want := range []string{
		"orders (services) imports dynamo (adapters)",
		"httpapi (HTTP transport) imports test support internal/storetest",
		"bolt (adapters) imports app (assembly)",
		"package newthing has no layer",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Check missed %q; it said:\n%s", want, got)
		}
	}
	if strings.Contains(got, "internal/storetest (test support) imports") || strings.Contains(got, "get-profile") {
		t.Errorf("Check refused an allowed import:\n%s", got)
	}
}
