package pentomino

import (
	"context"
	"testing"

	"github.com/mollifying/mollify/baselines"
	"github.com/mollifying/mollify/experiment"
)

func TestQuickRun(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a network")
	}
	spec := experiment.RunSpec{Schema: experiment.Schema, Task: "pentomino", Profile: "quick", Config: "baseline", Phase: experiment.Final, Seed: 1, Hyper: experiment.Hyper{"lr": 0.03}}
	rec, err := Task{}.Run(context.Background(), experiment.MustBuiltin(spec.Profile), spec, baselines.Baseline{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := settingsFor(experiment.MustBuiltin("quick"))
	if rec.Updates != s.Updates(s.Split[0]) || len(rec.Curve) != s.Epochs+1 {
		t.Errorf("%d updates and %d curve points, want %d and %d", rec.Updates, len(rec.Curve), s.Updates(s.Split[0]), s.Epochs+1)
	}
	for _, m := range (Task{}).Report().Metrics {
		v, ok := rec.Final[m.Name]
		if !ok || v != v {
			t.Errorf("final metric %s = %v (present %v)", m.Name, v, ok)
		}
	}
	if acc := float64(rec.Final["test_acc_at_best_valid"]); acc < 0.3 || acc > 0.7 {
		t.Errorf("quick-profile test accuracy %v, far from chance: suspicious at this size", acc)
	}
}

func TestSettings(t *testing.T) {
	s, err := settingsFor(experiment.MustBuiltin("paper"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Split != [3]int{80000, 10000, 20000} || s.Epochs != 100 || s.Batch != 100 || len(s.Hidden) != 4 || s.Hidden[0] != 512 || s.Optimizer != "sgd" || s.Momentum != 0.9 {
		t.Errorf("paper settings %+v", s)
	}
	if _, err := settingsFor(experiment.Profile{Name: "huge", Base: "huge"}); err == nil {
		t.Error("unknown profile accepted")
	}
	if (Task{}).Cost(experiment.MustBuiltin("paper")) <= (Task{}).Cost(experiment.MustBuiltin("quick")) {
		t.Error("the paper profile does not cost more than the quick one")
	}
}
