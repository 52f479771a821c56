package mollified

import (
	"fmt"
	"math"
	"testing"

	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/rng"
)

// TestGateFloat32 checks the vectorised float32 gate against the float64
// one (GatePre and the math package) on the same draws: outputs and
// derivatives within 1e-5, nothing written outside the gate's columns,
// and the noise streams at the same position afterwards.
func TestGateFloat32(t *testing.T) {
	const rows, units, stride = 3, 21, 40
	for _, kind := range []nn.Kind{nn.Sigmoid, nn.HardSigmoid} {
		for _, perBatch := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/perBatch=%v", kind, perBatch), func(t *testing.T) {
				g32 := NewGate[float32](kind, GammaInvT, rng.NewNoise(2, "test"))
				g64 := NewGate[float64](kind, GammaInvT, rng.NewNoise(2, "test"))
				g32.PerBatch, g64.PerBatch = perBatch, perBatch
				g32.Eval, g64.Eval = EvalExpect, EvalExpect
				for step, c := range []struct {
					p     float64
					train bool
				}{{1, true}, {0.3, true}, {0.7, false}, {0.05, true}} {
					g32.SetP(c.p)
					g64.SetP(c.p)
					a32 := &nn.GateArgs[float32]{X: make([]float32, rows*stride), Y: make([]float32, rows*stride), D: make([]float32, rows*stride), Rows: rows, Units: units, Stride: stride, Step: step, Train: c.train}
					a64 := &nn.GateArgs[float64]{X: make([]float64, rows*stride), Y: make([]float64, rows*stride), D: make([]float64, rows*stride), Rows: rows, Units: units, Stride: stride, Step: step, Train: c.train}
					for i := range a32.X {
						a32.X[i] = float32(i%17)/2 - 4
						a64.X[i] = float64(a32.X[i])
						a32.Y[i], a64.Y[i], a32.D[i] = 9, 9, 9
					}
					g32.Forward(a32)
					g64.Forward(a64)
					for i := range a64.Y {
						if i%stride >= units {
							if a32.Y[i] != 9 || a32.D[i] != 9 {
								t.Fatalf("step %d: element %d outside the gate's units was written", step, i)
							}
							continue
						}
						if d := math.Abs(float64(a32.Y[i]) - a64.Y[i]); d > 1e-5 {
							t.Fatalf("step %d: y[%d] = %v (float32), %v (float64)", step, i, a32.Y[i], a64.Y[i])
						}
						if d := math.Abs(float64(a32.D[i]) - a64.D[i]); d > 1e-5 {
							t.Fatalf("step %d: ∂y/∂x[%d] = %v (float32), %v (float64)", step, i, a32.D[i], a64.D[i])
						}
					}
				}
				if g32.rnd.Uint64() != g64.rnd.Uint64() {
					t.Fatal("the noise streams diverged")
				}
			})
		}
	}
}
