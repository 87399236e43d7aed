//go:build linux

// Command bench measures the performance budgets of the design (docs/design.md,
// "Performance budgets") and prints each figure beside its budget with a PASS or OVER mark:
//
//  1. cold start of every function's host bootstrap, beside a hello-world aws-lambda-go
//     binary built in the same run with the same flags (coldstart.go);
//  2. the size of every linux/arm64 bootstrap (sizes.go);
//  3. DynamoDB round trips per request, counted by the store on DynamoDB Local
//     (roundtrips.go);
//  4. write units per request on AWS's billing, computed from the items the same requests
//     write, and what the table's stream writes after them (writeunits.go);
//  5. handler time per request over the in-memory store (overhead.go): the handler's own
//     work only, not what a request costs;
//  6. whole-invocation CPU: GET /v1/me, login, login minus the password hash (argon2 at its
//     least cost through ARGON2_* in the function's environment), registration and logout,
//     each its real host bootstrap driven through a Runtime API served here, against the
//     local stack (pkg/localstack: DynamoDB Local, local-kms, the keys-init custom resource),
//     CPU per warm invocation from /proc/<pid>/stat beside a hello-world Lambda measured the
//     same way, and beside testdata/helloread, hello-world plus GET /v1/me's one DynamoDB
//     read (invocation.go);
//  7. where that CPU goes: the same handlers run by lambda.Start in this process under a CPU
//     profile, its samples split into hashing, logging, HTTP, SDK, encoding, handler,
//     runtime loop and other (profile.go);
//  8. argon2id with the production parameters (hashing.go);
//  9. avatar re-encoding (avatar.go);
//  10. access tokens: RS256 sign and verify CPU per token, the DynamoDB and KMS calls of
//     warm sign-ins (none), and the KMS cost of a million sign-ins (tokens.go);
//  11. admin search's items read and round trips at 5,000 and 50,000 users, on DynamoDB
//     Local (search.go);
//  12. memory sizing: the argon2id and avatar times at 256, 512, 1024 and 1769 MB from the
//     CPU share Lambda gives each size, with their price (sizing.go);
//  13. the cost of 100,000 monthly active users a month, from the measured round trips,
//     request units, CPU times and the template's memory sizes at the list prices of one
//     table (cost.go), next to Cognito Essentials;
//  14. one DynamoDB call's client CPU through the SDK with net/http's transport and with
//     pkg/awsclient/leanhttp, the functions' (sdkhttp.go).
//
// `-only search` measures part 11 alone, `-only tokens` part 10, `-only roundtrips` parts 3
// and 4, `-only hashing` part 8, `-only startup` parts 1 and 2 (the cold starts and sizes,
// for a new function), `-only invocation` parts 6, 7 and 14, `-only cost` parts 12 and 13 with
// what they need (3 to 5, 8, 9); `-search-load-limit` bounds the search loads (search.go);
// `-profile-dir` keeps part 7's CPU profiles, one file per route, for go tool pprof.
//
// `make bench` runs it after `make deps build`, from the repository root. A figure over its
// budget does not fail the run; the exit status is non-zero only when something could not
// be measured. Everything it starts listens on 127.0.0.1 (except DynamoDB Local, which has
// no bind-address option), and every loop is bounded in count and in time.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"golang.org/x/sys/unix"

	"github.com/userbase/userbase/pkg/config"
)

// module is the repository's module path, which identifies its root.
const module = "github.com/userbase/userbase"

// section is one numbered part of the report: a table of figures, notes under it, and the
// error that kept it from being measured, if any.
type section struct {
	title  string
	header []string
	rows   [][]string
	notes  []string
	err    error
}

func (s *section) row(cells ...string) { s.rows = append(s.rows, cells) }

func (s *section) note(format string, args ...any) {
	s.notes = append(s.notes, fmt.Sprintf(format, args...))
}

// mark is the verdict beside a figure.
func mark(ok bool) string {
	if ok {
		return "PASS"
	}
	return "OVER"
}

func main() { os.Exit(run()) }

