// Package browser drives the hosted account pages in a real browser: Debian's chromium,
// headless, through the DevTools protocol (github.com/chromedp/chromedp), against the local
// stack. It signs up, confirms the address from the mailed link, signs in, switches to
// Persian, enrols TOTP from the page's QR secret, signs in with it, adds a passkey with
// Chromium's virtual authenticator and signs in with it alone, resets the password from the
// mailed link and ends a session; every page is checked with axe-core and photographed in
// English and Persian into .build/screenshots.
//
// Without chromium on PATH (or CHROMIUM pointing at it) the package skips, saying what to
// install; with CI=true it fails instead.
package browser

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/userbase/userbase/pkg/localstack"
)

var (
	stack   *localstack.Stack
	chrome  string // the browser's executable
	repo    string // the repository root
	shotDir string // where screenshots go
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	repo, _ = filepath.Abs("..")
	flag.Parse()
	if testing.Short() {
		fmt.Fprintln(os.Stderr, "browser: skipped under -short: it starts Chromium and the local stack")
		return 0
	}
	chrome = findChromium()
	var missing []string
	if chrome == "" {
		missing = append(missing, "chromium is not installed: `make deps` installs it as root on Debian/Ubuntu "+
			"(apt-get install chromium fonts-dejavu-core); elsewhere install Chromium and set CHROMIUM to its path")
	}
	if err := localstack.CheckPrerequisites(repo); err != nil {
		missing = append(missing, err.Error())
	}
	if _, err := os.Stat(filepath.Join(repo, "node_modules", "axe-core", "axe.min.js")); err != nil {
		missing = append(missing, "node_modules/axe-core is missing: run `make deps` (npm ci)")
	}
	if len(missing) > 0 {
		for _, s := range missing {
			if os.Getenv("CI") == "true" {
				fmt.Fprintln(os.Stderr, "browser:", s)
			} else {
				fmt.Fprintln(os.Stderr, "browser: skipped:", s)
			}
		}
		if os.Getenv("CI") == "true" {
			return 1
		}
		return 0
	}
	build := exec.Command("scripts/build-functions.sh", "host")
	build.Dir, build.Stdout, build.Stderr = repo, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "browser: build:", err)
		return 1
	}
	shotDir = filepath.Join(repo, ".build", "screenshots")
	if err := os.MkdirAll(shotDir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "browser:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var err error
	stack, err = localstack.Start(ctx, localstack.Options{
		Dir:        repo,
		Parameters: localstack.LocalParameters(),
		Log:        logWriter(),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "browser: start the local stack:", err)
		return 1
	}
	code := m.Run()
	stack.Stop()
	fmt.Fprintln(os.Stderr, "browser: screenshots in", shotDir)
	return code
}

// findChromium returns $CHROMIUM, or the first Chromium on PATH.
func findChromium() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// logWriter is where the stack's children write: the terminal with BROWSER_VERBOSE set.
func logWriter() io.Writer {
	if os.Getenv("BROWSER_VERBOSE") != "" {
		return os.Stderr
	}
	return nil
}
