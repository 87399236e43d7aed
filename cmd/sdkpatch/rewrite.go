package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"

	"golang.org/x/tools/go/ast/astutil"
)

// tables are the package variables of a service's internal/endpoints that its init builds.
var tables = []string{"partitionRegexp", "defaultPartitions"}

// errNoTables is rewrite's answer for a file that declares neither table: nothing to do.
var errNoTables = errors.New("no endpoint tables")

// rewrite turns each of tables in src, `var name = value`, into
// `var name = sync.OnceValue(func() T { return value })`, T the composite literal's type,
// and every other use of name into name(): the same values, built by the first call
// instead of at package init. It fails unless both variables are there in that form, so a
// new SDK release that changes the file's shape stops the build rather than slipping by.
func rewrite(src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "endpoints.go", src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	lazy := map[string]bool{}
	for _, t := range tables {
		lazy[t] = true
	}
	decls := map[string]*ast.ValueSpec{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			if len(vs.Names) == 1 && lazy[vs.Names[0].Name] {
				decls[vs.Names[0].Name] = vs
			}
		}
	}
	if len(decls) == 0 {
		return nil, errNoTables
	}
	for _, t := range tables {
		vs := decls[t]
		if vs == nil {
			return nil, fmt.Errorf("endpoints.go declares no %s", t)
		}
		if vs.Type != nil || len(vs.Values) != 1 {
			return nil, fmt.Errorf("endpoints.go: %s is not `var %s = <composite literal>`", t, t)
		}
		if cl, ok := vs.Values[0].(*ast.CompositeLit); !ok || cl.Type == nil {
			return nil, fmt.Errorf("endpoints.go: %s is not `var %s = <composite literal>`", t, t)
		}
	}

	// Uses first, while each declaration still holds its plain value (uses inside a value,
	// such as partitionRegexp's in defaultPartitions', become calls too).
	astutil.Apply(f, func(c *astutil.Cursor) bool {
		id, ok := c.Node().(*ast.Ident)
		if !ok || !lazy[id.Name] {
			return true
		}
		if vs, ok := c.Parent().(*ast.ValueSpec); ok && c.Name() == "Names" && decls[id.Name] == vs {
			return true
		}
		if sel, ok := c.Parent().(*ast.SelectorExpr); ok && c.Name() == "Sel" && sel.Sel == id {
			return true // x.partitionRegexp: some other thing's field
		}
		c.Replace(&ast.CallExpr{Fun: ast.NewIdent(id.Name)})
		return false
	}, nil)
	for _, vs := range decls {
		val := vs.Values[0].(*ast.CompositeLit)
		vs.Values[0] = &ast.CallExpr{
			Fun: &ast.SelectorExpr{X: ast.NewIdent("sync"), Sel: ast.NewIdent("OnceValue")},
			Args: []ast.Expr{&ast.FuncLit{
				Type: &ast.FuncType{Params: &ast.FieldList{}, Results: &ast.FieldList{List: []*ast.Field{{Type: val.Type}}}},
				Body: &ast.BlockStmt{List: []ast.Stmt{&ast.ReturnStmt{Results: []ast.Expr{val}}}},
			}},
		}
	}
	astutil.AddImport(fset, f, "sync")
	var buf bytes.Buffer
	if err := format.Node(&buf, fset, f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
