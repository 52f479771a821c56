package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"

	"github.com/mollifying/mollify/bench/speed"
)

// GemmShapes reads the shapes of BenchmarkSgemm from the variable
// benchShapes of gemm/bench_test.go (a file of package gemm's tests, so not
// importable): the list the GEMM benchmarks run is the one the table and
// the PyTorch script use. Each element must be a literal
// {"name", m, n, k, transA, transB}; anything else is an error, so a
// change of that file's layout shows here rather than as wrong numbers.
func GemmShapes(path string) ([]speed.GemmShape, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		return nil, err
	}
	var lit *ast.CompositeLit
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "benchShapes" || len(vs.Values) != 1 {
			return true
		}
		lit, _ = vs.Values[0].(*ast.CompositeLit)
		return false
	})
	if lit == nil {
		return nil, fmt.Errorf("%s: no composite literal benchShapes", path)
	}
	var out []speed.GemmShape
	for _, e := range lit.Elts {
		el, ok := e.(*ast.CompositeLit)
		if !ok || len(el.Elts) != 6 {
			return nil, fmt.Errorf("%s: benchShapes element at %v is not {name, m, n, k, transA, transB}", path, fset.Position(e.Pos()))
		}
		var s speed.GemmShape
		name, err := strLit(el.Elts[0])
		if err != nil {
			return nil, fmt.Errorf("%s at %v: %w", path, fset.Position(e.Pos()), err)
		}
		s.Name = name
		for i, dst := range []*int{&s.M, &s.N, &s.K} {
			if *dst, err = intLit(el.Elts[1+i]); err != nil {
				return nil, fmt.Errorf("%s at %v: %w", path, fset.Position(e.Pos()), err)
			}
		}
		for i, dst := range []*bool{&s.TransA, &s.TransB} {
			if *dst, err = boolLit(el.Elts[4+i]); err != nil {
				return nil, fmt.Errorf("%s at %v: %w", path, fset.Position(e.Pos()), err)
			}
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: benchShapes is empty", path)
	}
	return out, nil
}

func strLit(e ast.Expr) (string, error) {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != token.STRING {
		return "", fmt.Errorf("want a string literal, have %T", e)
	}
	return strconv.Unquote(b.Value)
}

func intLit(e ast.Expr) (int, error) {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != token.INT {
		return 0, fmt.Errorf("want an integer literal, have %T", e)
	}
	return strconv.Atoi(b.Value)
}

func boolLit(e ast.Expr) (bool, error) {
	id, ok := e.(*ast.Ident)
	if !ok || (id.Name != "true" && id.Name != "false") {
		return false, fmt.Errorf("want true or false, have %T", e)
	}
	return id.Name == "true", nil
}
