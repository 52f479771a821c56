package nn

import "fmt"

// GlobalAvgPool averages each channel of NCHW images over its pixels: a
// batch of C×H×W images becomes a batch of C features.
type GlobalAvgPool[T Float] struct {
	In Shape

	y, dx Mat[T]
}

// NewGlobalAvgPool returns the pooling of in-shaped images.
func NewGlobalAvgPool[T Float](in Shape) *GlobalAvgPool[T] {
	if !in.valid() {
		panic(fmt.Sprintf("nn: global average pooling of a bad shape %v", in))
	}
	return &GlobalAvgPool[T]{In: in}
}

// Forward implements [Layer].
func (g *GlobalAvgPool[T]) Forward(x *Mat[T], _ bool) *Mat[T] {
	mustCols("GlobalAvgPool", x, g.In.Size())
	p := g.In.Plane()
	inv := 1 / float64(p)
	y := g.y.Reshape(x.Rows, g.In.C)
	for i := range x.Rows {
		xi, yi := x.Row(i), y.Row(i)
		for c := range yi {
			var s float64
			for _, v := range xi[c*p : (c+1)*p] {
				s += float64(v)
			}
			yi[c] = T(s * inv)
		}
	}
	return y
}

// Backward implements [Layer]: each pixel receives 1/(H·W) of its channel's
// gradient.
func (g *GlobalAvgPool[T]) Backward(dy *Mat[T]) *Mat[T] {
	mustCols("GlobalAvgPool backward", dy, g.In.C)
	p := g.In.Plane()
	inv := 1 / float64(p)
	dx := g.dx.Reshape(dy.Rows, g.In.Size())
	for i := range dy.Rows {
		di, oi := dy.Row(i), dx.Row(i)
		for c, v := range di {
			gv := T(float64(v) * inv)
			row := oi[c*p : (c+1)*p]
			for j := range row {
				row[j] = gv
			}
		}
	}
	return dx
}

// Params implements [Layer]; pooling has none.
func (g *GlobalAvgPool[T]) Params() []*Param[T] { return nil }
