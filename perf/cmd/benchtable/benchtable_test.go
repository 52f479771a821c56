package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mollifying/mollify/experiment"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mollifying/mollify/perf/speed"
)

const goOutput = `goos: linux
goarch: amd64
pkg: github.com/mollifying/mollify/gemm
cpu: Test CPU
BenchmarkPeak  	     208	   1051038 ns/op	       100.0 GFLOP/s	         2.300 GHz
BenchmarkSgemm/mlp1000/fast-avx512         	      78	   3034000 ns/op	        55.06 %peak	        84.38 GFLOP/s	        80.00 best%peak	        50.00 cpuGFLOP/s	       0 B/op	       0 allocs/op
some log line the benchmark printed
BenchmarkSgemm/mlp1000/gonum-2             	      10	  13034000 ns/op	        10.00 cpuGFLOP/s
PASS
pkg: github.com/mollifying/mollify/perf/speed
BenchmarkStep/parity/baseline         	     282	   4267421 ns/op	  10.00 GFLOP/s	 20.00 MFLOP/step	 50000 examples/s	   2500000 mean-ns/step	   2000000 ns/step
BenchmarkStep/parity/baseline         	     282	   4267421 ns/op	  8.000 GFLOP/s	 20.00 MFLOP/step	 40000 examples/s	   2600000 mean-ns/step	   2500000 ns/step
BenchmarkStep/parity/mollified        	     282	   4267421 ns/op	  8.000 GFLOP/s	 20.00 MFLOP/step	 50000 examples/s	   2600000 mean-ns/step	   2000000 ns/step
BenchmarkStep/parity/mollified/late   	     282	   4267421 ns/op	  8.000 GFLOP/s	 20.00 MFLOP/step	 33333 examples/s	   3600000 mean-ns/step	   3000000 ns/step
BenchmarkEval/parity/baseline         	     282	   4267421 ns/op	  1000 ns/example
BenchmarkEval/parity/mollified        	     282	   4267421 ns/op	  2000 ns/example
ok  	github.com/mollifying/mollify/perf/speed	17.551s
`

func TestParseGo(t *testing.T) {
	g, err := ParseGo(strings.NewReader(goOutput))
	if err != nil {
		t.Fatal(err)
	}
	if g.Config["cpu"] != "Test CPU" || g.Config["pkg"] == "" {
		t.Errorf("config %v", g.Config)
	}
	wantOrder := []string{"Peak", "Sgemm/mlp1000/fast-avx512", "Sgemm/mlp1000/gonum", "Step/parity/baseline", "Step/parity/mollified", "Step/parity/mollified/late", "Eval/parity/baseline", "Eval/parity/mollified"}
	if d := cmp.Diff(wantOrder, g.Order); d != "" {
		t.Errorf("order (-want +got):\n%s", d)
	}
	if v, ok := g.Best("Step/parity/baseline", "ns/step", true); !ok || v != 2e6 {
		t.Errorf("best ns/step = %v, %v; want the lower of two samples, 2e6", v, ok)
	}
	if v, ok := g.Best("Step/parity/baseline", "examples/s", false); !ok || v != 50000 {
		t.Errorf("best examples/s = %v, %v", v, ok)
	}
	if _, ok := g.Best("Step/parity/noisy", "ns/step", true); ok {
		t.Error("a benchmark that did not run has a value")
	}
	if n := g.find("Sgemm/mlp1000/fast"); n != "Sgemm/mlp1000/fast-avx512" {
		t.Errorf("find = %q", n)
	}
	if _, err := ParseGo(strings.NewReader("BenchmarkX 10 12 ns/op abc GFLOP/s\n")); err == nil {
		t.Error("a metric that is not a number was accepted")
	}
}

