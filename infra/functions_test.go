package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The tests here hold the other places that name the Lambda functions to
// functionSpecs, the one list. They read the dashboard module's files as
// text: infra is a module of its own and imports none of the dashboard's
// packages (a replace directive would pull the whole application's
// dependencies into the CDK app's module graph for a few names).

var update = flag.Bool("update", false, "rewrite the table of functions in lambdafn/doc.go from functionSpecs")

// repoPath returns the path of rel in the dashboard module, the parent of
// infra/.
func repoPath(t *testing.T, rel string) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !strings.Contains(string(mod), "module github.com/thebabesclub/dashboard\n") {
		t.Fatalf("%s is not the dashboard module (go.mod: %v): these tests read its files", root, err)
	}
	return filepath.Join(root, filepath.FromSlash(rel))
}

func specNames() []string {
	var names []string
	for _, f := range functionSpecs() {
		names = append(names, f.Name)
	}
	return names
}

// TestFunctionSpecsAreConsistent checks what the table implies about
// itself: the routes are unique, behind the authorizer exactly under
// /dashboard/ (where the API answers preflights), served only by the HTTP
// builders, and each builder gets the settings it refuses to start
// without.
func TestFunctionSpecsAreConsistent(t *testing.T) {
	seen := map[string]string{}
	for _, f := range functionSpecs() {
		if _, dup := seen[f.Name]; dup {
			t.Errorf("function %s is listed twice", f.Name)
		}
		seen[f.Name] = f.Name
		http := f.Builder == builderAPI || f.Builder == builderMachineAPI
		if http != f.isRoute() {
			t.Errorf("%s: builder %s with routes %v: API and MachineAPI functions serve routes, the others none", f.Name, f.Builder, f.Routes)
		}
		if f.isRoute() != f.hasEnv(envHTTP) {
			t.Errorf("%s: routes %v but settings %v: a function with routes gets envHTTP (the CORS allow-list), one without does not", f.Name, f.Routes, f.Env)
		}
		// lambdafn.API insists on CURSOR_SECRET; MachineAPI functions hold
		// no key they do not use.
		if (f.Builder == builderAPI) != f.hasEnv(envMember) {
			t.Errorf("%s: builder %s with settings %v: exactly the API functions get envMember (CURSOR_SECRET)", f.Name, f.Builder, f.Env)
		}
		if (f.Builder == builderTokenAuthorizer) != f.hasEnv(envAuth) {
			t.Errorf("%s: builder %s with settings %v: exactly the authorizer gets envAuth (JWT_SECRET)", f.Name, f.Builder, f.Env)
		}
	}
	routedTo := map[string]string{}
	for _, r := range routes() {
		key := r.Method + " " + r.Path
		if !regexp.MustCompile(`^(GET|PUT|POST|PATCH|DELETE) /[^ ]*$`).MatchString(key) {
			t.Errorf("%s: route %q is not \"METHOD /path\"", r.Function, key)
		}
		if other, dup := routedTo[key]; dup {
			t.Errorf("%s is routed to both %s and %s", key, other, r.Function)
		}
		routedTo[key] = r.Function
		if r.Member != strings.HasPrefix(r.Path, "/dashboard/") {
			t.Errorf("%s (%s): member route %v, but member routes are exactly those under /dashboard/", key, r.Function, r.Member)
		}
	}
}

