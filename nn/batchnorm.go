package nn

import (
	"math"

	"github.com/mollifying/mollify/vmath"
)

// BatchNorm normalises each feature over the batch (Ioffe & Szegedy 2015).
// In training it uses the batch statistics and updates running estimates;
// in evaluation it uses the running estimates.
type BatchNorm[T Float] struct {
	Dim         int
	Gamma, Beta *Param[T]
	// Momentum is the weight of the new batch in the running averages
	// (0.1, as in PyTorch); Eps is added to the variance.
	Momentum, Eps float64
	// RunMean and RunVar are the running estimates used at evaluation; the
	// variance is the unbiased batch estimate.
	RunMean, RunVar []float64

	train   bool
	xhat    Mat[T]
	invStd  []float64
	y, dx   Mat[T]
	sum, sq []float64
	// scale and shift are per-feature terms of the backward pass.
	scale, shift []float64
}

// NewBatchNorm returns batch normalisation over dim features with γ = 1, β = 0.
func NewBatchNorm[T Float](name string, dim int) *BatchNorm[T] {
	b := &BatchNorm[T]{
		Dim:      dim,
		Gamma:    NewParam[T](name+".gamma", 1, dim),
		Beta:     NewParam[T](name+".beta", 1, dim),
		Momentum: 0.1, Eps: 1e-5,
		RunMean: make([]float64, dim),
		RunVar:  make([]float64, dim),
		invStd:  make([]float64, dim),
		sum:     make([]float64, dim),
		sq:      make([]float64, dim),
		scale:   make([]float64, dim),
		shift:   make([]float64, dim),
	}
	b.Gamma.NoDecay, b.Beta.NoDecay = true, true
	for j := range dim {
		b.Gamma.Value[j] = 1
		b.RunVar[j] = 1
	}
	return b
}

// Forward implements [Layer].
func (b *BatchNorm[T]) Forward(x *Mat[T], train bool) *Mat[T] {
	mustCols("BatchNorm", x, b.Dim)
	n := x.Rows
	b.train = train
	y := b.y.Reshape(n, b.Dim)
	xh := b.xhat.Reshape(n, b.Dim)
	mean, g, be := b.sum, b.Gamma.Value, b.Beta.Value
	if train {
		if n < 2 {
			panic("nn: BatchNorm needs at least 2 examples per training batch")
		}
		clear(mean)
		clear(b.sq)
		// The loops below take every slice at the row's length, so that
		// the compiler drops the bounds checks; the operations and their
		// order per element are the plain ones.
		for i := range n {
			xr := x.Row(i)
			if x32, ok := any(xr).([]float32); ok {
				vmath.ColAdd(mean, x32) // the loop below, vectorised
				continue
			}
			m := mean[:len(xr)]
			for j, v := range xr {
				m[j] += float64(v)
			}
		}
		for j := range mean {
			mean[j] /= float64(n)
		}
		for i := range n {
			xr := x.Row(i)
			if x32, ok := any(xr).([]float32); ok {
				vmath.ColAddSqDev(b.sq, mean, x32)
				continue
			}
			m, sq := mean[:len(xr)], b.sq[:len(xr)]
			for j, v := range xr {
				d := float64(v) - m[j]
				sq[j] += float64(d * d)
			}
		}
		for j := range b.Dim {
			v := b.sq[j] / float64(n)
			b.invStd[j] = 1 / math.Sqrt(v+b.Eps)
			b.RunMean[j] = (1-b.Momentum)*b.RunMean[j] + b.Momentum*mean[j]
			b.RunVar[j] = (1-b.Momentum)*b.RunVar[j] + b.Momentum*b.sq[j]/float64(n-1)
		}
	} else {
		copy(mean, b.RunMean)
		for j := range b.Dim {
			b.invStd[j] = 1 / math.Sqrt(b.RunVar[j]+b.Eps)
		}
	}
	for i := range n {
		xr := x.Row(i)
		d := len(xr)
		hr, yr, m, is, gr, br := xh.Row(i)[:d], y.Row(i)[:d], mean[:d], b.invStd[:d], g[:d], be[:d]
		if x32, ok := any(xr).([]float32); ok {
			vmath.ColNormalize(any(hr).([]float32), any(yr).([]float32), x32, m, is, any(gr).([]float32), any(br).([]float32))
			continue
		}
		for j, v := range xr {
			h := float64((float64(v) - m[j]) * is[j])
			hr[j] = T(h)
			yr[j] = T(float64(float64(gr[j])*h) + float64(br[j]))
		}
	}
	return y
}

// Backward implements [Layer]. In training mode it differentiates through the
// batch statistics; in evaluation mode the normalisation is a fixed affine map.
func (b *BatchNorm[T]) Backward(dy *Mat[T]) *Mat[T] {
	n := dy.Rows
	dx := b.dx.Reshape(n, b.Dim)
	sumD, sumDX := b.sum, b.sq // reuse: the statistics are no longer needed
	clear(sumD)
	clear(sumDX)
	g := b.Gamma.Value
	for i := range n {
		dr := dy.Row(i)
		d := len(dr)
		hr, sd, sdx := b.xhat.Row(i)[:d], sumD[:d], sumDX[:d]
		if d32, ok := any(dr).([]float32); ok {
			vmath.ColAddDot(sd, sdx, d32, any(hr).([]float32))
			continue
		}
		for j, v := range dr {
			sd[j] += float64(v)
			sdx[j] += float64(float64(v) * float64(hr[j]))
		}
	}
	for j := range b.Dim {
		b.Gamma.Grad[j] += T(sumDX[j])
		b.Beta.Grad[j] += T(sumD[j])
	}
	// Per feature: s = γ·invStd and inv·Σdy, the same products the
	// per-element expression forms, computed once.
	inv := 1 / float64(n)
	scale, shift := b.scale[:b.Dim], b.shift[:b.Dim]
	for j := range b.Dim {
		scale[j] = float64(g[j]) * b.invStd[j]
		shift[j] = inv * sumD[j]
	}
	for i := range n {
		dr := dy.Row(i)
		d := len(dr)
		hr, xr, sc, sh, sdx := b.xhat.Row(i)[:d], dx.Row(i)[:d], scale[:d], shift[:d], sumDX[:d]
		if d32, ok := any(dr).([]float32); ok && b.train {
			vmath.ColNormalizeGrad(any(xr).([]float32), d32, any(hr).([]float32), sc, sh, sdx, inv)
			continue
		}
		if b.train {
			for j, v := range dr {
				t := float64(float64(inv*float64(hr[j])) * sdx[j])
				xr[j] = T(float64(sc[j] * (float64(v) - sh[j] - t)))
			}
		} else {
			for j, v := range dr {
				xr[j] = T(sc[j] * float64(v))
			}
		}
	}
	return dx
}

// Params implements [Layer].
func (b *BatchNorm[T]) Params() []*Param[T] { return []*Param[T]{b.Gamma, b.Beta} }
