package baselines

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/rng"
	"github.com/mollifying/mollify/vmath"
)

// TestNoisyKernelMatchesEval compares the float32 kernel (vmath.Noisy) with
// NAN.Eval's float64 maths on the same float32 inputs, for both units of
// the authors' code with and without clipping. Elements within a hair of
// the clip boundary |φ| = 1 are skipped.
func TestNoisyKernelMatchesEval(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	const n = 3000
	x, xi, p := make([]float32, n), make([]float32, n), make([]float32, n)
	phi, dx, dp := make([]float32, n), make([]float32, n), make([]float32, n)
	for _, u := range []NAN{NSigmoidP(), NTanhP(), {Kind: nn.HardSigmoid, Alpha: 1.1, C: 0.15, Clip: true}, {Kind: nn.HardTanh, Alpha: 1.15, C: 0.5}} {
		for i := range n {
			x[i] = float32(4 * r.NormFloat64())
			if i%101 == 0 {
				x[i] = 0
			}
			xi[i] = float32(r.NormFloat64())
			if u.HalfNormal {
				xi[i] = float32(math.Abs(float64(xi[i])))
			}
			p[i] = float32(2*r.Float64() - 1)
		}
		c := u.C
		if u.HalfNormal && u.Alpha > 1 {
			c = -c
		}
		vmath.Noisy(u.Kind.Fn(), u.Clip, phi, dx, dp, x, xi, p, u.Alpha, c)
		for i := range n {
			wphi, wdx, wdp := u.Eval(float64(x[i]), float64(p[i]), float64(xi[i]))
			if u.Clip && math.Abs(math.Abs(wphi)-1) < 1e-5 {
				continue
			}
			for _, c := range []struct {
				name      string
				got, want float64
			}{{"φ", float64(phi[i]), wphi}, {"∂φ/∂x", float64(dx[i]), wdx}, {"∂φ/∂p", float64(dp[i]), wdp}} {
				if math.Abs(c.got-c.want) > 1e-5*(1+math.Abs(c.want)) {
					t.Fatalf("%+v x=%v ξ=%v p=%v: %s = %v (float32 kernel), %v (NAN.Eval)", u, x[i], xi[i], p[i], c.name, c.got, c.want)
				}
			}
		}
	}
}

// TestNoisyFloat32Draws: the float32 layer takes the same draws, in the same
// order, as the float64 one.
func TestNoisyFloat32Draws(t *testing.T) {
	const width, batch = 11, 5
	for _, u := range []NAN{NSigmoidP(), NTanhP()} {
		l32 := NewNoisyAct[float32]("h", width, u, rand.New(rand.NewPCG(1, 1)), rng.NewNoise(2, "test"))
		l64 := NewNoisyAct[float64]("h", width, u, rand.New(rand.NewPCG(1, 1)), rng.NewNoise(2, "test"))
		x32, x64 := nn.NewMat[float32](batch, width), nn.NewMat[float64](batch, width)
		for i := range x32.Data {
			x32.Data[i] = float32(i%9) - 4
			x64.Data[i] = float64(x32.Data[i])
		}
		for _, train := range []bool{true, false} {
			y32, y64 := l32.Forward(x32, train), l64.Forward(x64, train)
			for i := range y64.Data {
				if math.Abs(float64(y32.Data[i])-y64.Data[i]) > 1e-5 {
					t.Fatalf("%v train=%v: φ[%d] = %v (float32), %v (float64)", u.Kind, train, i, y32.Data[i], y64.Data[i])
				}
			}
		}
		if l32.rnd.Uint64() != l64.rnd.Uint64() {
			t.Fatalf("%v: the noise streams diverged", u.Kind)
		}
	}
}

// TestNoisyGateFloat32 holds the float32 LSTM gate (vmath.Noisy on strided
// rows) to the float64 one: the same draws in the same order, φ, ∂φ/∂x and
// ∂φ/∂p within float32 rounding, and nothing written between the rows.
func TestNoisyGateFloat32(t *testing.T) {
	const rows, units, stride = 3, 7, 20
	for _, u := range []NAN{NSigmoidP(), NTanhP()} {
		g32 := NewNoisyGate[float32]("g", units, u, rand.New(rand.NewPCG(1, 1)), rng.NewNoise(2, "test"))
		g64 := NewNoisyGate[float64]("g", units, u, rand.New(rand.NewPCG(1, 1)), rng.NewNoise(2, "test"))
		for step, train := range []bool{true, false, true} {
			a32 := &nn.GateArgs[float32]{X: make([]float32, rows*stride), Y: make([]float32, rows*stride), D: make([]float32, rows*stride), Rows: rows, Units: units, Stride: stride, Step: step, Train: train}
			a64 := &nn.GateArgs[float64]{X: make([]float64, rows*stride), Y: make([]float64, rows*stride), D: make([]float64, rows*stride), Rows: rows, Units: units, Stride: stride, Step: step, Train: train}
			for i := range a32.X {
				a32.X[i] = float32(i%13)/2 - 3
				a64.X[i] = float64(a32.X[i])
				a32.Y[i], a64.Y[i] = 9, 9
			}
			g32.Forward(a32)
			g64.Forward(a64)
			for i := range a64.Y {
				if i%stride >= units {
					if a32.Y[i] != 9 {
						t.Fatalf("%v: element %d outside the gate's units was written", u.Kind, i)
					}
					continue
				}
				if d := math.Abs(float64(a32.Y[i]) - a64.Y[i]); d > 1e-5 {
					t.Fatalf("%v step %d: φ[%d] = %v (float32), %v (float64)", u.Kind, step, i, a32.Y[i], a64.Y[i])
				}
				if d := math.Abs(float64(a32.D[i]) - a64.D[i]); d > 1e-5 {
					t.Fatalf("%v step %d: ∂φ/∂x[%d] = %v (float32), %v (float64)", u.Kind, step, i, a32.D[i], a64.D[i])
				}
			}
			for i, v := range g64.dp[step] {
				if d := math.Abs(float64(g32.dp[step][i]) - v); d > 1e-5*(1+math.Abs(v)) {
					t.Fatalf("%v step %d: ∂φ/∂p[%d] = %v (float32), %v (float64)", u.Kind, step, i, g32.dp[step][i], v)
				}
			}
		}
		if g32.rnd.Uint64() != g64.rnd.Uint64() {
			t.Fatalf("%v: the noise streams diverged", u.Kind)
		}
	}
}
