package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/mollified"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/store"
	"github.com/mollifying/mollify/tasks/parity"
	"github.com/mollifying/mollify/train"
)

// tinyTask is 6-bit parity with a small network: every configuration, a
// few hundred updates, for testing the harness quickly.
type tinyTask struct {
	mu      sync.Mutex
	started []string
	// onStart, when set, is called as each run starts.
	onStart func(spec experiment.RunSpec)
	// epochs overrides the 10 training epochs when positive.
	epochs int
	// editSweep, when set, changes the sweep before it is returned.
	editSweep func(*experiment.Sweep)
}

func (t *tinyTask) Name() string       { return "tiny" }
func (t *tinyTask) Summary() string    { return "6-bit parity, tiny MLP" }
func (t *tinyTask) Profiles() []string { return []string{"quick"} }
func (t *tinyTask) Sweep(experiment.Profile) (experiment.Sweep, error) {
	sw := experiment.Sweep{Seeds: []uint64{1, 2}, TuneSeeds: []uint64{9}, LR: []float64{0.1, 0.5}, Budget: 2,
		Select: experiment.Selector{Metric: train.TrainEvalLoss}}
	if t.editSweep != nil {
		t.editSweep(&sw)
	}
	return sw, nil
}

func (t *tinyTask) settings() train.Settings {
	s := train.Settings{Epochs: 10, Batch: 8, Optimizer: "sgd", Momentum: 0.9, EvalEvery: 10}
	if t.epochs > 0 {
		s.Epochs = t.epochs
	}
	return s
}

func (t *tinyTask) Settings(experiment.Profile) (any, error) { return t.settings(), nil }

func (t *tinyTask) Arch(experiment.Profile) (experiment.Arch, error) {
	return &experiment.MLP{In: 6, Hidden: []int{8, 8, 8}, Out: 2, Act: nn.Sigmoid, Init: nn.Glorot}, nil
}

func (t *tinyTask) Run(ctx context.Context, _ experiment.Profile, spec experiment.RunSpec, cfg experiment.Config, progress func(float64)) (*experiment.Record, error) {
	t.mu.Lock()
	t.started = append(t.started, spec.Hash())
	t.mu.Unlock()
	if t.onStart != nil {
		t.onStart(spec)
	}
	data := parity.Generate(6, 40, 12, 12, 3)
	s := t.settings()
	arch, _ := t.Arch(experiment.MustBuiltin("quick"))
	m, err := cfg.Build(arch, spec.Hyper, spec.Options, experiment.Env{Seed: spec.Seed, Updates: s.Updates(40), InitialLoss: math.Ln2})
	if err != nil {
		return nil, err
	}
	rec, err := train.Classify(ctx, data, m, s, spec.Hyper.Get("lr"), spec.Seed, progress)
	if err != nil {
		return nil, err
	}
	rec.Spec, rec.Settings = spec, s
	return rec, nil
}

func tinyPlan(t *tinyTask) Plan {
	return Plan{Profile: experiment.MustBuiltin("quick"), Tasks: []experiment.Task{t}, Configs: Configs()}
}

// tinyRuns is the number of runs of tinyPlan: every registered
// configuration but stochastic depth (the MLP has no residual blocks) ×
// (2 trials × 1 tuning seed + 2 final seeds).
var tinyRuns = 4 * (len(Configs()) - 1)

// runObjects returns each result file's "run" object, by path relative to
// dir.
func runObjects(t *testing.T, dir string) map[string]string {
	t.Helper()
	rs, err := store.LoadResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rs {
		b, err := os.ReadFile(r.Path)
		if err != nil {
			t.Fatal(err)
		}
		var f store.File
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, r.Path)
		out[rel] = string(f.Run)
	}
	return out
}

// TestWorkersDoNotChangeResults: the same plan on 1 and on 2 workers writes
// the same result files, run object byte for byte.
func TestWorkersDoNotChangeResults(t *testing.T) {
	var got []map[string]string
	for _, workers := range []int{1, 2} {
		dir := t.TempDir()
		r := &Runner{Dir: dir, Workers: workers}
		sum, err := r.Run(context.Background(), tinyPlan(&tinyTask{}))
		if err != nil {
			t.Fatal(err)
		}
		if sum.Ran != tinyRuns || sum.Cached != 0 {
			t.Fatalf("%d workers: ran %d, cached %d; want %d and 0", workers, sum.Ran, sum.Cached, tinyRuns)
		}
		got = append(got, runObjects(t, dir))
	}
	if len(got[0]) != tinyRuns {
		t.Fatalf("found %d result files, want %d", len(got[0]), tinyRuns)
	}
	if d := cmp.Diff(got[0], got[1]); d != "" {
		t.Fatalf("results differ between 1 and 2 workers (-1 +2):\n%s", d)
	}
}

