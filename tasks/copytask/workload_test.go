package copytask

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mollifying/mollify/baselines"
	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/mollified"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/rng"
)

// firstPoint is the spec of a run under cfg with the first value of each
// of its axes.
func firstPoint(t *testing.T, cfg experiment.Config, a experiment.Arch, lr float64) experiment.RunSpec {
	t.Helper()
	h := experiment.Hyper{"lr": lr}
	for _, ax := range cfg.Space(experiment.MustBuiltin("quick"), a) {
		h[ax.Name] = ax.Values[0]
	}
	o, err := experiment.ResolveOptions(cfg.Options(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return experiment.RunSpec{Task: "copy", Profile: "test", Config: cfg.Name(), Seed: 4, Hyper: h, Options: o}
}

func maxMove(a, b []*nn.Param[float32]) float64 {
	var d float64
	for i := range a {
		for j := range a[i].Value {
			d = max(d, math.Abs(float64(a[i].Value[j])-float64(b[i].Value[j])))
		}
	}
	return d
}

// TestStepMatchesLoop trains the same model with Step on the fixed batch of
// StepBatch and with the run's loop fed that batch at every update: the
// weights agree, and the updates moved them.
func TestStepMatchesLoop(t *testing.T) {
	s, err := settingsFor(experiment.MustBuiltin("quick"))
	if err != nil {
		t.Fatal(err)
	}
	s.Updates, s.EvalEvery, s.Valid, s.Test = 5, 5, 16, 16
	sb, err := Task{}.StepBatch(experiment.MustBuiltin("quick"), 1, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	fixed := Batch{Lens: sb.Lens, X: sb.X, Y: sb.Y, Mask: sb.Mask}
	for _, cfg := range []experiment.Config{baselines.Baseline{}, baselines.Noisy{}, baselines.Anneal{}, mollified.Config{}} {
		t.Run(cfg.Name(), func(t *testing.T) {
			spec := firstPoint(t, cfg, s.arch(), 0.01)
			var loopNet nn.Layer[float32]
			build := func() *experiment.Model {
				m, err := cfg.Build(s.arch(), spec.Hyper, spec.Options, experiment.Env{Seed: spec.Seed, Updates: s.Updates, InitialLoss: math.Ln2})
				if err != nil {
					t.Fatal(err)
				}
				return m
			}
			draws := 0
			// The loop builds its own model; record the final weights
			// through a wrapping configuration.
			wrap := capture{Config: cfg, net: &loopNet}
			if _, err := loop(context.Background(), spec, wrap, s, func(_ int, b *Batch) { *b = fixed; draws++ }, nil); err != nil {
				t.Fatal(err)
			}
			if draws != s.Updates {
				t.Fatalf("the loop drew %d batches for %d updates", draws, s.Updates)
			}
			m := build()
			run, err := s.step(m, spec.Hyper.Get("lr"), 1, sb)
			if err != nil {
				t.Fatal(err)
			}
			for range s.Updates {
				if l := run(); math.IsNaN(l) || l <= 0 {
					t.Fatalf("loss %v", l)
				}
			}
			if d := maxMove(loopNet.Params(), m.Net.Params()); d > 1e-6 {
				t.Fatalf("weights differ by %g after %d updates", d, s.Updates)
			}
			if d := maxMove(build().Net.Params(), m.Net.Params()); d < 1e-3 {
				t.Fatalf("%d updates moved no weight by more than %g", s.Updates, d)
			}
		})
	}
}

// capture is a configuration that builds as its Config does and keeps the
// network it built.
type capture struct {
	experiment.Config
	net *nn.Layer[float32]
}

func (c capture) Build(a experiment.Arch, h experiment.Hyper, o experiment.Options, env experiment.Env) (*experiment.Model, error) {
	m, err := c.Config.Build(a, h, o, env)
	if err == nil {
		*c.net = m.Net
	}
	return m, err
}

// TestStepBatchFollowsCurriculum: the batch of a late update has the
// lengths the run's curriculum draws then, padded to the longest.
func TestStepBatchFollowsCurriculum(t *testing.T) {
	s, _ := settingsFor(experiment.MustBuiltin("paper"))
	for _, first := range []int{1, 18000} {
		b, err := Task{}.StepBatch(experiment.MustBuiltin("paper"), first, rng.New(1, "x"))
		if err != nil {
			t.Fatal(err)
		}
		r := rng.New(1, "x")
		longest := 0
		for i, n := range b.Lens {
			want := s.Curriculum.Len((first-1)*s.Batch+i, s.MaxLen, r)
			if n != want {
				t.Fatalf("update %d: length %d of sequence %d, the curriculum draws %d", first, n, i, want)
			}
			longest = max(longest, n)
		}
		if b.Batch != s.Batch || b.Steps != 2*longest+2 || b.X.Rows != b.Steps*b.Batch {
			t.Fatalf("update %d: %d×%d steps, %v inputs; want %d sequences of %d steps", first, b.Steps, b.Batch, b.X, s.Batch, 2*longest+2)
		}
	}
}

// TestWorkloadMatchesRun checks the counts of the workload against a run.
func TestWorkloadMatchesRun(t *testing.T) {
	s, _ := settingsFor(experiment.MustBuiltin("quick"))
	s.Updates, s.EvalEvery, s.Valid, s.Test = 30, 7, 20, 12
	w := s.workload()
	spec := experiment.RunSpec{Task: "copy", Profile: "test", Config: "baseline", Seed: 3, Hyper: experiment.Hyper{"lr": 0.01}}
	rec, err := run(context.Background(), spec, baselines.Baseline{}, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Updates != w.Updates() || len(rec.Curve) != w.Evaluations() || w.EvalExamples() != 32 {
		t.Fatalf("run made %d updates and %d evaluations, Workload says %d and %d of %d sequences", rec.Updates, len(rec.Curve), w.Updates(), w.Evaluations(), w.EvalExamples())
	}
	for _, p := range (Task{}).Profiles() {
		w, err := Task{}.Workload(experiment.MustBuiltin(p))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Validate(); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
}
