package parity

import (
	"math/bits"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/train"
)

func TestGenerate(t *testing.T) {
	d := Generate(12, 300, 50, 60, 7)
	seen := map[uint64]bool{}
	ones := 0
	for _, s := range []train.Split{d.Train, d.Valid, d.Test} {
		for i := range s.Len() {
			var v uint64
			for b, x := range s.X.Row(i) {
				switch x {
				case 1:
					v |= 1 << b
				case 0:
				default:
					t.Fatalf("input %v is not a bit", x)
				}
			}
			if seen[v] {
				t.Fatalf("vector %b appears twice across the splits", v)
			}
			seen[v] = true
			if want := int32(bits.OnesCount64(v) & 1); s.Y[i] != want {
				t.Fatalf("label %d for %b, want %d", s.Y[i], v, want)
			}
			ones += int(s.Y[i])
		}
	}
	if d.Train.Len() != 300 || d.Valid.Len() != 50 || d.Test.Len() != 60 || d.Classes != 2 {
		t.Fatalf("split sizes %d/%d/%d", d.Train.Len(), d.Valid.Len(), d.Test.Len())
	}
	if frac := float64(ones) / 410; frac < 0.4 || frac > 0.6 {
		t.Fatalf("%.2f of labels are 1", frac)
	}
	if !cmp.Equal(d, Generate(12, 300, 50, 60, 7)) {
		t.Fatal("the same seed gave other data")
	}
	if cmp.Equal(d.Train.Y, Generate(12, 300, 50, 60, 8).Train.Y) {
		t.Fatal("another seed gave the same labels")
	}
	// All 256 vectors of 8 bits, as the quick profile uses them.
	all := Generate(8, 192, 32, 32, DataSeed)
	if n := all.Train.Len() + all.Valid.Len() + all.Test.Len(); n != 256 {
		t.Fatalf("%d vectors", n)
	}
}

func TestProfiles(t *testing.T) {
	for _, p := range (Task{}).Profiles() {
		s, err := (Task{}).settingsFor(experiment.MustBuiltin(p))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		sw, err := (Task{}).Sweep(experiment.MustBuiltin(p))
		if err != nil || len(sw.Seeds) == 0 || len(sw.LR) == 0 || sw.Budget < len(sw.LR) {
			t.Fatalf("%s: sweep %+v, %v", p, sw, err)
		}
		for _, ts := range sw.TuneSeeds {
			for _, fs := range sw.Seeds {
				if ts == fs {
					t.Fatalf("%s: tuning seed %d is also a final seed", p, ts)
				}
			}
		}
		a, err := (Task{}).Arch(experiment.MustBuiltin(p))
		if err != nil || len(a.(*experiment.MLP).Hidden) != 6 {
			t.Fatalf("%s: arch %+v, %v", p, a, err)
		}
		if (Task{}).Cost(experiment.MustBuiltin(p)) <= 0 {
			t.Fatalf("%s: no cost", p)
		}
	}
	paper, _ := (Task{}).settingsFor(experiment.MustBuiltin("paper"))
	if paper.Bits != 40 || paper.Split != [3]int{90000, 5000, 5000} || paper.Hidden[0] != 100 || paper.Epochs != 200 || paper.Batch != 100 {
		t.Fatalf("paper profile drifted from paper/PROTOCOL.md: %+v", paper)
	}
	if _, err := (Task{}).settingsFor(experiment.Profile{Name: "huge", Base: "huge"}); err == nil {
		t.Fatal("unknown profile accepted")
	}
}

// TestExtendedAxes pins the grids extended once at an edge (paper/TUNING.md
// §1): kappa in every regime, c in the 90k regime only, where its pick sat
// at the top of {1, 3, 10, 30}.
func TestExtendedAxes(t *testing.T) {
	kappa := []float64{0.01, 0.03, 0.1, 0.3, 1}
	for _, tc := range []struct {
		task Task
		want map[string][]float64
	}{
		{Task{}, map[string][]float64{"kappa": kappa, "c": {1, 3, 10, 30, 100}}},
		{Small, map[string][]float64{"kappa": kappa}},
		{SmallWide, map[string][]float64{"kappa": kappa}},
	} {
		sw, err := tc.task.Sweep(experiment.MustBuiltin(experiment.Paper))
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(tc.want, sw.Axes["mollified"]); d != "" {
			t.Errorf("%s: mollified axes (-want +got):\n%s", tc.task.Name(), d)
		}
		if len(sw.Axes) != 1 {
			t.Errorf("%s: axes of %d configurations, want mollified's only", tc.task.Name(), len(sw.Axes))
		}
	}
}
