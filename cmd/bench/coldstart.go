package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/userbase/userbase/pkg/config"
	"github.com/userbase/userbase/pkg/samtemplate"
)

// Cold-start budget: a function's median at most coldRatioBudget times hello-world's, and
// under coldAbsBudget.
const (
	coldRuns        = 20
	coldRatioBudget = 1.5
	coldAbsBudget   = 15 * time.Millisecond
	// coldRunTimeout bounds one start: a process that has not asked for its first event
	// by then is killed and the run reported.
	coldRunTimeout = 5 * time.Second
	// coldTotalTimeout bounds the whole part.
	coldTotalTimeout = 60 * time.Second
)

// buildFlags are the flags of scripts/build-functions.sh (docs/CONVENTIONS.md).
var buildFlags = []string{"-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w"}

// helloBuild is the hello-world Lambda of testdata/hello, built in this run like the
// functions: Host for the cold-start floor, ARM64 as the size floor.
type helloBuild struct {
	Host, ARM64 string
	dir         string
}

// buildHello builds cmd/bench/testdata/hello for the host and for linux/arm64 into a
// temporary folder, with the functions' flags and CGO_ENABLED=0.
func buildHello(ctx context.Context, root string) (*helloBuild, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return nil, fmt.Errorf("go not found on PATH: %w", err)
	}
	dir, err := os.MkdirTemp("", "userbase-bench-")
	if err != nil {
		return nil, err
	}
	h := &helloBuild{
		Host: filepath.Join(dir, "host", "hello", "bootstrap"), ARM64: filepath.Join(dir, "arm64", "hello", "bootstrap"),
		dir: dir,
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for _, t := range []struct{ goos, goarch, out string }{
		{runtime.GOOS, runtime.GOARCH, h.Host},
		{"linux", "arm64", h.ARM64},
	} {
		args := append([]string{"build"}, buildFlags...)
		args = append(args, "-o", t.out, "./cmd/bench/testdata/hello")
		cmd := exec.CommandContext(ctx, goBin, args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+t.goos, "GOARCH="+t.goarch)
		if out, err := cmd.CombinedOutput(); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("build hello-world for %s/%s: %v\n%s", t.goos, t.goarch, err, out)
		}
	}
	return h, nil
}

// Close removes the builds.
func (h *helloBuild) Close() { os.RemoveAll(h.dir) }

// coldTarget is one binary whose cold start is measured.
type coldTarget struct {
	name, path string
	env        []string
	times      []time.Duration
	err        error
}

