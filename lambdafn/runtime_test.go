package lambdafn_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/thebabesclub/dashboard/dynamo"
	"github.com/thebabesclub/dashboard/internal/dynamotest"
	"github.com/thebabesclub/dashboard/internal/lambdatest"
	"github.com/thebabesclub/dashboard/internal/markettest"
	"github.com/thebabesclub/dashboard/internal/sqstest"
	"github.com/thebabesclub/dashboard/internal/stripetest"
)

// The runtime tests build every cmd/lambda binary for this machine (once,
// in the background, while DynamoDB Local starts), run each as Lambda would
// — a subprocess talking to a Runtime API (package internal/lambdatest) — and feed
// it real-shaped events against DynamoDB Local, goaws and the Stripe and
// marketplace fakes.
//
// Cold starts are measured (process start → init done → first answer) and
// logged with -v; LAMBDA_COLDSTART_REPORT=file writes them as JSON for the
// benchmark. Nothing asserts on speed.

// Secrets the functions get; none of them may reach stdout or stderr.
const (
	jwtSecret     = "lambda-test-jwt-secret-0123456789abcdef"
	cursorSecret  = "lambda-test-cursor-secret-0123456789abcdef"
	prevSecret    = "lambda-test-previous-secret-fedcba98765"
	internalToken = "lambda-test-internal-token-0123456789abcdef"
	stripeSecret  = "sk_test_lambdaharness0123456789"
	stripeWebhook = "whsec_lambdaharness0123456789"
	nftSecret     = "lambda-test-nft-webhook-secret-0123456789"
	testWallet    = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
)

var (
	buildOnce sync.Once
	buildDone = make(chan struct{})
	binDir    string
	buildErr  error
	buildTime time.Duration

	coldMu     sync.Mutex
	coldStarts = map[string]coldStart{}
)

// coldStart is one function's first process: start → first Runtime API
// call (init done) → first answer (init plus the first invocation).
type coldStart struct {
	Function      string  `json:"function"`
	InitMs        float64 `json:"initMs"`
	FirstAnswerMs float64 `json:"firstAnswerMs"`
	BinaryBytes   int64   `json:"binaryBytes"`
}

func TestMain(m *testing.M) {
	code := m.Run()
	select {
	case <-buildDone:
	default:
		if binDir != "" {
			<-buildDone // never leave a go build running
		}
	}
	lambdatest.StopAll()
	dynamotest.Stop()
	reportColdStarts()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// startBuild starts building every cmd/lambda binary for this machine,
// with the production flags but the host's GOOS/GOARCH, in one go build
// (which links them in parallel).
func startBuild() {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lambdafn-bin-")
		if err != nil {
			buildErr = err
			close(buildDone)
			return
		}
		binDir = dir
		go func() {
			defer close(buildDone)
			start := time.Now()
			root, err := moduleRoot()
			if err != nil {
				buildErr = err
				return
			}
			goBin, err := exec.LookPath("go")
			if err != nil {
				goBin = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
			}
			cmd := exec.Command(goBin, "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w",
				"-o", dir+string(filepath.Separator), "./cmd/lambda/...")
			cmd.Dir = root
			// GOFLAGS is cleared so that a -race or -cover meant for the
			// tests does not reach the binaries (and CGO_ENABLED=0).
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build ./cmd/lambda/...: %v\n%s", err, out)
			}
			buildTime = time.Since(start)
		}()
	})
}

// binary returns the path of the host build of cmd/lambda/name.
func binary(t *testing.T, name string) string {
	t.Helper()
	startBuild()
	<-buildDone
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, name)
}

func moduleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s", wd)
		}
	}
}

// world is what one runtime test runs against: a fresh table on the shared
// DynamoDB Local and, on request, fakes of Stripe and the marketplace and a
// goaws queue. env is what every function started from it gets.
type world struct {
	t      *testing.T
	env    map[string]string
	store  *dynamo.Store
	stripe *stripetest.Server
	market *markettest.Server
	sqs    *sqs.Client
	queue  string
}

// newWorld starts the build (if no test has yet), then makes a table.
func newWorld(t *testing.T) *world {
	t.Helper()
	startBuild()
	ep := dynamotest.Endpoint(t)
	client, table := dynamotest.NewTable(t)
	return &world{t: t, store: dynamo.New(client, table), env: map[string]string{
		"DYNAMODB_ENDPOINT": ep, "COMMERCE_TABLE": table, "JWT_SECRET": jwtSecret, "CURSOR_SECRET": cursorSecret,
		"INTERNAL_TOKEN": internalToken, "LOG_LEVEL": "debug",
	}}
}

// withStripe turns Stripe on as the stack does: the key for the functions
// that call Stripe, STRIPE_ENABLED for list-orders.
func (w *world) withStripe() *world {
	w.stripe = stripetest.New(w.t)
	w.env["STRIPE_SECRET"], w.env["STRIPE_WEBHOOK_SECRET"] = stripeSecret, stripeWebhook
	w.env["STRIPE_API_BASE"], w.env["STRIPE_MAX_RPS"], w.env["STRIPE_ENABLED"] = w.stripe.URL(), "1000", "true"
	return w
}

