//go:build linux

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/userbase/userbase/pkg/localstack"
)

// Whole-invocation CPU: each route's real bootstrap serves up to invocationMax warm
// invocations (after invocationWarm unmeasured ones) or invocationRouteTimeout of them,
// whichever ends first, through a Runtime API served here; the process's CPU comes from
// /proc/<pid>/stat.
const (
	invocationWarm = 20
	// stackWarm reads warm DynamoDB Local before the first measured row, within
	// stackWarmTimeout.
	stackWarm              = 3000
	stackWarmTimeout       = 20 * time.Second
	invocationMax          = 1000
	invocationRound        = 50  // invocations of a route between two of hello-world's rounds
	invocationSlowMax      = 300 // routes that hash a password: 40-50 ms each
	invocationRouteTimeout = 15 * time.Second
	invocationTimeout      = 6 * time.Minute
	// invocationWait bounds one invocation, from handing the event over to the response.
	invocationWait = 30 * time.Second
	// Budgets of issue 14: a read of the own profile, and a sign-in without its hash.
	meBudget         = 500 * time.Microsecond
	loginLeanBudget  = 3 * time.Millisecond
	invocationStages = "prod"
)

// cheapArgon2Env is the environment that makes a function hash at cheapArgon2's cost.
var cheapArgon2Env = []string{
	"ARGON2_MEMORY_KIB=" + strconv.Itoa(int(cheapArgon2.MemoryKiB)),
	"ARGON2_ITERATIONS=" + strconv.Itoa(int(cheapArgon2.Iterations)),
	"ARGON2_PARALLELISM=" + strconv.Itoa(int(cheapArgon2.Parallelism)),
}

// invocationRoute is one measured row: a function (by folder) with extra environment.
type invocationRoute struct {
	name   string
	folder string
	extra  []string
	budget time.Duration // 0: informational
	slow   bool
	// floor: the row runs testdata/helloread with the folder's environment instead of the
	// function's bootstrap.
	floor bool
}

// The measured routes, in the order they run (each needs what the earlier made).
var (
	routeRead       = invocationRoute{name: "hello-world + GET /v1/me's read", folder: "me-get", floor: true}
	routeMe         = invocationRoute{name: "GET /v1/me", folder: "me-get", budget: meBudget}
	routeLoginLean  = invocationRoute{name: "POST /v1/auth/login minus the hash", folder: "auth-login", extra: cheapArgon2Env, budget: loginLeanBudget}
	routeRegister   = invocationRoute{name: "POST /v1/auth/register", folder: "auth-register", slow: true}
	routeLogin      = invocationRoute{name: "POST /v1/auth/login", folder: "auth-login", slow: true}
	routeLogout     = invocationRoute{name: "POST /v1/auth/logout", folder: "auth-logout"}
	invocationOrder = []*invocationRoute{&routeRead, &routeMe, &routeLoginLean, &routeRegister, &routeLogin, &routeLogout}
)

// invocationResult is what one route measured.
type invocationResult struct {
	n       int
	cpu     time.Duration // per invocation
	elapsed time.Duration
	hello   time.Duration // hello-world's CPU per invocation in the rounds paired with these
}

