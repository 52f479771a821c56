package mollified

import (
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/vmath"
)

// gate32 holds the float32 buffers of a mollified gate's vectorised
// forward pass.
type gate32 struct {
	w   []float32 // p·|ξ|/E|ξ| per element of the step
	pre []float32 // one row of x̃
}

// forward32 is Forward for a float32 gate with p > 0; it reports false for
// float64 (the gradient checks), which keeps GatePre's float64 maths. The
// draws are the float64 path's, in its order (row after row, unit after
// unit, or one per unit with PerBatch), taken into a buffer first; then,
// in float32, x̃ = x + w·(f⁻¹(γ) − x) with w = p·|ξ|/E|ξ|, y = f(x̃) and
// ∂y/∂x = f′(x̃)·(1 − w), f and f′ by package vmath.
func (g *Gate[T]) forward32(a *nn.GateArgs[T], p, inv float64) bool {
	x, ok := any(a.X).([]float32)
	if !ok {
		return false
	}
	y, d := any(a.Y).([]float32), any(a.D).([]float32)
	units := a.Units
	s := &g.s32
	s.w = grow32(s.w, a.Rows*units)
	switch {
	case !a.Train: // |ξ| at its mean
		for i := range s.w {
			s.w[i] = float32(p)
		}
	case g.PerBatch:
		for r := range a.Rows {
			wr := s.w[r*units : (r+1)*units]
			for j := range wr {
				wr[j] = float32(p * g.col[j] / EAbsXi)
			}
		}
	default:
		g.rnd.FillNorm32(s.w, true)
		k := float32(p / EAbsXi)
		for i := range s.w {
			s.w[i] *= k
		}
	}
	s.pre = grow32(s.pre, units)
	pre, inv32, fn := s.pre, float32(inv), g.Kind.Fn()
	for r := range a.Rows {
		o := r * a.Stride
		xr, yr, dr, wr := x[o:o+units], y[o:o+units], d[o:o+units], s.w[r*units:(r+1)*units]
		for j, v := range xr {
			pre[j] = v + float32(wr[j]*(inv32-v)) // converted: never fused into an FMA
		}
		vmath.ForwardDeriv(fn, yr, dr, pre)
		for j := range dr {
			dr[j] *= 1 - wr[j]
		}
	}
	return true
}