// run measures and prints everything, and returns the exit status: 0 when every part was
// measured, whatever its verdicts; 1 when some part could not be; 2 when it cannot start.
func run() int {
	only := flag.String("only", "", `measure one part only: "search" (admin search and the import rate), "import" (the import rate), "tokens" (access tokens), "roundtrips", "hashing", "startup" (cold starts and sizes), "invocation" (whole-invocation CPU and its profile), or "cost" (what sizing and the cost model need, and them)`)
	flag.StringVar(&profileDir, "profile-dir", "", "keep the in-process CPU profiles of -only invocation's routes in this folder")
	flag.Parse()
	if !slices.Contains([]string{"", "search", "import", "tokens", "roundtrips", "hashing", "startup", "invocation", "cost"}, *only) || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "bench: usage: bench [-only search|import|tokens|roundtrips|hashing|startup|invocation|cost] [-search-load-limit 20m]")
		return 2
	}
	if profileDir != "" {
		// Made absolute before the chdir to the repository below, and made if missing.
		dir, err := filepath.Abs(profileDir)
		if err == nil {
			err = os.MkdirAll(dir, 0o755)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: -profile-dir:", err)
			return 2
		}
		profileDir = dir
	}
	start := time.Now()
	root, err := repoRoot()
	if err == nil {
		err = os.Chdir(root)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	// The whole run is bounded; each part has its own, shorter, limits inside this one.
	ctx, cancel := context.WithTimeout(context.Background(), coldTotalTimeout+2*time.Minute+invocationTimeout+searchTimeout())
	defer cancel()

	printMachine(os.Stdout)

	// Measured in an order that keeps the cold starts on a quiet machine (DynamoDB Local's
	// JVM is stopped by then); printed in the order of the budgets.
	// Admin search, the longest part, goes last: it has its own bound.
	var cold, sizes, trips, writes, overhead, invocation, invProfile, hashing, avatars, tokens, sizing, cost, sdkHTTP *section
	var (
		steps              []tripStep
		handler            map[string]time.Duration
		hashTime, avatarTm time.Duration
		hello              *helloBuild
		helloErr           error
	)
	if *only == "" || *only == "startup" || *only == "invocation" {
		progress("building the hello-world Lambda")
		hello, helloErr = buildHello(ctx, root)
		if helloErr == nil {
			defer hello.Close()
		}
	}
	if *only == "" || *only == "startup" {
		sizes = measureSizes(root, hello)
		// Cold starts first, while nothing else of the bench has run: starts of a few
		// milliseconds are the figures most easily moved by what ran before (a JVM for
		// DynamoDB Local, next).
		progress("cold starts")
		cold = measureColdStarts(ctx, root, hello, helloErr)
		if *only == "" {
			progress("DynamoDB round trips (DynamoDB Local, in memory)")
			trips, writes, steps = measureRoundTrips(ctx, root)
		}
	}
	if *only == "roundtrips" || *only == "cost" {
		progress("DynamoDB round trips (DynamoDB Local, in memory)")
		trips, writes, steps = measureRoundTrips(ctx, root)
	}
	if *only == "" || *only == "cost" {
		progress("handler overhead (in-memory store)")
		overhead, handler = measureOverhead(ctx)
		progress("argon2id")
		hashing, hashTime = measureHashing()
		progress("avatar re-encoding")
		avatars, avatarTm = measureAvatar()
		sizing = measureSizing(root, hashTime, avatarTm)
		cost = measureCost(root, steps, handler, hashTime)
	}
	if *only == "" || *only == "invocation" {
		progress("whole-invocation CPU (the local stack, the real bootstraps, in-process profile)")
		invocation, invProfile = measureInvocations(ctx, root, hello, helloErr)
		progress("one DynamoDB call by HTTP transport (DynamoDB Local, in memory)")
		sdkHTTP = measureSDKHTTP(ctx, root)
	}
	if *only == "hashing" {
		hashing, _ = measureHashing()
	}
	if *only == "" || *only == "tokens" {
		progress("access tokens (DynamoDB Local, local-kms)")
		tokens = measureTokens(ctx, root)
	}
	var search *section
	switch *only {
	case "tokens", "roundtrips", "hashing", "startup", "invocation", "cost":
	case "import":
		search = measureImportOnly(ctx, root)
	default:
		progress("admin search (DynamoDB Local, in memory)")
		search = measureSearch(ctx, root)
	}

	failed := 0
	for i, s := range []*section{cold, sizes, trips, writes, overhead, invocation, invProfile, hashing, avatars, tokens, search, sizing, cost, sdkHTTP} {
		if s == nil {
			continue
		}
		printSection(os.Stdout, i+1, s)
		if s.err != nil {
			failed++
		}
	}
	fmt.Printf("Done in %.1f s.\n", time.Since(start).Seconds())
	if failed > 0 {
		fmt.Printf("%d part(s) could not be measured (see above).\n", failed)
		return 1
	}
	return 0
}

// progress tells the person waiting what is being measured; the report itself goes to
// standard output.
func progress(what string) { fmt.Fprintf(os.Stderr, "bench: %s...\n", what) }

// repoRoot finds the repository: the nearest directory at or above the working directory
// whose go.mod declares this module.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			bytes.Contains(b, []byte("module "+module+"\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("run from inside the %s repository (no go.mod of that module above the working directory)", module)
		}
		dir = parent
	}
}

