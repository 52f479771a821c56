package train

import (
	"context"
	"errors"
	"maps"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/rng"
)

// blobs is a linearly separable two-class problem: easy for every model.
func blobs(n int, seed uint64) Split {
	r := rng.New(seed, "blobs")
	x := nn.NewMat[float32](n, 4)
	y := make([]int32, n)
	for i := range n {
		y[i] = int32(i % 2)
		for j := range 4 {
			x.Row(i)[j] = float32(r.NormFloat64()*0.5 + float64(2*y[i]-1))
		}
	}
	return Split{X: x, Y: y}
}

func data() *Data {
	return &Data{Train: blobs(200, 1), Valid: blobs(50, 2), Test: blobs(50, 3), Classes: 2}
}

func model(seed uint64) *experiment.Model {
	r := rng.New(seed, "init")
	net := nn.NewSequential[float32](nn.NewDense[float32]("h", 4, 8, nn.Glorot, r), nn.NewAct[float32](nn.Tanh), nn.NewDense[float32]("out", 8, 2, nn.Glorot, r))
	net.SkipInputGrad()
	return &experiment.Model{Net: net}
}

var settings = Settings{Epochs: 5, Batch: 20, Optimizer: "sgd", Momentum: 0.9, TargetMetric: TrainEvalAcc, TargetValue: 0.95}

func TestClassifyLearnsAndIsDeterministic(t *testing.T) {
	a, err := Classify(context.Background(), data(), model(1), settings, 0.1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Classify(context.Background(), data(), model(1), settings, 0.1, 1, nil)
	if d := cmp.Diff(a, b); d != "" {
		t.Fatalf("same seed, different records:\n%s", d)
	}
	if got := float64(a.Final[TestAcc]); got < 0.95 {
		t.Fatalf("test accuracy %v on separable blobs", got)
	}
	if a.Final["reached_target"] != 1 || a.Final["updates_to_target"] > experiment.Num(a.Updates) {
		t.Fatalf("target not recorded: %v", a.Final)
	}
	if len(a.Curve) != settings.Epochs+1 || a.Curve[0].Update != 0 || a.Updates != 50 {
		t.Fatalf("curve of %d points, updates %d", len(a.Curve), a.Updates)
	}
	c, _ := Classify(context.Background(), data(), model(1), settings, 0.1, 2, nil)
	if cmp.Equal(a.Curve, c.Curve) {
		t.Fatal("another shuffling seed gave the same curve")
	}
}

func TestClassifyDivergence(t *testing.T) {
	rec, err := Classify(context.Background(), data(), model(1), settings, math.Inf(1), 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Diverged || rec.Updates >= 50 {
		t.Fatalf("diverged=%v after %d updates", rec.Diverged, rec.Updates)
	}
	if v := float64(rec.Final[TrainLoss]); !math.IsNaN(v) && !math.IsInf(v, 0) {
		t.Fatalf("final train loss %v, want non-finite", v)
	}
	if rec.Final["reached_target"] != 0 || rec.Final["updates_to_target"] != 51 {
		t.Fatalf("a diverged run reached its target: %v", rec.Final)
	}
}

func TestClassifyCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Classify(ctx, data(), model(1), settings, 0.1, 1, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestSettingsValidate(t *testing.T) {
	for _, s := range []Settings{{Epochs: 0, Batch: 1, Optimizer: "sgd"}, {Epochs: 1, Batch: 0, Optimizer: "sgd"}, {Epochs: 1, Batch: 1, Optimizer: "rmsprop"}} {
		if _, err := Classify(context.Background(), data(), model(1), s, 0.1, 1, nil); err == nil {
			t.Errorf("settings %+v accepted", s)
		}
	}
}

// hooks records the order in which the loop calls its hooks.
type hooks struct{ calls []string }

func (h *hooks) StartStep(t int)                 { h.calls = append(h.calls, "start") }
func (h *hooks) Perturb(t int)                   { h.calls = append(h.calls, "perturb") }
func (h *hooks) Restore()                        { h.calls = append(h.calls, "restore") }
func (h *hooks) ObserveLoss(t int, loss float64) { h.calls = append(h.calls, "observe") }
func (h *hooks) Trace(add func(string, float64)) { add("traced", 7) }

func TestHookOrder(t *testing.T) {
	m := model(1)
	h := &hooks{}
	m.Hooks = []any{h}
	s := settings
	s.Epochs = 1
	rec, err := Classify(context.Background(), data(), m, s, 0.1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"start", "perturb", "restore", "observe"}
	if d := cmp.Diff(want, h.calls[:4]); d != "" || len(h.calls) != 4*rec.Updates {
		t.Fatalf("hook calls (-want +got):\n%s (%d calls for %d updates)", d, len(h.calls), rec.Updates)
	}
	if rec.Curve[0].Values["traced"] != 7 {
		t.Fatal("tracer not recorded")
	}
}

// fakeOriginal is an Originaler whose networks differ until annealed.
type fakeOriginal struct{ on, annealed bool }

func (f *fakeOriginal) UseOriginal(on bool) bool { f.on = on; return !f.annealed }

// TestEvaluateOriginal: with an Originaler, the original network is measured
// under the suffixed names while the two differ, and its values are copies
// once they do not; the switch is always turned back off.
func TestEvaluateOriginal(t *testing.T) {
	for _, c := range []struct {
		annealed bool
		calls    int
	}{{false, 2}, {true, 1}} {
		f := &fakeOriginal{annealed: c.annealed}
		h := CollectHooks(&experiment.Model{Hooks: []any{f}})
		v := experiment.Values{TrainLoss: 3}
		calls := 0
		h.Evaluate(v, func(v experiment.Values, suf string) {
			calls++
			x := 1.0
			if f.on {
				x = 2
			}
			v[ValidAcc+suf] = experiment.Num(x)
		})
		want := experiment.Values{TrainLoss: 3, ValidAcc: 1, ValidAcc + experiment.OriginalSuffix: 2}
		if c.annealed {
			want[ValidAcc+experiment.OriginalSuffix] = 1
		}
		if calls != c.calls || f.on || !maps.Equal(v, want) {
			t.Errorf("annealed=%v: %d calls, switch on %v, values %v; want %d calls, %v", c.annealed, calls, f.on, v, c.calls, want)
		}
		if h.Headline() != experiment.OriginalSuffix {
			t.Errorf("headline %q", h.Headline())
		}
	}
}
