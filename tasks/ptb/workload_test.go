package ptb

import (
	"context"
	"testing"

	"github.com/mollifying/mollify/baselines"
	"github.com/mollifying/mollify/experiment"
)

// TestWorkloadMatchesRun checks the counts of the workload against a run
// and the learning rate of train.Settings' form against LMSettings'.
func TestWorkloadMatchesRun(t *testing.T) {
	s := tiny
	s.EvalEvery = 7
	w, err := s.workload()
	if err != nil {
		t.Fatal(err)
	}
	spec := experiment.RunSpec{Task: "ptb", Profile: "test", Config: "baseline", Seed: 7, Hyper: experiment.Hyper{"lr": 1}}
	rec, err := run(context.Background(), spec, baselines.Baseline{}, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Updates != w.Updates() || len(rec.Curve) != w.Evaluations() {
		t.Fatalf("run made %d updates and %d evaluations, Workload says %d and %d", rec.Updates, len(rec.Curve), w.Updates(), w.Evaluations())
	}
	// 400 tokens in 4 columns: 99 predicted per column, per split.
	if w.EvalExamples() != 2*4*99 || w.Unit != "token" {
		t.Fatalf("%d %ss per evaluation, want %d tokens", w.EvalExamples(), w.Unit, 2*4*99)
	}
}

func TestWorkloadLRAndSizes(t *testing.T) {
	for _, p := range (Task{}).Profiles() {
		s, _ := settingsFor(experiment.MustBuiltin(p))
		w, err := (Task{}).Workload(experiment.MustBuiltin(p))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Validate(); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		per := w.UpdatesPerEpoch()
		for u := 1; u <= w.Updates(); u++ {
			if got, want := w.LR(1, u, per), s.LR(1, (u-1)/per+1); got != want {
				t.Fatalf("%s: update %d: lr %v, LMSettings says %v", p, u, got, want)
			}
		}
		c, err := corpus(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := [3]int{len(c.Train), len(c.Valid), len(c.Test)}; got != s.sizes() || w.Train != got[0] {
			t.Fatalf("%s: splits of %v tokens, sizes says %v", p, got, s.sizes())
		}
	}
	w, _ := (Task{}).Workload(experiment.MustBuiltin("paper"))
	if w.Updates() != 13*2323 || w.Evaluations() != 14 || w.EvalExamples() != 73759+82429 {
		t.Fatalf("paper workload: %d updates, %d evaluations of %d tokens", w.Updates(), w.Evaluations(), w.EvalExamples())
	}
}
