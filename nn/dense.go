package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/mollifying/mollify/gemm"
	"github.com/mollifying/mollify/vmath"
)

// Dense is the affine map y = x·W + b, with W stored in×out.
type Dense[T Float] struct {
	In, Out int
	W, B    *Param[T]

	skipDX bool
	x      *Mat[T]
	y, dx  Mat[T]
}

// NewDense returns an in→out affine layer whose weights are drawn by init
// from r and whose bias is zero.
func NewDense[T Float](name string, in, out int, init Init, r *rand.Rand) *Dense[T] {
	d := &Dense[T]{
		In: in, Out: out,
		W: NewParam[T](name+".W", in, out),
		B: NewParam[T](name+".b", 1, out),
	}
	d.B.NoDecay = true
	init.Fill(d.W.Value, in, out, r)
	return d
}

// SkipInputGrad implements [InputGradSkipper].
func (d *Dense[T]) SkipInputGrad() { d.skipDX = true }

// Forward implements [Layer].
func (d *Dense[T]) Forward(x *Mat[T], _ bool) *Mat[T] {
	mustCols("Dense", x, d.In)
	d.x = x
	y := d.y.Reshape(x.Rows, d.Out)
	gemm.Do(false, false, x.Rows, d.Out, d.In, 1, x.Data, d.In, d.W.Value, d.Out, 0, y.Data, d.Out)
	addRows(y, d.B.Value)
	return y
}

// addRows adds b to every row of y (float32 through vmath.Add: the same
// one addition per element).
func addRows[T Float](y *Mat[T], b []T) {
	if b32, ok := any(b).([]float32); ok {
		y32 := any(y).(*Mat[float32])
		for i := range y32.Rows {
			r := y32.Row(i)
			vmath.Add(r, r, b32)
		}
		return
	}
	for i := range y.Rows {
		row := y.Row(i)
		for j := range row {
			row[j] += b[j]
		}
	}
}

// sumRowsInto adds the rows of dy to g, row after row (float32 through
// vmath.Add: the same order of additions per element).
func sumRowsInto[T Float](g []T, dy *Mat[T]) {
	if g32, ok := any(g).([]float32); ok {
		d32 := any(dy).(*Mat[float32])
		for i := range d32.Rows {
			vmath.Add(g32, g32, d32.Row(i))
		}
		return
	}
	for i := range dy.Rows {
		for j, v := range dy.Row(i) {
			g[j] += v
		}
	}
}

// Backward implements [Layer].
func (d *Dense[T]) Backward(dy *Mat[T]) *Mat[T] {
	if dy.Rows != d.x.Rows || dy.Cols != d.Out {
		panic(fmt.Sprintf("nn: Dense backward got %v, forward produced %d×%d", dy, d.x.Rows, d.Out))
	}
	n := dy.Rows
	gemm.Do(true, false, d.In, d.Out, n, 1, d.x.Data, d.In, dy.Data, d.Out, 1, d.W.Grad, d.Out)
	sumRowsInto(d.B.Grad, dy)
	if d.skipDX {
		return nil
	}
	dx := d.dx.Reshape(n, d.In)
	gemm.Do(false, true, n, d.In, d.Out, 1, dy.Data, d.Out, d.W.Value, d.Out, 0, dx.Data, d.In)
	return dx
}

// Params implements [Layer].
func (d *Dense[T]) Params() []*Param[T] { return []*Param[T]{d.W, d.B} }
