package baselines

import (
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/rng"
	"github.com/mollifying/mollify/vmath"
)

// forward32 is Forward for a float32 layer, through the vectorised kernel
// vmath.Noisy; it reports false for float64 (the gradient checks keep
// NAN.Eval's float64 maths) and for a unit that is not hard-sigmoid or
// hard-tanh. The noise is drawn first, in the same order as the float64
// path (one NormFloat64 per element, row-major).
func (l *NoisyAct[T]) forward32(xT, outT, dxT, dpT *nn.Mat[T], train bool, xiTest float64) bool {
	x, ok := any(xT).(*nn.Mat[float32])
	if !ok || (l.Unit.Kind != nn.HardSigmoid && l.Unit.Kind != nn.HardTanh) {
		return false
	}
	out, dx, dp := any(outT).(*nn.Mat[float32]), any(dxT).(*nn.Mat[float32]), any(dpT).(*nn.Mat[float32])
	p := any(l.P.Value).([]float32)
	l.xi32 = grow(l.xi32, len(x.Data))
	xi := l.xi32
	drawXi(xi, l.Unit, l.rnd, train, xiTest)
	c := l.Unit.kernelC()
	d := x.Cols
	for i := range x.Rows {
		r := i * d
		vmath.Noisy(l.Unit.Kind.Fn(), l.Unit.Clip, out.Row(i), dx.Row(i), dp.Row(i), x.Row(i), xi[r:r+d], p, l.Unit.Alpha, c)
	}
	return true
}

// drawXi fills xi with the noise of len(xi) units in order: one
// NormFloat64 per element (its magnitude for a half-normal unit) when
// training, else xiTest. It is the float64 paths' draw, in float32.
func drawXi(xi []float32, u NAN, r *rng.Noise, train bool, xiTest float64) {
	if !train {
		for i := range xi {
			xi[i] = float32(xiTest)
		}
		return
	}
	r.FillNorm32(xi, u.HalfNormal)
}

// kernelC is the c that vmath.Noisy takes: the sign convention of the
// authors' code folded in.
func (u NAN) kernelC() float64 {
	if u.HalfNormal && u.Alpha > 1 {
		return -u.C
	}
	return u.C
}

// forward32 is Forward for a float32 gate, through vmath.Noisy like
// NoisyAct's; it reports false for float64 and for units the kernel does
// not cover. Draws as the float64 path: row by row, unit by unit.
func (g *NoisyGate[T]) forward32(a *nn.GateArgs[T], dpT []T, xiTest float64) bool {
	x, ok := any(a.X).([]float32)
	if !ok || (g.Unit.Kind != nn.HardSigmoid && g.Unit.Kind != nn.HardTanh) {
		return false
	}
	y, d := any(a.Y).([]float32), any(a.D).([]float32)
	dp, p := any(dpT).([]float32), any(g.P.Value).([]float32)
	u := a.Units
	g.xi32 = grow(g.xi32, a.Rows*u)
	drawXi(g.xi32, g.Unit, g.rnd, a.Train, xiTest)
	c, fn := g.Unit.kernelC(), g.Unit.Kind.Fn()
	for r := range a.Rows {
		o := r * a.Stride
		vmath.Noisy(fn, g.Unit.Clip, y[o:o+u], d[o:o+u], dp[r*u:(r+1)*u], x[o:o+u], g.xi32[r*u:(r+1)*u], p, g.Unit.Alpha, c)
	}
	return true
}

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}
