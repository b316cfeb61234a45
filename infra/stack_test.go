package main

import (
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

// allFunctions is the plan's list of functions, functionSpecs, which
// TestEveryLambdaCommandIsASpec holds to cmd/lambda/<name>.
var allFunctions = specNames()

// TestSynthesisTime reports how long the shared synthesis took (Node start,
// aws-cdk-lib load and the synthesis itself), whichever test ran it first.
func TestSynthesisTime(t *testing.T) {
	s := defaultStack(t)
	t.Logf("synthesized %d resources in %v", len(s.cfn.Resources), s.took.Round(1e6))
}

func TestEveryFunctionIsProvidedAL2023OnARM64(t *testing.T) {
	s := defaultStack(t)
	ids := s.functionIDs(t)
	if got := sortedNames(ids); !slices.Equal(got, sorted(allFunctions)) {
		t.Fatalf("functions = %v, want %v", got, sorted(allFunctions))
	}
	fns := s.ofType("AWS::Lambda::Function")
	if len(fns) != len(allFunctions) {
		// A CDK helper (log retention, custom resource) would bring its own
		// function, runtime and role: there must be none.
		t.Errorf("%d AWS::Lambda::Function resources, want exactly %d", len(fns), len(allFunctions))
	}
	keys := s.ofType("AWS::KMS::Key")
	for name, id := range ids {
		p := fns[id].Properties
		if p["FunctionName"] != "BabesClubDashboard-"+name {
			t.Errorf("%s: function name %v", name, p["FunctionName"])
		}
		if p["Runtime"] != "provided.al2023" || !jsonEqual(p["Architectures"], []any{"arm64"}) || p["Handler"] != "bootstrap" {
			t.Errorf("%s: runtime %v, architectures %v, handler %v; want provided.al2023, [arm64], bootstrap",
				name, p["Runtime"], p["Architectures"], p["Handler"])
		}
		if mem, _ := p["MemorySize"].(float64); mem < 128 || mem > 2048 {
			t.Errorf("%s: memory %v MB", name, p["MemorySize"])
		}
		timeout, _ := p["Timeout"].(float64)
		if timeout <= 0 || timeout > 900 {
			t.Errorf("%s: timeout %v s", name, p["Timeout"])
		}
		if routed(name) && timeout > 29 {
			t.Errorf("%s: timeout %v s exceeds API Gateway's 29 s integration limit", name, timeout)
		}
		// Secrets in the environment are encrypted with the stack's
		// customer-managed key, which rotates.
		keyID, attr := getAtt(p["KmsKeyArn"])
		if _, ok := keys[keyID]; !ok || attr != "Arn" {
			t.Errorf("%s: KmsKeyArn %v is not the stack's KMS key", name, mustJSON(p["KmsKeyArn"]))
		} else if keys[keyID].Properties["EnableKeyRotation"] != true {
			t.Errorf("the environment key does not rotate")
		}
		// Logs go to an explicit log group with a retention.
		lc, _ := p["LoggingConfig"].(map[string]any)
		lg := s.cfn.Resources[ref(lc["LogGroup"])]
		if lg.Type != "AWS::Logs::LogGroup" || lg.Properties["RetentionInDays"] != float64(30) ||
			lg.Properties["LogGroupName"] != "/aws/lambda/BabesClubDashboard-"+name {
			t.Errorf("%s: log group %v (retention %v), want an AWS::Logs::LogGroup kept 30 days",
				name, mustJSON(lc["LogGroup"]), lg.Properties["RetentionInDays"])
		}
	}
}

// routed reports whether API Gateway invokes the function for a route.
func routed(name string) bool {
	for _, r := range routes() {
		if r.Function == name {
			return true
		}
	}
	return false
}

// dataServices are the services whose actions touch data; none may be
// allowed on every resource.
var dataServices = []string{"dynamodb:", "sqs:", "kms:", "s3:", "secretsmanager:", "ssm:", "sns:", "ses:", "logs:PutLogEvents", "logs:GetLogEvents"}

func TestNoWildcardPermissions(t *testing.T) {
	s := defaultStack(t)
	var docs []struct {
		where string
		doc   any
	}
	for id, r := range s.cfn.Resources {
		switch r.Type {
		case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
			docs = append(docs, struct {
				where string
				doc   any
			}{id, r.Properties["PolicyDocument"]})
		case "AWS::IAM::Role":
			for _, p := range asList(r.Properties["Policies"]) {
				pm, _ := p.(map[string]any)
				docs = append(docs, struct {
					where string
					doc   any
				}{id + " (inline)", pm["PolicyDocument"]})
			}
		}
	}
	if len(docs) == 0 {
		t.Fatal("no IAM policy in the template")
	}
	for _, d := range docs {
		for _, st := range statementsOf(d.doc) {
			for _, a := range st.Actions {
				if strings.Contains(a, "*") {
					t.Errorf("%s: wildcard action %q", d.where, a)
				}
			}
			for _, res := range st.Resources {
				str, isString := res.(string)
				if !isString || !(str == "*" || strings.HasSuffix(str, ":*") || strings.HasSuffix(str, "/*")) {
					continue
				}
				for _, a := range st.Actions {
					for _, svc := range dataServices {
						if strings.HasPrefix(a, svc) {
							t.Errorf("%s: data action %s on resource %q", d.where, a, str)
						}
					}
				}
				// Nothing in this stack needs "*" at all.
				t.Errorf("%s: statement on resource %q (actions %v)", d.where, str, st.Actions)
			}
		}
	}
	// The functions' roles carry no managed policy (not even
	// AWSLambdaBasicExecutionRole, whose log permissions cover every group).
	for name, id := range s.functionIDs(t) {
		roleID, _ := getAtt(s.cfn.Resources[id].Properties["Role"])
		if mp := s.cfn.Resources[roleID].Properties["ManagedPolicyArns"]; mp != nil {
			t.Errorf("%s: role has managed policies %v", name, mustJSON(mp))
		}
	}
}

// logs are every function's permissions on its own log group.
var logs = []string{"own-logs logs:CreateLogStream", "own-logs logs:PutLogEvents"}

// wantAccess is, per function, exactly the access its code needs
// (docs/operations.md, "IAM"): "<resource> <action>", where resource is
// table, index/<name>, queue or own-logs, and "[transaction]" marks an
// action allowed only inside TransactWriteItems.
var wantAccess = map[string][]string{
	"authorizer":  {},
	"get-profile": {"table dynamodb:GetItem"},
	"update-profile": {"table dynamodb:GetItem", "table dynamodb:UpdateItem", "table dynamodb:PutItem",
		"table dynamodb:DeleteItem", "table dynamodb:Query", "table dynamodb:BatchWriteItem",
		// The email move's check that no checkout email holds the address.
		"table dynamodb:ConditionCheckItem [transaction]",
		// Verification codes and the notice of an email change, through
		// SES from the configured sender only.
		"ses-identity ses:SendEmail [from no-reply@mail.babesclub.example]"},
	"list-orders": {"table dynamodb:Query", "queue sqs:SendMessage"},
	"get-order": {"table dynamodb:GetItem", "table dynamodb:PutItem", "table dynamodb:UpdateItem",
		"index/GSI1 dynamodb:Query", "index/GSI2 dynamodb:Query"},
	"list-nfts":        {"table dynamodb:GetItem", "table dynamodb:Query", "queue sqs:SendMessage"},
	"wallet-challenge": {"table dynamodb:GetItem", "table dynamodb:PutItem"},
	"wallet-verify": {"table dynamodb:GetItem", "table dynamodb:UpdateItem", "table dynamodb:DeleteItem",
		// The primary's wallet item: read, added if missing, verified.
		"table dynamodb:Query", "table dynamodb:PutItem"},
	"wallets": {"table dynamodb:GetItem", "table dynamodb:Query", "table dynamodb:PutItem",
		"table dynamodb:UpdateItem", "table dynamodb:DeleteItem",
		// A removed wallet's holdings go with it.
		"table dynamodb:BatchWriteItem",
		// A removal checks the claim of another member's proof.
		"table dynamodb:ConditionCheckItem [transaction]"},
	"checkout-emails": {"table dynamodb:GetItem", "table dynamodb:Query", "table dynamodb:PutItem",
		"table dynamodb:UpdateItem", "table dynamodb:DeleteItem",
		// Verify and delete check the lookups inside their transactions.
		"table dynamodb:ConditionCheckItem [transaction]",
		// The codes, through SES; a verification queues the address's sync.
		"ses-identity ses:SendEmail [from no-reply@mail.babesclub.example]", "queue sqs:SendMessage"},
	// Reads only, but for the one-a-minute limit (LIMIT#EXPORT).
	"export": {"table dynamodb:GetItem", "table dynamodb:PutItem", "table dynamodb:Query"},
	"stripe-webhook": {"table dynamodb:GetItem", "table dynamodb:PutItem", "table dynamodb:UpdateItem",
		"index/GSI1 dynamodb:Query", "index/GSI2 dynamodb:Query"},
	"nft-webhook": {"queue sqs:SendMessage"},
	"internal-sync-stripe": {"table dynamodb:GetItem", "table dynamodb:PutItem", "table dynamodb:UpdateItem",
		"table dynamodb:Query", // the member's checkout emails
		"index/GSI1 dynamodb:Query", "index/GSI2 dynamodb:Query"},
	// A wallet's members come from the wallet index (Query): no Scan.
	"internal-sync-nfts": {"table dynamodb:GetItem", "table dynamodb:Query",
		"table dynamodb:BatchWriteItem", "table dynamodb:UpdateItem"},
	"internal-fulfillment": {"table dynamodb:GetItem", "table dynamodb:PutItem", "index/GSI2 dynamodb:Query",
		// The shipped and delivered notices.
		"ses-identity ses:SendEmail [from no-reply@mail.babesclub.example]"},
	"order-refresh": {"table dynamodb:GetItem", "table dynamodb:PutItem", "table dynamodb:UpdateItem",
		// A wallet's members come from the wallet index (Query): no Scan.
		"table dynamodb:Query", "table dynamodb:BatchWriteItem", "index/GSI2 dynamodb:Query",
		// A checkout email's sessions are resolved like any: by customer too.
		"index/GSI1 dynamodb:Query",
		// The event source mapping's grant: consume the refresh queue.
		"queue sqs:ReceiveMessage", "queue sqs:DeleteMessage", "queue sqs:ChangeMessageVisibility",
		"queue sqs:GetQueueAttributes", "queue sqs:GetQueueUrl",
		// An NFT poll shard out of time queues its continuation.
		"queue sqs:SendMessage"},
	// The planner: the watermark, the latest run and the previous run's
	// checkpoints (a Query of its RECONCILE# partition); its windows go
	// to the refresh queue. No index: it files no session.
	"stripe-order-sync": {"table dynamodb:GetItem", "table dynamodb:PutItem", "table dynamodb:UpdateItem",
		"table dynamodb:Query", "queue sqs:SendMessage"},
	// The hourly poll's planner only queues one unit per wallet shard;
	// order-refresh lists each shard through the wallet-shard index.
	"nft-sync": {"queue sqs:SendMessage"},
}

// TestNoFunctionMayScan holds CONTRACT §10's "no request, webhook or job
// scans the table" on AWS: no function's role allows a Scan (the one
// accepted Scan, `dashboard migrate wallets`, runs from an operator's
// machine).
func TestNoFunctionMayScan(t *testing.T) {
	for name, access := range wantAccess {
		for _, a := range access {
			if strings.HasSuffix(a, "dynamodb:Scan") {
				t.Errorf("%s may Scan (%q)", name, a)
			}
		}
	}
	for _, f := range functionSpecs() {
		if slices.Contains(f.TableActions, "dynamodb:Scan") {
			t.Errorf("%s's spec allows a Scan", f.Name)
		}
	}
}

func TestEachFunctionHasExactlyTheAccessItsCodeNeeds(t *testing.T) {
	s := defaultStack(t)
	checkAccess(t, s, s.resolve(t, s.d.TableArn))
}

// checkAccess compares every function's permissions with wantAccess.
func checkAccess(t *testing.T, s *synthesized, table any) {
	t.Helper()
	// An index ARN is the table's ARN + "/index/<name>" (CloudFormation
	// flattens the join when the table ARN is itself a join).
	index := func(name string) any {
		return s.resolve(t, awscdk.Fn_Join(jsii.String(""), &[]*string{s.d.TableArn, jsii.String("/index/" + name)}))
	}
	queue := s.resolve(t, s.d.Queue.QueueArn())
	transaction := map[string]any{"ForAnyValue:StringEquals": map[string]any{"dynamodb:EnclosingOperation": []any{"TransactWriteItems"}}}
	// The sender's SES identity is its domain (testMailFrom's, lower-cased).
	sesIdentity := map[string]any{"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/mail.babesclub.example"}
	fromSender := map[string]any{"StringEquals": map[string]any{"ses:FromAddress": "no-reply@mail.babesclub.example"}}
	for name, id := range s.functionIDs(t) {
		fn := s.cfn.Resources[id].Properties
		roleID, _ := getAtt(fn["Role"])
		lc, _ := fn["LoggingConfig"].(map[string]any)
		ownLogs := map[string]any{"Fn::GetAtt": []any{ref(lc["LogGroup"]), "Arn"}}
		var got []string
		for _, st := range s.policiesOfRole(roleID) {
			if st.Effect != "Allow" {
				t.Errorf("%s: %s statement", name, st.Effect)
			}
			suffix := ""
			switch {
			case st.Conditions == nil:
			case jsonEqual(st.Conditions, transaction):
				suffix = " [transaction]"
			case jsonEqual(st.Conditions, fromSender):
				suffix = " [from no-reply@mail.babesclub.example]"
			default:
				suffix = " [condition " + mustJSON(st.Conditions) + "]"
			}
			for _, res := range st.Resources {
				what := mustJSON(res)
				switch {
				case jsonEqual(res, table):
					what = "table"
				case jsonEqual(res, queue):
					what = "queue"
				case jsonEqual(res, ownLogs):
					what = "own-logs"
				case jsonEqual(res, sesIdentity):
					what = "ses-identity"
				}
				for _, gsi := range []string{"GSI1", "GSI2", "GSI3"} {
					if jsonEqual(res, index(gsi)) {
						what = "index/" + gsi
					}
				}
				for _, a := range st.Actions {
					got = append(got, what+" "+a+suffix)
				}
			}
		}
		want, ok := wantAccess[name]
		if !ok {
			t.Errorf("no expected access for %s", name)
			continue
		}
		want = append(slices.Clone(logs), want...)
		if g, w := sorted(got), sorted(want); !slices.Equal(g, w) {
			t.Errorf("%s:\n got  %v\n want %v", name, g, w)
		}
	}
}

func TestImportedTableKeepsTheSameAccess(t *testing.T) {
	cfg := testConfig()
	cfg.ImportTable = true
	s := synth(t, cfg)
	s.tpl.ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(0))
	table := s.resolve(t, s.d.TableArn)
	if !strings.Contains(mustJSON(table), ":table/babesclub-commerce") {
		t.Fatalf("imported table ARN %s does not name babesclub-commerce", mustJSON(table))
	}
	checkAccess(t, s, table)
}

