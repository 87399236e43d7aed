package openapitest

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/userbase/userbase/pkg/apperr"
	"github.com/userbase/userbase/pkg/config"
)

// These tests hold the repository's prose to its code and to docs/openapi.yaml: docs/api.md
// (the contract in words) names the same routes and problem codes as the OpenAPI document
// and pkg/apperr; docs/CONVENTIONS.md and the README name the variables pkg/config reads;
// and no file refers to anything outside the repository.

const (
	repoRoot        = "../.."
	apiDocPath      = repoRoot + "/docs/api.md"
	conventionsPath = repoRoot + "/docs/CONVENTIONS.md"
	readmePath      = repoRoot + "/README.md"
)

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// apiDocRoute is a row of a route table of docs/api.md: "| GET /v1/me | bearer | … |".
var apiDocRoute = regexp.MustCompile(`(?m)^\| (GET|POST|PUT|PATCH|DELETE) (/[^ |]*) \|`)

func TestAPIDocNamesEveryRouteOfTheOpenAPIDocument(t *testing.T) {
	var inProse []string
	for _, m := range apiDocRoute.FindAllStringSubmatch(readFile(t, apiDocPath), -1) {
		inProse = append(inProse, m[1]+" "+m[2])
	}
	var inSpec []string
	for _, op := range loadDoc(t, docPath).Operations() {
		if op.Method != "OPTIONS" && op.Method != "HEAD" {
			inSpec = append(inSpec, op.String())
		}
	}
	if len(inProse) == 0 {
		t.Fatal("docs/api.md has no route table rows (| METHOD /path | …)")
	}
	if dup := duplicates(inProse); len(dup) > 0 {
		t.Errorf("docs/api.md lists these routes twice: %v", dup)
	}
	slices.Sort(inProse)
	slices.Sort(inSpec)
	if diff := cmp.Diff(slices.Compact(inSpec), slices.Compact(inProse)); diff != "" {
		t.Errorf("routes of docs/openapi.yaml (-) and of docs/api.md's route tables (+) differ:\n%s", diff)
	}
}

// apiDocProblem is a row of docs/api.md's problem table: "| `not_found` | 404 | … |".
var apiDocProblem = regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\| ([0-9]{3}) \\|")

func TestProblemCodesAreTheSameInCodeAndBothDocs(t *testing.T) {
	code := map[string]int{}
	for _, c := range apperr.Codes() {
		code[string(c)] = apperr.Status(c)
	}
	prose := map[string]int{}
	for _, m := range apiDocProblem.FindAllStringSubmatch(readFile(t, apiDocPath), -1) {
		status, _ := strconv.Atoi(m[2])
		if _, dup := prose[m[1]]; dup {
			t.Errorf("docs/api.md lists the problem code %s twice", m[1])
		}
		prose[m[1]] = status
	}
	spec, err := loadDoc(t, docPath).ProblemCodes()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(code, prose); diff != "" {
		t.Errorf("problem codes of pkg/apperr (-) and of docs/api.md's table (+) differ:\n%s", diff)
	}
	if diff := cmp.Diff(code, spec); diff != "" {
		t.Errorf("problem codes of pkg/apperr (-) and of docs/openapi.yaml (+) differ:\n%s", diff)
	}
}

func TestFieldCodesAreInTheAPIDoc(t *testing.T) {
	prose := readFile(t, apiDocPath)
	codes, err := loadDoc(t, docPath).FieldCodes()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range codes {
		if !strings.Contains(prose, "`"+c+"`") {
			t.Errorf("docs/api.md does not name the field code %s of docs/openapi.yaml", c)
		}
	}
}

// backticked finds `NAME` (an upper-case variable name in backticks).
var backticked = regexp.MustCompile("`([A-Z][A-Z0-9_]+)`")

// readmeVariableRow finds (`NAME`, `NAME`) at the end of the first cell of a README table row.
var readmeVariableRow = regexp.MustCompile("(?m)^\\| [^|]*\\(((?:`[A-Z][A-Z0-9_]+`(?:, )?)+)\\) \\|")

