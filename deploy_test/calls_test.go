package deploy_test

import (
	"fmt"
	"go/types"
	"maps"
	"os"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/tools/go/callgraph"
	"golang.org/x/tools/go/callgraph/rta"
	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"
)

// This file finds, for every functions/<name> main package, the AWS calls its code can
// make: the methods of the SDK clients (*dynamodb.Client, *s3.Client, ...) and the other
// functions iamActions names (the SigV4 presigner), each with the fields of SDK input types
// that reachable code sets (QueryInput.IndexName: the query reads an index).
//
// How: the mains are loaded and built into SSA once, then each goes through RTA
// (golang.org/x/tools/go/callgraph/rta) from its main and package initializers. RTA counts
// every exported method of every type that reaches an interface as reachable (reflection
// could call it), which in our binaries is every method of the store and the service; so
// the calls are read off RTA's call graph instead, walked from the roots along its edges,
// where a closure is entered only once the function that creates it was. What reflection
// alone calls is not followed: aws-lambda-go calls the handler through reflect.Value.Call,
// which RTA models as a call of every function value, and nothing of ours calls AWS from a
// method that only a template or reflect.Value.Method would call.

const (
	modulePath = "github.com/userbase/userbase"
	sdkPath    = "github.com/aws/aws-sdk-go-v2/"
	sdkService = sdkPath + "service/"
)

// awsCall is one reachable call of a function that iamActions maps, with the code that
// makes it.
type awsCall struct {
	name   string // iamActions key: "dynamodb.GetItem", "v4.Signer.PresignHTTP"
	caller string // the first caller outside the SDK, for messages
}

// mainCalls is what one main package can do.
type mainCalls struct {
	folder string    // functions/<folder>
	calls  []awsCall // sorted by name, one per name
	fields []string  // tracked input fields reachable code sets, sorted
}

// analyzeFunctions loads every functions/* main package and returns its AWS calls, keyed
// by folder. tracked are the callee names to report beyond the client methods (which are
// all reported), and fields the input fields to look for.
func analyzeFunctions(t *testing.T, tracked, fields map[string]bool) map[string]*mainCalls {
	t.Helper()
	cfg := &packages.Config{
		Mode: packages.LoadAllSyntax,
		Dir:  "..",
		// What the deployed binary is built from (Makefile, scripts/build-functions.sh).
		BuildFlags: []string{"-tags", "lambda.norpc"},
		Env:        append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0"),
	}
	start := time.Now()
	pkgs, err := packages.Load(cfg, "./functions/...")
	if err != nil {
		t.Fatal(err)
	}
	if n := packages.PrintErrors(pkgs); n > 0 {
		t.Fatalf("%d errors loading functions/...", n)
	}
	loaded := time.Now()
	prog, ssaPkgs := ssautil.AllPackages(pkgs, ssa.InstantiateGenerics)
	prog.Build()
	t.Logf("load %v, SSA %v", loaded.Sub(start).Round(time.Millisecond), time.Since(loaded).Round(time.Millisecond))

	var mains []*ssa.Package
	for _, p := range ssaPkgs {
		if p != nil && p.Pkg.Name() == "main" {
			mains = append(mains, p)
		}
	}
	// RTA is most of the time, and each call graph is large: a few mains at a time, each
	// dropped once read. The program is shared and read-only by now.
	sets := &fieldSets{fields: fields}
	results := make([]*mainCalls, len(mains))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, p := range mains {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = analyzeMain(p, tracked, sets)
		}()
	}
	wg.Wait()
	out := map[string]*mainCalls{}
	for _, m := range results {
		out[m.folder] = m
	}
	return out
}

// analyzeMain runs RTA from the main package p and reads its AWS calls off the call graph.
func analyzeMain(p *ssa.Package, tracked map[string]bool, sets *fieldSets) *mainCalls {
	roots := []*ssa.Function{p.Func("main"), p.Func("init")}
	g := rta.Analyze(roots, true).CallGraph
	reached := walk(g, roots)
	m := &mainCalls{folder: path.Base(p.Pkg.Path())}
	byName := map[string]string{}
	fieldSet := map[string]bool{}
	for f := range reached {
		for _, k := range sets.of(f) {
			fieldSet[k] = true
		}
		name, ok := callName(f, tracked)
		if !ok {
			continue
		}
		if caller, ok := outsideCaller(g, reached, f); ok {
			if prev, seen := byName[name]; !seen || caller < prev {
				byName[name] = caller
			}
		}
	}
	for name, caller := range byName {
		m.calls = append(m.calls, awsCall{name: name, caller: caller})
	}
	slices.SortFunc(m.calls, func(a, b awsCall) int { return strings.Compare(a.name, b.name) })
	m.fields = slices.Sorted(maps.Keys(fieldSet))
	return m
}