func TestTableMatchesTheContract(t *testing.T) {
	s := defaultStack(t)
	s.tpl.ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(1))
	gsi := func(name string) map[string]any {
		return map[string]any{
			"IndexName":  name,
			"KeySchema":  []any{map[string]any{"AttributeName": name + "PK", "KeyType": "HASH"}},
			"Projection": map[string]any{"ProjectionType": "ALL"},
		}
	}
	attr := func(name string) map[string]any { return map[string]any{"AttributeName": name, "AttributeType": "S"} }
	s.tpl.HasResource(jsii.String("AWS::DynamoDB::Table"), &map[string]any{
		"DeletionPolicy":      "Retain",
		"UpdateReplacePolicy": "Retain",
		"Properties": assertions.Match_ObjectEquals(&map[string]any{
			"TableName": "babesclub-commerce",
			"KeySchema": []any{
				map[string]any{"AttributeName": "PK", "KeyType": "HASH"},
				map[string]any{"AttributeName": "SK", "KeyType": "RANGE"},
			},
			"AttributeDefinitions":             []any{attr("PK"), attr("SK"), attr("GSI1PK"), attr("GSI2PK"), attr("GSI3PK")},
			"GlobalSecondaryIndexes":           []any{gsi("GSI1"), gsi("GSI2"), gsi("GSI3")},
			"BillingMode":                      "PAY_PER_REQUEST",
			"TimeToLiveSpecification":          map[string]any{"AttributeName": "expiresAt", "Enabled": true},
			"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
			"DeletionProtectionEnabled":        true,
		}),
	})
}

