//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/google/pprof/profile"

	"github.com/userbase/userbase/pkg/app"
	"github.com/userbase/userbase/pkg/app/kmskeys"
	"github.com/userbase/userbase/pkg/httpapi"
	"github.com/userbase/userbase/pkg/user"
)

// The in-process profile: up to profileMax invocations (profileSlowMax for the routes that
// hash at full cost) or profileRouteTimeout per route, sampled at profileHz.
const (
	profileMax          = 3000
	profileSlowMax      = 100
	profileRouteTimeout = 4 * time.Second
	profileHz           = 1000
)

// profileDir, when set (-profile-dir), keeps each route's CPU profile there, for go tool pprof.
var profileDir string

// A sample's bucket is the first of these whose prefixes one of its frames has, in this
// order: argon2 inside a login is hashing, a log line's JSON is logging, a request on the
// wire is HTTP whether the SDK or the runtime loop sends it, the SDK's JSON is the SDK's,
// the event's and the response's JSON is encoding, whoever calls them; the handler is
// called by the runtime loop, so its own frames come before the loop's.
var buckets = []struct {
	name     string
	prefixes []string
}{
	{"hashing", []string{"golang.org/x/crypto/argon2", "github.com/userbase/userbase/pkg/auth/argon2id", "github.com/userbase/userbase/pkg/auth.Hasher"}},
	{"logging", []string{"log/slog", "github.com/userbase/userbase/pkg/logging", "github.com/userbase/userbase/pkg/metrics"}},
	{"HTTP", []string{"github.com/userbase/userbase/pkg/awsclient/leanhttp", "net/http.", "net.", "internal/poll", "syscall", "bufio"}},
	{"SDK", []string{"github.com/aws/aws-sdk-go-v2", "github.com/aws/smithy-go"}},
	{"encoding", []string{"encoding/json"}},
	{"handler", []string{"github.com/userbase/userbase/"}},
	{"runtime loop", []string{"github.com/aws/aws-lambda-go"}},
	{"other", []string{""}},
}

// excluded are frames of this process's own work beside the measured loop: the bench's
// code (its Runtime API server, the driver), the local stack's pollers, the HTTP server.
var excluded = []string{"main.", "github.com/userbase/userbase/pkg/localstack", "net/http.(*conn).serve", "net/http.(*connReader)"}

func bucketNames() []string {
	var out []string
	for _, b := range buckets {
		out = append(out, b.name)
	}
	return out
}

// classify returns the bucket of a stack of function names, or -1 to leave it out.
func classify(stack []string) int {
	for _, fn := range stack {
		for _, x := range excluded {
			if strings.HasPrefix(fn, x) {
				return -1
			}
		}
	}
	for i, b := range buckets {
		for _, fn := range stack {
			for _, p := range b.prefixes {
				if strings.HasPrefix(fn, p) {
					return i
				}
			}
		}
	}
	return len(buckets) - 1
}

// profileCase is one route run in this process.
type profileCase struct {
	route   *invocationRoute
	handler func(*user.Service) httpapi.Handler
}

// profile runs each route's handler in this process, through aws-lambda-go's own Runtime
// API loop (lambda.Start) against a Runtime API served here, with the function's
// environment from the stack, and splits the CPU profile of the measured invocations.
//
// Each lambda.Start never returns: its loop waits on a Runtime API that is never closed
// (closing it would make aws-lambda-go exit the process) until this process ends.
func (b *invocationBench) profile(p *section) {
	cases := []profileCase{
		{&routeMe, httpapi.Me},
		{&routeLoginLean, httpapi.Login},
		{&routeRegister, httpapi.Register},
		{&routeLogin, httpapi.Login},
		{&routeLogout, httpapi.Logout},
	}
	var errs []error
	var rows [][]string
	qerr := quietStdout(func() {
		for _, c := range cases {
			progress("  " + c.route.name + ", in process")
			shares, n, err := b.profileRoute(c)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", c.route.name, err))
				rows = append(rows, []string{c.route.name, "NOT MEASURED"})
				continue
			}
			row := []string{c.route.name}
			for _, s := range shares {
				row = append(row, fmt.Sprintf("%.0f%%", 100*s))
			}
			rows = append(rows, append(row, fmt.Sprint(n)))
		}
	})
	p.rows = rows
	p.note("Each route's handler wired as its main.go wires it (app.New, httpapi.Route) with the function's environment, run by")
	p.note("lambda.Start against a Runtime API served here, DynamoDB Local behind it; CPU samples at %d Hz over up to %d", profileHz, profileMax)
	p.note("invocations (%d for the full-cost hashes) or %s. A sample counts for the first bucket, in the order of the", profileSlowMax, profileRouteTimeout)
	p.note("columns, one of whose packages is on its stack: hashing (argon2), logging (log/slog, pkg/logging, pkg/metrics),")
	p.note("HTTP (requests on the wire: the SDK's DynamoDB calls through pkg/awsclient/leanhttp, the runtime loop's and other")
	p.note("clients' through net/http, its connection goroutines included), SDK (aws-sdk-go-v2, smithy-go), encoding")
	p.note("(encoding/json: the event, the response, the body), handler (this module), runtime loop (aws-lambda-go, what it runs")
	p.note("outside the handler), other (the garbage collector, the scheduler). This process's own work (the Runtime API server, the")
	p.note("driver, the local stack's stream pollers) is left out; it runs with this machine's GOMAXPROCS, so \"other\" holds")
	p.note("scheduler spinning that the functions' GOMAXPROCS=1 avoids.")
	p.err = errors.Join(append(errs, qerr)...)
}

