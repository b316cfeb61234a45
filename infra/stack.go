package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// StackName is the CloudFormation stack of the dashboard backend.
const StackName = "BabesClubDashboard"

// Schedules of the two periodic jobs (CONTRACT §4: reconciliation nightly
// at 02:00 UTC; NFT poll hourly).
const (
	reconcileSchedule = "cron(0 2 * * ? *)"
	nftSyncSchedule   = "rate(1 hour)"
)

// Refresh queue settings.
const (
	refreshMaxReceiveCount = 5
	refreshBatchSize       = 5
	refreshMaxConcurrency  = 5
)

// DashboardStackProps configures NewDashboardStack.
type DashboardStackProps struct {
	awscdk.StackProps
	Config Config
	// Code returns the deployment package of the named function.
	Code func(name string) awslambda.Code
}

// Dashboard is the synthesized stack and the parts tests and outputs refer to.
type Dashboard struct {
	Stack       awscdk.Stack
	TableName   string
	TableArn    *string
	Queue       awssqs.Queue
	DeadLetters awssqs.Queue
	EnvKey      awskms.Key
	Functions   map[string]awslambda.Function
	Secrets     map[string]awscdk.CfnParameter
	API         *API

	// mailAddress and mailIdentity are the sender of member mails and its
	// SES identity (Config.mailSender).
	mailAddress, mailIdentity string
	// stripeRateBudget is Config.StripeRateBudget, which each Stripe
	// function's STRIPE_MAX_RPS is a share of.
	stripeRateBudget float64
}

// secretParam is one deploy-time secret: a NoEcho CloudFormation parameter
// whose value reaches the functions only as a KMS-encrypted environment
// variable.
type secretParam struct {
	ID       string // parameter logical id
	Env      string // CONTRACT §7 variable
	Required bool
	// MinLength of a required secret; 1 when zero.
	MinLength int
	Pattern   string // AllowedPattern, "" for none
	Help      string
}

// secretParams lists the secrets of CONTRACT §7.
func secretParams() []secretParam {
	return []secretParam{
		{ID: "JwtSecret", Env: "JWT_SECRET", Required: true,
			Help: "HS256 secret the identity service signs member JWTs with."},
		{ID: "JwtSecretPrevious", Env: "JWT_SECRET_PREVIOUS",
			Help: "Previous JWT secret, accepted too during a rotation; empty otherwise."},
		{ID: "CursorSecret", Env: "CURSOR_SECRET", Required: true, MinLength: 32,
			Help: "Key of the list cursors and verification-code hashes (at least 32 characters; not the JWT secret)."},
		{ID: "InternalToken", Env: "INTERNAL_TOKEN", Pattern: "^$|^.{32,}$",
			Help: "X-Internal-Token of the /internal routes (at least 32 characters); empty hides them."},
		{ID: "StripeSecret", Env: "STRIPE_SECRET", Required: true,
			Help: "Stripe secret API key (sk_… or a restricted rk_…)."},
		{ID: "StripeWebhookSecret", Env: "STRIPE_WEBHOOK_SECRET", Required: true,
			Help: "Signing secret (whsec_…) of the Stripe webhook endpoint."},
		{ID: "NftApiKey", Env: "NFT_API_KEY", Required: true,
			Help: "API key of the NFT marketplace named by nftProvider."},
		{ID: "NftWebhookSecret", Env: "NFT_WEBHOOK_SECRET",
			Help: "Signing key of the marketplace webhook (X-Alchemy-Signature); empty hides /webhooks/nfts."},
		// An endpoint, not a key, but a provider's endpoint carries the
		// API key in its path (https://eth-mainnet.g.alchemy.com/v2/<key>),
		// so it travels as a secret and never sits in cdk.json or the
		// template.
		{ID: "EthRpcUrl", Env: "ETH_RPC_URL", Pattern: "^$|^https://\\S+$",
			Help: "Ethereum JSON-RPC endpoint (https) through which smart-contract wallet signatures are checked (ERC-1271/6492); empty verifies externally owned accounts only."},
	}
}

