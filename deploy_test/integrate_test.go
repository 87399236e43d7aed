package deploy_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const integratePath = "../docs/integrate.md"

// snippet is a fenced code block of docs/integrate.md marked <!-- snippet: kind --> on the
// line before it.
type snippet struct {
	kind string
	line int
	code string
}

var snippetMark = regexp.MustCompile("^<!-- snippet: ([a-z-]+) -->$")

// snippets reads the marked code blocks of a Markdown file.
func snippets(t *testing.T, path string) []snippet {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	var out []snippet
	for i := 0; i < len(lines); i++ {
		m := snippetMark.FindStringSubmatch(strings.TrimSpace(lines[i]))
		if m == nil {
			continue
		}
		if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "```") {
			t.Fatalf("%s:%d: a snippet mark must be followed by a fenced code block", path, i+1)
		}
		start := i + 2
		end := start
		for end < len(lines) && !strings.HasPrefix(lines[end], "```") {
			end++
		}
		if end == len(lines) {
			t.Fatalf("%s:%d: the code block never ends", path, i+2)
		}
		out = append(out, snippet{kind: m[1], line: i + 3, code: strings.Join(lines[start:end], "\n") + "\n"})
		i = end
	}
	return out
}

// cfnLint finds cfn-lint: without it the SAM snippets are not checked, which only CI
// refuses.
func cfnLint(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("cfn-lint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("cfn-lint is not installed; CI checks the SAM snippets of docs/integrate.md with it")
		}
		t.Skip("cfn-lint is not installed: the SAM snippets of docs/integrate.md are not checked")
	}
	return p
}

// Each SAM snippet, wrapped into a template with the parameters it names, passes cfn-lint
// (SAM's own transform included); warnings count.
func TestIntegrateSAMSnippetsLint(t *testing.T) {
	if testing.Short() {
		t.Skip("runs cfn-lint over a generated template")
	}
	all := snippets(t, integratePath)
	var params map[string]any
	var sam []snippet
	for _, s := range all {
		switch s.kind {
		case "sam-parameters":
			var doc struct {
				Parameters map[string]any `yaml:"Parameters"`
			}
			if err := yaml.Unmarshal([]byte(s.code), &doc); err != nil || len(doc.Parameters) == 0 {
				t.Fatalf("%s:%d: the parameters snippet is not a Parameters section: %v", integratePath, s.line, err)
			}
			params = doc.Parameters
		case "sam":
			sam = append(sam, s)
		}
	}
	// (a) the JWT authorizer, (b) the Lambda authorizer on a REST API and on an HTTP API.
	if len(sam) < 3 || params == nil {
		t.Fatalf("%s: %d SAM snippets and parameters %v, want at least 3 and the parameters", integratePath, len(sam), params)
	}
	lint := cfnLint(t)
	dir := t.TempDir()
	var paths []string
	for _, s := range sam {
		if !strings.HasPrefix(s.code, "Resources:\n") {
			t.Errorf("%s:%d: a SAM snippet starts with Resources:", integratePath, s.line)
			continue
		}
		used := map[string]any{}
		for name, p := range params {
			if regexp.MustCompile(`(!Ref |\$\{)` + name + `\b`).MatchString(s.code) {
				used[name] = p
			}
		}
		head := map[string]any{"AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31"}
		if len(used) > 0 {
			head["Parameters"] = used
		}
		hb, err := yaml.Marshal(head)
		if err != nil {
			t.Fatal(err)
		}
		// Named after the snippet's line, which cfn-lint's findings then point to.
		path := filepath.Join(dir, "integrate.md-line-"+strconv.Itoa(s.line)+".yaml")
		if err := os.WriteFile(path, append(hb, s.code...), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	// One run for all: each start of cfn-lint loads SAM's translator, seconds on its own.
	if out, err := exec.Command(lint, paths...).CombinedOutput(); err != nil {
		t.Errorf("cfn-lint on the SAM snippets of %s (wrapped with AWSTemplateFormatVersion, Transform and the parameters they use): %v\n%s",
			integratePath, err, out)
	}
}

// The Go snippet builds and passes go vet, in a module of its own with this repository's
// requirements (so it uses the library versions the end-to-end tests verify tokens with).
func TestIntegrateGoSnippetVets(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go vet over a generated module")
	}
	var gos []snippet
	for _, s := range snippets(t, integratePath) {
		if s.kind == "go" {
			gos = append(gos, s)
		}
	}
	if len(gos) == 0 {
		t.Fatalf("%s has no Go snippet", integratePath)
	}
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile("../go.sum")
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := bytes.Cut(mod, []byte("\n"))
	if !bytes.HasPrefix(first, []byte("module ")) {
		t.Fatalf("go.mod starts with %q", first)
	}
	mod = append([]byte("module example.com/snippet"), mod[len(first):]...)
	for _, s := range gos {
		dir := t.TempDir()
		for name, b := range map[string][]byte{"go.mod": mod, "go.sum": sum, "main.go": []byte(s.code)} {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for _, args := range [][]string{{"build", "-o", os.DevNull, "."}, {"vet", "."}} {
			cmd := exec.Command("go", args...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
			if out, err := cmd.CombinedOutput(); err != nil {
				var ee *exec.ExitError
				if !errors.As(err, &ee) {
					t.Fatal(err)
				}
				t.Errorf("%s:%d: go %s: %v\n%s", integratePath, s.line, args[0], err, out)
			}
		}
	}
}
