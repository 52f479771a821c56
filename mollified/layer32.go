package mollified

import (
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/vmath"
)

// scratch32 holds the float32 buffers of a layer's vectorised forward pass.
type scratch32 struct {
	xi    []float32 // |ξ| per element (0 where the unit has no noise)
	slope []float32 // a per unit
	prev  []float32 // a row of the skip source, zero-padded
	dskip nn.Mat[float32]
	// noSkip records that the last forward pass had w = 0 everywhere
	// (p = 0, no expected skip).
	noSkip bool
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
	s := &l.s32
	s.noSkip = p == 0 && skipW == 0
	if p == 0 {
		vmath.ForwardDeriv(fn, out.Data, dpsi.Data, z.Data)
		// ∂ψ/∂a is read only for a learned slope, and w = 0 only by the
		// backward pass that noSkip does not short-cut: after annealing,
		// clearing them every update would cost as much as the activation.
		if l.LearnedA != nil {
			clear(dpsida.Data)
		}
		if skipW == 0 {
			if l.LearnedA != nil || l.Proj != nil {
				clear(w.Data)
			}
			return true
		}
		clear(dpsida.Data)
		for i := range w.Data {
			w.Data[i] = float32(skipW)
		}
		l.mixSkip(srcT, outT, skipW)
		return true
	}
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
		// One draw of (|ξ|, π) per element even for the ablations
		// (parts=noise or skip), so that they share the stream's positions;
		// the part left out is then zeroed.
		l.rnd.FillAbsNormBernoulli32(s.xi, w.Data, p)
		if !noise {
			clear(s.xi)
		}
		if !skip {
			clear(w.Data)
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

// backward32 is Backward for a float32 layer, through vmath.SkipGrad and
// vmath.Add; it reports false for float64. The operations per element are
// Backward's, in the same order.
func (l *Layer[T]) backward32(dyT *nn.Mat[T]) (*nn.Mat[T], bool) {
	dy, ok := any(dyT).(*nn.Mat[float32])
	if !ok {
		return nil, false
	}
	n, d := dy.Rows, dy.Cols
	dzT := l.dz.Reshape(n, d)
	dz := any(dzT).(*nn.Mat[float32])
	w, dpsi, dpsida := any(&l.w).(*nn.Mat[float32]), any(&l.dpsi).(*nn.Mat[float32]), any(&l.dpsida).(*nn.Mat[float32])
	if l.s32.noSkip && l.LearnedA == nil && l.Proj == nil {
		// w = 0: dz = dy·(1−0)·ψ' = dy·ψ' exactly, and the skip path's
		// gradient 0·dy is left out (adding it could only turn a −0 of dx
		// into +0).
		vmath.Mul(dz.Data, dy.Data, dpsi.Data)
		dh := l.Dense.Backward(dzT)
		if l.skipDX {
			return nil, true
		}
		dx := l.dx.Reshape(n, l.Dense.In)
		copy(dx.Data, dh.Data)
		return dx, true
	}
	ds := l.s32.dskip.Reshape(n, d)
	vmath.SkipGrad(dz.Data, ds.Data, dy.Data, w.Data, dpsi.Data)
	if l.LearnedA != nil {
		ga := any(l.LearnedA.Grad).([]float32)
		for i := range n {
			dr, wr, ar := dy.Row(i), w.Row(i), dpsida.Row(i)
			for j := range ga {
				ga[j] += dr[j] * (1 - wr[j]) * ar[j]
			}
		}
	}
	dh := any(l.Dense.Backward(dzT)).(*nn.Mat[float32])
	if l.Proj != nil {
		dp := any(l.Proj.Backward(any(ds).(*nn.Mat[T]))).(*nn.Mat[float32])
		if l.skipDX {
			return nil, true
		}
		dx := any(l.dx.Reshape(n, l.Dense.In)).(*nn.Mat[float32])
		vmath.Add(dx.Data, dh.Data, dp.Data)
		return any(dx).(*nn.Mat[T]), true
	}
	if l.skipDX {
		return nil, true
	}
	dx := any(l.dx.Reshape(n, l.Dense.In)).(*nn.Mat[float32])
	copy(dx.Data, dh.Data)
	if l.ZeroSkip {
		return any(dx).(*nn.Mat[T]), true // the skip path carried no input
	}
	cols := min(l.Dense.In, d)
	for i := range n {
		xr := dx.Row(i)[:cols]
		vmath.Add(xr, xr, ds.Row(i)[:cols])
	}
	return any(dx).(*nn.Mat[T]), true
}

// forward32 is the training-mode (p > 0) element-wise part of
// ConvBlock.Forward for float32, through the fused ReLU kernel; it reports
// false for float64. The draws are taken in Forward's order (ξ then π per
// activation, row-major; or the per-batch columns drawn already).
func (l *ConvBlock[T]) forward32(preT, sT, yT, wT, dpsiT, dpsidaT *nn.Mat[T], p float64, noise, skip bool) bool {
	pre, ok := any(preT).(*nn.Mat[float32])
	if !ok {
		return false
	}
	sc := any(sT).(*nn.Mat[float32])
	y, w := any(yT).(*nn.Mat[float32]), any(wT).(*nn.Mat[float32])
	dpsi, dpsida := any(dpsiT).(*nn.Mat[float32]), any(dpsidaT).(*nn.Mat[float32])
	n, size, plane := pre.Rows, pre.Cols, l.out.Plane()
	s := &l.s32
	s.xi = grow32(s.xi, n*size)
	if l.PerBatch {
		for i := range n {
			xr, wr := s.xi[i*size:(i+1)*size], w.Row(i)
			for j := range size {
				xr[j], wr[j] = float32(l.colXi[j]), b32(l.colPi[j])
			}
		}
	} else {
		// One draw of (|ξ|, π) per element even for the ablations
		// (parts=noise or skip), so that they share the stream's positions;
		// the part left out is then zeroed.
		l.rnd.FillAbsNormBernoulli32(s.xi, w.Data, p)
		if !noise {
			clear(s.xi)
		}
		if !skip {
			clear(w.Data)
		}
	}
	s.slope = grow32(s.slope, size)
	for j := range s.slope {
		s.slope[j] = float32(l.slope(j / plane))
	}
	pc := float32(p * l.Unit.C)
	for i := range n {
		vmath.Mollify(vmath.FnReLU, y.Row(i), dpsi.Row(i), dpsida.Row(i), pre.Row(i), s.xi[i*size:(i+1)*size], w.Row(i), sc.Row(i), s.slope, pc)
	}
	return true
}
