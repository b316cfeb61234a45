package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
)

// The test harness: one synthesis of the stack, shared by the tests that
// only read it, and helpers that walk the CloudFormation template.

// dummySecrets are distinctive values for every secret. TestMain puts them
// in the environment of the Go process (where the stack code runs) and
// synth puts them in the CDK context, the two places a careless change
// might read them from; TestNoSecretValueInTemplate proves none reaches the
// template.
var dummySecrets = func() map[string]string {
	m := map[string]string{}
	for _, s := range secretParams() {
		m[s.Env] = "zz-dummy-" + strings.ToLower(strings.ReplaceAll(s.Env, "_", "-")) + "-8c41f7e2d9"
	}
	return m
}()

// placeholder is the stub package every test synthesis uses (the real
// zips come from `make lambdas`, which the infra tests do not need).
var placeholder string

func TestMain(m *testing.M) {
	if err := checkNode(); err != nil {
		fmt.Fprintln(os.Stderr, "infra tests cannot run:", err)
		os.Exit(1)
	}
	for k, v := range dummySecrets {
		os.Setenv(k, v)
	}
	dir, err := os.MkdirTemp("", "infra-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if placeholder, err = PlaceholderDir(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	jsii.Close()
	os.RemoveAll(dir)
	os.Exit(code)
}

// checkNode fails clearly when Node.js is missing or too old: synthesis
// runs aws-cdk-lib on Node through the jsii runtime (embedded in the Go
// module jsii-runtime-go), so without Node nothing here can run, and a
// skipped test would hide that.
func checkNode() error {
	path, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("node is not on PATH: the CDK synthesizes through the jsii runtime, which runs on Node.js (18 or later; 22 recommended)")
	}
	out, err := exec.Command(path, "--version").Output()
	if err != nil {
		return fmt.Errorf("%s --version: %w", path, err)
	}
	v := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	major, err := strconv.Atoi(strings.SplitN(v, ".", 2)[0])
	if err != nil || major < 18 {
		return fmt.Errorf("node %s is too old for the jsii runtime: install Node.js 18 or later", v)
	}
	return nil
}

// cdkJSONContext is the context of cdk.json (feature flags and defaults),
// so tests synthesize exactly what `cdk synth` does.
func cdkJSONContext(t testing.TB) map[string]any {
	t.Helper()
	raw, err := os.ReadFile("cdk.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("cdk.json: %v", err)
	}
	return f.Context
}

// synthesized is one synthesis: the stack, the assertions template and the
// template as plain JSON.
type synthesized struct {
	d    *Dashboard
	tpl  assertions.Template
	cfn  cfnTemplate
	json string
	took time.Duration
}

type cfnTemplate struct {
	Parameters map[string]map[string]any `json:"Parameters"`
	Conditions map[string]any            `json:"Conditions"`
	Resources  map[string]cfnResource    `json:"Resources"`
	Outputs    map[string]map[string]any `json:"Outputs"`
}

type cfnResource struct {
	Type           string         `json:"Type"`
	Properties     map[string]any `json:"Properties"`
	DeletionPolicy string         `json:"DeletionPolicy"`
}

// synth synthesizes the stack for cfg. A panic from the jsii runtime (Node
// failing, a CDK validation) becomes a test failure that says so.
func synth(t testing.TB, cfg Config) (s *synthesized) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("synthesis failed (jsii runtime on Node, or a CDK validation error): %v", r)
		}
	}()
	start := time.Now()
	ctx := cdkJSONContext(t)
	// The secrets in the context too: the stack must not read them there.
	for k, v := range dummySecrets {
		ctx[k] = v
	}
	for _, p := range secretParams() {
		ctx[p.ID] = dummySecrets[p.Env]
	}
	app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx})
	d, err := NewDashboardStack(app, StackName, &DashboardStackProps{
		Config: cfg,
		Code:   func(string) awslambda.Code { return awslambda.Code_FromAsset(jsii.String(placeholder), nil) },
	})
	if err != nil {
		t.Fatalf("NewDashboardStack: %v", err)
	}
	tpl := assertions.Template_FromStack(d.Stack, nil)
	raw, err := json.Marshal(tpl.ToJSON())
	if err != nil {
		t.Fatal(err)
	}
	s = &synthesized{d: d, tpl: tpl, json: string(raw), took: time.Since(start)}
	if err := json.Unmarshal(raw, &s.cfn); err != nil {
		t.Fatal(err)
	}
	return s
}

