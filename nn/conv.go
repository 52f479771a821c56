package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/mollifying/mollify/gemm"
	"github.com/mollifying/mollify/vmath"
)

// Conv2D is a 2-D convolution (a cross-correlation, as in every deep-learning
// library) of a batch of NCHW images (see [Shape]) with Out.C filters of
// K×K pixels, moved by Stride over the input zero-padded by Pad pixels on
// every side.
//
// It is computed by im2col: for each example, the K·K·C input values under
// every output position are gathered as the columns of a (C·K·K)×(Ho·Wo)
// matrix, and one product with the weights gives the example's Cout×Ho×Wo
// output, already in NCHW order. The weight matrix W is stored
// (C·K·K)×Cout, fan-in by fan-out like [Dense]'s, so an [Init] fills it in
// the same way; row c·K·K + ki·K + kj holds the filters' tap (ki, kj) on
// input channel c. The backward pass recomputes the columns instead of
// keeping them (they are K·K times the input's size), and scatters the
// column gradient back with col2im.
//
// A "same" convolution (stride 1, K = 2·Pad+1, the output the size of the
// input: every 3×3 convolution of a ResNet but the strided ones) avoids the
// K·K-fold column matrix: see conv_same.go.
type Conv2D[T Float] struct {
	In, Out        Shape
	K, Stride, Pad int
	W              *Param[T]
	// B is the per-filter bias, or nil (a convolution followed by batch
	// normalisation has no use for one).
	B *Param[T]

	skipDX    bool
	x         *Mat[T]
	col, dcol []T
	phase     []T     // the phase planes of a strided input (conv_phase.go)
	addDX     *Mat[T] // see AddInputGrad
	y, dx     Mat[T]
	same_     sameBufs[T]
}

// NewConv2D returns a convolution of in-shaped images with out filters of
// k×k pixels, with weights drawn by init from r (fan-in C·K·K, fan-out out)
// and, when bias is set, a zero bias.
func NewConv2D[T Float](name string, in Shape, out, k, stride, pad int, bias bool, init Init, r *rand.Rand) *Conv2D[T] {
	if !in.valid() || out <= 0 || k <= 0 || stride <= 0 || pad < 0 {
		panic(fmt.Sprintf("nn: conv %s: bad geometry in=%v out=%d k=%d stride=%d pad=%d", name, in, out, k, stride, pad))
	}
	ho, wo := ConvOut(in.H, k, stride, pad), ConvOut(in.W, k, stride, pad)
	if ho <= 0 || wo <= 0 {
		panic(fmt.Sprintf("nn: conv %s: a %d×%d window with padding %d does not fit a %v image", name, k, k, pad, in))
	}
	fanIn := in.C * k * k
	c := &Conv2D[T]{
		In: in, Out: Shape{out, ho, wo}, K: k, Stride: stride, Pad: pad,
		W: NewParam[T](name+".W", fanIn, out),
	}
	init.Fill(c.W.Value, fanIn, out, r)
	if bias {
		c.B = NewParam[T](name+".b", 1, out)
		c.B.NoDecay = true
	}
	return c
}

// SkipInputGrad implements [InputGradSkipper].
func (c *Conv2D[T]) SkipInputGrad() { c.skipDX = true }

// direct reports whether the column matrix is the input itself (a 1×1
// convolution that neither strides nor pads).
func (c *Conv2D[T]) direct() bool { return c.K == 1 && c.Stride == 1 && c.Pad == 0 }

// columns returns example n's column matrix.
func (c *Conv2D[T]) columns(x []T) []T {
	if c.direct() {
		return x
	}
	rows := c.In.C * c.K * c.K
	p := c.Out.Plane()
	if cap(c.col) < rows*p {
		c.col = make([]T, rows*p)
	}
	c.col = c.col[:rows*p]
	if phased(c.In, c.Stride, c.Out.H, c.Out.W) {
		c.phase = grow(c.phase, c.In.Size())
		im2colPhased(x, c.In, c.K, c.Stride, c.Pad, c.phase, c.col)
		return c.col
	}
	im2col(x, c.In, c.K, c.Stride, c.Pad, c.Out.H, c.Out.W, c.col)
	return c.col
}