// measureColdStarts starts every function's .build/host bootstrap and the hello-world
// binary coldRuns times each, in rounds (every binary once per round, in a shuffled
// order, so that drift in the machine's load touches all alike), after one unmeasured
// start each to warm the page cache. A start is timed from just before exec to the moment
// the process sends its first GET .../runtime/invocation/next to a Runtime API served
// here; the process is then killed.
func measureColdStarts(ctx context.Context, root string, hello *helloBuild, helloErr error) *section {
	s := &section{
		title:  fmt.Sprintf("Cold start: host bootstrap, exec to its first GET /2018-06-01/runtime/invocation/next (%d runs each)", coldRuns),
		header: []string{"binary", "median", "min", "max", "x hello", "budget", "result"},
	}
	if helloErr != nil {
		s.err = helloErr
		return s
	}
	folders, err := functionFolders(root)
	if err != nil {
		s.err = err
		return s
	}
	api, err := startRuntimeAPI()
	if err != nil {
		s.err = err
		return s
	}
	defer api.close()

	targets := []*coldTarget{{name: "hello-world", path: hello.Host, env: lambdaEnv("hello-world", api.addr)}}
	var missing []string
	for _, f := range folders {
		p := filepath.Join(root, ".build", "host", f, "bootstrap")
		if _, err := os.Stat(p); err != nil {
			missing = append(missing, p)
			continue
		}
		targets = append(targets, &coldTarget{name: f, path: p, env: lambdaEnv("userbase-"+samtemplate.LogicalID(f)+"-Bench", api.addr)})
	}
	if len(missing) > 0 {
		s.err = fmt.Errorf("not built (run make build): %s", strings.Join(missing, ", "))
		return s
	}

	logDir, err := os.MkdirTemp("", "userbase-bench-logs-")
	if err != nil {
		s.err = err
		return s
	}
	defer os.RemoveAll(logDir)

	busy(s)
	deadline := time.Now().Add(coldTotalTimeout)
	for _, t := range targets { // warm-up, not counted
		if _, err := api.start(ctx, t, logDir); err != nil {
			t.err = err
		}
	}
	order := slices.Clone(targets)
	for round := 0; round < coldRuns && time.Now().Before(deadline) && ctx.Err() == nil; round++ {
		rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, t := range order {
			if t.err != nil {
				continue
			}
			d, err := api.start(ctx, t, logDir)
			if err != nil {
				t.err = err
				continue
			}
			t.times = append(t.times, d)
		}
	}

	var errs []error
	floor := time.Duration(0)
	for _, t := range targets {
		if t.err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", t.name, t.err))
			s.row(t.name, "-", "-", "-", "-", "-", "NOT MEASURED")
			continue
		}
		med := median(t.times)
		if t == targets[0] {
			floor = med
			s.row(t.name, ms(med), ms(slices.Min(t.times)), ms(slices.Max(t.times)), "1.00", "(the floor)", "")
			continue
		}
		ratio := "-"
		ok := med < coldAbsBudget
		if floor > 0 {
			r := float64(med) / float64(floor)
			ratio = fmt.Sprintf("%.2f", r)
			ok = ok && r <= coldRatioBudget
		}
		s.row(t.name, ms(med), ms(slices.Min(t.times)), ms(slices.Max(t.times)), ratio,
			fmt.Sprintf("<= %.1fx and < %s", coldRatioBudget, ms(coldAbsBudget)), mark(ok))
	}
	if n := len(targets[0].times); n < coldRuns && targets[0].err == nil {
		s.note("only %d of %d rounds ran within %s", n, coldRuns, coldTotalTimeout)
	}
	s.note("Environment as deployed: %s, AWS_REGION and credentials, AWS_LAMBDA_*; no endpoint overrides.", strings.Join(config.Variables(), ", "))
	s.err = errors.Join(errs...)
	return s
}

// functionFolders lists functions/<folder> that hold a main.go, sorted.
func functionFolders(root string) ([]string, error) {
	mains, err := filepath.Glob(filepath.Join(root, "functions", "*", "main.go"))
	if err != nil {
		return nil, err
	}
	if len(mains) == 0 {
		return nil, errors.New("no functions/*/main.go")
	}
	var out []string
	for _, m := range mains {
		out = append(out, filepath.Base(filepath.Dir(m)))
	}
	slices.Sort(out)
	return out, nil
}

// appValues are plausible deployed values of the application variables; config.Variables
// names the variables, so a new one shows up here (with a placeholder until it is given a
// value below).
var appValues = map[string]string{
	"TABLE_NAME":                 "userbase-Table-1A2B3C4D5E6F",
	"BUCKET_NAME":                "userbase-avatarbucket-1a2b3c4d5e6f",
	"MAIL_FROM":                  "no-reply@example.com",
	"APP_NAME":                   "Userbase",
	"CONFIRMATION_URL_ALLOWLIST": "https://app.example.com",
	"DEFAULT_VERIFY_URL":         "https://app.example.com/verify?code={{code}}",
	"DEFAULT_RESET_URL":          "https://app.example.com/reset?code={{code}}",
	"SESSION_TTL":                "720h",
	"ARGON2_MEMORY_KIB":          "19456",
	"ARGON2_ITERATIONS":          "2",
	"ARGON2_PARALLELISM":         "1",
	"LOG_LEVEL":                  "info",
	"REGISTER_LIMIT_PER_HOUR":    "20",
}