// NewDashboardStack defines the whole backend: table, queue, functions, API,
// schedules and monitoring.
func NewDashboardStack(scope constructs.Construct, id string, props *DashboardStackProps) (*Dashboard, error) {
	cfg := props.Config
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if props.Code == nil {
		return nil, fmt.Errorf("no Code function for the Lambda packages")
	}
	sprops := props.StackProps
	if sprops.Description == nil {
		sprops.Description = jsii.String("The Babes Club member dashboard: API, functions, refresh queue, schedules, alarms")
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &sprops)
	d := &Dashboard{Stack: stack, TableName: cfg.TableName, Functions: map[string]awslambda.Function{}, Secrets: map[string]awscdk.CfnParameter{},
		stripeRateBudget: cfg.StripeRateBudget}
	var err error
	if d.mailAddress, d.mailIdentity, err = cfg.mailSender(); err != nil {
		return nil, err
	}

	for _, s := range secretParams() {
		p := &awscdk.CfnParameterProps{
			Type: jsii.String("String"), NoEcho: jsii.Bool(true), Description: jsii.String(s.Help),
		}
		if s.Required {
			p.MinLength = jsii.Number(max(s.MinLength, 1))
		} else {
			p.Default = jsii.String("")
		}
		if s.Pattern != "" {
			p.AllowedPattern = jsii.String(s.Pattern)
			p.ConstraintDescription = jsii.String(s.Help)
		}
		d.Secrets[s.Env] = awscdk.NewCfnParameter(stack, jsii.String(s.ID), p)
	}

	d.TableArn = newTable(stack, cfg)
	d.DeadLetters = awssqs.NewQueue(stack, jsii.String("RefreshDeadLetters"), &awssqs.QueueProps{
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
	})
	d.Queue = awssqs.NewQueue(stack, jsii.String("RefreshQueue"), &awssqs.QueueProps{
		VisibilityTimeout: duration(6 * refreshWorkerTimeout),
		RetentionPeriod:   awscdk.Duration_Days(jsii.Number(4)),
		Encryption:        awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		DeadLetterQueue:   &awssqs.DeadLetterQueue{Queue: d.DeadLetters, MaxReceiveCount: jsii.Number(refreshMaxReceiveCount)},
	})
	d.EnvKey = awskms.NewKey(stack, jsii.String("EnvironmentKey"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the dashboard functions' environment variables (secrets)"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})

	retain, err := retention(cfg.LogRetentionDays)
	if err != nil {
		return nil, err
	}
	envs := d.environments(cfg)
	for _, spec := range functionSpecs() {
		d.Functions[spec.Name] = d.newFunction(spec, props.Code(spec.Name), envs, retain)
	}

	d.Functions[fnOrderRefresh].AddEventSource(awslambdaeventsources.NewSqsEventSource(d.Queue, &awslambdaeventsources.SqsEventSourceProps{
		BatchSize:               jsii.Number(refreshBatchSize),
		MaxConcurrency:          jsii.Number(refreshMaxConcurrency),
		ReportBatchItemFailures: jsii.Bool(true),
	}))
	schedule(stack, "NightlyStripeReconciliation", reconcileSchedule, d.Functions[fnStripeOrderSync],
		"Runs the Stripe reconciliation (stripe-order-sync) nightly at 02:00 UTC")
	schedule(stack, "HourlyNftSync", nftSyncSchedule, d.Functions[fnNFTSync],
		"Polls the NFT marketplace for every member with a wallet (nft-sync)")

	if d.API, err = newAPI(stack, cfg, d.Functions, retain); err != nil {
		return nil, err
	}
	newMonitoring(stack, cfg, d)

	output := func(id, value, help string) {
		awscdk.NewCfnOutput(stack, jsii.String(id), &awscdk.CfnOutputProps{Value: jsii.String(value), Description: jsii.String(help)})
	}
	output("ApiUrl", *d.API.RestAPI.Url(), "Base URL of the API (stage included)")
	output("ApiId", *d.API.RestAPI.RestApiId(), "For aws apigateway flush-stage-authorizers-cache --rest-api-id")
	output("TableName", cfg.TableName, "COMMERCE_TABLE")
	output("RefreshQueueUrl", *d.Queue.QueueUrl(), "REFRESH_QUEUE_URL")
	output("RefreshDeadLetterQueueUrl", *d.DeadLetters.QueueUrl(), "Dead-letter queue of the refresh queue")
	output("RefreshDeadLetterQueueArn", *d.DeadLetters.QueueArn(), "For aws sqs start-message-move-task --source-arn")
	return d, nil
}

// newTable creates the contract's table, or imports the existing one, and
// returns its ARN.
func newTable(stack awscdk.Stack, cfg Config) *string {
	if cfg.ImportTable {
		return awsdynamodb.Table_FromTableName(stack, jsii.String("Table"), jsii.String(cfg.TableName)).TableArn()
	}
	str := func(name string) *awsdynamodb.Attribute {
		return &awsdynamodb.Attribute{Name: jsii.String(name), Type: awsdynamodb.AttributeType_STRING}
	}
	t := awsdynamodb.NewTable(stack, jsii.String("Table"), &awsdynamodb.TableProps{
		TableName:    jsii.String(cfg.TableName),
		PartitionKey: str("PK"),
		SortKey:      str("SK"),
		BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		DeletionProtection:  jsii.Bool(true),
		RemovalPolicy:       awscdk.RemovalPolicy_RETAIN,
		TimeToLiveAttribute: jsii.String("expiresAt"),
	})
	for _, gsi := range []string{gsi1, gsi2, gsi3} {
		t.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
			IndexName:      jsii.String(gsi),
			PartitionKey:   str(gsi + "PK"),
			ProjectionType: awsdynamodb.ProjectionType_ALL,
		})
	}
	return t.TableArn()
}