// TestResume: a sweep interrupted midway leaves only complete files; rerun,
// it executes exactly the runs without a file and never reads a partial one.
func TestResume(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	task := &tinyTask{}
	var n int
	var mu sync.Mutex
	task.onStart = func(experiment.RunSpec) {
		mu.Lock()
		defer mu.Unlock()
		if n++; n == 7 {
			cancel()
		}
	}
	r := &Runner{Dir: dir, Workers: 2}
	if _, err := r.Run(ctx, tinyPlan(task)); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted sweep returned %v, want context.Canceled", err)
	}
	first := runObjects(t, dir)
	if len(first) == 0 || len(first) >= tinyRuns {
		t.Fatalf("interrupted sweep left %d files; want some but not all", len(first))
	}
	// What a killed writer leaves behind: a temporary file.
	// A day-old half-written file of a crashed writer on another machine.
	junk := filepath.Join(dir, "runs", "tiny", "baseline", ".tmp-crashed-7-1")
	if err := os.WriteFile(junk, []byte(`{"run": {"spe`), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(junk, old, old); err != nil {
		t.Fatal(err)
	}
	again := &tinyTask{}
	sum, err := (&Runner{Dir: dir, Workers: 2}).Run(context.Background(), tinyPlan(again))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Cached != len(first) || sum.Ran != tinyRuns-len(first) {
		t.Fatalf("rerun executed %d and reused %d; want %d and %d", sum.Ran, sum.Cached, tinyRuns-len(first), len(first))
	}
	for _, h := range again.started {
		for rel := range first {
			if strings.Contains(rel, h) {
				t.Fatalf("rerun executed %s again", rel)
			}
		}
	}
	if _, err := os.Stat(junk); !os.IsNotExist(err) {
		t.Fatalf("stale temporary file not removed: %v", err)
	}
	// The files of the first sweep were not rewritten, and the complete set
	// equals an uninterrupted sweep's.
	all := runObjects(t, dir)
	for k, v := range first {
		if all[k] != v {
			t.Fatalf("%s changed on rerun", k)
		}
	}
	clean := t.TempDir()
	if _, err := (&Runner{Dir: clean, Workers: 1}).Run(context.Background(), tinyPlan(&tinyTask{})); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(runObjects(t, clean), all); d != "" {
		t.Fatalf("resumed sweep differs from an uninterrupted one:\n%s", d)
	}
}

func TestTrials(t *testing.T) {
	sw := experiment.Sweep{LR: []float64{0.1, 1}, Budget: 3}
	axes := []experiment.Axis{{Name: "c", Values: []float64{1, 2, 3}}}
	got := Trials(sw, axes, "t/c")
	if len(got) != 3 {
		t.Fatalf("%d trials, want the budget 3", len(got))
	}
	if d := cmp.Diff(got, Trials(sw, axes, "t/c")); d != "" {
		t.Fatal("trial subset is not stable")
	}
	seen := map[string]bool{}
	for _, h := range got {
		if seen[h.String()] {
			t.Fatalf("duplicate trial %v", h)
		}
		seen[h.String()] = true
	}
	sw.Budget = 10
	all := Trials(sw, axes, "t/c")
	want := []string{"c=1 lr=0.1", "c=2 lr=0.1", "c=3 lr=0.1", "c=1 lr=1", "c=2 lr=1", "c=3 lr=1"}
	var names []string
	for _, h := range all {
		names = append(names, h.String())
	}
	if d := cmp.Diff(want, names); d != "" {
		t.Fatalf("full grid (-want +got):\n%s", d)
	}
}