// walk returns the functions reachable from roots along the edges of g. An edge into a
// closure that is not a direct call (a call of a function value, or RTA's stand-in edge
// from reflect.Value.Call) counts only once the closure's enclosing function is reached:
// before that the closure cannot exist.
func walk(g *callgraph.Graph, roots []*ssa.Function) map[*ssa.Function]bool {
	seen := map[*ssa.Function]bool{}
	waiting := map[*ssa.Function][]*ssa.Function{} // enclosing function -> closures
	var queue []*ssa.Function
	var visit func(f *ssa.Function)
	visit = func(f *ssa.Function) {
		if seen[f] {
			return
		}
		seen[f] = true
		queue = append(queue, f)
		for _, c := range waiting[f] {
			visit(c)
		}
		delete(waiting, f)
	}
	for _, r := range roots {
		if r != nil {
			visit(r)
		}
	}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		n := g.Nodes[f]
		if n == nil {
			continue
		}
		for _, e := range n.Out {
			callee := e.Callee.Func
			dynamic := e.Site == nil || (e.Site.Common().StaticCallee() == nil && !e.Site.Common().IsInvoke())
			if parent := callee.Parent(); dynamic && parent != nil && !seen[parent] {
				waiting[parent] = append(waiting[parent], callee)
				continue
			}
			visit(callee)
		}
	}
	return seen
}

// callName is the iamActions key of f when f is an exported method of an SDK client, or a
// function tracked names: "<package>.<Method>" for a client ("dynamodb.GetItem",
// "sesv2.SendEmail"), "<package>.<Type>.<Method>" otherwise ("v4.Signer.PresignHTTP").
func callName(f *ssa.Function, tracked map[string]bool) (string, bool) {
	obj, ok := f.Object().(*types.Func)
	if !ok || obj.Pkg() == nil || f.Signature.Recv() == nil || !obj.Exported() {
		return "", false
	}
	recv := f.Signature.Recv().Type()
	if p, ok := recv.(*types.Pointer); ok {
		recv = p.Elem()
	}
	named, ok := recv.(*types.Named)
	if !ok {
		return "", false
	}
	if named.Obj().Name() == "Client" && strings.HasPrefix(obj.Pkg().Path(), sdkService) {
		return obj.Pkg().Name() + "." + obj.Name(), true
	}
	name := obj.Pkg().Name() + "." + named.Obj().Name() + "." + obj.Name()
	return name, tracked[name]
}

// outsideCaller returns the first reached caller of f that is not the SDK calling itself.
// A client calls some of its own operations for features we do not use (DynamoDB endpoint
// discovery calls DescribeEndpoints, S3 Express One Zone buckets CreateSession); the
// paginators and waiters of a client package call for their user, so they count.
func outsideCaller(g *callgraph.Graph, reached map[*ssa.Function]bool, f *ssa.Function) (string, bool) {
	n := g.Nodes[f]
	if n == nil {
		return "", false
	}
	var callers []string
	for _, e := range n.In {
		c := e.Caller.Func
		if !reached[c] {
			continue
		}
		if c.Pkg == nil || c.Pkg != f.Pkg || helperOfItsUser(c) {
			callers = append(callers, shortName(c))
		}
	}
	if len(callers) == 0 {
		return "", false
	}
	// Prefer our own code in messages: it is what the engineer changed.
	slices.SortFunc(callers, func(a, b string) int {
		if ao, bo := !strings.Contains(a, "aws-sdk-go-v2"), !strings.Contains(b, "aws-sdk-go-v2"); ao != bo {
			if ao {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	return callers[0], true
}

// helperOfItsUser reports whether f is a method of an SDK paginator or waiter.
func helperOfItsUser(f *ssa.Function) bool {
	recv := f.Signature.Recv()
	if recv == nil {
		return false
	}
	t := recv.Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := t.(*types.Named)
	return ok && (strings.HasSuffix(named.Obj().Name(), "Paginator") || strings.HasSuffix(named.Obj().Name(), "Waiter"))
}

// shortName is f's name without the module path, for messages.
func shortName(f *ssa.Function) string {
	return strings.ReplaceAll(f.String(), modulePath+"/", "")
}

// fieldSets finds the tracked fields a function's code sets ("dynamodb.QueryInput.IndexName"),
// remembering them across mains.
type fieldSets struct {
	fields map[string]bool
	memo   sync.Map // *ssa.Function -> []string
}

func (s *fieldSets) of(f *ssa.Function) []string {
	if got, ok := s.memo.Load(f); ok {
		return got.([]string)
	}
	var out []string
	for _, b := range f.Blocks {
		for _, instr := range b.Instrs {
			st, ok := instr.(*ssa.Store)
			if !ok {
				continue
			}
			fa, ok := st.Addr.(*ssa.FieldAddr)
			if !ok {
				continue
			}
			if k := fieldKey(fa); s.fields[k] {
				out = append(out, k)
			}
		}
	}
	s.memo.Store(f, out)
	return out
}

// fieldKey names the field fa addresses as "<package path below service/>.<Type>.<Field>":
// "dynamodb.QueryInput.IndexName", "dynamodb/types.TransactWriteItem.Put".
func fieldKey(fa *ssa.FieldAddr) string {
	ptr, ok := fa.X.Type().Underlying().(*types.Pointer)
	if !ok {
		return ""
	}
	named, ok := ptr.Elem().(*types.Named)
	if !ok || named.Obj().Pkg() == nil {
		return ""
	}
	st, ok := named.Underlying().(*types.Struct)
	if !ok || fa.Field >= st.NumFields() {
		return ""
	}
	pkg := strings.TrimPrefix(named.Obj().Pkg().Path(), sdkService)
	return fmt.Sprintf("%s.%s.%s", pkg, named.Obj().Name(), st.Field(fa.Field).Name())
}