func TestGemmShapesOfTheRealFile(t *testing.T) {
	shapes, err := GemmShapes(filepath.Join("..", "..", "..", "gemm", "bench_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	if len(shapes) < 5 {
		t.Fatalf("only %d shapes", len(shapes))
	}
	want := speed.GemmShape{Name: "mlp1000", M: 128, N: 1000, K: 1000}
	if shapes[0] != want {
		t.Errorf("first shape %+v, want %+v", shapes[0], want)
	}
	var trans bool
	for _, s := range shapes {
		trans = trans || s.TransA || s.TransB
	}
	if !trans {
		t.Error("no transposed shape read")
	}
}

// TestGemmShapesAreTheModels checks gemm's benchmark list against the
// products one update of each paper-profile model makes: a model that
// changes its products must change the list.
func TestGemmShapesAreTheModels(t *testing.T) {
	listed, err := GemmShapes(filepath.Join("..", "..", "..", "gemm", "bench_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	models, err := speed.StepShapes(experiment.MustBuiltin("paper"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := annotate(listed, models)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range got {
		if _, ok := targetShapes[s.Name]; !ok && (s.Use == "" || s.Share <= 0) {
			t.Errorf("%s has no use", s.Name)
		}
		if s.Name != speed.ShapeName(s.TransA, s.TransB, s.M, s.N, s.K) && s.Use != "" {
			t.Errorf("%s is not named for its dimensions", s.Name)
		}
	}
}

func TestAnnotate(t *testing.T) {
	models := []speed.GemmShape{
		{Name: "20x800x200", M: 20, N: 800, K: 200, Use: "ptb/baseline", Share: 0.05},
		{Name: "100x2x100_tA", M: 100, N: 2, K: 100, TransA: true, Use: "parity/baseline", Share: 0.001},
	}
	target := speed.GemmShape{Name: "mlp1000", M: 128, N: 1000, K: 1000}
	got, err := annotate([]speed.GemmShape{target, {Name: "100x2x100_tA", M: 100, N: 2, K: 100, TransA: true}, {Name: "20x800x200", M: 20, N: 800, K: 200}}, models)
	if err != nil {
		t.Fatal(err)
	}
	want := []speed.GemmShape{target, models[1], models[0]}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("annotate (-want +got):\n%s", d)
	}
	for name, listed := range map[string][]speed.GemmShape{
		"missing":       {models[0]},
		"twice":         {models[0], models[0], models[1]},
		"not a product": {models[0], models[1], {Name: "3x3x3", M: 3, N: 3, K: 3}},
		"other dims":    {models[0], {Name: "100x2x100_tA", M: 100, N: 2, K: 100}},
	} {
		if _, err := annotate(listed, models); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestGemmShapesRejectsOtherLayouts(t *testing.T) {
	for _, src := range []string{
		"package gemm\nvar other = 1\n",
		"package gemm\nvar benchShapes = []struct{ name string }{{\"a\"}}\n",
		"package gemm\nvar benchShapes = []struct{ name string; m, n, k int; a, b bool }{{\"a\", 1, 2, x, false, true}}\n",
		"package gemm\nvar benchShapes = []struct{ name string; m, n, k int; a, b bool }{}\n",
	} {
		p := filepath.Join(t.TempDir(), "bench_test.go")
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := GemmShapes(p); err == nil {
			t.Errorf("accepted:\n%s", src)
		}
	}
}

// cifarOutput measures ResNet-110 under the reference configuration only:
// the mollified ResNet-110 is estimated through ResNet-20.
const cifarOutput = `BenchmarkStep/cifar10-resnet110/baseline 1 1 ns/op 10000000000 ns/step
BenchmarkEval/cifar10-resnet110/baseline 1 1 ns/op 20000000 ns/example
BenchmarkStep/cifar10-resnet20/baseline 1 1 ns/op 2000000000 ns/step
BenchmarkStep/cifar10-resnet20/mollified 1 1 ns/op 2500000000 ns/step
BenchmarkStep/cifar10-resnet20/mollified/late 1 1 ns/op 3000000000 ns/step
BenchmarkEval/cifar10-resnet20/baseline 1 1 ns/op 4000000 ns/example
BenchmarkEval/cifar10-resnet20/mollified 1 1 ns/op 5000000 ns/example
`

// ptbOutput measures the plain word-level language model.
const ptbOutput = `BenchmarkStep/ptb/baseline 1 1 ns/op 200000000 ns/step
BenchmarkEval/ptb/baseline 1 1 ns/op 500000 ns/example
`

func TestEstimate(t *testing.T) {
	g, err := ParseGo(strings.NewReader(goOutput + cifarOutput + ptbOutput))
	if err != nil {
		t.Fatal(err)
	}
	est, err := EstimateProfile("paper", 2, g)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]EstimateRow{}
	for _, r := range est.Rows {
		rows[r.Task+"/"+r.Config] = r
	}
	base, moll := rows["parity/baseline"], rows["parity/mollified"]
	if base.Missing != "" || moll.Missing != "" {
		t.Fatalf("parity rows missing: %q %q", base.Missing, moll.Missing)
	}
	// Paper parity: 200 epochs of 900 updates, evaluated every epoch on
	// 5000 training + 5000 validation + 5000 test examples.
	if base.Updates != 180000 || base.Evals != 201 || base.EvalExamples != 15000 {
		t.Fatalf("parity baseline row %+v", base)
	}
	want := 180000*2*time.Millisecond + time.Duration(201*15000*1000)
	if base.Run != want {
		t.Errorf("baseline run %v, want %v", base.Run, want)
	}
	// The mollified step is the slower of early (2 ms) and late (3 ms).
	if moll.Step != 3*time.Millisecond {
		t.Errorf("mollified step %v, want the late 3ms", moll.Step)
	}
	if base.TuneRuns != 24 || base.FinalRuns != 5 {
		t.Errorf("runs %d + %d, want the sweep's 8 learning rates × 3 tuning seeds + 5 seeds", base.TuneRuns, base.FinalRuns)
	}
	var cpu time.Duration
	for _, r := range est.Rows {
		if r.Missing == "" {
			cpu += time.Duration(r.TuneRuns+r.FinalRuns) * r.Run
		}
	}
	if est.CPU != cpu {
		t.Errorf("total CPU %v, want the measured cells' %v", est.CPU, cpu)
	}
	if est.Wall < est.CPU/2 || est.Wall > est.CPU {
		t.Errorf("wall %v on 2 cores for %v of CPU", est.Wall, est.CPU)
	}
	if rows["parity/noisy"].Missing == "" || len(est.Incomplete) == 0 {
		t.Error("an unmeasured cell was estimated")
	}
	// ResNet-110 mollified: 10 s × (slower of 2.5 s and 3 s) ÷ 2 s = 15 s a
	// step, 20 ms × 5 ÷ 4 = 25 ms an example's evaluation.
	cm := rows["cifar10/mollified"]
	if cm.Missing != "" || cm.Step != 15*time.Second || cm.EvalPerExample != 25*time.Millisecond {
		t.Errorf("cifar10 mollified row %+v", cm)
	}
	if cb := rows["cifar10/baseline"]; cb.Step != 10*time.Second || cb.Bench != "cifar10-resnet110/baseline" {
		t.Errorf("cifar10 baseline row %+v", cb)
	}
	if cs := rows["cifar10/stochdepth"]; !strings.Contains(cs.Missing, "cifar10-resnet20/stochdepth not measured") {
		t.Errorf("cifar10 stochdepth row %+v", cs)
	}
	// Paper PTB: 13 epochs of 2323 windows, evaluated at the start and
	// after every epoch on the 73,759 + 82,429 tokens the validation and
	// test streams predict.
	lm := rows["ptb/baseline"]
	if lm.Missing != "" || lm.Updates != 13*2323 || lm.Evals != 14 || lm.EvalExamples != 73759+82429 || lm.Unit != "token" {
		t.Fatalf("ptb baseline row %+v", lm)
	}
	if want := time.Duration(13*2323)*200*time.Millisecond + time.Duration(14*(73759+82429))*500*time.Microsecond; lm.Run != want {
		t.Errorf("ptb baseline run %v, want %v", lm.Run, want)
	}
	for _, cell := range []string{"ptb/mollified", "copy/baseline", "wordembed/anneal"} {
		if r, ok := rows[cell]; !ok || r.Missing == "" {
			t.Errorf("no unmeasured row %s: %+v", cell, r)
		}
	}
	if _, ok := rows["ptb/residual"]; ok {
		t.Error("a row for a configuration that does not apply")
	}
	var b strings.Builder
	est.Markdown(&b)
	if !strings.Contains(b.String(), "| 14 × 156188 tokens |") {
		t.Errorf("estimate table lacks the ptb evaluations in tokens:\n%s", b.String())
	}
}

// gemmOutput adds a tiny product (on Fast and Gonum) and a model product
// short of its goal to goOutput.
const gemmOutput = `BenchmarkSgemm/100x2x100/fast-avx512 1000 2000 ns/op 10.00 cpuGFLOP/s 9.000 best%peak
BenchmarkSgemm/100x2x100/gonum 1000 2000 ns/op 1.000 cpuGFLOP/s
BenchmarkSgemm/20x200x800_tB/fast-avx512 1000 2000 ns/op 50.00 cpuGFLOP/s 55.00 best%peak
`

func TestMarkdownGoals(t *testing.T) {
	g, err := ParseGo(strings.NewReader(goOutput + gemmOutput))
	if err != nil {
		t.Fatal(err)
	}
	rep := &Report{
		Meta: Meta{Host: "h", Date: "d", Profile: "paper", Quick: &QuickRun{Command: "mollify run", Workers: 2, Wall: 400, CPU: 500}},
		Go:   g,
		Shapes: []speed.GemmShape{
			{Name: "mlp1000", M: 128, N: 1000, K: 1000},
			{Name: "100x2x100", M: 100, N: 2, K: 100, Use: "parity/baseline", Share: 0.0013},
			{Name: "20x200x800_tB", M: 20, N: 200, K: 800, TransB: true, Use: "ptb/baseline", Share: 0.054},
		},
		Torch: &TorchResults{
			Gemm:  []TorchTime{{Name: "mlp1000", BestNs: 2e6, MeanNs: 5.12e6}},
			Steps: []TorchTime{{Name: "parity/baseline", BestNs: 1e6}},
		},
	}
	md := rep.Markdown()
	for _, want := range []string{
		// 2·128·1000·1000 flops at 50 cpuGFLOP/s is 5.12 ms, PyTorch's mean
		// too; Go's best is 80% of the 100 GFLOP/s peak, 3.2 ms, against
		// PyTorch's best 2 ms.
		"| mlp1000 | 128×1000×1000 | — (the speed issue's target) | 5.12 ms | 50.0 | 55 | 80 | 25.60 ms | 5.12 ms | 1.00 | 0.62 |",
		// 2·100·2·100 flops at 10 and 1 cpuGFLOP/s.
		"| 100x2x100 | 100×2×100 | parity/baseline (0.1%) | 4.0 µs | 10.0 | — | 9 | 40.0 µs | — | — | — |",
		"| 20x200x800_tB | 20×200×800 Bᵀ | ptb/baseline (5.4%) |",
		"**not met** the products: ≥ 75% of the peak on mlp1000 and mlp784",
		"Short of the goal: 20x200x800_tB 55% (goal 60%). Met by the targets (mlp1000 80%); 1 tiny products at 10.0× (100x2x100) to 10× gonum's speed.",
		"| parity/baseline | 100 | 0.02 | 2.00 ms | 50000 | 10.0 | 10 | — | 1.00 ms | 0.50 |",
		"| parity/mollified/late |",
		"**not met** every task's training step at least as fast as PyTorch",
		"parity/baseline 0.50",
		"**not met** the mollified step within 1.2×",
		"parity late 1.50×",
		"parity early 1.00×",
		"**not met** the whole quick profile within 5 minutes on 2 cores",
		"400 s wall",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}

func TestSplitGoal(t *testing.T) {
	for _, c := range []struct {
		misses, hits    []string
		verdict, detail string
	}{
		{nil, nil, "not measured", "none"},
		{nil, []string{"a 1.1"}, "met", "ok: a 1.1."},
		{[]string{"b 0.9"}, nil, "not met", "miss: b 0.9."},
		{[]string{"b 0.9", "c 0.8"}, []string{"a 1.1"}, "not met", "miss: b 0.9, c 0.8. hit: a 1.1."},
	} {
		g := splitGoal("goal", c.misses, c.hits, "none", "ok: ", "miss: ", "hit: ")
		if g.text != "goal" || g.verdict != c.verdict || g.detail != c.detail {
			t.Errorf("splitGoal(%v, %v) = %+v, want %s / %q", c.misses, c.hits, g, c.verdict, c.detail)
		}
	}
}

// TestGemmGoalPasses: with several passes, the verdict is on each
// product's best pass and the detail says what each pass gave alone.
func TestGemmGoalPasses(t *testing.T) {
	for _, c := range []struct {
		name    string
		passes  [][2]float64 // best%peak of products a and b, pass by pass
		verdict string
		detail  []string
	}{
		{
			name:    "best pass holds",
			passes:  [][2]float64{{55, 70}, {66, 59}, {61, 62}},
			verdict: "met",
			detail:  []string{"Met by 2 model products from 66% (a) up", "Each product's best of 3 passes", "pass 1 a 55%; pass 2 b 59%; pass 3 none."},
		},
		{
			name:    "no pass holds",
			passes:  [][2]float64{{55, 70}, {58, 71}},
			verdict: "not met",
			detail:  []string{"Short of the goal: a 58% (goal 60%)", "best of 2 passes", "pass 1 a 55%; pass 2 a 58%."},
		},
		{
			name:    "one pass says nothing of passes",
			passes:  [][2]float64{{65, 70}},
			verdict: "met",
			detail:  []string{"Met by 2 model products from 65% (a) up, median 70%."},
		},
	} {
		var out strings.Builder
		for _, p := range c.passes {
			fmt.Fprintf(&out, "BenchmarkSgemm/a/fast-avx512 1 1 ns/op %.2f best%%peak\n", p[0])
			fmt.Fprintf(&out, "BenchmarkSgemm/b/fast-avx512 1 1 ns/op %.2f best%%peak\n", p[1])
		}
		t.Run(c.name, func(t *testing.T) {
			g, err := ParseGo(strings.NewReader(out.String()))
			if err != nil {
				t.Fatal(err)
			}
			rep := &Report{Go: g, Shapes: []speed.GemmShape{
				{Name: "a", M: 100, N: 100, K: 100, Use: "x/baseline", Share: 0.5},
				{Name: "b", M: 100, N: 100, K: 100, Use: "x/baseline", Share: 0.5},
			}}
			got := rep.gemmGoal()
			if got.verdict != c.verdict {
				t.Errorf("verdict %q, want %q (detail %q)", got.verdict, c.verdict, got.detail)
			}
			for _, want := range c.detail {
				if !strings.Contains(got.detail, want) {
					t.Errorf("detail lacks %q: %q", want, got.detail)
				}
			}
			if len(g.Samples["Sgemm/a/fast-avx512"]) == 1 && strings.Contains(got.detail, "pass") {
				t.Errorf("one pass, yet the detail speaks of passes: %q", got.detail)
			}
		})
	}
}

// TestUsageErrors: a bad command line is a usageError (exit code 2) that
// names what was wrong, found before anything is measured.
func TestUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-passes", "0"}, "-passes 0"},
		{[]string{"-cores", "x"}, "-cores"},
		{[]string{"extra"}, `unexpected arguments ["extra"]`},
	} {
		var out, errb strings.Builder
		err := run(c.args, &out, &errb)
		if !errors.As(err, new(usageError)) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("run %q: err %v, want a usageError naming %q", c.args, err, c.want)
		}
	}
}