// TestTrialsBalanced: a space larger than the budget gets exactly Budget
// distinct points, every learning rate equally often and every value of the
// other axes ⌊Budget/n⌋ or ⌈Budget/n⌉ times.
func TestTrialsBalanced(t *testing.T) {
	for _, c := range []struct {
		lr     []float64
		budget int
		axes   []experiment.Axis
	}{
		{[]float64{0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2}, 8, []experiment.Axis{{Name: "c", Values: []float64{1, 3, 10, 30}}, {Name: "kappa", Values: []float64{0.1, 0.3, 1, 3}}}},
		{[]float64{0.003, 0.01, 0.03, 0.1, 0.3, 1}, 6, []experiment.Axis{{Name: "c", Values: []float64{1, 3, 10, 30}}, {Name: "kappa", Values: []float64{0.1, 0.3, 1, 3}}, {Name: "delta", Values: []float64{0.05}}}},
		{[]float64{0.1, 1}, 6, []experiment.Axis{{Name: "sigma", Values: []float64{1, 2, 3, 4, 5}}}},
		{[]float64{0.1, 1}, 9, []experiment.Axis{{Name: "a", Values: []float64{1, 2, 3}}, {Name: "b", Values: []float64{1, 2}}}},
	} {
		sw := experiment.Sweep{LR: c.lr, Budget: c.budget}
		got := Trials(sw, c.axes, "task/config")
		if len(got) != c.budget {
			t.Fatalf("%d trials, want the budget %d", len(got), c.budget)
		}
		if d := cmp.Diff(got, Trials(sw, c.axes, "task/config")); d != "" {
			t.Fatal("the design is not stable")
		}
		seen := map[string]bool{}
		for _, h := range got {
			if seen[h.String()] {
				t.Fatalf("duplicate trial %v in %v", h, got)
			}
			seen[h.String()] = true
		}
		for _, ax := range append([]experiment.Axis{{Name: "lr", Values: c.lr}}, c.axes...) {
			count := map[float64]int{}
			for _, h := range got {
				count[h[ax.Name]]++
			}
			lo, hi := c.budget/len(ax.Values), (c.budget+len(ax.Values)-1)/len(ax.Values)
			for _, v := range ax.Values {
				if n := count[v]; n < lo || n > hi {
					t.Errorf("budget %d: %s=%g appears %d times, want %d to %d (%v)", c.budget, ax.Name, v, n, lo, hi, got)
				}
			}
		}
	}
}

// TestTrialsRemainder: with a budget below an axis's size, which values are
// left out is drawn per design, so the last value (a grid extended past its
// top edge) is tried by some designs, and every value by some design.
func TestTrialsRemainder(t *testing.T) {
	sw := experiment.Sweep{LR: []float64{0.001, 0.003, 0.01, 0.03}, Budget: 4}
	kappa := []float64{0.01, 0.03, 0.1, 0.3, 1}
	axes := []experiment.Axis{{Name: "kappa", Values: kappa}}
	tried := map[float64]int{}
	for k := range 40 {
		for _, h := range Trials(sw, axes, fmt.Sprintf("task/config%d", k)) {
			tried[h["kappa"]]++
		}
	}
	for _, v := range kappa {
		if tried[v] == 0 {
			t.Errorf("kappa = %g is never tried in 40 designs of 4 trials over 5 values: %v", v, tried)
		}
	}
}

func TestSelect(t *testing.T) {
	rec := func(v float64, div bool) *experiment.Record {
		return &experiment.Record{Final: experiment.Values{"loss": experiment.Num(v)}, Diverged: div}
	}
	sel := experiment.Selector{Metric: "loss"}
	best, _, ok := Select(sel, [][]*experiment.Record{{rec(0.5, false)}, {rec(0.1, true)}, {rec(0.3, false), rec(0.3, false)}, {rec(0.3, false)}})
	if !ok || best != 2 {
		t.Fatalf("best = %d ok=%v, want 2 (diverged never wins, ties go first)", best, ok)
	}
	if _, _, ok := Select(sel, [][]*experiment.Record{{rec(math.NaN(), false)}}); ok {
		t.Fatal("a NaN score was selectable")
	}
	// A trial whose annealing did not stop in one seed never wins, however
	// good its score; one that stopped (or does not anneal) may.
	annealed := func(v float64, stop float64) *experiment.Record {
		r := rec(v, false)
		r.Final[experiment.AnnealStop] = experiment.Num(stop)
		return r
	}
	best, scores, ok := Select(sel, [][]*experiment.Record{{annealed(0.1, 500), annealed(0.1, 0)}, {annealed(0.4, 900), annealed(0.4, 800)}, {rec(0.3, false)}})
	if !ok || best != 2 || !math.IsNaN(scores[0]) {
		t.Fatalf("best = %d scores %v, want 2 with trial 0 NaN (annealing did not stop in one seed)", best, scores)
	}
}

