package nn

import (
	"fmt"
	"math"
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
type SpatialBatchNorm[T Float] struct {
	Shape       Shape
	Gamma, Beta *Param[T]
	// Momentum is the weight of the new batch in the running averages;
	// Eps is added to the variance.
	Momentum, Eps   float64
	RunMean, RunVar []float64

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
		m := n * p
		if m < 2 {
			panic("nn: SpatialBatchNorm needs at least 2 values per channel in a training batch")
		}
		clear(b.s1)
		clear(b.s2)
		for i := range n {
			xi := x.Row(i)
			for c := range b.Shape.C {
				var s float64
				for _, v := range xi[c*p : (c+1)*p] {
					s += float64(v)
				}
				b.s1[c] += s
			}
		}
		for c := range b.mean {
			b.mean[c] = b.s1[c] / float64(m)
		}
		for i := range n {
			xi := x.Row(i)
			for c := range b.Shape.C {
				mu := b.mean[c]
				var s float64
				for _, v := range xi[c*p : (c+1)*p] {
					d := float64(v) - mu
					s += d * d
				}
				b.s2[c] += s
			}
		}
		for c := range b.mean {
			v := b.s2[c] / float64(m)
			b.invStd[c] = 1 / math.Sqrt(v+b.Eps)
			b.RunMean[c] = (1-b.Momentum)*b.RunMean[c] + b.Momentum*b.mean[c]
			b.RunVar[c] = (1-b.Momentum)*b.RunVar[c] + b.Momentum*b.s2[c]/float64(m-1)
		}
	} else {
		copy(b.mean, b.RunMean)
		for c := range b.invStd {
			b.invStd[c] = 1 / math.Sqrt(b.RunVar[c]+b.Eps)
		}
	}
	y := b.y.Reshape(n, x.Cols)
	for i := range n {
		xi, yi := x.Row(i), y.Row(i)
		for c := range b.Shape.C {
			// y = γ·(x − μ)·s + β = a·x + d, in float64 once per channel.
			a := float64(b.Gamma.Value[c]) * b.invStd[c]
			d := float64(b.Beta.Value[c]) - a*b.mean[c]
			yr := yi[c*p : (c+1)*p]
			for j, v := range xi[c*p : (c+1)*p] {
				yr[j] = T(a*float64(v) + d)
			}
		}
	}
	return y
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
			mu, is := b.mean[c], b.invStd[c]
			var sd, sdh float64
			xr := xi[c*p : (c+1)*p]
			for j, g := range di[c*p : (c+1)*p] {
				sd += float64(g)
				sdh += float64(g) * (float64(xr[j]) - mu) * is
			}
			sumD[c] += sd
			sumDH[c] += sdh
		}
	}
	for c := range b.Shape.C {
		b.Gamma.Grad[c] += T(sumDH[c])
		b.Beta.Grad[c] += T(sumD[c])
	}
	dx := b.dx.Reshape(n, dy.Cols)
	inv := 1 / float64(n*p)
	for i := range n {
		xi, di, oi := b.x.Row(i), dy.Row(i), dx.Row(i)
		for c := range b.Shape.C {
			mu, is := b.mean[c], b.invStd[c]
			s := float64(b.Gamma.Value[c]) * is
			xr, dr, or := xi[c*p:(c+1)*p], di[c*p:(c+1)*p], oi[c*p:(c+1)*p]
			if !b.train {
				for j, g := range dr {
					or[j] = T(s * float64(g))
				}
				continue
			}
			md, mdh := inv*sumD[c], inv*sumDH[c]
			for j, g := range dr {
				h := (float64(xr[j]) - mu) * is
				or[j] = T(s * (float64(g) - md - h*mdh))
			}
		}
	}
	return dx
}

// Params implements [Layer].
func (b *SpatialBatchNorm[T]) Params() []*Param[T] { return []*Param[T]{b.Gamma, b.Beta} }
