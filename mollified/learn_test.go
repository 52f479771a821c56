package mollified

import (
	"context"
	"math"
	"testing"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/tasks/parity"
	"github.com/mollifying/mollify/train"
)

// TestMollifiedNetworkLearns trains a small mollified sigmoid network on
// 6-bit parity through the real loop: annealing must run from p ≈ 1 to its
// stop, and the original network left at the end must fit the training set.
// It guards what gradient checks cannot see (the schedule, the hooks, the
// evaluation at p = 0).
func TestMollifiedNetworkLearns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a second")
	}
	data := parity.Generate(6, 48, 8, 8, 1)
	s := train.Settings{Epochs: 800, Batch: 16, EvalEvery: 300, Optimizer: "sgd", Momentum: 0.9}
	arch := &experiment.MLP{In: 6, Hidden: []int{32, 32}, Out: 2, Act: nn.Sigmoid, Init: nn.Glorot}
	o, err := experiment.ResolveOptions(Config{}.Options(), nil)
	if err != nil {
		t.Fatal(err)
	}
	h := experiment.Hyper{"lr": 0.3, HypC: 0.5, HypAnneal: 0.5, HypDelta: 0.05, HypEMA: 0.99}
	m, err := Config{}.Build(arch, h, o, experiment.Env{Seed: 1, Updates: s.Updates(48), InitialLoss: math.Ln2})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := train.Classify(context.Background(), data, m, s, 0.3, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	first, last := rec.Curve[0].Values, rec.Final
	if first["p_sum"] < 1.99 {
		t.Errorf("Σp at the start = %v, want ≈ 2 (both layers near the identity)", first["p_sum"])
	}
	if last["p_sum"] != 0 {
		t.Errorf("Σp at the end = %v, want 0 (annealing stopped)", last["p_sum"])
	}
	if acc := float64(last[train.TrainEvalAcc]); acc < 0.95 {
		t.Errorf("training accuracy of the original network at the end %v, want ≥ 0.95", acc)
	}
}