func TestRefreshQueueHasADeadLetterQueueAndPartialBatchFailures(t *testing.T) {
	s := defaultStack(t)
	queueID, _ := getAtt(s.resolve(t, s.d.Queue.QueueArn()))
	dlqID, _ := getAtt(s.resolve(t, s.d.DeadLetters.QueueArn()))
	q := s.cfn.Resources[queueID].Properties
	redrive, _ := q["RedrivePolicy"].(map[string]any)
	if id, _ := getAtt(redrive["deadLetterTargetArn"]); id != dlqID || redrive["maxReceiveCount"] != float64(5) {
		t.Errorf("redrive policy %s, want the dead-letter queue after 5 receives", mustJSON(redrive))
	}
	if s.cfn.Resources[dlqID].Type != "AWS::SQS::Queue" {
		t.Fatalf("dead-letter queue %s missing", dlqID)
	}
	ids := s.functionIDs(t)
	worker := s.cfn.Resources[ids["order-refresh"]].Properties
	if vis, timeout := q["VisibilityTimeout"].(float64), worker["Timeout"].(float64); vis < 6*timeout {
		t.Errorf("visibility timeout %v s < 6 × the worker's %v s", vis, timeout)
	}
	s.tpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), &map[string]any{
		"EventSourceArn":        map[string]any{"Fn::GetAtt": []any{queueID, "Arn"}},
		"FunctionName":          map[string]any{"Ref": ids["order-refresh"]},
		"FunctionResponseTypes": []any{"ReportBatchItemFailures"},
	})
	s.tpl.ResourceCountIs(jsii.String("AWS::Lambda::EventSourceMapping"), jsii.Number(1))
}