// TestEveryLambdaCommandIsASpec holds cmd/lambda to functionSpecs: one
// folder per spec and no other (scripts/lambdas.sh packs every folder, the
// stack deploys every spec), each main the one line lambdafn.Run(name,
// lambdafn.<Builder>), and a doc comment that names the function's routes.
func TestEveryLambdaCommandIsASpec(t *testing.T) {
	dir := repoPath(t, "cmd/lambda")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var commands []string
	for _, e := range entries {
		if e.IsDir() {
			commands = append(commands, e.Name())
		}
	}
	specs := map[string]functionSpec{}
	for _, f := range functionSpecs() {
		specs[f.Name] = f
		if !slices.Contains(commands, f.Name) {
			t.Errorf("infra/functions.go lists %s, but there is no cmd/lambda/%s: `make lambdas` builds no package for it", f.Name, f.Name)
		}
	}
	known := knownRoutes()
	for _, name := range commands {
		spec, ok := specs[name]
		if !ok {
			t.Errorf("cmd/lambda/%s has no functionSpec in infra/functions.go: it would be built but never deployed", name)
			continue
		}
		path := filepath.Join(dir, name, "main.go")
		file, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments)
		if err != nil {
			t.Errorf("cmd/lambda/%s: %v", name, err)
			continue
		}
		runName, builder, ok := lambdaRun(file)
		switch {
		case !ok:
			t.Errorf("cmd/lambda/%s/main.go: main is not the one line lambdafn.Run(%q, lambdafn.%s)", name, name, spec.Builder)
		case runName != name:
			t.Errorf("cmd/lambda/%s/main.go runs lambdafn.Run(%q, …): the name must be its folder's, %q", name, runName, name)
		case builder != spec.Builder:
			t.Errorf("cmd/lambda/%s/main.go runs lambdafn.%s, but infra/functions.go says its builder is %s", name, builder, spec.Builder)
		}

		doc := strings.Join(strings.Fields(file.Doc.Text()), " ")
		if !strings.HasPrefix(doc, "Command "+name+" ") {
			t.Errorf("cmd/lambda/%s/main.go: the doc comment does not start with \"Command %s\": %q", name, name, doc)
		}
		var named []string
		for _, m := range routeMention.FindAllStringSubmatch(doc, -1) {
			if r := m[1] + " " + strings.TrimRight(m[2], ".,;:)"); known[r] {
				named = append(named, r)
			}
		}
		for _, r := range spec.Routes {
			if !slices.Contains(named, r) {
				t.Errorf("cmd/lambda/%s/main.go: the doc comment does not name its route %s (infra/functions.go)", name, r)
			}
		}
		for _, r := range named {
			if !slices.Contains(spec.Routes, r) {
				t.Errorf("cmd/lambda/%s/main.go: the doc comment names %s, which infra/functions.go routes to another function", name, r)
			}
		}
	}
}

// routeMention is a route named in prose: "GET /dashboard/orders".
var routeMention = regexp.MustCompile(`\b(GET|PUT|POST|PATCH|DELETE) (/\S*)`)

// knownRoutes is every route of the API, as "METHOD /path".
func knownRoutes() map[string]bool {
	m := map[string]bool{}
	for _, r := range routes() {
		m[r.Method+" "+r.Path] = true
	}
	return m
}

// lambdaRun returns the name and builder of a main that is exactly
// lambdafn.Run("name", lambdafn.Builder).
func lambdaRun(file *ast.File) (name, builder string, ok bool) {
	for _, d := range file.Decls {
		fn, isFunc := d.(*ast.FuncDecl)
		if !isFunc || fn.Name.Name != "main" || fn.Recv != nil {
			continue
		}
		if fn.Body == nil || len(fn.Body.List) != 1 {
			return "", "", false
		}
		stmt, isExpr := fn.Body.List[0].(*ast.ExprStmt)
		if !isExpr {
			return "", "", false
		}
		call, isCall := stmt.X.(*ast.CallExpr)
		if !isCall || !isSelector(call.Fun, "lambdafn", "Run") || len(call.Args) != 2 {
			return "", "", false
		}
		lit, isLit := call.Args[0].(*ast.BasicLit)
		sel, isSel := call.Args[1].(*ast.SelectorExpr)
		if !isLit || lit.Kind != token.STRING || !isSel || !isSelector(sel, "lambdafn", sel.Sel.Name) {
			return "", "", false
		}
		name, err := strconv.Unquote(lit.Value)
		return name, sel.Sel.Name, err == nil
	}
	return "", "", false
}

func isSelector(e ast.Expr, pkg, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == pkg && sel.Sel.Name == name
}

// docTableIntro is the line of lambdafn/doc.go after which the table of
// functions follows (after one empty comment line).
const docTableIntro = "// The functions of the plan, their builders and what each serves:"

// docTable renders the table of functions of lambdafn/doc.go: name,
// builder, and the routes (or, for a function without routes, its
// description).
func docTable() []string {
	specs := functionSpecs()
	nameW, builderW, methodW := 0, 0, 0
	for _, f := range specs {
		nameW, builderW = max(nameW, len(f.Name)), max(builderW, len(f.Builder))
		if len(f.Routes) > 0 {
			method, _, _ := strings.Cut(f.Routes[0], " ")
			methodW = max(methodW, len(method))
		}
	}
	var lines []string
	for _, f := range specs {
		serves := f.description()
		if len(f.Routes) > 0 {
			method, path, _ := strings.Cut(f.Routes[0], " ")
			serves = strings.Join(append([]string{fmt.Sprintf("%-*s %s", methodW, method, path)}, f.Routes[1:]...), ", ")
		}
		lines = append(lines, fmt.Sprintf("//\t%-*s  %-*s  %s", nameW, f.Name, builderW, f.Builder, serves))
	}
	return lines
}