// environments returns the variables of each settings group.
func (d *Dashboard) environments(cfg Config) map[string]map[string]*string {
	secret := func(env string) *string { return d.Secrets[env].ValueAsString() }
	put := func(m map[string]*string, name, value string) {
		if value != "" {
			m[name] = jsii.String(value)
		}
	}
	store := map[string]*string{}
	put(store, "COMMERCE_TABLE", cfg.TableName)
	put(store, "NFT_CHAIN", cfg.NFTChain)

	stripe := map[string]*string{"STRIPE_SECRET": secret("STRIPE_SECRET")}
	put(stripe, "STRIPE_API_BASE", cfg.StripeAPIBase)
	put(stripe, "ORDER_STALE_AFTER", cfg.OrderStaleAfter)
	// STRIPE_SECRET is a required parameter, so Stripe is always on.
	stripeFlag := map[string]*string{"STRIPE_ENABLED": jsii.String("true")}
	put(stripeFlag, "ORDER_STALE_AFTER", cfg.OrderStaleAfter)

	nft := map[string]*string{"NFT_API_KEY": secret("NFT_API_KEY")}
	put(nft, "NFT_PROVIDER", cfg.NFTProvider)
	put(nft, "NFT_API_BASE_URL", cfg.NFTAPIBaseURL)
	put(nft, "NFT_COLLECTIONS", cfg.NFTCollections)
	put(nft, "NFT_STALE_AFTER", cfg.NFTStaleAfter)
	// NFT_API_KEY is required too: the marketplace is always on.
	nftFlag := map[string]*string{"NFT_ENABLED": jsii.String("true")}
	put(nftFlag, "NFT_STALE_AFTER", cfg.NFTStaleAfter)

	auth := map[string]*string{"JWT_SECRET": secret("JWT_SECRET"), "JWT_SECRET_PREVIOUS": secret("JWT_SECRET_PREVIOUS")}
	put(auth, "JWT_ISSUER", cfg.JWTIssuer)
	put(auth, "JWT_AUDIENCE", cfg.JWTAudience)

	return map[string]map[string]*string{
		envStore:         store,
		envHTTP:          {"CORS_ALLOW_ORIGINS": jsii.String(strings.Join(cfg.CORSAllowOrigins, ","))},
		envMember:        {"CURSOR_SECRET": secret("CURSOR_SECRET")},
		envStripe:        stripe,
		envStripeFlag:    stripeFlag,
		envNFT:           nft,
		envNFTFlag:       nftFlag,
		envAuth:          auth,
		envQueue:         {"REFRESH_QUEUE_URL": d.Queue.QueueUrl()},
		envInternal:      {"INTERNAL_TOKEN": secret("INTERNAL_TOKEN")},
		envStripeWebhook: {"STRIPE_WEBHOOK_SECRET": secret("STRIPE_WEBHOOK_SECRET")},
		envNFTWebhook:    {"NFT_WEBHOOK_SECRET": secret("NFT_WEBHOOK_SECRET")},
		envEthRPC:        {"ETH_RPC_URL": secret("ETH_RPC_URL")},
		envMail: {
			"MAIL_TRANSPORT": jsii.String("ses"),
			"MAIL_FROM":      jsii.String(cfg.MailFrom),
			"SITE_ORIGIN":    jsii.String(cfg.siteOrigin()),
		},
		envSite: {"SITE_ORIGIN": jsii.String(cfg.siteOrigin())},
		"":      {"LOG_LEVEL": jsii.String(cfg.LogLevel)},
	}
}

// sesIdentityArn is the ARN of the SES identity mail is sent under.
func sesIdentityArn(identity string) *string {
	return awscdk.Fn_Sub(jsii.String("arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/"+identity), nil)
}