// testMailFrom is the sender the test stacks mail from; a deployment must
// name its own (mailFrom has no default).
const testMailFrom = "The Babes Club <No-Reply@Mail.BabesClub.example>"

// testConfig is the default configuration plus the settings a deployment
// must give (mailFrom).
func testConfig() Config {
	c := DefaultConfig()
	c.MailFrom = testMailFrom
	return c
}

var (
	sharedOnce sync.Once
	shared     *synthesized
)

// defaultStack is the stack of the default configuration, synthesized once.
func defaultStack(t *testing.T) *synthesized {
	t.Helper()
	sharedOnce.Do(func() { shared = synth(t, testConfig()) })
	if shared == nil {
		t.Fatal("the shared synthesis failed (see the first failing test)")
	}
	return shared
}

// resolve turns a token of the stack into its CloudFormation form, as JSON
// values (so it compares with the template's).
func (s *synthesized) resolve(t testing.TB, token any) any {
	t.Helper()
	raw, err := json.Marshal(s.d.Stack.Resolve(token))
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// ref returns the logical id a {"Ref": id} names, or "".
func ref(v any) string {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		if id, ok := m["Ref"].(string); ok {
			return id
		}
	}
	return ""
}

// getAtt returns the logical id and attribute of {"Fn::GetAtt": [id, attr]}.
func getAtt(v any) (id, attr string) {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		if l, ok := m["Fn::GetAtt"].([]any); ok && len(l) == 2 {
			id, _ = l[0].(string)
			attr, _ = l[1].(string)
		}
	}
	return id, attr
}

// ofType returns the logical ids of every resource of type typ.
func (s *synthesized) ofType(typ string) map[string]cfnResource {
	out := map[string]cfnResource{}
	for id, r := range s.cfn.Resources {
		if r.Type == typ {
			out[id] = r
		}
	}
	return out
}

// functionIDs maps each function name to its logical id.
func (s *synthesized) functionIDs(t testing.TB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, fn := range s.d.Functions {
		id := ref(s.resolve(t, fn.FunctionName()))
		if id == "" {
			t.Fatalf("function %s: no logical id", name)
		}
		out[name] = id
	}
	return out
}

// asList returns v as a list: a single value becomes a list of one.
func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

// statement is one IAM statement, normalized.
type statement struct {
	Effect     string
	Actions    []string
	Resources  []any
	Conditions map[string]any
}

func statementsOf(doc any) []statement {
	m, _ := doc.(map[string]any)
	var out []statement
	for _, raw := range asList(m["Statement"]) {
		st, _ := raw.(map[string]any)
		s := statement{Resources: asList(st["Resource"])}
		s.Effect, _ = st["Effect"].(string)
		for _, a := range asList(st["Action"]) {
			as, _ := a.(string)
			s.Actions = append(s.Actions, as)
		}
		s.Conditions, _ = st["Condition"].(map[string]any)
		out = append(out, s)
	}
	return out
}

// policiesOfRole returns the statements of every AWS::IAM::Policy attached
// to the role with logical id roleID, and of the role's inline policies.
func (s *synthesized) policiesOfRole(roleID string) []statement {
	var out []statement
	for _, r := range s.ofType("AWS::IAM::Policy") {
		for _, role := range asList(r.Properties["Roles"]) {
			if ref(role) == roleID {
				out = append(out, statementsOf(r.Properties["PolicyDocument"])...)
			}
		}
	}
	if role, ok := s.cfn.Resources[roleID]; ok {
		for _, p := range asList(role.Properties["Policies"]) {
			pm, _ := p.(map[string]any)
			out = append(out, statementsOf(pm["PolicyDocument"])...)
		}
	}
	return out
}

func jsonEqual(a, b any) bool { return reflect.DeepEqual(a, b) }

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

var snakeCase = regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
