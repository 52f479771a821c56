package harness

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mollifying/mollify/experiment"
)

// TestStale: a folder swept under one grid holds, for a plan with another
// grid, the first grid's tuning runs and, once they cannot be the new
// selection's, its final runs; removing what Stale lists leaves a folder
// the second sweep finds complete.
func TestStale(t *testing.T) {
	dir := t.TempDir()
	plan := tinyPlan(&tinyTask{})
	plan.Configs = Configs()[:1] // baseline: it tunes only the learning rate
	r := &Runner{Dir: dir, Workers: 2}
	sum1, err := r.Run(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := r.Stale(plan); err != nil || len(st) != 0 {
		t.Fatalf("the plan that made the folder finds stale files %v (err %v)", st, err)
	}
	count := func(st []StaleFile, prefix string) int {
		n := 0
		for _, s := range st {
			if strings.HasPrefix(filepath.Base(s.Path), prefix) {
				n++
			}
		}
		return n
	}
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}

	// The new grid shares the rate 0.5 at another trial index, so every
	// earlier tuning run is stale. Before the new tuning, an earlier final
	// run is known to be stale only if its rate is not in the new grid.
	plan2 := tinyPlan(&tinyTask{editSweep: func(sw *experiment.Sweep) { sw.LR = []float64{0.5, 0.9} }})
	plan2.Configs = plan.Configs
	sel1 := sum1.Selected["tiny/baseline"][experiment.HypLR]
	before, err := r.Stale(plan2)
	if err != nil {
		t.Fatal(err)
	}
	if got := count(before, "tune-"); got != 2 {
		t.Errorf("%d stale tuning runs before the new sweep, want the first sweep's 2: %v", got, before)
	}
	if got, want := count(before, "final-"), 2*b2i(sel1 != 0.5); got != want {
		t.Errorf("%d stale final runs before the new tuning (first selection lr = %g), want %d", got, sel1, want)
	}
	sum2, err := r.Run(context.Background(), plan2)
	if err != nil {
		t.Fatal(err)
	}
	sel2 := sum2.Selected["tiny/baseline"][experiment.HypLR]
	t.Logf("selections: lr = %g, then %g", sel1, sel2)
	after, err := r.Stale(plan2)
	if err != nil {
		t.Fatal(err)
	}
	if got := count(after, "tune-"); got != 2 {
		t.Errorf("%d stale tuning runs after the new sweep, want 2: %v", got, after)
	}
	// Final runs have trial 0: the same point selected twice is one file.
	if got, want := count(after, "final-"), 2*b2i(sel1 != sel2); got != want {
		t.Errorf("%d stale final runs after the new sweep (selections lr = %g then %g), want %d", got, sel1, sel2, want)
	}
	for _, s := range after {
		if err := os.Remove(s.Path); err != nil {
			t.Fatal(err)
		}
	}
	if st, err := r.Stale(plan2); err != nil || len(st) != 0 {
		t.Fatalf("stale files after removing them: %v (err %v)", st, err)
	}
	if sum, err := r.Run(context.Background(), plan2); err != nil || sum.Ran != 0 {
		t.Fatalf("the pruned folder made the sweep run %d runs again (err %v)", sum.Ran, err)
	}
}