// measureInvocations measures the CPU of whole warm invocations of the real bootstraps
// (the first section) and splits it with pprof, running the same handlers in this process
// (the second section, profile.go).
func measureInvocations(ctx context.Context, root string, hello *helloBuild, helloErr error) (*section, *section) {
	s := &section{
		title: fmt.Sprintf("Whole-invocation CPU: the real host bootstrap through the Runtime API, DynamoDB Local behind it (up to %d warm invocations or %s each)",
			invocationMax, invocationRouteTimeout),
		header: []string{"request", "invocations", "CPU per invocation", "x hello", "budget", "result"},
	}
	p := &section{
		title:  "Where a warm invocation's CPU goes: the same handlers in this process under pprof, share of samples",
		header: append([]string{"request"}, append(bucketNames(), "samples")...),
	}
	fail := func(err error) (*section, *section) {
		s.err, p.err = err, err
		return s, p
	}
	if helloErr != nil {
		return fail(helloErr)
	}
	ctx, cancel := context.WithTimeout(ctx, invocationTimeout)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "scripts/build-functions.sh", "host").CombinedOutput(); err != nil {
		return fail(fmt.Errorf("scripts/build-functions.sh host: %v\n%s", err, tail(string(out), 20)))
	}
	logDir, err := os.MkdirTemp("", "userbase-bench-invoke-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(logDir)
	stackLog, err := os.Create(filepath.Join(logDir, "stack.log"))
	if err != nil {
		return fail(err)
	}
	defer stackLog.Close()
	cpus, err := splitCPUs()
	if err != nil {
		return fail(err)
	}
	if cpus != nil {
		// The local stack's processes inherit this process's CPUs.
		if err := pinThreads(0, &cpus.others); err != nil {
			return fail(err)
		}
		defer pinThreads(0, &cpus.orig)
	}
	progress("  starting the local stack")
	// The template's parameter defaults (a deployed stack's), but the registration limit
	// per address: every bench request comes from one.
	stack, err := localstack.Start(ctx, localstack.Options{Dir: root, Log: stackLog,
		Env: map[string]string{"REGISTER_LIMIT_PER_HOUR": "100000"}})
	if err != nil {
		return fail(fmt.Errorf("start the local stack: %w (its log: %s)", err, tail(readFile(stackLog.Name()), 20)))
	}
	defer stack.Stop()

	b := &invocationBench{ctx: ctx, stack: stack, logDir: logDir, stamp: time.Now().UnixNano(), readFloor: hello.Read, cpus: cpus}
	defer b.stopAll()
	load := startProbe()
	helloProc, err := b.start("hello-world", hello.Host, nil, nil)
	if err != nil {
		return fail(err)
	}
	results := map[*invocationRoute]invocationResult{}
	var errs []error
	b.hello, b.helloEvent = helloProc, b.payload(meEvent("x"))
	for i := 0; i < invocationWarm; i++ {
		if _, err := b.once(helloProc, meEvent("x"), 200); err != nil {
			return fail(fmt.Errorf("hello-world: %w", err))
		}
	}
	if err := b.run(results); err != nil {
		errs = append(errs, err)
	}
	var helloRes invocationResult
	if b.helloN > 0 {
		helloRes = invocationResult{n: b.helloN, cpu: b.helloCPU / time.Duration(b.helloN)}
	}
	s.row("hello-world (the floor)", fmt.Sprint(helloRes.n), cpuMS(helloRes.cpu), "1.00", "-", "")
	for _, r := range invocationOrder {
		res, ok := results[r]
		if !ok {
			s.row(r.name, "-", "-", "-", "-", "NOT MEASURED")
			continue
		}
		ratio := "-"
		if res.hello > 0 {
			ratio = fmt.Sprintf("%.2f", float64(res.cpu)/float64(res.hello))
		}
		bud, verdict := "(informational)", ""
		if r.budget > 0 {
			bud, verdict = "<= "+cpuMS(r.budget), mark(res.cpu <= r.budget)
		}
		s.row(r.name, fmt.Sprint(res.n), cpuMS(res.cpu), ratio, bud, verdict)
	}
	load.note(s)
	s.note("%s", cpus.describe())
	s.note("Unpinned, DynamoDB Local's JVM ran on the measured process's CPU while it waited, and the process paid for the caches")
	s.note("it found cold: hello-world measured 0.41 ms unpinned against 0.20 ms pinned, and runs moved by a third.")
	s.note("Before the first row GET /v1/me's function reads %d times unmeasured (within %s), so that no row meets", stackWarm, stackWarmTimeout)
	s.note("DynamoDB Local's JVM while it compiles its first thousands of reads.")
	s.note("CPU is the function process's time on a CPU, the sum of its threads' /proc/<pid>/task/<tid>/schedstat (nanoseconds),")
	s.note("over the measured invocations, divided by their number; the process runs on, warm, between them, as on Lambda.")
	s.note("Paired: each route ran in rounds of %d invocations, each after a round of hello-world's, so both see the same load;", invocationRound)
	s.note("x hello is the route's CPU over hello-world's in its own rounds, the floor row all of hello-world's. Each event is an API Gateway REST")
	s.note("proxy event with the headers and request context API Gateway sends; the response's status is checked.")
	s.note("Login minus the hash: the same function with ARGON2_MEMORY_KIB=%d, ARGON2_ITERATIONS=%d, ARGON2_PARALLELISM=%d in its",
		cheapArgon2.MemoryKiB, cheapArgon2.Iterations, cheapArgon2.Parallelism)
	s.note("environment (pkg/config), signing in an account registered with those parameters (no rehash): the hash then costs")
	s.note("microseconds. The other rows run with the template's defaults. Logout ends sessions the lean logins opened.")
	s.note("The stack is pkg/localstack's (DynamoDB Local, local-kms, the keys-init custom resource run); its stream functions")
	s.note("work in other processes meanwhile (a sign-up's mail and postings), which adds to the machine's load, not to these figures.")
	s.note("The functions run with the template's environment, GOMAXPROCS=1 and GODEBUG's sysmon setting included; hello-world with Lambda's own only.")
	s.note("hello-world + GET /v1/me's read is testdata/helloread with GET /v1/me's environment: hello-world that makes the one")
	s.note("DynamoDB call GET /v1/me makes (the profile and the session in one BatchGetItem, through pkg/awsclient's client) and")
	s.note("nothing else: what one read costs above the floor, whatever the function does around it. It decodes the event and")
	s.note("encodes its answer with encoding/json, as hello-world does, where the functions read only what they use (pkg/jsonscan):")
	s.note("it can measure above GET /v1/me.")
	s.note("GoTrue (Supabase Auth) measured as this part measured when issue 14 was filed, unpinned: GET /user 1.27 ms, login 70.4 ms,")
	s.note("login minus the hash 4.0 ms.")
	s.note("Before issue 14's cuts (this part, unpinned, two runs on this machine under loads of 9 and 20): GET /v1/me 1.22-1.62 ms (3.4-4.2x")
	s.note("hello-world), login minus the hash 3.50-3.71 ms, registration 28-31 ms, login 27-29 ms, logout 1.17-1.51 ms. Login minus")
	s.note("the hash is about 40%% an RS256 signature (the access token, part 10); GET /v1/me about half one DynamoDB call (the SDK).")
	s.note("GODEBUG=schedtrace=2147483647 (Go's sysmon kept from the deep sleep each system call woke it from to poll every 20 µs),")
	s.note("measured against the same build without it in one run, in rounds paired with hello-world's: GET /v1/me 1.75-1.85x")
	s.note("hello-world with it, 2.46-2.49x without, two runs.")

	if cpus != nil {
		// The profile runs the handlers in this process, on all of the machine.
		if err := pinThreads(0, &cpus.orig); err != nil {
			errs = append(errs, err)
		}
	}
	b.profile(p)
	s.err = errors.Join(errs...)
	return s, p
}