// Forward implements [Layer].
func (c *Conv2D[T]) Forward(x *Mat[T], _ bool) *Mat[T] {
	mustCols("Conv2D", x, c.In.Size())
	c.x = x
	if c.same() {
		return c.forwardSame(x)
	}
	n, cout, p := x.Rows, c.Out.C, c.Out.Plane()
	kk := c.In.C * c.K * c.K
	y := c.y.Reshape(n, c.Out.Size())
	for i := range n {
		col := c.columns(x.Row(i))
		yi := y.Row(i)
		gemm.Do(true, false, cout, p, kk, 1, c.W.Value, cout, col, p, 0, yi, p)
		c.addBias(yi)
	}
	return y
}

// addBias adds the bias, if any, to one example's output.
func (c *Conv2D[T]) addBias(yi []T) {
	if c.B == nil {
		return
	}
	p := c.Out.Plane()
	for o, b := range c.B.Value {
		row := yi[o*p : (o+1)*p]
		for j := range row {
			row[j] += b
		}
	}
}

// addBiasGrad adds one example's bias gradient, if there is a bias.
func (c *Conv2D[T]) addBiasGrad(dyi []T) {
	if c.B == nil {
		return
	}
	p := c.Out.Plane()
	for o := range c.Out.C {
		var s T
		for _, v := range dyi[o*p : (o+1)*p] {
			s += v
		}
		c.B.Grad[o] += s
	}
}

// AddTo sets dst[i] += src[i] (dst and src of one length), with the
// vmath kernel for float32 (the same additions, so the same bits).
func AddTo[T Float](dst, src []T) {
	if d, ok := any(dst).([]float32); ok {
		vmath.Add(d, d, any(src).([]float32))
		return
	}
	for i, v := range src {
		dst[i] += v
	}
}

// AddInputGrad makes the next Backward (only) return r plus the input
// gradient, r being input-shaped: a residual block adds its shortcut's
// gradient this way, while each example's gradient is in cache, instead of
// in a pass of its own. The sum is accumulated onto r's values (for a same
// convolution, r + the K partial products in turn).
func (c *Conv2D[T]) AddInputGrad(r *Mat[T]) { c.addDX = r }

// Backward implements [Layer].
func (c *Conv2D[T]) Backward(dy *Mat[T]) *Mat[T] {
	if dy.Rows != c.x.Rows || dy.Cols != c.Out.Size() {
		panic(fmt.Sprintf("nn: Conv2D backward got %v, forward produced %d×%d", dy, c.x.Rows, c.Out.Size()))
	}
	r := c.addDX
	c.addDX = nil
	if r != nil && (c.skipDX || r.Rows != dy.Rows || r.Cols != c.In.Size()) {
		panic(fmt.Sprintf("nn: Conv2D backward asked to add %v to an input gradient of %d×%d (skipped: %v)", r, dy.Rows, c.In.Size(), c.skipDX))
	}
	if c.same() {
		return c.backwardSame(dy, r)
	}
	n, cout, p := dy.Rows, c.Out.C, c.Out.Plane()
	kk := c.In.C * c.K * c.K
	var dx *Mat[T]
	if !c.skipDX {
		dx = c.dx.Reshape(n, c.In.Size())
		if !c.direct() {
			if cap(c.dcol) < kk*p {
				c.dcol = make([]T, kk*p)
			}
			c.dcol = c.dcol[:kk*p]
		}
	}
	for i := range n {
		dyi := dy.Row(i)
		col := c.columns(c.x.Row(i))
		gemm.Do(false, true, kk, cout, p, 1, col, p, dyi, p, 1, c.W.Grad, cout)
		c.addBiasGrad(dyi)
		if dx == nil {
			continue
		}
		dxi := dx.Row(i)
		if c.direct() {
			beta := T(0)
			if r != nil {
				copy(dxi, r.Row(i))
				beta = 1
			}
			gemm.Do(false, false, kk, p, cout, 1, c.W.Value, cout, dyi, p, beta, dxi, p)
			continue
		}
		gemm.Do(false, false, kk, p, cout, 1, c.W.Value, cout, dyi, p, 0, c.dcol, p)
		if phased(c.In, c.Stride, c.Out.H, c.Out.W) {
			col2imPhased(c.dcol, c.In, c.K, c.Stride, c.Pad, c.phase, dxi)
		} else {
			col2im(c.dcol, c.In, c.K, c.Stride, c.Pad, c.Out.H, c.Out.W, dxi)
		}
		if r != nil {
			AddTo(dxi, r.Row(i))
		}
	}
	return dx
}

