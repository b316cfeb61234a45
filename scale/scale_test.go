package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thebabesclub/dashboard/internal/dynamotest"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

// TestQuick runs the whole harness on the quick club (2,000 members) so
// that `make scale` cannot rot: the seed commands must seed exactly what
// they were asked (the harness checks their summaries), every route must
// answer 200 at both sizes, and every job must run to its end (quick mode
// gives jobs no time budget). It asserts nothing about time: the machine's
// speed is not the test's business.
func TestQuick(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "dashboard")
	build := exec.Command("go", "build", "-o", bin, "../cmd/dashboard")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cfg := Config{Dashboard: bin, Heap: "1g", OrdersPer: 10, NFTsPer: 2, Endpoint: dynamotest.Endpoint(t),
		Out: filepath.Join(t.TempDir(), "last.md")}.quick()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), cfg, &out, &errOut); err != nil {
		t.Fatalf("scale: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	t.Log("\n" + out.String())
	report, err := os.ReadFile(cfg.Out)
	if err != nil {
		t.Fatal(err)
	}
	if string(report) != out.String() {
		t.Error("the report file differs from what was printed")
	}
	for _, want := range []string{
		"| **all 2000** | **20000** | **4000** |",
		"GET /dashboard/profile", "GET /dashboard/orders (first page)", "GET /dashboard/orders (deep page)",
		"GET /dashboard/orders/{id} (cached)", "GET /dashboard/nfts |", "GET /dashboard/nfts?collectionId=babes-club",
		"GET /dashboard/wallets", "GET /dashboard/emails",
		"holders of babes-club", "reconciliation", "member sync", "Stripe members (EachStripeMember", "sync stripe --all", "NFT poll",
		"## Cost model", "| **total** |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, out.String())
		}
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "| GET ") && !strings.HasSuffix(line, "| 0 | 0 |") {
			t.Errorf("a route queued refreshes or failed (the last two columns): %s", line)
		}
		if strings.Contains(line, "stopped at the budget") || strings.Contains(line, "| 0 members |") || strings.Contains(line, "| 0 sessions |") {
			t.Errorf("a job did not finish or did nothing: %s", line)
		}
	}
	// Every session of the reconciliation is the member's.
	if !strings.Contains(out.String(), "300 created, 0 unresolved") {
		t.Errorf("the reconciliation did not file every session:\n%s", out.String())
	}
}