func TestPlanErrors(t *testing.T) {
	tt := &tinyTask{}
	for _, c := range []struct {
		plan Plan
		want string
	}{
		{Plan{Profile: experiment.MustBuiltin("paper"), Tasks: []experiment.Task{tt}, Configs: Configs()}, `no profile "paper"`},
		{Plan{Profile: experiment.MustBuiltin("quick"), Tasks: []experiment.Task{tt}, Configs: Configs(), Options: map[string]experiment.Options{"mollified": {"eval": "x"}}}, "not allowed"},
		{Plan{Profile: experiment.MustBuiltin("quick"), Tasks: []experiment.Task{tt}, Configs: Configs()[:1], Options: map[string]experiment.Options{"mollified": {"eval": "p0"}}}, "not in the plan"},
		// A budget above the plain network's whole space (two learning
		// rates) would give it fewer trials than the mollified network.
		{Plan{Profile: experiment.MustBuiltin("quick"), Tasks: []experiment.Task{&tinyTask{editSweep: func(sw *experiment.Sweep) { sw.Budget = 3 }}}, Configs: Configs()},
			"configuration baseline has 2 tuning point(s)"},
		{Plan{Profile: experiment.MustBuiltin("quick"), Tasks: []experiment.Task{&tinyTask{editSweep: func(sw *experiment.Sweep) { sw.Budget = 0 }}}, Configs: Configs()},
			"sweep budget 0"},
		// A task's own grids must name a configuration and one of its axes.
		{Plan{Profile: experiment.MustBuiltin("quick"), Tasks: []experiment.Task{&tinyTask{editSweep: func(sw *experiment.Sweep) {
			sw.Axes = map[string]map[string][]float64{"mollifed": {"kappa": {0.1}}}
		}}}, Configs: Configs()}, `no configuration "mollifed" (did you mean "mollified"?)`},
		{Plan{Profile: experiment.MustBuiltin("quick"), Tasks: []experiment.Task{&tinyTask{editSweep: func(sw *experiment.Sweep) {
			sw.Axes = map[string]map[string][]float64{"mollified": {"kapa": {0.1}}}
		}}}, Configs: Configs()}, `configuration mollified has no axis "kapa"`},
		{Plan{Profile: experiment.MustBuiltin("quick"), Tasks: []experiment.Task{&tinyTask{editSweep: func(sw *experiment.Sweep) {
			sw.Axes = map[string]map[string][]float64{"mollified": {"kappa": {}}}
		}}}, Configs: Configs()}, "mollified.kappa: no values"},
		{Plan{Profile: experiment.MustBuiltin("quick"), Tasks: []experiment.Task{&tinyTask{editSweep: func(sw *experiment.Sweep) {
			sw.Axes = map[string]map[string][]float64{"mollified": {"c": {-1}}}
		}}}, Configs: Configs()}, "grid of mollified on tiny"},
	} {
		_, err := (&Runner{Dir: t.TempDir()}).Run(context.Background(), c.plan)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want it to mention %q", err, c.want)
		}
	}
}

func TestProgressLines(t *testing.T) {
	var buf bytes.Buffer
	r := &Runner{Dir: t.TempDir(), Workers: 2, Log: &buf}
	if _, err := r.Run(context.Background(), Plan{Profile: experiment.MustBuiltin("quick"), Tasks: []experiment.Task{&tinyTask{}}, Configs: Configs()[:1]}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "[1/4]") || !strings.HasPrefix(lines[3], "[4/4]") || !strings.Contains(out, "left") {
		t.Fatalf("progress output:\n%s", out)
	}
}