// stripeLiveReadLimit is Stripe's rate limit on reads in live mode, per
// account: what every function of the deployment shares.
const stripeLiveReadLimit = 100

// TestStripeRateShares holds the functions that call Stripe to one budget
// (docs/operations.md, "Stripe's rate budget"): exactly they get a share,
// the shares sum to at most the whole, order-refresh's processes are the
// event source's maximum concurrency (so its share holds however long the
// queue), and in the template the functions' STRIPE_MAX_RPS times their
// processes sum to at most the budget — which by default stays under
// Stripe's live limit — also with a test-mode budget.
func TestStripeRateShares(t *testing.T) {
	total := 0.0
	for _, f := range functionSpecs() {
		if f.hasEnv(envStripe) != (f.StripeShare > 0) || (f.StripeShare > 0 && f.StripeProcesses < 1) {
			t.Errorf("%s: share %v over %d processes with settings %v: exactly the functions holding the Stripe key get a share",
				f.Name, f.StripeShare, f.StripeProcesses, f.Env)
		}
		total += f.StripeShare
		if f.Name == fnOrderRefresh && f.StripeProcesses != refreshMaxConcurrency {
			t.Errorf("order-refresh splits its share over %d processes, but the queue runs up to %d", f.StripeProcesses, refreshMaxConcurrency)
		}
	}
	if total > 1 {
		t.Errorf("the Stripe shares sum to %v, more than the whole budget", total)
	}
	if DefaultConfig().StripeRateBudget > stripeLiveReadLimit {
		t.Errorf("the default budget %v is over Stripe's live limit", DefaultConfig().StripeRateBudget)
	}
	testMode := testConfig()
	testMode.StripeRateBudget = 22
	for _, c := range []struct {
		name   string
		s      *synthesized
		budget float64
	}{{"default", defaultStack(t), DefaultConfig().StripeRateBudget}, {"test-mode budget", synth(t, testMode), 22}} {
		name, s, budget := c.name, c.s, c.budget
		ids := s.functionIDs(t)
		sum := 0.0
		for _, f := range functionSpecs() {
			env, _ := s.cfn.Resources[ids[f.Name]].Properties["Environment"].(map[string]any)
			vars, _ := env["Variables"].(map[string]any)
			v, ok := vars["STRIPE_MAX_RPS"].(string)
			if ok != (f.StripeShare > 0) {
				t.Errorf("%s, %s: STRIPE_MAX_RPS = %v, share %v", name, f.Name, vars["STRIPE_MAX_RPS"], f.StripeShare)
				continue
			}
			if !ok {
				continue
			}
			rps, err := strconv.ParseFloat(v, 64)
			if err != nil || rps <= 0 {
				t.Errorf("%s, %s: STRIPE_MAX_RPS = %q, want a positive number", name, f.Name, v)
			}
			if want := budget * f.StripeShare / float64(f.StripeProcesses); rps > want || rps < want-0.01 {
				t.Errorf("%s, %s: STRIPE_MAX_RPS = %v, want its share %v", name, f.Name, rps, want)
			}
			sum += rps * float64(f.StripeProcesses)
		}
		if sum > budget {
			t.Errorf("%s: the functions may send %v Stripe requests a second, over the budget %v", name, sum, budget)
		}
		s.tpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), &map[string]any{
			"FunctionName":  map[string]any{"Ref": ids[fnOrderRefresh]},
			"ScalingConfig": map[string]any{"MaximumConcurrency": float64(refreshMaxConcurrency)},
		})
	}
	bad := testConfig()
	bad.StripeRateBudget = 0
	if err := bad.Validate(); err == nil {
		t.Error("a zero Stripe budget was accepted")
	}
}

