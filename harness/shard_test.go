package harness

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mollifying/mollify/experiment"
)

// oneProcess is the reference: the tiny plan in one runner.
func oneProcess(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	if _, err := (&Runner{Dir: dir, Workers: 2}).Run(context.Background(), tinyPlan(&tinyTask{})); err != nil {
		t.Fatal(err)
	}
	return runObjects(t, dir)
}

// TestShardsMergeToOneSweep: sweeps writing into one folder at the same
// time (three shards of one sweep, or three whole sweeps) compute every run
// once between them and leave the files a one-process sweep writes, bit
// for bit; so do shards run one after the other, phase by phase.
func TestShardsMergeToOneSweep(t *testing.T) {
	want := oneProcess(t)
	concurrent := func(t *testing.T, runners []*Runner) int {
		var wg sync.WaitGroup
		ran := make([]int, len(runners))
		errs := make([]error, len(runners))
		for i, r := range runners {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sum, err := r.Run(context.Background(), tinyPlan(&tinyTask{}))
				errs[i] = err
				if sum != nil {
					ran[i] = sum.Ran
				}
			}()
		}
		wg.Wait()
		total := 0
		for i := range runners {
			if errs[i] != nil {
				t.Fatalf("process %d: %v", i, errs[i])
			}
			total += ran[i]
		}
		return total
	}
	for _, c := range []struct {
		name   string
		shards []Shard
	}{
		{"three shards", []Shard{{0, 3}, {1, 3}, {2, 3}}},
		{"three whole sweeps", []Shard{{}, {}, {}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			var rs []*Runner
			for _, s := range c.shards {
				rs = append(rs, &Runner{Dir: dir, Workers: 1, Shard: s, Poll: 5 * time.Millisecond})
			}
			if ran := concurrent(t, rs); ran != tinyRuns {
				t.Errorf("the processes computed %d runs between them, want %d (each once)", ran, tinyRuns)
			}
			if d := cmp.Diff(want, runObjects(t, dir)); d != "" {
				t.Fatalf("merged results differ from one process (-one +merged):\n%s", d)
			}
		})
	}
	t.Run("phases one after the other", func(t *testing.T) {
		dir := t.TempDir()
		for _, phase := range []Phase{PhaseTune, PhaseFinal} {
			for i := range 3 {
				r := &Runner{Dir: dir, Workers: 1, Shard: Shard{i, 3}, Phase: phase}
				if _, err := r.Run(context.Background(), tinyPlan(&tinyTask{})); err != nil {
					t.Fatalf("phase %d shard %d: %v", phase, i, err)
				}
			}
		}
		if d := cmp.Diff(want, runObjects(t, dir)); d != "" {
			t.Fatalf("merged results differ from one process (-one +merged):\n%s", d)
		}
	})
}

// TestShardAloneFinishesTheSweep: a shard whose partners never come
// computes their share once it has waited LeaseTTL for it.
func TestShardAloneFinishesTheSweep(t *testing.T) {
	want := oneProcess(t)
	dir := t.TempDir()
	r := &Runner{Dir: dir, Workers: 1, Shard: Shard{1, 2}, LeaseTTL: 50 * time.Millisecond, Poll: 5 * time.Millisecond}
	sum, err := r.Run(context.Background(), tinyPlan(&tinyTask{}))
	if err != nil {
		t.Fatal(err)
	}
	// It waited for its partner's tuning runs, then made them, and ran
	// only its own final runs.
	got := runObjects(t, dir)
	if len(got) >= len(want) || sum.Ran != len(got) {
		t.Fatalf("%d files after a lone shard, %d runs computed; want all tuning runs and half the final runs", len(got), sum.Ran)
	}
	for k, v := range got {
		if want[k] != v {
			t.Fatalf("%s differs from the one-process sweep", k)
		}
	}
}

func TestFinalPhaseNeedsTuning(t *testing.T) {
	_, err := (&Runner{Dir: t.TempDir(), Phase: PhaseFinal}).Run(context.Background(), tinyPlan(&tinyTask{}))
	if err == nil || !strings.Contains(err.Error(), "tuning runs are in") || !strings.Contains(err.Error(), "-phase tune") {
		t.Fatalf("error %v, want one naming the incomplete tuning", err)
	}
}

func TestParseShardAndPhase(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Shard
		ok   bool
	}{
		{"0/1", Shard{0, 1}, true}, {"2/3", Shard{2, 3}, true}, {"3/3", Shard{}, false},
		{"-1/3", Shard{}, false}, {"1/0", Shard{}, false}, {"1", Shard{}, false}, {"a/b", Shard{}, false},
	} {
		got, err := ParseShard(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseShard(%q) = %v, %v", c.in, got, err)
		}
	}
	for in, want := range map[string]Phase{"all": PhaseAll, "tune": PhaseTune, "final": PhaseFinal} {
		if got, err := ParsePhase(in); err != nil || got != want {
			t.Errorf("ParsePhase(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParsePhase("tuning"); err == nil {
		t.Error("ParsePhase accepted tuning")
	}
}

// TestStopSavesRunsInFlight: a graceful stop lets the run in flight finish
// and save its file, starts no other, and a rerun completes the sweep as
// if nothing had happened.
func TestStopSavesRunsInFlight(t *testing.T) {
	want := oneProcess(t)
	dir := t.TempDir()
	stop := make(chan struct{})
	var once sync.Once
	task := &tinyTask{onStart: func(experiment.RunSpec) { once.Do(func() { close(stop) }) }}
	_, err := (&Runner{Dir: dir, Workers: 1}).Run(WithStop(context.Background(), stop), tinyPlan(task))
	if !errors.Is(err, ErrStopped) {
		t.Fatalf("error %v, want ErrStopped", err)
	}
	if got := runObjects(t, dir); len(got) != 1 || len(task.started) != 1 {
		t.Fatalf("%d runs started and %d files after the stop, want 1 and 1 (the run in flight, saved)", len(task.started), len(got))
	}
	if _, err := (&Runner{Dir: dir, Workers: 2}).Run(context.Background(), tinyPlan(&tinyTask{})); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, runObjects(t, dir)); d != "" {
		t.Fatalf("stopped and resumed sweep differs from one process (-one +resumed):\n%s", d)
	}
}

// TestGrid: -grid lr replaces every configuration's learning rates and
// their common budget; config.axis replaces one configuration's axis only.
func TestGrid(t *testing.T) {
	p := tinyPlan(&tinyTask{})
	p.Grid = map[string]map[string][]float64{"": {"lr": {0.2, 0.4, 0.8}}, "mollified": {"c": {1, 2, 3}}}
	cells, _, err := p.expand()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cells {
		if len(c.trials) != 3 {
			t.Errorf("%s: %d trials, want the 3 learning rates' budget", c.config.Name(), len(c.trials))
		}
		lrs := map[float64]bool{}
		for _, h := range c.trials {
			lrs[h["lr"]] = true
			if c.config.Name() == "mollified" && (h["c"] < 1 || h["c"] > 3) {
				t.Errorf("mollified trial %v outside the c grid", h)
			}
		}
		if len(lrs) != 3 || !lrs[0.2] || !lrs[0.4] || !lrs[0.8] {
			t.Errorf("%s: learning rates %v, want 0.2, 0.4, 0.8", c.config.Name(), lrs)
		}
	}
}
