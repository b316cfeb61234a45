package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/thebabesclub/dashboard/dynamo"
)

// Config is one run of the harness.
type Config struct {
	Dashboard          string // the dashboard binary
	Quick              bool
	Members, Small     int
	OrdersPer, NFTsPer float64
	Requests           int // timed requests per route and club size
	Sessions           int // Checkout Sessions the reconciliation files
	JobBudget          time.Duration
	Heap               string // DynamoDB Local's -Xmx
	Out                string // where the report goes too ("" for nowhere)
	// Endpoint is a running DynamoDB Local to use; empty starts one.
	Endpoint string
	// Seed is the club's generator seed.
	Seed int
}

// quick is c shrunk to a check of the harness: every step, little data.
func (c Config) quick() Config {
	// No job budget: the quick run checks that each job finishes, and a
	// slow, loaded machine must not make it stop short.
	c.Quick, c.Members, c.Small, c.Requests, c.Sessions, c.JobBudget = true, 2_000, 500, 30, 300, 0
	return c
}

// jobContext is the context a job runs in: ended at JobBudget, or only
// with ctx when JobBudget is 0.
func (c Config) jobContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.JobBudget <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, c.JobBudget)
}

// seedBlock is `dashboard seed`'s block: --from must be a multiple of it.
const seedBlock = 250

