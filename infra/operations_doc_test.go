package main

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestOperationsDocNamesTheFunctions holds the operator's manual to the
// one list of functions: docs/operations.md's resources table names every
// function of functionSpecs, in order and with their count, and its table
// of secret parameters names, for each secret, exactly the functions that
// receive it (testdata/function-env.txt, which the synthesized template is
// held to). A function added, removed or given another secret fails here
// until the manual says so.
func TestOperationsDocNamesTheFunctions(t *testing.T) {
	raw, err := os.ReadFile(repoPath(t, "docs/operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	names := specNames()
	isFunction := map[string]bool{}
	for _, n := range names {
		isFunction[n] = true
	}
	// backticked returns the function names quoted in a table cell.
	quoted := regexp.MustCompile("`([^`]+)`")
	backticked := func(cell string) []string {
		var out []string
		for _, m := range quoted.FindAllStringSubmatch(cell, -1) {
			if isFunction[m[1]] {
				out = append(out, m[1])
			}
		}
		return out
	}
	env := functionEnv(t)
	secretRows := map[string]bool{}
	var listRow bool
	for _, line := range strings.Split(string(raw), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 {
			continue
		}
		first := strings.TrimSpace(cells[1])
		if strings.HasSuffix(first, "Lambda functions") {
			listRow = true
			if want := fmt.Sprintf("%d Lambda functions", len(names)); first != want {
				t.Errorf("operations.md says %q, want %q", first, want)
			}
			if got := backticked(cells[2]); !slices.Equal(got, names) {
				t.Errorf("operations.md lists the functions\n%v\nwant (infra/functions.go)\n%v", got, names)
			}
		}
		for _, s := range secretParams() {
			if first != "`"+s.ID+"`" || len(cells) < 6 {
				continue
			}
			secretRows[s.ID] = true
			var want []string
			for _, n := range names {
				if _, ok := env[n][s.Env]; ok {
					want = append(want, n)
				}
			}
			got := backticked(cells[4])
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("operations.md gives %s to %v; the stack gives it to %v", s.Env, got, want)
			}
		}
	}
	if !listRow {
		t.Error(`operations.md has no "N Lambda functions" row`)
	}
	for _, s := range secretParams() {
		if !secretRows[s.ID] {
			t.Errorf("operations.md has no row for the secret parameter %s", s.ID)
		}
	}
}
