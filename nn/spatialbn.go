package nn

import (
	"fmt"
	"math"

	"github.com/mollifying/mollify/vmath"
)

// SpatialBatchNorm is batch normalisation of NCHW images (Ioffe & Szegedy
// 2015, Sec. 3.2): each channel is normalised over the batch and every pixel
// position, with one scale γ and shift β per channel. Training uses the batch
// statistics and updates running estimates (same conventions as
// [BatchNorm]: momentum 0.1, ε = 1e-5, unbiased running variance);
// evaluation uses the running estimates.
//
// The normalised input is recomputed in the backward pass from the input,
// which the previous layer keeps, rather than stored: one activation-sized
// buffer less per layer, which matters in a 110-layer network.
//
// The statistics and the backward pass's sums are accumulated in float64
// whatever T. The element-wise passes of float32 run on vmath kernels in
// float32 with the per-channel coefficients rounded to float32:
// y = a·(x − μ) + β (float64 computes a·x + (β − a·μ) and rounds once) and
// dx = a·dy + (k·(x − μ) + c). Their error is a few ulps of the terms, e.g.
// for y about 2 ulp(y) + |a|·ulp(μ)/2 (the rounding of μ, small unless the
// channel's mean is many standard deviations from 0);
// TestSpatialBatchNormFloat32 bounds it against float64.
type SpatialBatchNorm[T Float] struct {
	Shape       Shape
	Gamma, Beta *Param[T]
	// Momentum is the weight of the new batch in the running averages;
	// Eps is added to the variance.
	Momentum, Eps   float64
	RunMean, RunVar []float64
	// ReLU fuses a rectifier into the layer: the output is max(0, BN(x))
	// and Backward takes the gradient of that output, passed where the
	// output is positive. It saves the rectifier's own passes over the
	// batch and its buffer (a residual block's first normalisation).
	ReLU bool

	train        bool
	x            *Mat[T]
	mean, invStd []float64
	s1, s2       []float64
	y, dx        Mat[T]
}

// NewSpatialBatchNorm returns batch normalisation of shape-shaped images with
// γ = 1, β = 0.
func NewSpatialBatchNorm[T Float](name string, shape Shape) *SpatialBatchNorm[T] {
	if !shape.valid() {
		panic(fmt.Sprintf("nn: spatial batch norm %s: bad shape %v", name, shape))
	}
	c := shape.C
	b := &SpatialBatchNorm[T]{
		Shape:    shape,
		Gamma:    NewParam[T](name+".gamma", 1, c),
		Beta:     NewParam[T](name+".beta", 1, c),
		Momentum: 0.1, Eps: 1e-5,
		RunMean: make([]float64, c), RunVar: make([]float64, c),
		mean: make([]float64, c), invStd: make([]float64, c),
		s1: make([]float64, c), s2: make([]float64, c),
	}
	b.Gamma.NoDecay, b.Beta.NoDecay = true, true
	for j := range c {
		b.Gamma.Value[j] = 1
		b.RunVar[j] = 1
	}
	return b
}

// Forward implements [Layer].
func (b *SpatialBatchNorm[T]) Forward(x *Mat[T], train bool) *Mat[T] {
	mustCols("SpatialBatchNorm", x, b.Shape.Size())
	n, p := x.Rows, b.Shape.Plane()
	b.train, b.x = train, x
	if train {
		b.statistics(x)
	} else {
		copy(b.mean, b.RunMean)
		for c := range b.invStd {
			b.invStd[c] = 1 / math.Sqrt(b.RunVar[c]+b.Eps)
		}
	}
	y := b.y.Reshape(n, x.Cols)
	// y = γ·(x − μ)·s + β = a·x + d, in float64 once per channel; float32
	// computes a·(x − μ) + β instead (see the type's doc).
	a := b.s1 // reused: the sums are no longer needed
	for c := range a {
		a[c] = float64(b.Gamma.Value[c]) * b.invStd[c]
	}
	if x32, ok := any(x.Data).([]float32); ok {
		y32 := any(y.Data).([]float32)
		norm := vmath.Normalize
		if b.ReLU {
			norm = vmath.NormalizeReLU
		}
		for i := range n {
			for c := range b.Shape.C {
				o := i*x.Cols + c*p
				norm(y32[o:o+p], x32[o:o+p], float32(b.mean[c]), float32(a[c]), float32(b.Beta.Value[c]))
			}
		}
		return y
	}
	for i := range n {
		xi, yi := x.Row(i), y.Row(i)
		for c := range b.Shape.C {
			d := float64(b.Beta.Value[c]) - a[c]*b.mean[c]
			yr := yi[c*p : (c+1)*p]
			for j, v := range xi[c*p : (c+1)*p] {
				yr[j] = T(a[c]*float64(v) + d)
			}
			if b.ReLU {
				for j, v := range yr {
					yr[j] = max(v, 0)
				}
			}
		}
	}
	return y
}

// statistics sets the batch mean and inverse standard deviation of x and
// updates the running estimates. Each channel's sums are taken in one pass,
// in float64, of the values less a shift (the channel's first value, which
// keeps Σ(x−k)² − (Σ(x−k))²/m free of cancellation unless the first value
// is many standard deviations from the mean).
func (b *SpatialBatchNorm[T]) statistics(x *Mat[T]) {
	n, p := x.Rows, b.Shape.Plane()
	m := n * p
	if m < 2 {
		panic("nn: SpatialBatchNorm needs at least 2 values per channel in a training batch")
	}
	clear(b.s1)
	clear(b.s2)
	x0 := x.Row(0)
	for i := range n {
		xi := x.Row(i)
		for c := range b.Shape.C {
			s1, s2 := shiftedSums(xi[c*p:(c+1)*p], float64(x0[c*p]))
			b.s1[c] += s1
			b.s2[c] += s2
		}
	}
	for c := range b.mean {
		d := b.s1[c] / float64(m)
		ss := max(b.s2[c]-d*b.s1[c], 0) // Σ(x − μ)²
		b.mean[c] = float64(x0[c*p]) + d
		b.invStd[c] = 1 / math.Sqrt(ss/float64(m)+b.Eps)
		b.RunMean[c] = (1-b.Momentum)*b.RunMean[c] + b.Momentum*b.mean[c]
		b.RunVar[c] = (1-b.Momentum)*b.RunVar[c] + b.Momentum*ss/float64(m-1)
	}
}