// withMarket turns the marketplace on as the stack does: the key for the
// functions that call it, NFT_ENABLED for list-nfts.
func (w *world) withMarket() *world {
	w.market = markettest.NewOpenSea(w.t)
	w.env["NFT_PROVIDER"], w.env["NFT_API_BASE_URL"], w.env["NFT_API_KEY"] = "opensea", w.market.URL(), w.market.APIKey()
	w.env["NFT_ENABLED"] = "true"
	return w
}

func (w *world) withQueue() *world {
	w.sqs, w.queue = sqstest.NewQueue(w.t, time.Second)
	w.env["REFRESH_QUEUE_URL"], w.env["SQS_ENDPOINT"] = w.queue, sqstest.Endpoint(w.t)
	return w
}

// queued returns how many messages the world's queue holds.
func (w *world) queued() int {
	total, _ := sqstest.Counts(w.t, w.sqs, w.queue)
	return total
}

// function is one running function process and its Runtime API.
type function struct {
	t    *testing.T
	name string
	api  *lambdatest.Server
	proc *lambdatest.Process
	// invocations counts the answered invocations.
	invocations int
}

// functionEnvFile is the one table of what the CDK stack gives each
// function (infra/stack_test.go holds the synthesized template to it), so
// that each function is tested with only what it gets on AWS: a function
// that needed a variable it is not given fails here.
const functionEnvFile = "../infra/testdata/function-env.txt"

var (
	functionEnvOnce sync.Once
	functionEnvMap  map[string][]string
	functionEnvErr  error
)

// functionEnv returns, per function, every variable of functionEnvFile,
// including those the stack sets only when configured (NAME?).
func functionEnv(t *testing.T) map[string][]string {
	t.Helper()
	functionEnvOnce.Do(func() {
		raw, err := os.ReadFile(functionEnvFile)
		if err != nil {
			functionEnvErr = fmt.Errorf("the functions' environments: %w", err)
			return
		}
		functionEnvMap = map[string][]string{}
		for _, line := range strings.Split(string(raw), "\n") {
			line, _, _ = strings.Cut(line, "#")
			if fields := strings.Fields(line); len(fields) > 0 {
				for _, v := range fields[1:] {
					functionEnvMap[fields[0]] = append(functionEnvMap[fields[0]], strings.TrimSuffix(v, "?"))
				}
			}
		}
	})
	if functionEnvErr != nil {
		t.Fatal(functionEnvErr)
	}
	return functionEnvMap
}

// testEndpoints reach every function: they point the AWS SDK at DynamoDB
// Local and goaws, which the stack's functions find on their own.
var testEndpoints = []string{"DYNAMODB_ENDPOINT", "SQS_ENDPOINT"}