// Params implements [Layer].
func (c *Conv2D[T]) Params() []*Param[T] {
	if c.B != nil {
		return []*Param[T]{c.W, c.B}
	}
	return []*Param[T]{c.W}
}

// window returns the range [lo, hi) of output positions o whose input
// position o·stride − pad + tap falls inside [0, n).
func window(n, out, stride, pad, tap int) (lo, hi int) {
	// o·stride ≥ pad − tap  and  o·stride ≤ n − 1 + pad − tap.
	lo = 0
	if d := pad - tap; d > 0 {
		lo = (d + stride - 1) / stride
	}
	hi = 0
	if d := n - 1 + pad - tap; d >= 0 {
		hi = d/stride + 1
	}
	lo, hi = min(lo, out), min(hi, out)
	return lo, max(lo, hi)
}

// im2col writes the column matrix of one C×H×W image x into col, which is
// (C·K·K)×(ho·wo): col[(c·K+ki)·K+kj][oh·wo+ow] = x[c][oh·s−pad+ki][ow·s−pad+kj],
// zero outside the image. Rows are short (16 values in a ResNet's strided
// convolutions), so the zeros are stored in loops rather than by clear.
func im2col[T Float](x []T, in Shape, k, stride, pad, ho, wo int, col []T) {
	p := ho * wo
	for c := range in.C {
		plane := x[c*in.H*in.W : (c+1)*in.H*in.W]
		for ki := range k {
			hlo, hhi := window(in.H, ho, stride, pad, ki)
			for kj := range k {
				wlo, whi := window(in.W, wo, stride, pad, kj)
				row := col[((c*k+ki)*k+kj)*p : ((c*k+ki)*k+kj+1)*p]
				clear(row[:hlo*wo])
				clear(row[hhi*wo:])
				off := kj - pad
				for oh := hlo; oh < hhi; oh++ {
					dst := row[oh*wo : (oh+1)*wo]
					src := plane[(oh*stride-pad+ki)*in.W : (oh*stride-pad+ki+1)*in.W]
					for ow := range wlo {
						dst[ow] = 0
					}
					if stride == 1 {
						copy(dst[wlo:whi], src[wlo+off:whi+off])
					} else {
						for ow := wlo; ow < whi; ow++ {
							dst[ow] = src[ow*stride+off]
						}
					}
					for ow := whi; ow < wo; ow++ {
						dst[ow] = 0
					}
				}
			}
		}
	}
}

// col2im is the adjoint of im2col: it sets dx (one C×H×W image) to the sum,
// over every column entry, of the gradient dcol at that entry.
func col2im[T Float](dcol []T, in Shape, k, stride, pad, ho, wo int, dx []T) {
	clear(dx)
	p := ho * wo
	for c := range in.C {
		plane := dx[c*in.H*in.W : (c+1)*in.H*in.W]
		for ki := range k {
			hlo, hhi := window(in.H, ho, stride, pad, ki)
			for kj := range k {
				wlo, whi := window(in.W, wo, stride, pad, kj)
				row := dcol[((c*k+ki)*k+kj)*p : ((c*k+ki)*k+kj+1)*p]
				off := kj - pad
				for oh := hlo; oh < hhi; oh++ {
					src := row[oh*wo : (oh+1)*wo]
					dst := plane[(oh*stride-pad+ki)*in.W : (oh*stride-pad+ki+1)*in.W]
					for ow := wlo; ow < whi; ow++ {
						dst[ow*stride+off] += src[ow]
					}
				}
			}
		}
	}
}