func TestSchedules(t *testing.T) {
	s := defaultStack(t)
	ids := s.functionIDs(t)
	want := map[string]string{"cron(0 2 * * ? *)": ids["stripe-order-sync"], "rate(1 hour)": ids["nft-sync"]}
	rules := s.ofType("AWS::Events::Rule")
	if len(rules) != len(want) {
		t.Errorf("%d rules, want %d", len(rules), len(want))
	}
	for _, r := range rules {
		expr, _ := r.Properties["ScheduleExpression"].(string)
		targets := asList(r.Properties["Targets"])
		if len(targets) != 1 {
			t.Errorf("%s: %d targets", expr, len(targets))
			continue
		}
		target, _ := targets[0].(map[string]any)
		if id, _ := getAtt(target["Arn"]); id != want[expr] || want[expr] == "" {
			t.Errorf("schedule %q targets %s, want %s", expr, id, want[expr])
		}
	}
}

// functionEnvFile is the one table of the functions' environments, which
// lambdafn/runtime_test.go starts the functions with too.
const functionEnvFile = "testdata/function-env.txt"

// functionEnv reads functionEnvFile: per function, every variable it gets,
// and whether the variable is set only when its setting is configured
// (NAME?).
func functionEnv(t *testing.T) map[string]map[string]bool {
	t.Helper()
	raw, err := os.ReadFile(functionEnvFile)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]bool{}
	for i, line := range strings.Split(string(raw), "\n") {
		line, _, _ = strings.Cut(line, "#")
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		name := fields[0]
		if _, dup := out[name]; dup {
			t.Fatalf("%s:%d: %s is listed twice", functionEnvFile, i+1, name)
		}
		out[name] = map[string]bool{}
		for _, v := range fields[1:] {
			out[name][strings.TrimSuffix(v, "?")] = strings.HasSuffix(v, "?")
		}
	}
	return out
}

