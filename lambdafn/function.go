package lambdafn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/thebabesclub/dashboard/app"
	"github.com/thebabesclub/dashboard/obs"
)

// Function is one Lambda function's process: what its cold start built,
// shared by every invocation the process serves.
type Function struct {
	// Name is the function's logical name (get-profile, order-refresh …),
	// the value of the metrics' Function dimension.
	Name    string
	Logger  *slog.Logger
	Metrics *obs.Metrics
	getenv  func(string) string
	logs    io.Writer
}

// New returns the Function called name, logging JSON to logs and writing
// EMF metrics to metrics (stderr and stdout on Lambda; CloudWatch Logs keeps
// both). It makes its logger slog's default, because queue.HandleBatch and
// other shared code log through slog.Default. getenv is os.Getenv outside
// tests: the DynamoDB and SQS clients read the process environment
// themselves, so a getenv that disagrees with it would configure half a
// function.
func New(name string, getenv func(string) string, metrics, logs io.Writer) *Function {
	f := &Function{
		Name:    name,
		Logger:  obs.NewLogger(logs, getenv("LOG_LEVEL")),
		Metrics: obs.NewMetrics(metrics, name),
		getenv:  getenv,
		logs:    logs,
	}
	slog.SetDefault(f.Logger)
	return f
}

// Builder is a cold start: it builds one function's invocation handler from
// its Function. Builders are API, MachineAPI, TokenAuthorizer,
// RefreshWorker, OrderReconciliation and NFTPoll.
type Builder[H any] func(ctx context.Context, f *Function) (H, error)

// Run is the whole main of a Lambda function: the cold start (New, then
// build) once per process, then the Lambda loop. It never returns. A cold
// start that fails is reported to the Runtime API (init/error, so the
// invocation that caused the start fails with the reason) and the process
// exits, rather than serving invocations with half a configuration.
func Run[H any](name string, build Builder[H]) {
	f := New(name, os.Getenv, os.Stdout, os.Stderr)
	ctx, cancel := context.WithTimeout(context.Background(), initTimeout)
	h, err := build(ctx, f)
	cancel()
	if err != nil {
		f.Logger.Error("cold start failed", slog.String("function", name), slog.Any("error", err))
		if rerr := reportInitError(os.Getenv("AWS_LAMBDA_RUNTIME_API"), err); rerr != nil {
			f.Logger.Error("could not report the init error", slog.Any("error", rerr))
		}
		os.Exit(1)
	}
	lambda.Start(h)
}

// initTimeout bounds the cold start; Lambda itself allows ten seconds.
const initTimeout = 8 * time.Second

// App builds the dashboard from the environment (app.New) on DynamoDB and
// counts every store, Stripe and marketplace call as an upstream call. A
// Lambda function never falls back to the embedded store: its files would
// vanish with the execution environment, so an unset COMMERCE_TABLE (and
// DYNAMODB_ENDPOINT) fails the cold start instead. Nothing here makes a
// network call; the AWS SDK resolves credentials on first use.
func (f *Function) App(ctx context.Context) (*app.App, error) {
	if f.getenv("COMMERCE_TABLE") == "" && f.getenv("DYNAMODB_ENDPOINT") == "" {
		return nil, errors.New("lambdafn: COMMERCE_TABLE is not set; Lambda functions keep their data in DynamoDB only")
	}
	a, err := app.New(ctx, f.getenv, "", f.logs)
	if err != nil {
		return nil, err
	}
	meter(a, f.Metrics)
	return a, nil
}

// finish records an invocation's Requests, Errors and Latency and flushes
// the metrics, so each invocation's numbers reach CloudWatch even if the
// execution environment is frozen or reclaimed right after.
func (f *Function) finish(ctx context.Context, start time.Time, failed bool) {
	f.Metrics.Count(obs.MetricRequests, 1)
	f.Metrics.Count(obs.MetricErrors, boolCount(failed))
	f.Metrics.Millis(obs.MetricLatency, time.Since(start))
	if err := f.Metrics.Flush(); err != nil {
		f.Logger.WarnContext(ctx, "metrics: flush failed", slog.Any("error", err))
	}
}

// withInvocation returns ctx carrying the Lambda request id for the log
// lines of an invocation that has no API Gateway request id.
func withInvocation(ctx context.Context) context.Context {
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		return obs.WithRequestID(ctx, lc.AwsRequestID)
	}
	return ctx
}

func boolCount(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// initErrorType is the Runtime API error type of a failed cold start:
// nearly always a missing or malformed setting.
const initErrorType = "Runtime.ConfigInvalid"

// reportInitError posts err to the Runtime API's init/error endpoint at
// api (host:port from AWS_LAMBDA_RUNTIME_API), so Lambda shows the reason
// instead of only "Runtime exited". The message is redacted like a log line.
func reportInitError(api string, err error) error {
	if api == "" {
		return errors.New("AWS_LAMBDA_RUNTIME_API is not set")
	}
	body, _ := json.Marshal(map[string]any{
		"errorMessage": obs.RedactString(err.Error()),
		"errorType":    initErrorType,
		"stackTrace":   []string{},
	})
	req, rerr := http.NewRequest(http.MethodPost, "http://"+api+"/2018-06-01/runtime/init/error", bytes.NewReader(body))
	if rerr != nil {
		return rerr
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Lambda-Runtime-Function-Error-Type", initErrorType)
	resp, rerr := (&http.Client{Timeout: 2 * time.Second}).Do(req)
	if rerr != nil {
		return rerr
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("init/error answered %s", resp.Status)
	}
	return nil
}
