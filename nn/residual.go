package nn

// Residual computes y = S(x) + F(x). The shortcut S is the identity, with x
// zero-padded when F widens it (parameter-free, as the mollified layer's
// skip path, paper Sec. 4), or a learned linear projection Proj when set
// (He et al. 2016's option for changing widths; truncation would discard
// inputs).
type Residual[T Float] struct {
	F       Layer[T]
	In, Out int
	// Proj, when not nil, is the shortcut.
	Proj *Dense[T]

	skipDX bool
	y, dx  Mat[T]
}

// SkipInputGrad implements [InputGradSkipper]: as a network's first layer
// the block needs no input gradient, neither through F nor the shortcut.
func (r *Residual[T]) SkipInputGrad() {
	r.skipDX = true
	if k, ok := r.F.(InputGradSkipper); ok {
		k.SkipInputGrad()
	}
	if r.Proj != nil {
		r.Proj.SkipInputGrad()
	}
}

// NewResidual wraps f, which maps in columns to out columns.
func NewResidual[T Float](f Layer[T], in, out int) *Residual[T] {
	return &Residual[T]{F: f, In: in, Out: out}
}

// Forward implements [Layer].
func (r *Residual[T]) Forward(x *Mat[T], train bool) *Mat[T] {
	mustCols("Residual", x, r.In)
	f := r.F.Forward(x, train)
	y := r.y.Reshape(x.Rows, r.Out)
	copy(y.Data, f.Data)
	if r.Proj != nil {
		AddPadded(y, r.Proj.Forward(x, train))
	} else {
		AddPadded(y, x)
	}
	return y
}

// Backward implements [Layer].
func (r *Residual[T]) Backward(dy *Mat[T]) *Mat[T] {
	df := r.F.Backward(dy)
	if r.skipDX {
		if r.Proj != nil {
			r.Proj.Backward(dy) // its weights' gradient
		}
		return nil
	}
	dx := r.dx.Reshape(dy.Rows, r.In)
	copy(dx.Data, df.Data)
	if r.Proj != nil {
		AddPadded(dx, r.Proj.Backward(dy))
	} else {
		AddPadded(dx, dy)
	}
	return dx
}

// Params implements [Layer].
func (r *Residual[T]) Params() []*Param[T] {
	ps := r.F.Params()
	if r.Proj != nil {
		ps = append(ps, r.Proj.Params()...)
	}
	return ps
}

// AddPadded adds src into dst column by column over the columns they share:
// src is zero-padded when it is narrower and truncated when it is wider.
// It is the identity path of residual blocks and of the mollified skip, and
// (read backwards) its own adjoint.
func AddPadded[T Float](dst, src *Mat[T]) {
	w := min(dst.Cols, src.Cols)
	if dst.Cols == src.Cols {
		// Same widths: one pass (vectorised for float32), the same additions.
		AddTo(dst.Data, src.Data[:len(dst.Data)])
		return
	}
	for i := range dst.Rows {
		d, s := dst.Row(i)[:w], src.Row(i)[:w]
		for j, v := range s {
			d[j] += v
		}
	}
}
