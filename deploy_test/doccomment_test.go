package deploy_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFunctionCommentsNameTheirRoute holds each functions/*/main.go to the house style of its
// package comment: "Command <folder> is the Lambda of <METHOD> <path>; see …" for a route
// function (every route it serves named), and a comment that names what invokes it for the
// others (a stream, a custom resource, SNS, another API).
func TestFunctionCommentsNameTheirRoute(t *testing.T) {
	served := map[string][]string{}
	for _, r := range routes {
		served[r.folder] = append(served[r.folder], r.method+" "+r.path)
	}
	dirs, err := os.ReadDir(functionsDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		main := filepath.Join(functionsDir, d.Name(), "main.go")
		if _, err := os.Stat(main); err != nil {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), main, nil, parser.ParseComments|parser.PackageClauseOnly)
		if err != nil {
			t.Fatal(err)
		}
		if f.Doc == nil {
			t.Errorf("%s: no package comment; write \"Command %s is the Lambda of <METHOD> <path>; see …\"", main, d.Name())
			continue
		}
		doc := strings.Join(strings.Fields(f.Doc.Text()), " ")
		if !strings.HasPrefix(doc, "Command "+d.Name()+" ") {
			t.Errorf("%s: the package comment starts %q, want \"Command %s …\"", main, firstWords(doc), d.Name())
		}
		if strings.Contains(doc, "one route") {
			t.Errorf("%s: the package comment says \"one route\": name the route (METHOD path)", main)
		}
		for _, route := range served[d.Name()] {
			if !strings.Contains(doc, route) {
				t.Errorf("%s: the package comment does not name its route %s", main, route)
			}
		}
	}
}

func firstWords(s string) string {
	w := strings.Fields(s)
	return strings.Join(w[:min(len(w), 4)], " ")
}
