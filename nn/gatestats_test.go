package nn

import (
	"slices"
	"testing"
)

// TestGateStats: the wrapper leaves the wrapped function's outputs alone,
// counts training steps only, and reports mean and maximum |X| and the share
// of units whose derivative is below SaturatedBelow; Take starts afresh.
func TestGateStats(t *testing.T) {
	x := []float64{0, 10, -10, 1}
	args := func(train bool) (*GateArgs[float64], []float64, []float64) {
		y, d := make([]float64, len(x)), make([]float64, len(x))
		return &GateArgs[float64]{X: slices.Clone(x), Y: y, D: d, Rows: 2, Units: 2, Stride: 2, Train: train}, y, d
	}
	plain, wy, wd := args(true)
	KindGate[float64]{Kind: Sigmoid}.Forward(plain)

	g := &GateStats[float64]{Inner: KindGate[float64]{Kind: Sigmoid}}
	a, y, d := args(true)
	g.Forward(a)
	if !slices.Equal(y, wy) || !slices.Equal(d, wd) {
		t.Fatalf("wrapped outputs %v %v, want %v %v", y, d, wy, wd)
	}
	e, _, _ := args(false)
	g.Forward(e) // evaluation: not counted
	s := 0.0
	for _, v := range wy {
		s += v
	}
	for _, tc := range []struct {
		name string
		want GateSummary
	}{
		// σ'(±10) ≈ 4.5e-5 < 0.01; σ'(0), σ'(1) are not. σ(x) > 0, so |Y| = Y.
		{"first take", GateSummary{MeanAbsX: 21.0 / 4, MaxAbsX: 10, MeanAbsY: s / 4, Saturated: 0.5}},
		{"after take", GateSummary{}},
	} {
		if got := g.Take(); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