// TestProgressCountOnResume: when a cell's tuning is complete, the
// progress count knows which of its final runs exist; the count is exact
// from the first line on.
func TestProgressCountOnResume(t *testing.T) {
	dir := t.TempDir()
	plan := Plan{Profile: experiment.MustBuiltin("quick"), Tasks: []experiment.Task{&tinyTask{}}, Configs: Configs()[:2]}
	if _, err := (&Runner{Dir: dir, Workers: 1}).Run(context.Background(), plan); err != nil {
		t.Fatal(err)
	}
	// Drop one final run of the first configuration and one tuning run of
	// the second. Before the rerun's tuning, the count is 1 tuning run + the
	// first's 1 missing final run + the second's 2 final runs (unknown until
	// its selection) = 4 (counting every final run would say 5); the rerun
	// selects the same point, so only 2 runs execute in the end.
	drop := func(config, prefix string) {
		t.Helper()
		ms, _ := filepath.Glob(filepath.Join(dir, "runs", "tiny", config, prefix+"-*.json"))
		if len(ms) == 0 {
			t.Fatalf("no %s runs of %s", prefix, config)
		}
		if err := os.Remove(ms[0]); err != nil {
			t.Fatal(err)
		}
	}
	drop(plan.Configs[0].Name(), "final")
	drop(plan.Configs[1].Name(), "tune")
	var buf bytes.Buffer
	sum, err := (&Runner{Dir: dir, Workers: 1, Log: &buf}).Run(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if sum.Ran != 2 || len(lines) != 3 || !strings.HasPrefix(lines[0], "[1/4]") || !strings.HasPrefix(lines[1], "[2/2]") {
		t.Fatalf("%d runs executed; progress output:\n%s", sum.Ran, buf.String())
	}
}

func TestSelectOverride(t *testing.T) {
	p := Plan{Profile: experiment.MustBuiltin("quick"), Tasks: []experiment.Task{&tinyTask{}}, Configs: Configs()[:1]}
	p.Select = &experiment.Selector{Metric: "valid_acc", Maximize: true}
	if _, err := (&Runner{Dir: t.TempDir(), Workers: 2}).Run(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	p.Select = &experiment.Selector{Metric: "valid_accuracy"}
	_, err := (&Runner{Dir: t.TempDir(), Workers: 2}).Run(context.Background(), p)
	if err == nil || !strings.Contains(err.Error(), `"valid_accuracy" is not a final metric`) || !strings.Contains(err.Error(), "valid_acc,") {
		t.Fatalf("err = %v", err)
	}
}

func TestRecordCarriesHash(t *testing.T) {
	dir := t.TempDir()
	if _, err := (&Runner{Dir: dir, Workers: 2}).Run(context.Background(), Plan{Profile: experiment.MustBuiltin("quick"), Tasks: []experiment.Task{&tinyTask{}}, Configs: Configs()[:1]}); err != nil {
		t.Fatal(err)
	}
	rs, err := store.LoadResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Record.Hash != r.Record.Spec.Hash() || !strings.Contains(r.Path, r.Record.Hash) {
			t.Fatalf("%s holds hash %q, spec hash %q", r.Path, r.Record.Hash, r.Record.Spec.Hash())
		}
	}
}

// TestChangedSettingsAreNotReused: a profile whose definition changed does
// not reuse the results of the old one.
func TestChangedSettingsAreNotReused(t *testing.T) {
	dir := t.TempDir()
	p := Plan{Profile: experiment.MustBuiltin("quick"), Tasks: []experiment.Task{&tinyTask{}}, Configs: Configs()[:1]}
	if _, err := (&Runner{Dir: dir}).Run(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	p.Tasks = []experiment.Task{&tinyTask{epochs: 3}}
	sum, err := (&Runner{Dir: dir}).Run(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Cached != 0 || sum.Ran != 4 {
		t.Fatalf("after a settings change: %d cached, %d ran; want 0 and 4", sum.Cached, sum.Ran)
	}
}

// TestSweepAxes: a task's own grid replaces a configuration's axis values
// with the budget unchanged, and -grid replaces it in turn.
func TestSweepAxes(t *testing.T) {
	task := &tinyTask{editSweep: func(sw *experiment.Sweep) {
		sw.Axes = map[string]map[string][]float64{"mollified": {"kappa": {0.01, 0.02}}}
	}}
	for _, c := range []struct {
		name string
		grid map[string]map[string][]float64
		want []float64
	}{
		{"the task's axes", nil, []float64{0.01, 0.02}},
		{"-grid wins", map[string]map[string][]float64{"mollified": {"kappa": {0.5}}}, []float64{0.5}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cells, _, err := Plan{Profile: experiment.MustBuiltin("quick"), Tasks: []experiment.Task{task}, Configs: []experiment.Config{mollified.Config{}}, Grid: c.grid}.expand()
			if err != nil || len(cells) != 1 {
				t.Fatalf("cells %d, err %v", len(cells), err)
			}
			if len(cells[0].trials) != 2 {
				t.Errorf("%d trials, want the budget, 2", len(cells[0].trials))
			}
			var got []float64
			for _, h := range cells[0].trials {
				if !slices.Contains(got, h["kappa"]) {
					got = append(got, h["kappa"])
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("kappa values tried %v, want %v", got, c.want)
			}
		})
	}
}
