// Package e2e speaks HTTP to the local stack — the real function binaries behind the API
// Gateway emulator, DynamoDB Local, the SES emulator — and holds every response to
// docs/openapi.yaml.
package e2e

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/localstack"
	"github.com/userbase/userbase/pkg/openapitest"
)

var (
	stack *localstack.Stack
	doc   *openapitest.Doc
	// logs holds every function's output, so tests can check that no secret was logged.
	logs = &logBuffer{}
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	root, _ := filepath.Abs("..")
	flag.Parse()
	if testing.Short() {
		fmt.Fprintln(os.Stderr, "e2e: skipped under -short: it builds every function and starts the local stack")
		return 0
	}
	if err := localstack.CheckPrerequisites(root); err != nil {
		if os.Getenv("CI") != "" {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			return 1
		}
		fmt.Fprintln(os.Stderr, "e2e: skipped:", err)
		return 0
	}
	build := exec.Command("scripts/build-functions.sh", "host")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build:", err)
		return 1
	}
	var err error
	if doc, err = openapitest.Load(filepath.Join(root, "docs", "openapi.yaml")); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	stack, err = localstack.Start(ctx, localstack.Options{
		Dir:        root,
		Parameters: localstack.LocalParameters(),
		// Every test request comes from 127.0.0.1: the per-address limits of registrations,
		// failed sign-ins and reset attempts would otherwise join unrelated tests.
		Env: map[string]string{"REGISTER_LIMIT_PER_HOUR": "100000", "LOGIN_MAX_IP_FAILURES": "100000",
			"RESET_LIMIT_PER_HOUR": "100000"},
		Log: logs,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: start the local stack:", err)
		return 1
	}
	code := m.Run()
	// Every operation the contract promises was exercised by some test (a full run only).
	if code == 0 && testing.Short() == false && flagRunAll() {
		if left := doc.Unexercised(); len(left) > 0 {
			fmt.Fprintln(os.Stderr, "e2e: operations of docs/openapi.yaml no test exercised:", left)
			code = 1
		}
	}
	stack.Stop()
	if code == 0 {
		if left := stack.ChildPIDs(); len(left) > 0 {
			fmt.Fprintln(os.Stderr, "e2e: processes left after Stop:", left)
			code = 1
		}
	}
	return code
}

// logBuffer keeps what the stack's children wrote.
type logBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if os.Getenv("E2E_VERBOSE") != "" {
		os.Stderr.Write(p)
	}
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// flagRunAll reports whether the whole suite ran (no -run filter).
func flagRunAll() bool {
	f := flag.Lookup("test.run")
	return f == nil || f.Value.String() == ""
}
