package mnist

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
	spec := experiment.RunSpec{Schema: experiment.Schema, Task: Tanh.Name(), Profile: "quick", Config: "residual", Phase: experiment.Final, Seed: 1, Hyper: experiment.Hyper{"lr": 0.03}}
	rec, err := Tanh.Run(context.Background(), experiment.MustBuiltin(spec.Profile), spec, baselines.Residual{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := Tanh.settings(experiment.MustBuiltin("quick"))
	if rec.Updates != s.Updates(s.Split[0]) || len(rec.Curve) != s.Epochs+1 {
		t.Errorf("%d updates and %d curve points, want %d and %d", rec.Updates, len(rec.Curve), s.Updates(s.Split[0]), s.Epochs+1)
	}
	first, last := rec.Curve[0].Values["train_eval_loss"], rec.Final["train_eval_loss"]
	if !(last < first) {
		t.Errorf("training loss went from %v to %v", first, last)
	}
	// A residual tanh network learns MNIST digits in 150 updates.
	if acc := rec.Final["test_acc_at_best_valid"]; acc < 0.5 {
		t.Errorf("test accuracy %v after the quick run, want well above chance (0.1)", acc)
	}
}
