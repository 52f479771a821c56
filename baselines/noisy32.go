package baselines

import (
	"math"

	"github.com/mollifying/mollify/nn"
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
	n := len(x.Data)
	if cap(l.xi32) < n {
		l.xi32 = make([]float32, n)
	}
	xi := l.xi32[:n]
	for i := range xi {
		v := xiTest
		if train {
			v = l.rnd.NormFloat64()
			if l.Unit.HalfNormal {
				v = math.Abs(v)
			}
		}
		xi[i] = float32(v)
	}
	c := l.Unit.C
	if l.Unit.HalfNormal && l.Unit.Alpha > 1 {
		c = -c
	}
	d := x.Cols
	for i := range x.Rows {
		r := i * d
		vmath.Noisy(l.Unit.Kind.Fn(), l.Unit.Clip, out.Row(i), dx.Row(i), dp.Row(i), x.Row(i), xi[r:r+d], p, l.Unit.Alpha, c)
	}
	return true
}