// printMachine heads the report with what the figures were measured on.
func printMachine(w io.Writer) {
	fmt.Fprintf(w, "Userbase bench: %s/%s, %d CPUs, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	if m := cpuModel(); m != "" {
		fmt.Fprintf(w, ", %s", m)
	}
	fmt.Fprintf(w, "\n%s", time.Now().UTC().Format(time.RFC3339))
	if l, ok := loadAverage(); ok {
		fmt.Fprintf(w, ", load average %.2f", l)
	}
	fmt.Fprint(w, "\n\n")
}

// loadAverage is the one-minute load average where Linux tells it.
func loadAverage() (float64, bool) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, false
	}
	var l float64
	if _, err := fmt.Sscan(string(b), &l); err != nil {
		return 0, false
	}
	return l, true
}

// probe measures how much CPU time other work took while a part ran: the machine's busy
// time (from /proc/stat) minus this process's and its reaped children's (getrusage).
type probe struct {
	machine cpuTime
	own     time.Duration
	ok      bool
}

func startProbe() probe {
	m, ok := cpuTimes()
	return probe{machine: m, own: ownCPU(), ok: ok}
}

// note adds a warning to s when other work took more than a fifth of the machine's CPU
// time since p started: the part's figures are then noisy.
func (p probe) note(s *section) {
	m, ok := cpuTimes()
	if !p.ok || !ok || m.total <= p.machine.total {
		return
	}
	// /proc/stat counts in USER_HZ, which is 100 on every Linux that matters here.
	const tick = 10 * time.Millisecond
	total := time.Duration(m.total-p.machine.total) * tick
	busy := total - time.Duration(m.idle-p.machine.idle)*tick
	others := busy - (ownCPU() - p.own)
	if share := float64(others) / float64(total); share > 0.2 {
		s.note("Other work took %.0f%% of the machine's CPU time during this part: its figures are noisy; rerun on a quiet machine.", 100*share)
	}
}

// ownCPU is the CPU time of this process and of its children that have been waited for.
func ownCPU() time.Duration {
	var d time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if syscall.Getrusage(who, &ru) == nil {
			d += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return d
}

type cpuTime struct{ idle, total uint64 }

// cpuTimes reads the aggregate "cpu" line of /proc/stat: idle (with iowait) and total
// clock ticks since boot.
func cpuTimes() (cpuTime, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTime{}, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "cpu" {
		return cpuTime{}, false
	}
	var t cpuTime
	for i, v := range f[1:] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return cpuTime{}, false
		}
		if i == 3 || i == 4 { // idle, iowait
			t.idle += n
		}
		if i < 8 { // guest time is already counted in user and nice
			t.total += n
		}
	}
	return t, true
}

// cpuModel is the processor's name where Linux tells it, else "".
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for i := 0; sc.Scan() && i < 100; i++ {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// printSection writes one part of the report as an aligned table.
func printSection(w io.Writer, n int, s *section) {
	fmt.Fprintf(w, "%d. %s\n", n, s.title)
	if len(s.rows) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "   %s\n", strings.Join(s.header, "\t"))
		for _, r := range s.rows {
			fmt.Fprintf(tw, "   %s\n", strings.Join(r, "\t"))
		}
		tw.Flush()
	}
	for _, n := range s.notes {
		fmt.Fprintf(w, "   %s\n", n)
	}
	if s.err != nil {
		fmt.Fprintf(w, "   NOT MEASURED: %s\n", strings.ReplaceAll(s.err.Error(), "\n", "\n   "))
	}
	fmt.Fprintln(w)
}

// defaultConfig is the configuration a function gets from config.Load with nothing but the
// table name set: config's own defaults, read through its own code rather than copied here.
// It sets and restores this process's environment around the call.
func defaultConfig(table string) (*config.Config, error) {
	saved := map[string]string{}
	for _, name := range config.Variables() {
		if v, ok := os.LookupEnv(name); ok {
			saved[name] = v
		}
		os.Unsetenv(name)
	}
	defer func() {
		for _, name := range config.Variables() {
			if v, ok := saved[name]; ok {
				os.Setenv(name, v)
			} else {
				os.Unsetenv(name)
			}
		}
	}()
	os.Setenv("TABLE_NAME", table)
	return config.Load()
}

// quietStdout runs f with file descriptor 1 pointed at /dev/null, so that the one log line
// each in-process request writes is still written (it is part of a handler's cost in
// Lambda) but does not flood the report.
func quietStdout(f func()) error { return quietFD(1, f) }

// quietFD runs f with file descriptor fd pointed at /dev/null.
func quietFD(fd int, f func()) (err error) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer null.Close()
	saved, err := unix.Dup(fd)
	if err != nil {
		return fmt.Errorf("dup fd %d: %w", fd, err)
	}
	defer unix.Close(saved)
	if err := unix.Dup2(int(null.Fd()), fd); err != nil {
		return fmt.Errorf("redirect fd %d: %w", fd, err)
	}
	defer func() {
		if rerr := unix.Dup2(saved, fd); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}()
	f()
	return nil
}
