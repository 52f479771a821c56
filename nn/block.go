package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/mollifying/mollify/vmath"
)

// BasicBlock is the residual block of He et al.'s CIFAR-10 networks (2016,
// Sec. 4.2), in their original (post-activation) form:
//
//	y = ReLU(scale·F(x) + S(x)),  F = conv3×3(stride) → BN → ReLU → conv3×3 → BN
//
// where S is the [Shortcut] and scale is ScaleTrain in training and
// ScaleEval in evaluation. Both are 1 in a ResNet; stochastic depth sets
// ScaleTrain to 0 or 1 for each minibatch and ScaleEval to the block's
// survival probability (Huang et al. 2016). When the scale is 0 the branch is
// not computed at all, and receives no gradient.
type BasicBlock[T Float] struct {
	In, Out Shape
	Stride  int
	// Conv1, BN1, Conv2 and BN2 are the layers of the branch F, which
	// Branch chains; the ReLU between BN1 and Conv2 is BN1's (fused, see
	// SpatialBatchNorm.ReLU).
	Conv1, Conv2          *Conv2D[T]
	BN1, BN2              *SpatialBatchNorm[T]
	Branch                *Sequential[T]
	Short                 *Shortcut[T]
	ScaleTrain, ScaleEval float64

	scale        float64
	y, g, gf, dx Mat[T]
}

// NewBasicBlock returns the block from in-shaped images to images of out
// channels, the first convolution moving by stride. Convolution weights are
// drawn by init from r (Conv1 then Conv2), a projection shortcut's from
// projRnd.
func NewBasicBlock[T Float](name string, in Shape, out, stride int, short ShortcutKind, init Init, r, projRnd *rand.Rand) *BasicBlock[T] {
	c1 := NewConv2D[T](name+".conv1", in, out, 3, stride, 1, false, init, r)
	bn1 := NewSpatialBatchNorm[T](name+".bn1", c1.Out)
	bn1.ReLU = true
	c2 := NewConv2D[T](name+".conv2", c1.Out, out, 3, 1, 1, false, init, r)
	bn2 := NewSpatialBatchNorm[T](name+".bn2", c2.Out)
	return &BasicBlock[T]{
		In: in, Out: c2.Out, Stride: stride,
		Conv1: c1, BN1: bn1, Conv2: c2, BN2: bn2,
		Branch:     NewSequential[T](c1, bn1, c2, bn2),
		Short:      NewShortcut[T](name+".short", in, c2.Out, stride, short, init, projRnd),
		ScaleTrain: 1, ScaleEval: 1,
	}
}

// Forward implements [Layer].
func (b *BasicBlock[T]) Forward(x *Mat[T], train bool) *Mat[T] {
	mustCols("BasicBlock", x, b.In.Size())
	b.scale = b.ScaleEval
	if train {
		b.scale = b.ScaleTrain
	}
	s := b.Short.Forward(x, train)
	y := b.y.Reshape(x.Rows, b.Out.Size())
	switch b.scale {
	case 0:
		for i, v := range s.Data {
			y.Data[i] = max(v, 0)
		}
	case 1:
		f := b.Branch.Forward(x, train)
		if y32, ok := any(y.Data).([]float32); ok {
			vmath.AddReLU(y32, any(f.Data).([]float32), any(s.Data).([]float32))
			break
		}
		for i, v := range f.Data {
			y.Data[i] = max(v+s.Data[i], 0)
		}
	default:
		f := b.Branch.Forward(x, train)
		k := T(b.scale)
		for i, v := range f.Data {
			y.Data[i] = max(k*v+s.Data[i], 0)
		}
	}
	return y
}

// Backward implements [Layer].
func (b *BasicBlock[T]) Backward(dy *Mat[T]) *Mat[T] {
	if dy.Rows != b.y.Rows || dy.Cols != b.y.Cols {
		panic(fmt.Sprintf("nn: BasicBlock backward got %v, forward produced %v", dy, &b.y))
	}
	g := b.g.Reshape(dy.Rows, dy.Cols)
	g32, is32 := any(g.Data).([]float32)
	if is32 {
		vmath.PassPositive(g32, any(dy.Data).([]float32), any(b.y.Data).([]float32))
	} else {
		for i, v := range dy.Data {
			if b.y.Data[i] > 0 {
				g.Data[i] = v
			} else {
				g.Data[i] = 0
			}
		}
	}
	dx := b.dx.Reshape(dy.Rows, b.In.Size())
	ds := b.Short.Backward(g)
	if b.scale == 0 {
		copy(dx.Data, ds.Data)
		return dx
	}
	gf := g
	if b.scale != 1 {
		gf = b.gf.Reshape(g.Rows, g.Cols)
		k := T(b.scale)
		for i, v := range g.Data {
			gf.Data[i] = k * v
		}
	}
	// The branch's gradient is computed after the shortcut's, which it
	// does not overwrite (the identity's is g itself). When the branch
	// starts with Conv1, as NewBasicBlock builds it, Conv1 adds the
	// shortcut's gradient to its own (and the block returns its buffer).
	if len(b.Branch.Layers) > 0 && b.Branch.Layers[0] == Layer[T](b.Conv1) {
		b.Conv1.AddInputGrad(ds)
		return b.Branch.Backward(gf)
	}
	df := b.Branch.Backward(gf)
	if is32 {
		vmath.Add(any(dx.Data).([]float32), any(ds.Data).([]float32), any(df.Data).([]float32))
		return dx
	}
	for i, v := range df.Data {
		dx.Data[i] = ds.Data[i] + v
	}
	return dx
}

// Params implements [Layer].
func (b *BasicBlock[T]) Params() []*Param[T] {
	return append(b.Branch.Params(), b.Short.Params()...)
}