// profileRoute runs one case and returns each bucket's share and the samples counted.
func (b *invocationBench) profileRoute(c profileCase) ([]float64, int, error) {
	env, _, err := b.stack.FunctionEnv(logicalID(b.stack, c.route.folder))
	if err != nil {
		return nil, 0, err
	}
	api, err := newInvokeAPI()
	if err != nil {
		return nil, 0, err
	}
	// The environment stays until the route is done: clients read some of it on first use.
	restore := setEnv(append(overrideEnv(env, c.route.extra), "AWS_LAMBDA_RUNTIME_API="+api.addr))
	defer restore()
	a, err := app.New(app.WithKMS(kmskeys.New))
	if err != nil {
		return nil, 0, err
	}
	go lambda.Start(httpapi.Route(c.route.folder, c.handler(a.Users)))
	select {
	case <-api.asked:
	case <-time.After(coldRunTimeout):
		return nil, 0, errors.New("lambda.Start did not ask for an event")
	}
	proc := &fnProcess{name: c.route.folder + " (in process)", api: api, exited: make(chan struct{})}

	max := profileMax
	if c.route.slow {
		max = profileSlowMax
	}
	var ev func(i int) events.APIGatewayProxyRequest
	want := 200
	var seen func([]byte) error
	switch c.route {
	case &routeMe:
		ev = func(int) events.APIGatewayProxyRequest { return meEvent(b.meToken) }
	case &routeLoginLean:
		ev = func(int) events.APIGatewayProxyRequest { return loginEvent(b.leanEmail) }
		seen = func(body []byte) error {
			tok, err := responseToken(body)
			b.sessions = append(b.sessions, tok)
			return err
		}
	case &routeRegister:
		want = 201
		ev = func(i int) events.APIGatewayProxyRequest {
			return registerEvent(fmt.Sprintf("profile-%d-%06d@example.com", b.stamp, i))
		}
	case &routeLogin:
		ev = func(int) events.APIGatewayProxyRequest { return loginEvent(b.fullEmail) }
	case &routeLogout:
		want = 204
		toks := b.sessions
		if len(toks) < 2*invocationWarm {
			return nil, 0, errors.New("too few sessions to end")
		}
		max = min(max, len(toks)-invocationWarm)
		ev = func(i int) events.APIGatewayProxyRequest { return logoutEvent(toks[i], false) }
	}
	payloads := make([][]byte, 0, max+invocationWarm)
	for i := 0; i < max+invocationWarm; i++ {
		payloads = append(payloads, b.payload(ev(i)))
	}
	call := func(i int) error {
		out, err := proc.invoke(b.ctx, payloads[i])
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
			return nil, 0, err
		}
	}
	var buf bytes.Buffer
	if err := startProfile(&buf); err != nil {
		return nil, 0, err
	}
	start := time.Now()
	var runErr error
	for i := invocationWarm; i < len(payloads) && time.Since(start) < profileRouteTimeout; i++ {
		if runErr = call(i); runErr != nil {
			break
		}
	}
	pprof.StopCPUProfile()
	if runErr != nil {
		return nil, 0, runErr
	}
	if profileDir != "" {
		name := strings.NewReplacer(" ", "-", "/", "").Replace(c.route.name) + ".pprof"
		if err := os.WriteFile(filepath.Join(profileDir, name), buf.Bytes(), 0o644); err != nil {
			return nil, 0, err
		}
	}
	prof, err := profile.Parse(&buf)
	if err != nil {
		return nil, 0, err
	}
	counts := make([]int64, len(buckets))
	var total int64
	for _, s := range prof.Sample {
		var stack []string
		for _, loc := range s.Location {
			for _, l := range loc.Line {
				if l.Function != nil {
					stack = append(stack, l.Function.Name)
				}
			}
		}
		if i := classify(stack); i >= 0 {
			counts[i] += s.Value[0]
			total += s.Value[0]
		}
	}
	if total == 0 {
		return nil, 0, errors.New("no samples")
	}
	shares := make([]float64, len(counts))
	for i, c := range counts {
		shares[i] = float64(c) / float64(total)
	}
	return shares, int(total), nil
}

// startProfile starts the CPU profile at profileHz. runtime/pprof samples at 100 Hz and
// warns on standard error when the rate was set before it; the warning is dropped.
func startProfile(buf *bytes.Buffer) (err error) {
	runtime.SetCPUProfileRate(profileHz)
	if qerr := quietFD(2, func() { err = pprof.StartCPUProfile(buf) }); qerr != nil {
		return errors.Join(err, qerr)
	}
	return err
}

// setEnv sets this process's environment variables of env and returns how to put back
// what was there.
func setEnv(env []string) (restore func()) {
	type saved struct {
		v  string
		ok bool
	}
	old := map[string]saved{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if _, done := old[k]; !done {
			ov, ok := os.LookupEnv(k)
			old[k] = saved{ov, ok}
		}
		os.Setenv(k, v)
	}
	return func() {
		for k, s := range old {
			if s.ok {
				os.Setenv(k, s.v)
			} else {
				os.Unsetenv(k)
			}
		}
	}
}