// lambdaEnv is the whole environment Lambda gives a provided.al2023 function called name
// (nothing is inherited from this process), with the Runtime API at api.
func lambdaEnv(name, api string) []string {
	env := []string{
		"AWS_LAMBDA_RUNTIME_API=" + api,
		"AWS_LAMBDA_FUNCTION_NAME=" + name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + name,
		"AWS_LAMBDA_LOG_STREAM_NAME=2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef",
		"AWS_REGION=eu-west-1",
		"AWS_DEFAULT_REGION=eu-west-1",
		"AWS_ACCESS_KEY_ID=ASIAXXXXXXXXXXXXXXXX",
		"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIbenchEXAMPLEKEYxxxxxxxxxxxx",
		"AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEBenchSessionTokenExampleOnly" + strings.Repeat("x", 600),
		"_HANDLER=bootstrap",
		"LAMBDA_TASK_ROOT=/var/task",
		"LAMBDA_RUNTIME_DIR=/var/runtime",
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"PATH=/usr/local/bin:/usr/bin/:/bin:/opt/bin",
	}
	for _, v := range config.Variables() {
		val, ok := appValues[v]
		if !ok {
			val = "bench-placeholder"
		}
		env = append(env, v+"="+val)
	}
	return env
}

// runtimeAPI is the least of the Lambda Runtime API a cold start needs: it notes when the
// runtime asks for its first event and never answers it.
type runtimeAPI struct {
	addr    string
	srv     *http.Server
	asked   chan time.Time // when GET .../invocation/next arrived; buffered
	closing chan struct{}
}

const nextPath = "/2018-06-01/runtime/invocation/next"

func startRuntimeAPI() (*runtimeAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime API: %w", err)
	}
	a := &runtimeAPI{addr: ln.Addr().String(), asked: make(chan time.Time, 1), closing: make(chan struct{})}
	a.srv = &http.Server{Handler: a, ReadHeaderTimeout: 5 * time.Second}
	go a.srv.Serve(ln)
	return a, nil
}

func (a *runtimeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || r.URL.Path != nextPath {
		// An init error report, say: acknowledge it; the process's exit tells the rest.
		w.WriteHeader(http.StatusAccepted)
		return
	}
	now := time.Now()
	select {
	case a.asked <- now:
	default:
	}
	// Hold the long poll until the process is killed (or the bench ends).
	select {
	case <-r.Context().Done():
	case <-a.closing:
	}
}

func (a *runtimeAPI) close() {
	close(a.closing)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	a.srv.Shutdown(ctx)
}

// start runs t's binary once and returns the time from exec to its first request for an
// event. The process is killed then, or on failure.
func (a *runtimeAPI) start(ctx context.Context, t *coldTarget, logDir string) (time.Duration, error) {
	for len(a.asked) > 0 { // a late request of an earlier process
		<-a.asked
	}
	logPath := filepath.Join(logDir, t.name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		return 0, err
	}
	defer logf.Close()
	cmd := exec.Command(t.path)
	cmd.Env = t.env
	cmd.Dir = filepath.Dir(t.path)
	cmd.Stdout, cmd.Stderr = logf, logf
	exited := make(chan error, 1)

	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	go func() { exited <- cmd.Wait() }()
	timer := time.NewTimer(coldRunTimeout)
	defer timer.Stop()
	kill := func() {
		cmd.Process.Kill()
		<-exited
	}
	select {
	case t1 := <-a.asked:
		kill()
		return t1.Sub(t0), nil
	case err := <-exited:
		out, _ := os.ReadFile(logPath)
		return 0, fmt.Errorf("exited (%v) before asking for an event; its output:\n%s", err, tail(string(out), 20))
	case <-timer.C:
		kill()
		return 0, fmt.Errorf("did not ask for an event within %s", coldRunTimeout)
	case <-ctx.Done():
		kill()
		return 0, ctx.Err()
	}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// median of a non-empty list.
func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