// fullConfig is testConfig with every optional setting configured, so that
// every variable of functionEnvFile is set.
func fullConfig() Config {
	c := testConfig()
	c.JWTIssuer, c.JWTAudience = "https://id.babesclub.example", "dashboard"
	c.StripeAPIBase = "https://stripe.babesclub.example"
	c.NFTAPIBaseURL, c.NFTCollections = "https://nft.babesclub.example", "babes-genesis"
	return c
}

func TestEnvironmentAndSecrets(t *testing.T) {
	table := functionEnv(t)
	for name := range table {
		if !slices.Contains(allFunctions, name) {
			t.Errorf("%s lists %s, which is not a function of infra/functions.go", functionEnvFile, name)
		}
	}
	t.Run("default", func(t *testing.T) { checkEnvironment(t, defaultStack(t), table, false) })
	t.Run("every setting configured", func(t *testing.T) { checkEnvironment(t, synth(t, fullConfig()), table, true) })
}

// checkEnvironment holds every function's environment to table: exactly
// its variables (without the optional ones unless configured), each secret
// a reference to its NoEcho parameter, and JWT_SECRET the authorizer's
// alone.
func checkEnvironment(t *testing.T, s *synthesized, table map[string]map[string]bool, configured bool) {
	params := map[string]string{} // env name → parameter logical id
	for _, p := range secretParams() {
		params[p.Env] = p.ID
		def, ok := s.cfn.Parameters[p.ID]
		if !ok || def["NoEcho"] != true || def["Type"] != "String" {
			t.Errorf("parameter %s: %v, want a NoEcho String", p.ID, def)
		}
		// Required secrets have no default: a deployment must name them.
		minLength := map[string]float64{"JWT_SECRET": 1, "CURSOR_SECRET": 32, "STRIPE_SECRET": 1, "STRIPE_WEBHOOK_SECRET": 1, "NFT_API_KEY": 1}
		required := minLength[p.Env] > 0
		if _, hasDefault := def["Default"]; required == hasDefault || (required && def["MinLength"] != minLength[p.Env]) {
			t.Errorf("parameter %s: default %v, min length %v; required: %v", p.ID, def["Default"], def["MinLength"], required)
		}
	}
	queueURL := s.resolve(t, s.d.Queue.QueueUrl())
	plain := map[string]string{ // the non-secret values the issue 10 settings must have
		"STRIPE_ENABLED": "true", "NFT_ENABLED": "true", "MAIL_TRANSPORT": "ses", "MAIL_FROM": testMailFrom,
		"SITE_ORIGIN": "http://localhost:5173",
	}
	jwtHolders := []string{}
	for name, id := range s.functionIDs(t) {
		p := s.cfn.Resources[id].Properties
		env, _ := p["Environment"].(map[string]any)
		vars, _ := env["Variables"].(map[string]any)
		listed, ok := table[name]
		if !ok {
			t.Errorf("%s does not list %s: name the variables it gets", functionEnvFile, name)
			continue
		}
		var want []string
		for v, optional := range listed {
			if configured || !optional {
				want = append(want, v)
			}
		}
		got := sortedNames(vars)
		for _, v := range got {
			if !slices.Contains(want, v) {
				t.Errorf("%s gets %s, which %s does not list for it", name, v, functionEnvFile)
			}
		}
		for _, v := range sorted(want) {
			if !slices.Contains(got, v) {
				t.Errorf("%s does not get %s, which %s lists for it", name, v, functionEnvFile)
			}
		}
		for k, v := range vars {
			if param, secret := params[k]; secret {
				if ref(v) != param {
					t.Errorf("%s: %s = %s, want a reference to parameter %s", name, k, mustJSON(v), param)
				}
				if k == "JWT_SECRET" {
					jwtHolders = append(jwtHolders, name)
				}
				continue
			}
			if k == "REFRESH_QUEUE_URL" && !jsonEqual(v, queueURL) {
				t.Errorf("%s: REFRESH_QUEUE_URL = %s", name, mustJSON(v))
			}
			if want, ok := plain[k]; ok && v != want {
				t.Errorf("%s: %s = %s, want %q", name, k, mustJSON(v), want)
			}
		}
	}
	if !slices.Equal(jwtHolders, []string{"authorizer"}) {
		t.Errorf("JWT_SECRET reaches %v; it must reach the authorizer alone", jwtHolders)
	}
}