// invocationBench drives the measured processes.
type invocationBench struct {
	ctx    context.Context
	stack  *localstack.Stack
	logDir string
	stamp  int64
	seq    atomic.Int64
	procs  []*fnProcess

	// hello-world, run in a round before each round of a route, and its CPU in them
	hello      *fnProcess
	helloEvent []byte
	helloCPU   time.Duration
	helloN     int

	readFloor string    // testdata/helloread's bootstrap
	cpus      *cpuSplit // where the measured processes run; nil: anywhere

	// made along the way: accounts and tokens
	leanEmail, fullEmail string
	meToken              string
	sessions             []string // tokens of lean logins, for logout
}

// run measures the routes of invocationOrder, each in its own process.
func (b *invocationBench) run(results map[*invocationRoute]invocationResult) error {
	// The lean account, made by a register process at the lean cost.
	lean, err := b.function("auth-register", cheapArgon2Env)
	if err != nil {
		return err
	}
	b.leanEmail = fmt.Sprintf("invoke-lean-%d@example.com", b.stamp)
	if _, err := b.once(lean, registerEvent(b.leanEmail), 201); err != nil {
		return fmt.Errorf("register the lean account: %w", err)
	}
	login, err := b.function("auth-login", cheapArgon2Env)
	if err != nil {
		return err
	}
	body, err := b.once(login, loginEvent(b.leanEmail), 200)
	if err == nil {
		b.meToken, err = responseToken(body)
	}
	if err != nil {
		return fmt.Errorf("sign in the lean account: %w", err)
	}
	if err := b.warmStack(); err != nil {
		return fmt.Errorf("warm DynamoDB Local: %w", err)
	}
	for _, r := range invocationOrder {
		progress("  " + r.name)
		res, err := b.route(r)
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		results[r] = res
	}
	return nil
}

