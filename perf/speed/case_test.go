package speed

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/gemm"
	"github.com/mollifying/mollify/harness"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/rng"
	"github.com/mollifying/mollify/train"
)

func TestCasesCoverTheRegistry(t *testing.T) {
	cs, err := Cases(experiment.MustBuiltin("paper"), true)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]Case{}
	for _, c := range cs {
		if _, dup := names[c.Name()]; dup {
			t.Fatalf("two cases named %s", c.Name())
		}
		names[c.Name()] = c
	}
	for _, task := range harness.Tasks() {
		if _, ok := task.(train.Workloader); !ok {
			continue
		}
		arch, err := task.Arch(experiment.MustBuiltin("paper"))
		if err != nil {
			t.Fatal(err)
		}
		for _, cfg := range harness.Configs() {
			var own *Case
			for _, c := range cs {
				if c.Task == task.Name() && c.Config == cfg.Name() && !c.Late && (c.Own || c.Variant == ResNet20) {
					own = &c
				}
			}
			_, buildErr := cfg.Build(arch, firstHyper(cfg, arch), mustOptions(t, cfg), experiment.Env{Seed: 1, Updates: 1000, InitialLoss: 1})
			if applies := buildErr == nil; applies != (own != nil) {
				t.Errorf("%s/%s: applies=%v (build error %v) but case present=%v", task.Name(), cfg.Name(), applies, buildErr, own != nil)
			}
		}
	}
	r20, ok := names["cifar10-resnet20/baseline"]
	if !ok || r20.Own || r20.Arch.(*experiment.ConvNet).Blocks != 3 {
		t.Errorf("no ResNet-20 stand-in for cifar10: %+v", r20)
	}
	r110, ok := names["cifar10-resnet110/baseline"]
	if !ok || !r110.Own || r110.Arch.(*experiment.ConvNet).Depth() != 110 {
		t.Errorf("no ResNet-110 case for cifar10: %+v", r110)
	}
	if _, ok := names["cifar10-resnet110/mollified"]; ok {
		t.Error("ResNet-110 measured under a configuration other than the reference")
	}
	// Late cases exactly for configurations whose hooks depend on t.
	for _, want := range []string{"parity/mollified/late", "parity/anneal/late", "cifar10-resnet20/stochdepth/late", "ptb/mollified/late", "copy/anneal/late", "wordembed/mollified/late", "ptb/noisy"} {
		if _, ok := names[want]; !ok {
			t.Errorf("no case %s", want)
		}
	}
	for _, not := range []string{"parity/baseline/late", "parity/residual/late", "parity/noisy/late", "ptb/residual", "copy/stochdepth", "wordembed/noisy/late"} {
		if _, ok := names[not]; ok {
			t.Errorf("case %s for a configuration without schedule", not)
		}
	}
	short, err := Cases(experiment.MustBuiltin("paper"), false)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(short, func(c Case) bool { return strings.Contains(c.Name(), "resnet110") }) {
		t.Error("ResNet-110 measured without full")
	}
}

func firstHyper(cfg experiment.Config, a experiment.Arch) experiment.Hyper {
	h := experiment.Hyper{"lr": 0.1}
	for _, ax := range cfg.Space(experiment.MustBuiltin("paper"), a) {
		h[ax.Name] = ax.Values[0]
	}
	return h
}

