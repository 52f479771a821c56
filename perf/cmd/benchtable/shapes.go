package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"

	"github.com/mollifying/mollify/perf/speed"
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

// targetShapes are the speed issue's two named products (a 1000-unit and a
// 784-input MLP layer at batch 128) and their goal, % of the peak; every
// other listed shape is one the models make, with the goal below.
var targetShapes = map[string]float64{"mlp1000": 75, "mlp784": 75}

// modelGoal is the goal (% of the peak) for a product the models make, and
// tinyDim the dimension below which a product is tiny: one of m, n, k
// shorter than a 16-lane AVX-512 vector leaves most lanes of any
// vectorisation along it idle. A tiny product's goal is to be no slower
// than gonum.
const (
	modelGoal = 60.0
	tinyDim   = 16
)

func tiny(s speed.GemmShape) bool { return min(s.M, s.N, s.K) < tinyDim }

// peakGoal is a non-tiny product's goal, % of the peak, and whether it is
// one of the targets.
func peakGoal(s speed.GemmShape) (want float64, isTarget bool) {
	if want, ok := targetShapes[s.Name]; ok {
		return want, true
	}
	return modelGoal, false
}

// annotate checks that the listed shapes are the targets and the
// models' products (every product of the models listed, none listed that
// they do not make) and copies each model product's use and share into the
// list.
func annotate(listed, models []speed.GemmShape) ([]speed.GemmShape, error) {
	byName := map[string]speed.GemmShape{}
	for _, m := range models {
		byName[m.Name] = m
	}
	out := make([]speed.GemmShape, len(listed))
	seen := map[string]bool{}
	for i, s := range listed {
		if seen[s.Name] {
			return nil, fmt.Errorf("shape %s is listed twice", s.Name)
		}
		seen[s.Name] = true
		out[i] = s
		if _, ok := targetShapes[s.Name]; ok {
			continue
		}
		m, ok := byName[s.Name]
		if !ok {
			return nil, fmt.Errorf("shape %s (%d×%d×%d) is listed but no model makes it", s.Name, s.M, s.N, s.K)
		}
		if m.M != s.M || m.N != s.N || m.K != s.K || m.TransA != s.TransA || m.TransB != s.TransB {
			return nil, fmt.Errorf("shape %s is listed as %+v, the models make %+v", s.Name, s, m)
		}
		out[i].Use, out[i].Share = m.Use, m.Share
	}
	var missing []string
	for _, m := range models {
		if !seen[m.Name] {
			missing = append(missing, fmt.Sprintf("%s (%s, %.1f%%)", m.Name, m.Use, 100*m.Share))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the models make products gemm/bench_test.go does not list: %s", strings.Join(missing, ", "))
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