// warmStack has GET /v1/me's function read the lean account stackWarm times, unmeasured,
// so that no measured row meets DynamoDB Local's JVM while it compiles its first thousands
// of reads.
func (b *invocationBench) warmStack() error {
	proc, err := b.function(routeMe.folder, routeMe.extra)
	if err != nil {
		return err
	}
	ev := b.payload(meEvent(b.meToken))
	start := time.Now()
	for i := 0; i < stackWarm && time.Since(start) < stackWarmTimeout; i++ {
		out, err := proc.invoke(b.ctx, ev)
		if err == nil {
			_, err = checkStatus(out, 200)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// route starts r's process and measures it.
func (b *invocationBench) route(r *invocationRoute) (invocationResult, error) {
	proc, err := b.process(r)
	if err != nil {
		return invocationResult{}, err
	}
	max := invocationMax
	if r.slow {
		max = invocationSlowMax
	}
	switch r {
	case &routeMe, &routeRead:
		if b.meToken == "" {
			return invocationResult{}, errors.New("no session token (the lean login comes first)")
		}
		ev := b.payload(meEvent(b.meToken))
		return b.measure(proc, max, func(int) []byte { return ev }, 200, nil)
	case &routeLoginLean:
		ev := b.payload(loginEvent(b.leanEmail))
		return b.measure(proc, max, func(int) []byte { return ev }, 200, func(body []byte) error {
			tok, err := responseToken(body)
			b.sessions = append(b.sessions, tok)
			return err
		})
	case &routeRegister:
		return b.measure(proc, max, func(i int) []byte {
			email := fmt.Sprintf("invoke-%d-%06d@example.com", b.stamp, i)
			if b.fullEmail == "" {
				b.fullEmail = email
			}
			return b.payload(registerEvent(email))
		}, 201, nil)
	case &routeLogin:
		if b.fullEmail == "" {
			return invocationResult{}, errors.New("no account (registration comes first)")
		}
		ev := b.payload(loginEvent(b.fullEmail))
		return b.measure(proc, max, func(int) []byte { return ev }, 200, nil)
	case &routeLogout:
		if len(b.sessions) <= invocationWarm {
			return invocationResult{}, errors.New("too few sessions to end (the lean logins make them)")
		}
		toks := b.sessions
		b.sessions = nil
		return b.measure(proc, len(toks)-invocationWarm, func(i int) []byte { return b.payload(logoutEvent(toks[i], false)) }, 204, nil)
	}
	return invocationResult{}, errors.New("unknown route")
}

// process is r's process: its function's, or for a floor row testdata/helloread with the
// function's environment.
func (b *invocationBench) process(r *invocationRoute) (*fnProcess, error) {
	if !r.floor {
		return b.function(r.folder, r.extra)
	}
	env, _, err := b.stack.FunctionEnv(logicalID(b.stack, r.folder))
	if err != nil {
		return nil, err
	}
	return b.start("helloread", b.readFloor, env, r.extra)
}

// function is the process of functions/<folder> with extra in its environment, started
// with the stack's environment for it on first use.
func (b *invocationBench) function(folder string, extra []string) (*fnProcess, error) {
	key := folder + "\x00" + strings.Join(extra, "\x00")
	for _, p := range b.procs {
		if p.key == key {
			return p, nil
		}
	}
	env, binary, err := b.stack.FunctionEnv(logicalID(b.stack, folder))
	if err != nil {
		return nil, err
	}
	p, err := b.start(folder, binary, env, extra)
	if err == nil {
		p.key = key
	}
	return p, err
}

// logicalID is the template's logical ID of functions/<folder>.
func logicalID(stack *localstack.Stack, folder string) string {
	fns, _ := stack.Template.Functions()
	for _, f := range fns {
		if f.Folder == folder {
			return f.LogicalID
		}
	}
	return folder
}

// once invokes proc with ev, unmeasured, and checks the status.
func (b *invocationBench) once(proc *fnProcess, ev events.APIGatewayProxyRequest, want int) ([]byte, error) {
	out, err := proc.invoke(b.ctx, b.payload(ev))
	if err != nil {
		return nil, err
	}
	return checkStatus(out, want)
}

// payload is ev as API Gateway sends it: its headers also multi-valued, the headers and
// request context fields a real REST API event carries, a fresh request ID.
func (b *invocationBench) payload(ev events.APIGatewayProxyRequest) []byte {
	n := b.seq.Add(1)
	now := time.Now().UTC()
	h := map[string]string{
		"CloudFront-Forwarded-Proto": "https", "CloudFront-Is-Desktop-Viewer": "true",
		"CloudFront-Is-Mobile-Viewer": "false", "CloudFront-Is-SmartTV-Viewer": "false",
		"CloudFront-Is-Tablet-Viewer": "false", "CloudFront-Viewer-Country": "GB",
		"Accept-Encoding": "gzip, deflate, br",
		"Via":             "2.0 a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6.cloudfront.net (CloudFront)",
		"X-Amz-Cf-Id":     "Rk7oQ2x0b9l5Z8t0vM4P6q1W3e5R7t9Y1u3I5o7P9a1S3d5F7g9H1j==",
		"X-Amzn-Trace-Id": fmt.Sprintf("Root=1-%x-%024d", now.Unix(), n),
		"X-Forwarded-For": "203.0.113.7, 130.176.0.1", "X-Forwarded-Port": "443", "X-Forwarded-Proto": "https",
	}
	for k, v := range ev.Headers {
		h[k] = v
	}
	ev.Headers = h
	ev.MultiValueHeaders = map[string][]string{}
	for k, v := range h {
		ev.MultiValueHeaders[k] = []string{v}
	}
	id := fmt.Sprintf("c6af9ac6-7b61-11e6-9a41-%012d", n)
	rc := &ev.RequestContext
	rc.RequestID, rc.ExtendedRequestID = id, fmt.Sprintf("Bench%dFw=", n)
	rc.AccountID, rc.APIID, rc.Stage, rc.Protocol = deployAccount, "abc123defg", invocationStages, "HTTP/1.1"
	rc.DomainName, rc.DomainPrefix = "abc123defg.execute-api."+deployRegion+".amazonaws.com", "abc123defg"
	rc.Path = "/" + invocationStages + ev.Path
	rc.RequestTime, rc.RequestTimeEpoch = now.Format("02/Jan/2006:15:04:05 +0000"), now.UnixMilli()
	rc.Identity.SourceIP = "203.0.113.7"
	out, _ := json.Marshal(ev)
	return out
}

// measure invokes proc invocationWarm times unmeasured, then up to max times or for
// invocationRouteTimeout in rounds of invocationRound, each after a round of hello-world,
// and returns the process's CPU per measured invocation beside hello-world's in the same
// rounds. Each response must have status want; seen, when not nil, gets every response's
// body.
func (b *invocationBench) measure(proc *fnProcess, max int, ev func(i int) []byte, want int, seen func(body []byte) error) (invocationResult, error) {
	call := func(i int) error {
		out, err := proc.invoke(b.ctx, ev(i))
		if err != nil {
			return err
		}
		body, err := checkStatus(out, want)
		if err == nil && seen != nil {
			err = seen(body)
		}
		return err
	}
	for i := 0; i < invocationWarm; i++ {
		if err := call(i); err != nil {
			return invocationResult{}, err
		}
	}
	// The events are made before the clock starts: this process's work is not measured,
	// but it would take the machine's CPU from the measured one on a small machine.
	evs := make([][]byte, 0, max)
	for i := 0; i < max; i++ {
		evs = append(evs, ev(invocationWarm+i))
	}
	var res invocationResult
	var helloCPU time.Duration
	helloN := 0
	start := time.Now()
	for res.n < max && time.Since(start) < invocationRouteTimeout {
		h, err := b.round(b.hello, invocationRound, func(int) []byte { return b.helloEvent }, 200, nil)
		if err != nil {
			return invocationResult{}, fmt.Errorf("hello-world: %w", err)
		}
		helloCPU += h
		helloN += invocationRound
		k := min(invocationRound, max-res.n)
		first := res.n
		c, err := b.round(proc, k, func(i int) []byte { return evs[first+i] }, want, seen)
		if err != nil {
			return invocationResult{}, err
		}
		res.cpu += c
		res.n += k
	}
	res.elapsed = time.Since(start)
	b.helloCPU += helloCPU
	b.helloN += helloN
	res.cpu /= time.Duration(res.n)
	res.hello = helloCPU / time.Duration(helloN)
	return res, nil
}

// round invokes proc k times with ev(0..k-1) and returns the CPU the process spent.
func (b *invocationBench) round(proc *fnProcess, k int, ev func(i int) []byte, want int, seen func(body []byte) error) (time.Duration, error) {
	cpu0, err := processCPU(proc.pid())
	if err != nil {
		return 0, err
	}
	for i := 0; i < k; i++ {
		out, err := proc.invoke(b.ctx, ev(i))
		if err != nil {
			return 0, err
		}
		body, err := checkStatus(out, want)
		if err == nil && seen != nil {
			err = seen(body)
		}
		if err != nil {
			return 0, err
		}
	}
	cpu1, err := processCPU(proc.pid())
	if err != nil {
		return 0, err
	}
	return cpu1 - cpu0, nil
}

// checkStatus decodes a proxy response and checks its status; it returns the body.
func checkStatus(out []byte, want int) ([]byte, error) {
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		return nil, fmt.Errorf("not a proxy response: %v: %.200s", err, out)
	}
	if resp.StatusCode != want {
		return nil, fmt.Errorf("status %d, want %d: %.300s", resp.StatusCode, want, resp.Body)
	}
	return []byte(resp.Body), nil
}

// responseToken is the session token of a login or register answer's body.
func responseToken(body []byte) (string, error) {
	return token(events.APIGatewayProxyResponse{Body: string(body)})
}

// processCPU is a process's time on a CPU so far: the sum of its threads' schedstat, in
// nanoseconds (/proc/<pid>/stat counts 10 ms ticks, coarse for a round of invocations of
// a third of a millisecond). A thread that has exited is not counted; Go keeps its threads.
func processCPU(pid int) (time.Duration, error) {
	dir := fmt.Sprintf("/proc/%d/task", pid)
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	var total time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(dir + "/" + t.Name() + "/schedstat")
		if err != nil {
			return 0, err
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			return 0, fmt.Errorf("%s/%s/schedstat: empty", dir, t.Name())
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s/%s/schedstat: %v", dir, t.Name(), err)
		}
		total += time.Duration(ns)
	}
	return total, nil
}

// cpuMS formats a CPU time in milliseconds with three decimals.
func cpuMS(d time.Duration) string {
	return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond))
}