// TestGoPlan: every pass benchmarks the Fast products and the steps; the
// peak and gonum run once; the second pass precedes OpenBLAS and the others
// follow it.
func TestGoPlan(t *testing.T) {
	benches := func(runs [][]string) []string {
		var out []string
		for _, a := range runs {
			i := slices.Index(a, "-bench")
			out = append(out, a[i+1]+" "+a[len(a)-1])
		}
		return out
	}
	o := options{benchtime: "1s", filter: "parity", profile: "paper", full: true}
	const (
		first = "Peak|Sgemm/.*/fast ./gemm"
		gonum = "Sgemm/^(a|b)$/gonum ./gemm"
		fast  = "Sgemm/.*/fast ./gemm"
		steps = "^Benchmark(Step|Eval)$/parity -speed.full=true"
	)
	for _, c := range []struct {
		passes        int
		before, after []string
	}{
		{1, []string{first, gonum, steps}, nil},
		{2, []string{first, gonum, steps, fast, steps}, nil},
		{4, []string{first, gonum, steps, fast, steps}, []string{fast, steps, fast, steps}},
	} {
		o.passes = c.passes
		before, after := goPlan(o, []string{"a", "b"})
		if d := cmp.Diff(c.before, benches(before)); d != "" {
			t.Errorf("%d passes, before OpenBLAS (-want +got):\n%s", c.passes, d)
		}
		if d := cmp.Diff(c.after, benches(after)); d != "" {
			t.Errorf("%d passes, after OpenBLAS (-want +got):\n%s", c.passes, d)
		}
	}
}