func mustOptions(t *testing.T, cfg experiment.Config) experiment.Options {
	o, err := experiment.ResolveOptions(cfg.Options(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// quickCase is the case of task/config under the quick profile.
func quickCase(t *testing.T, name string) Case {
	t.Helper()
	cs, err := Cases(experiment.MustBuiltin("quick"), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Name() == name {
			return c
		}
	}
	t.Fatalf("no quick case %s", name)
	return Case{}
}

// TestStepMatchesClassify trains the same model with Step and with
// train.Classify on a training set that is Step's batch: Classify sees the
// batch in a shuffled order, so the sums differ in rounding only.
func TestStepMatchesClassify(t *testing.T) {
	const updates = 6
	for _, name := range []string{"parity/baseline", "parity/residual", "parity/anneal"} {
		t.Run(name, func(t *testing.T) {
			c := quickCase(t, name)
			s, err := NewStep(c, 3)
			if err != nil {
				t.Fatal(err)
			}
			for range updates {
				s.Run()
			}
			m, err := c.Build()
			if err != nil {
				t.Fatal(err)
			}
			split := train.Split{X: s.x, Y: s.y}
			set := c.Work.Settings
			set.Epochs, set.EvalEvery, set.TrainEval = updates, 0, 0
			if _, err := train.Classify(context.Background(), &train.Data{Train: split, Valid: split, Test: split, Classes: c.Classes()}, m, set, c.Hyper.Get("lr"), c.Env.Seed, nil); err != nil {
				t.Fatal(err)
			}
			got, want := s.Model.Net.Params(), m.Net.Params()
			var moved float64
			for i := range got {
				for j := range got[i].Value {
					g, w := float64(got[i].Value[j]), float64(want[i].Value[j])
					if math.Abs(g-w) > 1e-4*(1+math.Abs(w)) {
						t.Fatalf("%s[%d] = %v after Step, %v after Classify", got[i].Name, j, g, w)
					}
				}
			}
			// The check is worth something only if training moved the weights.
			fresh, _ := c.Build()
			for i, p := range fresh.Net.Params() {
				for j, v := range p.Value {
					moved = max(moved, math.Abs(float64(v)-float64(got[i].Value[j])))
				}
			}
			if moved < 1e-4 {
				t.Fatalf("%d updates moved no weight by more than %g", updates, moved)
			}
		})
	}
}

func TestStepDoesNotAllocate(t *testing.T) {
	cs, err := Cases(experiment.MustBuiltin("quick"), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if !slices.ContainsFunc([]string{"parity/", "cifar10/", "ptb/", "copy/", "wordembed/"}, func(p string) bool { return strings.HasPrefix(c.Name(), p) }) {
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			s, err := NewStep(c, 1)
			if err != nil {
				t.Fatal(err)
			}
			// Warm up until every buffer exists: a stochastic-depth block
			// allocates its buffers the first time it is not dropped.
			for range 30 {
				s.Run()
			}
			if n := testing.AllocsPerRun(3, func() { s.Run() }); n != 0 {
				t.Errorf("a step allocates %v times", n)
			}
		})
	}
}

func TestGemmFlops(t *testing.T) {
	c := Case{
		Task: "tiny", Config: "baseline", Arch: &experiment.MLP{In: 3, Hidden: []int{4}, Out: 2, Act: nn.Tanh, Init: nn.Glorot},
		Work:  train.Workload{Settings: train.Settings{Epochs: 1, Batch: 5, Optimizer: "sgd"}, Train: 5},
		Hyper: experiment.Hyper{"lr": 0.1}, Env: experiment.Env{Seed: 1, Updates: 1, InitialLoss: math.Ln2},
	}
	s, err := NewStep(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Forward x·W for both layers, their weight gradients xᵀ·dy, and the
	// input gradient of the output layer only (the network does not need
	// the gradient of its input).
	const want = 2*5*(3*4+4*2)*2 + 2*5*2*4
	if got := GemmFlops(func() { s.Run() }); got != want {
		t.Fatalf("counted %v flops, want %v", got, want)
	}
}

func TestMeasure(t *testing.T) {
	const m, n, k = 8, 16, 32
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	calls := 0
	f := func() {
		calls++
		gemm.Do(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
	}
	res := Measure(25, 20*time.Microsecond, f)
	if res.Calls != 25 || calls != 25 {
		t.Fatalf("Measure made %d calls (says %d), want 25", calls, res.Calls)
	}
	if res.Flops != 25*2*m*n*k || res.FlopsPerCall() != 2*m*n*k {
		t.Fatalf("counted %v flops", res.Flops)
	}
	if res.Rounds < 2 || res.Best <= 0 || res.CPU <= 0 {
		t.Fatalf("result %+v", res)
	}
	if res.Best > 2*res.Mean() {
		t.Fatalf("best %v slower than twice the mean %v", res.Best, res.Mean())
	}
	if prev := gemm.Current(); prev.Name() != gemm.Best().Name() {
		t.Fatalf("Measure left backend %s in place", prev.Name())
	}
	if r := Measure(0, time.Millisecond, f); r.Calls != 0 {
		t.Fatalf("Measure(0) made %d calls", r.Calls)
	}
}

// TestWorkloadMatchesRun checks a task's Workload against a run of it.
func TestWorkloadMatchesRun(t *testing.T) {
	task, err := harness.LookupTask("parity")
	if err != nil {
		t.Fatal(err)
	}
	w, err := task.(train.Workloader).Workload(experiment.MustBuiltin("quick"))
	if err != nil {
		t.Fatal(err)
	}
	spec := experiment.RunSpec{Task: "parity", Profile: "quick", Config: "baseline", Seed: 1, Hyper: experiment.Hyper{"lr": 0.1}}
	rec, err := task.Run(context.Background(), experiment.MustBuiltin(spec.Profile), spec, harnessConfig(t, "baseline"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Updates != w.Updates() || len(rec.Curve) != w.Evaluations() {
		t.Fatalf("run made %d updates and %d evaluations, Workload says %d and %d", rec.Updates, len(rec.Curve), w.Updates(), w.Evaluations())
	}
	if _, err := task.(train.Workloader).Workload(experiment.Profile{Name: "nope", Base: "nope"}); err == nil {
		t.Fatal("unknown profile accepted")
	}
}

func harnessConfig(t *testing.T, name string) experiment.Config {
	c, err := harness.LookupConfig(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestStepSpecOf(t *testing.T) {
	cs, err := Cases(experiment.MustBuiltin("paper"), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		s, err := StepSpecOf(c)
		if err != nil {
			t.Fatal(err)
		}
		if s.Name != c.Name() || s.Batch != c.Work.Batch || s.LR != c.Hyper.Get("lr") {
			t.Fatalf("%s: spec %+v", c.Name(), s)
		}
		switch a := c.Arch.(type) {
		case *experiment.MLP:
			if s.Arch != "mlp" || s.MLP != a || s.ResNet != nil {
				t.Fatalf("%s: spec %+v", c.Name(), s)
			}
		case *experiment.ConvNet:
			if s.Arch != "convnet" || s.ResNet == nil || s.ResNet.Blocks != a.Blocks || s.ResNet.In != [3]int{a.In.C, a.In.H, a.In.W} || s.ResNet.Shortcut != "pad" {
				t.Fatalf("%s: spec %+v", c.Name(), s.ResNet)
			}
		case *experiment.LSTM:
			if s.Arch != "lstm" || s.LSTM == nil || s.LSTM.Vocab != a.Vocab || s.Seq == nil || s.Seq.Steps < 1 {
				t.Fatalf("%s: spec %+v", c.Name(), s)
			}
			switch c.Task {
			case "ptb":
				if s.Seq.Loss != train.LossLM || s.Seq.Steps != 20 || s.Batch != 20 || s.Clip != 5 || s.Optimizer != "sgd" || s.LSTM.Embed != 200 || len(s.LSTM.Hidden) != 3 || s.LSTM.Out != 10000 {
					t.Fatalf("%s: spec %+v %+v %+v", c.Name(), s, s.Seq, s.LSTM)
				}
			case "copy":
				if s.Seq.Loss != train.LossBCE || len(s.Seq.Lens) != s.Batch || s.Seq.Steps != 2*slices.Max(s.Seq.Lens)+2 || s.Optimizer != "adam" {
					t.Fatalf("%s: spec %+v %+v", c.Name(), s, s.Seq)
				}
			}
		}
		if _, lstm := c.Arch.(*experiment.LSTM); lstm != (s.Seq != nil) {
			t.Fatalf("%s: sequence spec %+v for a %T", c.Name(), s.Seq, c.Arch)
		}
	}
}

// TestRecurrentStepIsTheTasks: for a task with its own loop, Step makes the
// task's update (train.Stepper) on the batch the task draws from the
// benchmark's stream, with the case's learning rate and first update, on
// a model built as a run builds it.
func TestRecurrentStepIsTheTasks(t *testing.T) {
	const updates = 3
	for _, name := range []string{"ptb/baseline", "ptb/mollified/late", "copy/anneal", "wordembed/noisy"} {
		t.Run(name, func(t *testing.T) {
			c := quickCase(t, name)
			st := c.Stepper()
			if st == nil {
				t.Fatalf("%s is not a train.Stepper", c.Task)
			}
			if c.Env.Updates != c.Work.Updates() || c.Env.InitialLoss != c.Work.InitialLoss || c.Work.InitialLoss <= 0 {
				t.Fatalf("env %+v for a workload of %d updates and initial loss %v", c.Env, c.Work.Updates(), c.Work.InitialLoss)
			}
			s, err := NewStep(c, 3)
			if err != nil {
				t.Fatal(err)
			}
			if s.Batch == nil || s.Batch.Batch != c.Work.Batch {
				t.Fatalf("batch %+v, want %d sequences", s.Batch, c.Work.Batch)
			}
			m, err := c.Build()
			if err != nil {
				t.Fatal(err)
			}
			b, err := st.StepBatch(c.Profile, c.FirstUpdate(), rng.New(3, "speed/batch"))
			if err != nil {
				t.Fatal(err)
			}
			run, err := st.Step(c.Profile, m, c.Hyper.Get("lr"), c.FirstUpdate(), b)
			if err != nil {
				t.Fatal(err)
			}
			for range updates {
				if a, b := s.Run(), run(); a != b || math.IsNaN(a) {
					t.Fatalf("losses %v (Step) and %v (the task's step)", a, b)
				}
			}
			fresh, _ := c.Build()
			var moved float64
			for i, p := range s.Model.Net.Params() {
				for j, v := range p.Value {
					if w := m.Net.Params()[i].Value[j]; v != w {
						t.Fatalf("%s[%d] = %v after Step, %v after the task's step", p.Name, j, v, w)
					}
					moved = max(moved, math.Abs(float64(v)-float64(fresh.Net.Params()[i].Value[j])))
				}
			}
			if moved == 0 {
				t.Fatal("the updates moved no weight")
			}
			e, err := NewEval(c, 1)
			if err != nil {
				t.Fatal(err)
			}
			if l := e.Run(); math.IsNaN(l) || l <= 0 || e.Examples() < 1 {
				t.Fatalf("evaluation loss %v over %d %ss", l, e.Examples(), c.Work.Unit)
			}
		})
	}
}

// TestMeasureIgnoresClockGlitch gives Measure a clock under which one
// round takes almost no time: Best must come from the credible rounds.
func TestMeasureIgnoresClockGlitch(t *testing.T) {
	var now time.Duration
	reads := 0
	cpuClock = func() time.Duration {
		reads++
		if reads == 6 { // the end of the third round: a glitch
			return now - 990*time.Microsecond
		}
		return now
	}
	defer func() { cpuClock = CPUTime }()
	f := func() { now += time.Millisecond } // every call costs 1 ms
	res := Measure(10, time.Millisecond, f)
	if res.Best != time.Millisecond {
		t.Fatalf("best %v, want 1ms (rounds %d, total %v)", res.Best, res.Rounds, res.CPU)
	}
	for _, c := range []struct {
		xs   []float64
		high bool
		want float64
	}{
		{nil, true, 0},
		{[]float64{1, 2, 3}, true, 3},
		{[]float64{1, 2, 30}, true, 2},
		{[]float64{1, 2, 3}, false, 1},
		{[]float64{0.01, 2, 3}, false, 2},
		{[]float64{0, 0}, false, 0},
	} {
		if got := credibleBest(c.xs, c.high); got != c.want {
			t.Errorf("credibleBest(%v, %v) = %v, want %v", c.xs, c.high, got, c.want)
		}
	}
}

// TestEstimateRuns: the estimate of a run is its updates × a measured step
// plus its evaluations × a measured evaluation, for the cells asked for
// only, and a stand-in network is scaled to the profile's own.
func TestEstimateRuns(t *testing.T) {
	want := map[string]bool{"parity/baseline": true, "parity/mollified": true, "cifar10/mollified": true}
	est, err := EstimateRuns(experiment.MustBuiltin("quick"), func(task, config string) bool { return want[task+"/"+config] }, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if len(est) != len(want) {
		t.Fatalf("estimated %d cells, want %d: %v", len(est), len(want), est)
	}
	for key, rc := range est {
		if !want[key] || rc.Step <= 0 || rc.EvalPerUnit <= 0 || rc.Updates <= 0 || rc.Run() <= time.Duration(rc.Updates)*rc.Step {
			t.Errorf("%s: %+v", key, rc)
		}
	}
}