// readFile is a file's content, or "" when it cannot be read.
func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// fnProcess is one function process with its own Runtime API.
type fnProcess struct {
	name   string
	key    string // folder and extra environment
	api    *invokeAPI
	cmd    *exec.Cmd
	exited chan struct{}
	err    error // the process's exit, once exited is closed
	log    string
}

// start runs binary with env (plus extra, which overrides it) and a Runtime API of its own,
// and waits until it asks for its first event.
func (b *invocationBench) start(name, binary string, env, extra []string) (*fnProcess, error) {
	api, err := newInvokeAPI()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(b.logDir, fmt.Sprintf("%s-%d.log", name, len(b.procs)))
	logf, err := os.Create(logPath)
	if err != nil {
		api.close()
		return nil, err
	}
	defer logf.Close()
	if env == nil { // hello-world: Lambda's own variables
		env = lambdaEnv(deployStack+"-HelloWorld-1A2B3C4D5E6F", 0, api.addr)
	}
	cmd := exec.Command(binary)
	cmd.Dir = filepath.Dir(binary)
	cmd.Env = append(overrideEnv(env, extra), "AWS_LAMBDA_RUNTIME_API="+api.addr,
		"AWS_LAMBDA_LOG_STREAM_NAME=2026/01/01/[$LATEST]bench"+name)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		api.close()
		return nil, err
	}
	p := &fnProcess{name: name, api: api, cmd: cmd, exited: make(chan struct{}), log: logPath}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	b.procs = append(b.procs, p)
	timer := time.NewTimer(coldRunTimeout)
	defer timer.Stop()
	select {
	case <-api.asked:
		if b.cpus == nil {
			return p, nil
		}
		// Its threads are all made by now: it waits for its first event.
		return p, pinThreads(p.pid(), &b.cpus.fn)
	case <-p.exited:
		return nil, fmt.Errorf("%s exited (%v) before asking for an event: %s", name, p.err, tail(readFile(logPath), 20))
	case <-timer.C:
		return nil, fmt.Errorf("%s did not ask for an event within %s", name, coldRunTimeout)
	case <-b.ctx.Done():
		return nil, b.ctx.Err()
	}
}