// newFunction defines one function with its own log group and its own role,
// which holds exactly the spec's access and nothing else (no managed
// policies: the log permissions are scoped to the function's log group).
func (d *Dashboard) newFunction(spec functionSpec, code awslambda.Code, envs map[string]map[string]*string, retain awslogs.RetentionDays) awslambda.Function {
	stack := d.Stack
	id := constructID(spec.Name)
	// Fixed names (<stack>-<function>) so that runbooks can name them;
	// the log group is the one Lambda would use by default.
	name := *stack.StackName() + "-" + spec.Name
	logs := awslogs.NewLogGroup(stack, jsii.String(id+"Logs"), &awslogs.LogGroupProps{
		LogGroupName: jsii.String("/aws/lambda/" + name),
		Retention:    retain,
	})
	role := awsiam.NewRole(stack, jsii.String(id+"Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Execution role of the " + spec.Name + " function"),
	})
	allow := func(actions []string, resources []*string, conditions map[string]any) {
		st := &awsiam.PolicyStatementProps{Actions: jsii.Strings(actions...), Resources: &resources}
		if conditions != nil {
			st.Conditions = &conditions
		}
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(st))
	}
	allow([]string{"logs:CreateLogStream", "logs:PutLogEvents"}, []*string{logs.LogGroupArn()}, nil)
	if len(spec.TableActions) > 0 {
		allow(spec.TableActions, []*string{d.TableArn}, nil)
	}
	if len(spec.TransactionOnly) > 0 {
		allow(spec.TransactionOnly, []*string{d.TableArn}, map[string]any{
			"ForAnyValue:StringEquals": map[string]any{"dynamodb:EnclosingOperation": []string{"TransactWriteItems"}},
		})
	}
	for _, index := range []string{gsi1, gsi2, gsi3} {
		if actions := spec.IndexActions[index]; len(actions) > 0 {
			allow(actions, []*string{awscdk.Fn_Join(jsii.String(""), &[]*string{d.TableArn, jsii.String("/index/" + index)})}, nil)
		}
	}
	if spec.SendsRefresh {
		allow([]string{"sqs:SendMessage"}, []*string{d.Queue.QueueArn()}, nil)
	}
	if spec.SendsMail {
		// SES v2 SendEmail, on the sender's identity only and only with
		// its address in From: the function cannot send as anyone else.
		// (In the SES sandbox, recipients must be verified identities too;
		// production access lifts that, docs/operations.md.)
		allow([]string{"ses:SendEmail"}, []*string{sesIdentityArn(d.mailIdentity)}, map[string]any{
			"StringEquals": map[string]any{"ses:FromAddress": d.mailAddress},
		})
	}

	env := map[string]*string{}
	for k, v := range envs[""] {
		env[k] = v
	}
	for _, group := range spec.Env {
		for k, v := range envs[group] {
			env[k] = v
		}
	}
	if spec.StripeShare > 0 {
		env["STRIPE_MAX_RPS"] = jsii.String(spec.stripeMaxRPS(d.stripeRateBudget))
	}
	props := &awslambda.FunctionProps{
		FunctionName:          jsii.String(name),
		Description:           jsii.String(spec.description()),
		Runtime:               awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:          awslambda.Architecture_ARM_64(),
		Handler:               jsii.String("bootstrap"),
		Code:                  code,
		MemorySize:            jsii.Number(spec.MemoryMB),
		Timeout:               duration(spec.Timeout),
		Environment:           &env,
		EnvironmentEncryption: d.EnvKey,
		LogGroup:              logs,
		Role:                  role,
	}
	if !spec.isRoute() && spec.Name != fnAuthorizer && spec.Name != fnOrderRefresh {
		// Scheduled jobs: one retry of a failed run is enough (the next
		// run catches up anyway). A retried NFT poll plan is idempotent;
		// a retried reconciliation plan resumes the run the failed attempt
		// recorded (its windows not done queued again under its id, not
		// counted as failures) while that run is younger than
		// orders.DefaultReconcileResumeWithin, which is
		// refreshMaxReceiveCount × the refresh queue's visibility timeout.
		props.RetryAttempts = jsii.Number(1)
		props.MaxEventAge = awscdk.Duration_Hours(jsii.Number(1))
	}
	return awslambda.NewFunction(stack, jsii.String(id), props)
}

// schedule invokes fn on an EventBridge schedule expression.
func schedule(stack awscdk.Stack, id, expr string, fn awslambda.Function, help string) {
	awsevents.NewRule(stack, jsii.String(id), &awsevents.RuleProps{
		Description: jsii.String(help),
		Schedule:    awsevents.Schedule_Expression(jsii.String(expr)),
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{
			RetryAttempts: jsii.Number(2),
			MaxEventAge:   awscdk.Duration_Hours(jsii.Number(1)),
		})},
	})
}

// constructID turns a function name (get-profile) into a construct id
// (GetProfile).
func constructID(name string) string {
	var b strings.Builder
	for _, part := range strings.Split(name, "-") {
		switch part {
		case "nft", "nfts":
			b.WriteString(strings.ToUpper(part[:3]) + part[3:])
		default:
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

func duration(d time.Duration) awscdk.Duration {
	return awscdk.Duration_Seconds(jsii.Number(d.Seconds()))
}