// TestEthRpcUrlIsAnOptionalHTTPSSecret: ETH_RPC_URL usually carries a
// provider's API key in its path, so it is a NoEcho parameter (checked with
// the other secrets by TestEnvironmentAndSecrets); empty, the default,
// leaves smart-contract wallets off, and CloudFormation refuses an endpoint
// that would send the key in clear text.
func TestEthRpcUrlIsAnOptionalHTTPSSecret(t *testing.T) {
	s := defaultStack(t)
	def, ok := s.cfn.Parameters["EthRpcUrl"]
	if !ok {
		t.Fatal("no EthRpcUrl parameter")
	}
	if def["NoEcho"] != true || def["Default"] != "" {
		t.Errorf("EthRpcUrl: NoEcho %v, default %v; want a NoEcho parameter, empty by default", def["NoEcho"], def["Default"])
	}
	pattern, _ := def["AllowedPattern"].(string)
	// CloudFormation matches the whole value (Java regex); Go's regexp
	// agrees on this pattern's syntax.
	re, err := regexp.Compile("^(?:" + pattern + ")$")
	if err != nil {
		t.Fatalf("EthRpcUrl pattern %q: %v", pattern, err)
	}
	for value, allowed := range map[string]bool{
		"": true, "https://eth-mainnet.g.alchemy.com/v2/k3y": true, "https://rpc.example:8545": true,
		"http://eth-mainnet.g.alchemy.com/v2/k3y": false, "wss://eth-mainnet.g.alchemy.com/v2/k3y": false,
		"https://": false, "https://rpc.example/ k": false, "eth-mainnet.g.alchemy.com": false,
	} {
		if re.MatchString(value) != allowed {
			t.Errorf("EthRpcUrl %q: allowed %v, want %v", value, !allowed, allowed)
		}
	}
}

func TestNoSecretValueInTemplate(t *testing.T) {
	s := defaultStack(t)
	for env, v := range dummySecrets {
		if strings.Contains(s.json, v) {
			t.Errorf("the value of %s (from the environment or context) is in the template", env)
		}
	}
	if len(dummySecrets) != 9 {
		t.Errorf("%d secrets, want the 9 of CONTRACT §7 (ETH_RPC_URL, which carries a provider's key, among them)", len(dummySecrets))
	}
}

func sorted(l []string) []string {
	out := slices.Clone(l)
	sort.Strings(out)
	return out
}