// overrideEnv is env with the variables of extra set to extra's values.
func overrideEnv(env, extra []string) []string {
	out := make([]string, 0, len(env)+len(extra))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if k == "AWS_LAMBDA_RUNTIME_API" || k == "AWS_LAMBDA_LOG_STREAM_NAME" {
			continue
		}
		overridden := false
		for _, e := range extra {
			if strings.HasPrefix(e, k+"=") {
				overridden = true
			}
		}
		if !overridden {
			out = append(out, kv)
		}
	}
	return append(out, extra...)
}

func (p *fnProcess) pid() int { return p.cmd.Process.Pid }

// invoke hands payload to the process and returns its response payload.
func (p *fnProcess) invoke(ctx context.Context, payload []byte) ([]byte, error) {
	timer := time.NewTimer(invocationWait)
	defer timer.Stop()
	select {
	case p.api.events <- payload:
	case <-p.exited:
		return nil, fmt.Errorf("%s exited (%v): %s", p.name, p.err, tail(readFile(p.log), 20))
	case <-timer.C:
		return nil, fmt.Errorf("%s did not ask for an event within %s", p.name, invocationWait)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case r := <-p.api.results:
		if r.err != "" {
			return nil, fmt.Errorf("%s: invocation error: %.300s", p.name, r.err)
		}
		return r.body, nil
	case <-p.exited:
		return nil, fmt.Errorf("%s exited (%v): %s", p.name, p.err, tail(readFile(p.log), 20))
	case <-timer.C:
		return nil, fmt.Errorf("%s did not answer within %s", p.name, invocationWait)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// stop kills the process, by its pid, and waits for it.
func (p *fnProcess) stop() {
	p.cmd.Process.Kill()
	<-p.exited
	p.api.close()
}

func (b *invocationBench) stopAll() {
	for _, p := range b.procs {
		p.stop()
	}
	b.procs = nil
}

// invokeAPI is the Lambda Runtime API (2018-06-01) for one runtime, as aws-lambda-go
// speaks it: GET .../invocation/next long-polls for an event, POST .../response or
// .../error returns its outcome. Events are handed over one at a time.
type invokeAPI struct {
	addr    string
	srv     *http.Server
	events  chan []byte
	results chan invokeOutcome
	asked   chan struct{} // the first GET .../next; buffered
	closing chan struct{}
	seq     atomic.Int64
}

type invokeOutcome struct {
	body []byte
	err  string
}

func newInvokeAPI() (*invokeAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime API: %w", err)
	}
	a := &invokeAPI{addr: ln.Addr().String(), events: make(chan []byte), results: make(chan invokeOutcome, 1),
		asked: make(chan struct{}, 1), closing: make(chan struct{})}
	a.srv = &http.Server{Handler: a, ReadHeaderTimeout: 5 * time.Second}
	go a.srv.Serve(ln)
	return a, nil
}

func (a *invokeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == nextPath:
		select {
		case a.asked <- struct{}{}:
		default:
		}
		var ev []byte
		select {
		case ev = <-a.events:
		case <-r.Context().Done():
			return
		case <-a.closing:
			return
		}
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", strconv.FormatInt(a.seq.Add(1), 10))
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(invocationWait).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:"+deployRegion+":"+deployAccount+":function:bench")
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0")
		h.Set("Content-Type", "application/json")
		w.Write(ev)
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/response"):
		body, _ := io.ReadAll(io.LimitReader(r.Body, 6<<20))
		w.WriteHeader(http.StatusAccepted)
		a.results <- invokeOutcome{body: body}
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/error") && !strings.Contains(r.URL.Path, "/init/"):
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		w.WriteHeader(http.StatusAccepted)
		a.results <- invokeOutcome{err: string(body)}
	default: // an init error: the process's exit tells the rest
		w.WriteHeader(http.StatusAccepted)
	}
}

func (a *invokeAPI) close() {
	close(a.closing)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	a.srv.Shutdown(ctx)
}
