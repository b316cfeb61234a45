package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/thebabesclub/dashboard/awsenv"
	"github.com/thebabesclub/dashboard/demo"
	"github.com/thebabesclub/dashboard/dynamo"
	"github.com/thebabesclub/dashboard/internal/dynamotest"
	"github.com/thebabesclub/dashboard/lambdafn"
)

// TestMain stops the DynamoDB Local that BenchmarkDynamoFloor may start.
func TestMain(m *testing.M) { dynamotest.Main(m) }

// BenchmarkDynamoFloor is the DynamoDB floor of `make bench`: against
// DynamoDB Local, with the demo member's profile stored, it compares
//
//   - the get-profile Lambda function's handler, built by lambdafn.API
//     from the environment as the function's cold start builds it, and
//     invoked in-process the way the Lambda runtime invokes it
//     (lambda.NewHandler(...).Invoke of an API Gateway proxy event's JSON,
//     with the authorizer's context, answering JSON),
//   - dynamo.Store.GetProfile (the same read and its decoding, no HTTP),
//   - a bare GetItem of the same item (consistent, as the store reads it)
//     through an SDK client configured as dynamo.NewFromEnv configures the
//     handler's (the store keeps its client to itself),
//
// one of each per iteration, in rotating order, so a slow moment of the
// machine falls on all three alike. It reports each one's p50 and p99 in
// µs, and the handler's build time in ms: the first build in the process
// (init-cold-ms: the in-process cold start without the process start) and
// the median of floorRebuilds more (init-again-ms). Run it with
// -benchtime=Nx for N warm calls of each kind. It asserts nothing about
// speed; it fails only when a call fails or answers something else.
func BenchmarkDynamoFloor(b *testing.B) {
	ctx := context.Background()
	ep := dynamotest.Endpoint(b)
	client, table := dynamotest.NewTable(b)
	if err := demo.Seed(ctx, dynamo.New(client, table), time.Now()); err != nil {
		b.Fatal(err)
	}
	b.Setenv("DYNAMODB_ENDPOINT", ep)
	b.Setenv("COMMERCE_TABLE", table)
	b.Setenv("CURSOR_SECRET", "bench-cursor-secret-0123456789abcdef0123")

	build := func() (lambda.Handler, time.Duration) {
		start := time.Now()
		f := lambdafn.New("get-profile", os.Getenv, io.Discard, io.Discard)
		h, err := lambdafn.API(ctx, f)
		if err != nil {
			b.Fatal(err)
		}
		return lambda.NewHandler(h), time.Since(start)
	}
	handler, cold := build()
	again := make([]float64, floorRebuilds)
	for i := range again {
		_, d := build()
		again[i] = float64(d.Nanoseconds()) / 1e6
	}

	store, err := dynamo.NewFromEnv(ctx)
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := awsenv.Config(ctx, ep)
	if err != nil {
		b.Fatal(err)
	}
	bare := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(ep) })
	getItem := &dynamodb.GetItemInput{
		TableName: aws.String(table),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "USER#" + demo.Member.UserID},
			"SK": &types.AttributeValueMemberS{Value: "PROFILE"},
		},
		ConsistentRead: aws.Bool(true),
	}
	event, err := json.Marshal(profileEvent(time.Now().Add(time.Hour)))
	if err != nil {
		b.Fatal(err)
	}
	lctx := lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "bench-invocation"})
	wantUser := []byte(demo.Member.UserID)

	calls := [3]func() error{
		func() error { // the bare GetItem
			out, err := bare.GetItem(ctx, getItem)
			if err == nil && out.Item == nil {
				b.Fatal("bare GetItem found no profile")
			}
			return err
		},
		func() error { // the store's read
			_, err := store.GetProfile(ctx, demo.Member.UserID)
			return err
		},
		func() error { // the handler
			out, err := handler.Invoke(lctx, event)
			if err == nil && (!bytes.Contains(out, []byte(`"statusCode":200`)) || !bytes.Contains(out, wantUser)) {
				b.Fatalf("get-profile answered %s", out)
			}
			return err
		},
	}
	for i := 0; i < 100; i++ { // warm: connections, caches
		for _, c := range calls {
			if err := c(); err != nil {
				b.Fatal(err)
			}
		}
	}
	var lat [3][]time.Duration
	for i := range lat {
		lat[i] = make([]time.Duration, 0, max(b.N, 1024))
	}
	n := 0
	for b.Loop() {
		for k := range calls {
			j := (n + k) % len(calls)
			start := time.Now()
			err := calls[j]()
			d := time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			lat[j] = append(lat[j], d)
		}
		n++
	}
	for j, name := range []string{"getitem", "store", "handler"} {
		b.ReportMetric(micros(lat[j], 50), name+"-p50-us")
		b.ReportMetric(micros(lat[j], 99), name+"-p99-us")
	}
	b.ReportMetric(float64(cold.Nanoseconds())/1e6, "init-cold-ms")
	b.ReportMetric(median(again), "init-again-ms")
}

// micros is percentile in µs.
func micros(ds []time.Duration, q float64) float64 { return percentile(ds, q) * 1000 }

// profileEvent is GET /dashboard/profile as API Gateway's REST proxy sends
// it to get-profile: the demo member in the authorizer's context (what the
// TOKEN authorizer returned for a token expiring at exp).
func profileEvent(exp time.Time) events.APIGatewayProxyRequest {
	const path = "/dashboard/profile"
	headers := map[string]string{"Host": "abc123.execute-api.us-east-1.amazonaws.com", "User-Agent": "bench",
		"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7", "Accept": "application/json"}
	multi := map[string][]string{}
	for k, v := range headers {
		multi[k] = []string{v}
	}
	return events.APIGatewayProxyRequest{
		Resource: path, Path: path, HTTPMethod: "GET", Headers: headers, MultiValueHeaders: multi,
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID: "123456789012", ResourceID: "res1", Stage: "prod", RequestID: "bench-request",
			Identity:     events.APIGatewayRequestIdentity{SourceIP: "203.0.113.7", UserAgent: "bench"},
			ResourcePath: path, HTTPMethod: "GET", APIID: "abc123", Protocol: "HTTP/1.1",
			DomainName: "abc123.execute-api.us-east-1.amazonaws.com", RequestTimeEpoch: time.Now().UnixMilli(),
			Authorizer: map[string]any{
				"principalId": demo.Member.UserID, "userId": demo.Member.UserID, "email": demo.Member.Email,
				"role": demo.Member.Role, "displayName": demo.Member.DisplayName,
				lambdafn.ContextExp: strconv.FormatInt(exp.Unix(), 10),
			},
		},
	}
}