// start runs cmd/lambda/name with the part of the world's environment the
// stack gives that function (functionEnvFile), plus extra ("KEY=value"). The
// process is stopped when the test ends, after its output is checked for
// secrets and personal data.
func (w *world) start(name string, extra ...string) *function {
	t := w.t
	t.Helper()
	bin := binary(t, name)
	api, err := lambdatest.New(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { api.Close() })
	// The invocation deadline the function sees: the test's own, not a
	// fixed 30 s that a loaded machine could overrun.
	if d, ok := t.Deadline(); ok {
		api.Timeout = time.Until(d)
	}
	allowed, ok := functionEnv(t)[name]
	if !ok {
		t.Fatalf("%s does not list %s", functionEnvFile, name)
	}
	env := make([]string, 0, len(w.env)+len(extra))
	for k, v := range w.env {
		if slices.Contains(allowed, k) || slices.Contains(testEndpoints, k) {
			env = append(env, k+"="+v)
		}
	}
	proc, err := lambdatest.Start(bin, api, append(env, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	f := &function{t: t, name: name, api: api, proc: proc}
	t.Cleanup(func() {
		proc.Stop()
		f.checkOutput()
	})
	return f
}

// invoke sends v as the next event and returns the function's answer.
func (f *function) invoke(v any) lambdatest.Result {
	f.t.Helper()
	res, err := f.api.InvokeJSON(testContext(f.t), v)
	if err != nil {
		ie, _ := f.api.InitError()
		f.t.Fatalf("%s: %v (init error %+v)\nstderr:\n%s", f.name, err, ie, f.proc.Stderr())
	}
	f.invocations++
	if f.invocations == 1 {
		f.recordColdStart(res)
	}
	return res
}

// http invokes an API function with a proxy event and decodes the JSON body.
func (f *function) http(ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, map[string]any) {
	f.t.Helper()
	res := f.invoke(ev)
	if res.Error != nil {
		f.t.Fatalf("%s %s %s: function error %+v\nstderr:\n%s", f.name, ev.HTTPMethod, ev.Path, res.Error, f.proc.Stderr())
	}
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(res.Payload, &resp); err != nil {
		f.t.Fatalf("%s: not a proxy response: %s", f.name, res.Payload)
	}
	if got := header(resp, "X-Request-Id"); got != ev.RequestContext.RequestID {
		f.t.Errorf("%s %s: X-Request-Id %q, want API Gateway's %q", ev.HTTPMethod, ev.Path, got, ev.RequestContext.RequestID)
	}
	var body map[string]any
	if resp.Body != "" {
		if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
			f.t.Fatalf("%s %s: body is not JSON: %q", ev.HTTPMethod, ev.Path, resp.Body)
		}
	}
	return resp, body
}

// want checks a proxy response's status (and error code, when one is given).
func want(t *testing.T, what string, resp events.APIGatewayProxyResponse, body map[string]any, status int, code string) {
	t.Helper()
	if resp.StatusCode != status || (code != "" && body["code"] != code) {
		t.Errorf("%s = %d %s; want %d %s", what, resp.StatusCode, resp.Body, status, code)
	}
}

func header(resp events.APIGatewayProxyResponse, name string) string {
	if v := resp.MultiValueHeaders[name]; len(v) > 0 {
		return v[0]
	}
	return resp.Headers[name]
}

// metrics sums the function's EMF output (see sumMetrics). A function
// flushes its metrics before it answers, but its stdout reaches us through a
// pipe, so this waits until every answered invocation's Requests has
// arrived — woken by each write, with no window of its own.
func (f *function) metrics() map[string]float64 {
	f.t.Helper()
	out, err := f.proc.WaitStdout(testContext(f.t), func(out string) bool {
		return sumMetrics(f.t, out)["Requests"] >= float64(f.invocations)
	})
	if err != nil {
		f.t.Errorf("%s: waiting for the metrics of %d invocations: %v", f.name, f.invocations, err)
	}
	return sumMetrics(f.t, out)
}

// testContext ends shortly before the test binary's deadline (go test
// -timeout) and never after a fixed number of seconds: how long a function
// takes depends on the machine, and only a function that hangs — which the
// binary's deadline would catch anyway — may fail a test for time. The
// margin lets the test report what it was waiting for.
func testContext(t *testing.T) context.Context {
	t.Helper()
	d, ok := t.Deadline()
	if !ok {
		return context.Background()
	}
	margin := min(10*time.Second, time.Until(d)/10)
	ctx, cancel := context.WithDeadline(context.Background(), d.Add(-margin))
	t.Cleanup(cancel)
	return ctx
}

// checkOutput fails the test if a secret, token or email reached the
// function's output. Member ids are opaque and may appear.
func (f *function) checkOutput() {
	out := f.proc.Stdout() + f.proc.Stderr()
	for _, s := range []string{jwtSecret, prevSecret, cursorSecret, internalToken, stripeSecret, stripeWebhook, nftSecret,
		testWallet, strings.ToLower(testWallet), "@example.com", "eyJ"} {
		if strings.Contains(out, s) {
			f.t.Errorf("%s wrote %q to its output:\n%s", f.name, s, out)
		}
	}
	for _, line := range strings.Split(f.proc.Stdout(), "\n") {
		if line != "" && !strings.HasPrefix(line, `{"`) {
			f.t.Errorf("%s: stdout line is not an EMF document: %s", f.name, line)
		}
	}
}

func (f *function) recordColdStart(res lambdatest.Result) {
	ready, _ := f.api.FirstNext()
	var size int64
	if st, err := os.Stat(binary(f.t, f.name)); err == nil {
		size = st.Size()
	}
	coldMu.Lock()
	defer coldMu.Unlock()
	if _, seen := coldStarts[f.name]; !seen {
		coldStarts[f.name] = coldStart{Function: f.name, BinaryBytes: size,
			InitMs:        float64(ready.Sub(f.proc.Started).Microseconds()) / 1000,
			FirstAnswerMs: float64(res.Answered.Sub(f.proc.Started).Microseconds()) / 1000}
	}
}

// reportColdStarts prints the cold starts with -v and writes them to
// LAMBDA_COLDSTART_REPORT when set.
func reportColdStarts() {
	coldMu.Lock()
	defer coldMu.Unlock()
	if len(coldStarts) == 0 {
		return
	}
	rows := make([]coldStart, 0, len(coldStarts))
	for _, c := range coldStarts {
		rows = append(rows, c)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].FirstAnswerMs > rows[j].FirstAnswerMs })
	if path := os.Getenv("LAMBDA_COLDSTART_REPORT"); path != "" {
		b, _ := json.MarshalIndent(map[string]any{"goos/goarch": hostPlatform(), "buildMs": buildTime.Milliseconds(), "functions": rows}, "", "  ")
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "cold start report:", err)
		}
	}
	if slices.Contains(os.Args, "-test.v=true") || slices.Contains(os.Args, "-test.v") {
		fmt.Printf("\ncold starts (host build, %s; process start → init done → first answer):\n", hostPlatform())
		for _, c := range rows {
			fmt.Printf("  %-22s init %7.1f ms   first answer %7.1f ms   binary %5.1f MB\n", c.Function, c.InitMs, c.FirstAnswerMs, float64(c.BinaryBytes)/(1<<20))
		}
	}
}

func hostPlatform() string { return runtime.GOOS + "/" + runtime.GOARCH }
