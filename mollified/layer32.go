package mollified

import (
	"math"

	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/vmath"
)

// scratch32 holds the float32 buffers of a layer's vectorised forward pass.
type scratch32 struct {
	xi    []float32 // |ξ| per element (0 where the unit has no noise)
	slope []float32 // a per unit
	prev  []float32 // a row of the skip source, zero-padded
}

func grow32(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// forward32 is Forward's element-wise part for a float32 layer, through
// the fused kernels of package vmath; it reports false for float64 (the
// gradient checks), which keeps Unit's float64 maths. The draws are taken
// in the same order as the float64 path (ξ then π per element, row-major,
// or per column with PerBatch), into buffers, before the vector pass: w
// receives π (1 or 0) directly.
func (l *Layer[T]) forward32(zT, srcT, outT, wT, dpsiT, dpsidaT *nn.Mat[T], p, skipW float64) bool {
	z, ok := any(zT).(*nn.Mat[float32])
	if !ok || l.Unit.Kind == nn.Identity {
		return false
	}
	src := any(srcT).(*nn.Mat[float32])
	out, w := any(outT).(*nn.Mat[float32]), any(wT).(*nn.Mat[float32])
	dpsi, dpsida := any(dpsiT).(*nn.Mat[float32]), any(dpsidaT).(*nn.Mat[float32])
	fn := l.Unit.Kind.Fn()
	n, d := z.Rows, z.Cols
	if p == 0 {
		vmath.ForwardDeriv(fn, out.Data, dpsi.Data, z.Data)
		clear(dpsida.Data)
		for i := range w.Data {
			w.Data[i] = float32(skipW)
		}
		if skipW != 0 {
			l.mixSkip(srcT, outT, skipW)
		}
		return true
	}
	s := &l.s32
	noise, skip := l.Parts != SkipOnly, l.Parts != NoiseOnly
	s.xi = grow32(s.xi, n*d)
	if l.PerBatch {
		l.drawColumns(d, p, noise, skip)
		for i := range n {
			xr, wr := s.xi[i*d:(i+1)*d], w.Row(i)
			for j := range d {
				xr[j], wr[j] = float32(l.colXi[j]), b32(l.colPi[j])
			}
		}
	} else {
		xi, pis := s.xi, w.Data
		for i := range xi {
			a := math.Abs(l.rnd.NormFloat64())
			pi := l.rnd.Float64() < p
			if !noise {
				a = 0
			}
			xi[i], pis[i] = float32(a), b32(pi && skip)
		}
	}
	slope := s.slope
	if l.LearnedA != nil {
		slope = any(l.LearnedA.Value).([]float32)
	} else {
		s.slope = grow32(s.slope, d)
		slope = s.slope
		for j := range slope {
			slope[j] = float32(l.A)
		}
	}
	pc := float32(p * l.Unit.C)
	for i := range n {
		prev := src.Row(i)
		if len(prev) >= d {
			prev = prev[:d]
		} else {
			s.prev = grow32(s.prev, d)
			copy(s.prev, prev)
			clear(s.prev[len(prev):])
			prev = s.prev
		}
		vmath.Mollify(fn, out.Row(i), dpsi.Row(i), dpsida.Row(i), z.Row(i), s.xi[i*d:(i+1)*d], w.Row(i), prev, slope, pc)
	}
	return true
}

func b32(b bool) float32 {
	if b {
		return 1
	}
	return 0
}