func TestConfigVariablesAreDocumented(t *testing.T) {
	want := slices.Sorted(slices.Values(config.Variables()))

	conv := readFile(t, conventionsPath)
	begin, end := strings.Index(conv, "<!-- variables: begin -->"), strings.Index(conv, "<!-- variables: end -->")
	if begin < 0 || end < begin {
		t.Fatal("docs/CONVENTIONS.md lacks the <!-- variables: begin --> … <!-- variables: end --> list")
	}
	var listed []string
	for _, line := range strings.Split(conv[begin:end], "\n") {
		if m := backticked.FindStringSubmatch(line); m != nil && strings.HasPrefix(strings.TrimSpace(line), "| `") {
			listed = append(listed, m[1])
		}
	}
	if dup := duplicates(listed); len(dup) > 0 {
		t.Errorf("docs/CONVENTIONS.md lists these variables twice: %v", dup)
	}
	if diff := cmp.Diff(want, slices.Compact(slices.Sorted(slices.Values(listed)))); diff != "" {
		t.Errorf("pkg/config.Variables() (-) and docs/CONVENTIONS.md's list (+) differ:\n%s", diff)
	}

	readme := readFile(t, readmePath)
	var inTable []string
	for _, m := range readmeVariableRow.FindAllStringSubmatch(readme, -1) {
		for _, v := range backticked.FindAllStringSubmatch(m[1], -1) {
			inTable = append(inTable, v[1])
		}
	}
	if dup := duplicates(inTable); len(dup) > 0 {
		t.Errorf("README.md's configuration table names these variables twice: %v", dup)
	}
	if diff := cmp.Diff(want, slices.Compact(slices.Sorted(slices.Values(inTable)))); diff != "" {
		t.Errorf("pkg/config.Variables() (-) and README.md's configuration table (+) differ:\n%s", diff)
	}
}

// outsideNames are what a file must not name: the documents and tools the project was
// started from, which live outside the repository. They are spelled in pieces so this
// file does not name them itself.
var outsideNames = []string{
	"../" + "shared", "/work/" + "shared",
	"API" + ".md", "DESIGN" + ".md", "SEE" + "DS.md", "STYLE" + ".md",
}

// skipDirs are folders of generated or fetched content, never committed; they are skipped
// when the files are found by walking the tree (no git at hand).
var skipDirs = map[string]bool{
	".git": true, "node_modules": true, ".build": true, ".aws-sam": true, ".local": true,
}

// repoFiles lists the repository's files relative to its root: the tracked ones when git can
// say (so a scratch file of one's own does not fail the test), else every file of the tree.
func repoFiles(t *testing.T) []string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z")
	cmd.Dir = repoRoot
	if out, err := cmd.Output(); err == nil && len(out) > 0 {
		return strings.Split(strings.TrimRight(string(out), "\x00"), "\x00")
	}
	var files []string
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && skipDirs[d.Name()] {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(repoRoot, path)
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestNoFileRefersOutsideTheRepository(t *testing.T) {
	checked := 0
	for _, rel := range repoFiles(t) {
		b, err := os.ReadFile(filepath.Join(repoRoot, rel))
		if errors.Is(err, fs.ErrNotExist) {
			continue // tracked but deleted in the work tree
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.IndexByte(b, 0) >= 0 {
			continue // binary: images
		}
		checked++
		for i, line := range strings.Split(string(b), "\n") {
			for _, name := range outsideNames {
				if strings.Contains(line, name) {
					t.Errorf("%s:%d names %s, which is outside the repository: say it in the repository's own docs (docs/api.md, docs/design.md)", rel, i+1, name)
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("checked only %d files: is %s the repository root?", checked, repoRoot)
	}
}

// duplicates returns the values that occur more than once in s, sorted.
func duplicates(s []string) []string {
	seen := map[string]int{}
	for _, v := range s {
		seen[v]++
	}
	var out []string
	for v, n := range seen {
		if n > 1 {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}
