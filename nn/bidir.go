package nn

import "fmt"

// Bidirectional runs one LSTM forward in time and another backward in time
// over the same sequences and concatenates their outputs step by step:
// row t of the output is [Fwd's h_t, Bwd's h_t], where Bwd has read the
// sequence from its end down to t. It is meant for whole sequences: call
// ResetState before every batch (the backward direction cannot carry state
// from one window to the next).
type Bidirectional[T Float] struct {
	Fwd, Bwd *LSTM[T]

	rev, out, dyF, dyB, dx Mat[T]
	subs                   [2]Layer[T] // Sublayers' slice, so that ResetState allocates nothing
}

// NewBidirectional pairs two layers of the same input width.
func NewBidirectional[T Float](fwd, bwd *LSTM[T]) *Bidirectional[T] {
	if fwd.In != bwd.In {
		panic(fmt.Sprintf("nn: bidirectional layer over %d and %d inputs", fwd.In, bwd.In))
	}
	return &Bidirectional[T]{Fwd: fwd, Bwd: bwd}
}

// Sublayers implements [Container].
func (b *Bidirectional[T]) Sublayers() []Layer[T] {
	b.subs = [2]Layer[T]{b.Fwd, b.Bwd}
	return b.subs[:]
}

// SkipInputGrad implements [InputGradSkipper].
func (b *Bidirectional[T]) SkipInputGrad() {
	b.Fwd.SkipInputGrad()
	b.Bwd.SkipInputGrad()
}

// reverseSteps writes the steps of src (time-major, batch rows per step) in
// reverse order into dst.
func reverseSteps[T Float](dst, src *Mat[T], batch int) {
	steps := src.Rows / batch
	w := batch * src.Cols
	for s := range steps {
		copy(dst.Data[(steps-1-s)*w:(steps-s)*w], src.Data[s*w:(s+1)*w])
	}
}

// Forward implements [Layer].
func (b *Bidirectional[T]) Forward(x *Mat[T], train bool) *Mat[T] {
	batch := b.Fwd.batch
	steps := seqShape("Bidirectional", x, batch)
	yf := b.Fwd.Forward(x, train)
	rev := b.rev.Reshape(x.Rows, x.Cols)
	reverseSteps(rev, x, batch)
	yb := b.Bwd.Forward(rev, train)
	hf, hb := b.Fwd.Hidden, b.Bwd.Hidden
	out := b.out.Reshape(x.Rows, hf+hb)
	for s := range steps {
		for r := range batch {
			o := out.Row(s*batch + r)
			copy(o[:hf], yf.Row(s*batch+r))
			copy(o[hf:], yb.Row((steps-1-s)*batch+r))
		}
	}
	return out
}

// Backward implements [Layer].
func (b *Bidirectional[T]) Backward(dy *Mat[T]) *Mat[T] {
	batch := b.Fwd.batch
	steps := dy.Rows / batch
	hf, hb := b.Fwd.Hidden, b.Bwd.Hidden
	dyF := b.dyF.Reshape(dy.Rows, hf)
	dyB := b.dyB.Reshape(dy.Rows, hb)
	for s := range steps {
		for r := range batch {
			d := dy.Row(s*batch + r)
			copy(dyF.Row(s*batch+r), d[:hf])
			copy(dyB.Row((steps-1-s)*batch+r), d[hf:])
		}
	}
	dxf := b.Fwd.Backward(dyF)
	dxb := b.Bwd.Backward(dyB)
	if dxf == nil {
		return nil
	}
	dx := b.dx.Reshape(dxf.Rows, dxf.Cols)
	reverseSteps(dx, dxb, batch)
	for i, v := range dxf.Data {
		dx.Data[i] += v
	}
	return dx
}

// Params implements [Layer].
func (b *Bidirectional[T]) Params() []*Param[T] {
	return append(b.Fwd.Params(), b.Bwd.Params()...)
}

// SeqEnds reduces each sequence of a time-major batch to one row: the first
// Head columns come from the last step and the others from the first step.
// After a [Bidirectional] layer with Head = Fwd.Hidden it is the pair of
// final states, each direction's summary of the whole sequence; with Head
// equal to the width it is the last step of a one-way layer.
type SeqEnds[T Float] struct {
	Head int

	batch int
	saved []int
	steps int
	y, dx Mat[T]
}

// ResetState implements [Sequencer].
func (e *SeqEnds[T]) ResetState(batch int) { e.batch = batch }

// PushState implements [Sequencer].
func (e *SeqEnds[T]) PushState() { e.saved = append(e.saved, e.batch) }

// PopState implements [Sequencer].
func (e *SeqEnds[T]) PopState() {
	if len(e.saved) == 0 {
		panic("nn: PopState without PushState")
	}
	e.batch = e.saved[len(e.saved)-1]
	e.saved = e.saved[:len(e.saved)-1]
}

// Forward implements [Layer].
func (e *SeqEnds[T]) Forward(x *Mat[T], _ bool) *Mat[T] {
	if e.Head < 0 || e.Head > x.Cols {
		panic(fmt.Sprintf("nn: SeqEnds head of %d columns on a %v batch", e.Head, x))
	}
	steps := seqShape("SeqEnds", x, e.batch)
	e.steps = steps
	y := e.y.Reshape(e.batch, x.Cols)
	for r := range e.batch {
		yr := y.Row(r)
		copy(yr[:e.Head], x.Row((steps-1)*e.batch + r)[:e.Head])
		copy(yr[e.Head:], x.Row(r)[e.Head:])
	}
	return y
}

// Backward implements [Layer].
func (e *SeqEnds[T]) Backward(dy *Mat[T]) *Mat[T] {
	dx := e.dx.Reshape(e.steps*e.batch, dy.Cols)
	dx.Zero()
	for r := range e.batch {
		d := dy.Row(r)
		copy(dx.Row((e.steps-1)*e.batch + r)[:e.Head], d[:e.Head])
		last := dx.Row(r)
		for j := e.Head; j < dy.Cols; j++ {
			last[j] += d[j]
		}
	}
	return dx
}

// Params implements [Layer].
func (e *SeqEnds[T]) Params() []*Param[T] { return nil }