// shiftedSums returns Σ(v−k) and Σ(v−k)² over xs in float64 (vmath.Sums
// for float32).
func shiftedSums[T Float](xs []T, k float64) (s1, s2 float64) {
	if x32, ok := any(xs).([]float32); ok {
		return vmath.Sums(x32, x32, k, k)
	}
	for _, v := range xs {
		d := float64(v) - k
		s1, s2 = s1+d, s2+d*d
	}
	return s1, s2
}

// gradSums returns Σg and Σg·(x−mu) over a channel's plane in float64
// (vmath.Sums for float32), g being dy, or, when y is not nil, dy where
// y > 0 and 0 elsewhere.
func gradSums[T Float](dy, xs, y []T, mu float64) (sd, sdx float64) {
	if g32, ok := any(dy).([]float32); ok {
		if y != nil {
			return vmath.SumsPositive(g32, any(xs).([]float32), any(y).([]float32), mu)
		}
		return vmath.Sums(g32, any(xs).([]float32), 0, mu)
	}
	xs = xs[:len(dy)]
	for i, g := range dy {
		if y != nil && !(y[i] > 0) {
			continue
		}
		gi := float64(g)
		sd, sdx = sd+gi, sdx+gi*(float64(xs[i])-mu)
	}
	return sd, sdx
}

// Backward implements [Layer]. In training mode it differentiates through the
// batch statistics; in evaluation mode the normalisation is a fixed affine
// map.
func (b *SpatialBatchNorm[T]) Backward(dy *Mat[T]) *Mat[T] {
	n, p := dy.Rows, b.Shape.Plane()
	if dy.Cols != b.Shape.Size() || n != b.x.Rows {
		panic(fmt.Sprintf("nn: SpatialBatchNorm backward got %v, forward saw %v", dy, b.x))
	}
	sumD, sumDH := b.s1, b.s2 // reused: the statistics are no longer needed
	clear(sumD)
	clear(sumDH)
	for i := range n {
		xi, di := b.x.Row(i), dy.Row(i)
		for c := range b.Shape.C {
			var yr []T
			if b.ReLU {
				yr = b.y.Row(i)[c*p : (c+1)*p]
			}
			sd, sdx := gradSums(di[c*p:(c+1)*p], xi[c*p:(c+1)*p], yr, b.mean[c])
			sumD[c] += sd
			sumDH[c] += sdx
		}
	}
	for c := range b.Shape.C {
		sumDH[c] *= b.invStd[c] // Σ dy·ĥ
		b.Gamma.Grad[c] += T(sumDH[c])
		b.Beta.Grad[c] += T(sumD[c])
	}
	dx := b.dx.Reshape(n, dy.Cols)
	inv := 1 / float64(n*p)
	if b.train {
		for c := range sumD {
			sumD[c] *= inv  // the mean of dy
			sumDH[c] *= inv // the mean of dy·ĥ
		}
	} else {
		clear(sumD)
		clear(sumDH)
	}
	// dx = s·(dy − md − ĥ·mdh), s = γ/σ: float32 computes it as
	// s·dy + k·(x − μ) + c.
	if dy32, ok := any(dy.Data).([]float32); ok {
		dx32, x32, y32 := any(dx.Data).([]float32), any(b.x.Data).([]float32), any(b.y.Data).([]float32)
		for i := range n {
			for c := range b.Shape.C {
				is := b.invStd[c]
				s := float64(b.Gamma.Value[c]) * is
				o := i*dy.Cols + c*p
				a, k, mu, c0 := float32(s), float32(-s*is*sumDH[c]), float32(b.mean[c]), float32(-s*sumD[c])
				if b.ReLU {
					vmath.NormalizeReLUGrad(dx32[o:o+p], dy32[o:o+p], x32[o:o+p], y32[o:o+p], a, k, mu, c0)
				} else {
					vmath.NormalizeGrad(dx32[o:o+p], dy32[o:o+p], x32[o:o+p], a, k, mu, c0)
				}
			}
		}
		return dx
	}
	for i := range n {
		xi, di, oi, yi := b.x.Row(i), dy.Row(i), dx.Row(i), b.y.Row(i)
		for c := range b.Shape.C {
			mu, is := b.mean[c], b.invStd[c]
			s := float64(b.Gamma.Value[c]) * is
			xr, dr, or, yr := xi[c*p:(c+1)*p], di[c*p:(c+1)*p], oi[c*p:(c+1)*p], yi[c*p:(c+1)*p]
			md, mdh := sumD[c], sumDH[c] // 0 in evaluation
			for j, g := range dr {
				if b.ReLU && !(yr[j] > 0) {
					g = 0
				}
				if !b.train {
					or[j] = T(s * float64(g))
					continue
				}
				h := (float64(xr[j]) - mu) * is
				or[j] = T(s * (float64(g) - md - h*mdh))
			}
		}
	}
	return dx
}

// Params implements [Layer].
func (b *SpatialBatchNorm[T]) Params() []*Param[T] { return []*Param[T]{b.Gamma, b.Beta} }