// run is the whole harness: start DynamoDB Local, seed the small club,
// measure the routes, grow the club, measure them again, run the jobs,
// print the tables.
func run(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	if cfg.Small <= 0 || cfg.Small%seedBlock != 0 || cfg.Small >= cfg.Members {
		return fmt.Errorf("-small must be a multiple of %d below -members", seedBlock)
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if _, err := os.Stat(cfg.Dashboard); err != nil {
		return fmt.Errorf("the dashboard binary: %w (run `make build`)", err)
	}
	var report strings.Builder
	w := io.MultiWriter(stdout, &report)
	logf := func(format string, args ...any) { fmt.Fprintf(stderr, "scale: "+format+"\n", args...) }
	fmt.Fprintf(w, "# make scale — %s, %s%s\n\n", time.Now().UTC().Format(time.RFC3339), machine(), loadAverage())

	endpoint := cfg.Endpoint
	if endpoint == "" {
		logf("starting DynamoDB Local (-Xmx%s)", cfg.Heap)
		ep, stop, err := startDynamo(cfg.Heap)
		if err != nil {
			return err
		}
		defer stop()
		endpoint = ep
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	table := "scale-" + hex.EncodeToString(b[:])
	plain := localClient(endpoint)
	if err := dynamo.CreateTable(ctx, plain, table); err != nil {
		return err
	}
	defer func() {
		// Bounded: a JVM still busy with an abandoned Scan may not answer.
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		plain.DeleteTable(c, &dynamodb.DeleteTableInput{TableName: aws.String(table)})
	}()

	asOf := time.Now().UTC().Truncate(time.Second)
	dir, err := os.MkdirTemp("", "scale-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	manifest := filepath.Join(dir, "club.jsonl")
	env := []string{"DYNAMODB_ENDPOINT=" + endpoint, "COMMERCE_TABLE=" + table, "LOG_LEVEL=error"}

	var seeds []seedRun
	logf("seeding members 0–%d", cfg.Small-1)
	s, err := seed(ctx, cfg, env, manifest, asOf, cfg.Small, 0, dir)
	if err != nil {
		return err
	}
	seeds = append(seeds, s)
	members, err := readManifest(manifest)
	if err != nil {
		return err
	}
	h, err := newHarness(endpoint, table, asOf)
	if err != nil {
		return err
	}
	routes := h.routes(ctx, members)
	// DynamoDB Local's JVM has just started: one untimed round first, so
	// that the small club is not measured against a cold JIT.
	if _, err := h.measure(ctx, routes, cfg.Requests); err != nil {
		return err
	}
	logf("measuring %d routes at %d members", len(routes), cfg.Small)
	small, err := h.measure(ctx, routes, cfg.Requests)
	if err != nil {
		return err
	}
	logf("seeding members %d–%d", cfg.Small, cfg.Members-1)
	s, err = seed(ctx, cfg, env, manifest, asOf, cfg.Members, cfg.Small, dir)
	if err != nil {
		return err
	}
	seeds = append(seeds, s)
	if members, err = readManifest(manifest); err != nil {
		return err
	}
	logf("measuring %d routes at %d members", len(routes), cfg.Members)
	full, err := h.measure(ctx, routes, cfg.Requests)
	if err != nil {
		return err
	}
	size := h.describe(ctx)
	printSeeding(w, cfg, seeds, size)
	printRoutes(w, cfg, routes, small, full)

	if cfg.JobBudget > 0 {
		logf("running the jobs (at most %s each)", cfg.JobBudget)
	} else {
		logf("running the jobs (each to its end)")
	}
	jobs, err := h.jobs(ctx, cfg, members, env, stderr)
	if err != nil {
		return err
	}
	printJobs(w, jobs)
	if in, ok := inputsOf(routes, full, jobs, size, cfg.Members); ok {
		printModel(w, in)
	} else {
		logf("the cost model needs every route and the poll, member-sync and reconciliation jobs: not printed")
	}
	if cfg.Out != "" {
		if err := os.MkdirAll(filepath.Dir(cfg.Out), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(cfg.Out, []byte(report.String()), 0o644); err != nil {
			return err
		}
		logf("wrote %s", cfg.Out)
	}
	return nil
}

// localClient is a DynamoDB client for DynamoDB Local (fake credentials).
func localClient(endpoint string, optFns ...func(*dynamodb.Options)) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	}, optFns...)
}

// seedRun is one `dashboard seed`.
type seedRun struct {
	From, To int // members From … To-1
	Elapsed  time.Duration
	Summary  string // the command's summary line
	Items    int
	Orders   int
	Holdings int
}

var seedSummary = regexp.MustCompile(`: (\d+) members, (\d+) orders, (\d+) NFT holdings, \d+ wallets; (\d+) items`)

// seed runs `dashboard seed` for members from … to-1 and checks that it
// seeded what was asked.
func seed(ctx context.Context, cfg Config, env []string, manifest string, asOf time.Time, to, from int, dir string) (seedRun, error) {
	args := []string{"seed", "--members", strconv.Itoa(to), "--orders-per-member", fmt.Sprint(cfg.OrdersPer),
		"--nfts-per-member", fmt.Sprint(cfg.NFTsPer), "--seed", strconv.Itoa(cfg.Seed), "--as-of", asOf.Format(time.RFC3339),
		"--manifest", manifest, "--data", filepath.Join(dir, "unused")}
	if from > 0 {
		args = append(args, "--from", strconv.Itoa(from))
	}
	cmd := exec.CommandContext(ctx, cfg.Dashboard, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	started := time.Now()
	if err := cmd.Run(); err != nil {
		return seedRun{}, fmt.Errorf("dashboard seed: %w: %s%s", err, out.String(), errOut.String())
	}
	r := seedRun{From: from, To: to, Elapsed: time.Since(started), Summary: strings.TrimSpace(out.String())}
	m := seedSummary.FindStringSubmatch(r.Summary)
	if m == nil {
		return r, fmt.Errorf("dashboard seed printed no summary: %q", r.Summary)
	}
	n := func(s string) int { v, _ := strconv.Atoi(s); return v }
	r.Items, r.Orders, r.Holdings = n(m[4]), n(m[2]), n(m[3])
	wantOrders := roundInt(float64(to)*cfg.OrdersPer) - roundInt(float64(from)*cfg.OrdersPer)
	wantNFTs := roundInt(float64(to)*cfg.NFTsPer) - roundInt(float64(from)*cfg.NFTsPer)
	if n(m[1]) != to-from || r.Orders != wantOrders || r.Holdings != wantNFTs {
		return r, fmt.Errorf("dashboard seed: %q, want %d members, %d orders, %d holdings", r.Summary, to-from, wantOrders, wantNFTs)
	}
	return r, nil
}

func roundInt(f float64) int { return int(f + 0.5) }

// member is one line of the seed manifest.
type member struct {
	Index            int      `json:"index"`
	UserID           string   `json:"userId"`
	Email            string   `json:"email"`
	DisplayName      string   `json:"displayName"`
	StripeCustomerID string   `json:"stripeCustomerId"`
	Orders           int      `json:"orders"`
	NewestOrder      string   `json:"newestOrder"`
	Holdings         int      `json:"holdings"`
	Collections      []string `json:"collections"`
	Wallets          []string `json:"wallets"`
}

func readManifest(path string) ([]member, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ms []member
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var m member
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return nil, fmt.Errorf("manifest: %w", err)
		}
		if m.Index != len(ms) {
			return nil, errors.New("manifest: members out of order")
		}
		ms = append(ms, m)
	}
	return ms, sc.Err()
}

func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if m := regexp.MustCompile(`model name\s*:\s*(.+)`).FindSubmatch(b); m != nil {
			cpu = strings.TrimSpace(string(m[1]))
		}
	}
	return fmt.Sprintf("%s, %d cores", cpu, runtime.NumCPU())
}

// loadAverage is the machine's load over the last minute as the run
// starts (Linux), so a reader can tell a quiet run from one that shared
// the machine; empty where unknown.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return ", load average " + f[0] + " at the start"
	}
	return ""
}