// TestLambdafnDocListsTheFunctions keeps the table of functions in
// lambdafn/doc.go generated from functionSpecs; -update rewrites it.
func TestLambdafnDocListsTheFunctions(t *testing.T) {
	path := repoPath(t, "lambdafn/doc.go")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	intro := slices.Index(lines, docTableIntro)
	if intro < 0 || intro+2 >= len(lines) || lines[intro+1] != "//" {
		t.Fatalf("lambdafn/doc.go has no line %q followed by an empty comment line: the table of functions goes after them", docTableIntro)
	}
	start, end := intro+2, intro+2
	for end < len(lines) && strings.HasPrefix(lines[end], "//\t") {
		end++
	}
	got, want := lines[start:end], docTable()
	if slices.Equal(got, want) {
		return
	}
	if *update {
		out := slices.Concat(lines[:start], want, lines[end:])
		if err := os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the table of functions in %s", path)
		return
	}
	var diff []string
	for _, l := range got {
		if !slices.Contains(want, l) {
			diff = append(diff, "- "+l)
		}
	}
	for _, l := range want {
		if !slices.Contains(got, l) {
			diff = append(diff, "+ "+l)
		}
	}
	if len(diff) == 0 {
		diff = append(diff, "(the same lines in another order)")
	}
	t.Errorf("the table of functions in lambdafn/doc.go disagrees with infra/functions.go "+
		"(run `cd infra && go test -run TestLambdafnDocListsTheFunctions -update`):\n%s", strings.Join(diff, "\n"))
}

// healthRoute is answered by API Gateway itself (addHealth), not by a
// function.
const healthRoute = "GET /healthz"

// handlerRoutes returns the routes the Go handler (package httpapi)
// serves, as "METHOD /path", each with whether it is wrapped in the member
// middleware. It reads the route table's literals, {"METHOD", "/path",
// handler}, from httpapi's source.
func handlerRoutes(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(repoPath(t, "httpapi/*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	fset := token.NewFileSet()
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok || len(lit.Elts) < 3 {
				return true
			}
			method, okMethod := stringLit(lit.Elts[0])
			path, okPath := stringLit(lit.Elts[1])
			if !okMethod || !okPath || !routeMention.MatchString(method+" "+path) {
				return true
			}
			member := false
			if call, ok := lit.Elts[2].(*ast.CallExpr); ok {
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "member" {
					member = true
				}
			}
			out[method+" "+path] = member
			return true
		})
	}
	if len(out) == 0 {
		t.Fatalf("found no routes in httpapi: this test reads literals {\"METHOD\", \"/path\", handler} (member routes wrapped in s.member(…)) from httpapi/*.go; " +
			"if the route table changed shape, update handlerRoutes in infra/functions_test.go")
	}
	return out
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// TestAPIGatewayRoutesAreTheHandlersRoutes holds the API Gateway routes
// (routes, from functionSpecs) to the Go handler's: a route httpapi serves
// that no function is routed would be a 404 on AWS only; a route a
// function is routed that httpapi does not serve would reach a function
// that answers 404; and the authorizer must guard exactly the routes
// httpapi treats as member routes.
func TestAPIGatewayRoutesAreTheHandlersRoutes(t *testing.T) {
	served := handlerRoutes(t)
	delete(served, healthRoute)
	builders := map[string]string{}
	for _, f := range functionSpecs() {
		builders[f.Name] = f.Builder
	}
	gateway := map[string]route{}
	for _, r := range routes() {
		gateway[r.Method+" "+r.Path] = r
	}
	for _, key := range sortedKeys(served) {
		r, ok := gateway[key]
		switch {
		case !ok:
			t.Errorf("httpapi serves %s, but no function in infra/functions.go has it in its Routes: API Gateway would answer 404", key)
		case served[key] && !r.Member:
			t.Errorf("%s is a member route in httpapi, but infra/functions.go routes it to %s, a %s function: "+
				"API Gateway would not put it behind the authorizer (member routes go to %s functions)", key, r.Function, builders[r.Function], builderAPI)
		case !served[key] && r.Member:
			t.Errorf("%s is not a member route in httpapi, but infra/functions.go routes it to %s, an %s function: "+
				"API Gateway would demand a member token for it", key, r.Function, builderAPI)
		}
	}
	for _, key := range sortedKeys(gateway) {
		if _, ok := served[key]; !ok {
			t.Errorf("infra/functions.go routes %s to %s, but httpapi has no such route: the function would answer 404", key, gateway[key].Function)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
