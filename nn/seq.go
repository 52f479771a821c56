package nn

import "fmt"

// Sequences are batches too. A batch of B sequences of T steps is a
// time-major matrix of T·B rows: row t·B + b is step t of sequence b. Layers
// that treat rows independently (Dense, Act, the losses) work on it as they
// are; layers that need the time structure implement [Sequencer] and learn
// B from ResetState.

// Sequencer is implemented by layers that carry state from one Forward to
// the next (truncated back-propagation through time) or that otherwise need
// the number of sequences in a batch.
type Sequencer interface {
	// ResetState starts batch new sequences: the carried state becomes
	// zero and the time index restarts. Every later Forward takes
	// time-major batches of T·batch rows, T ≥ 1, and continues the
	// sequences where the previous one left them; gradients stop at the
	// window's start.
	ResetState(batch int)
	// PushState saves the carried state and PopState restores the most
	// recently saved one, so that an evaluation pass can run between two
	// training windows without disturbing them.
	PushState()
	PopState()
}

// Container is implemented by composite layers other than [Sequential] and
// [Residual] so that [ResetState], [PushState] and [PopState] reach the
// layers inside.
type Container[T Float] interface {
	Sublayers() []Layer[T]
}

// ResetState calls ResetState(batch) on every [Sequencer] in l.
func ResetState[T Float](l Layer[T], batch int) {
	if batch <= 0 {
		panic(fmt.Sprintf("nn: ResetState with %d sequences", batch))
	}
	walk(l, func(s Sequencer) { s.ResetState(batch) })
}

// PushState calls PushState on every [Sequencer] in l.
func PushState[T Float](l Layer[T]) { walk(l, Sequencer.PushState) }

// PopState calls PopState on every [Sequencer] in l.
func PopState[T Float](l Layer[T]) { walk(l, Sequencer.PopState) }

func walk[T Float](l Layer[T], f func(Sequencer)) {
	if s, ok := l.(Sequencer); ok {
		f(s)
	}
	switch v := l.(type) {
	case *Sequential[T]:
		for _, c := range v.Layers {
			walk(c, f)
		}
	case *Residual[T]:
		walk(v.F, f)
	case Container[T]:
		for _, c := range v.Sublayers() {
			walk(c, f)
		}
	}
}

// seqShape returns T for a time-major batch of B sequences.
func seqShape[T Float](layer string, x *Mat[T], batch int) int {
	if batch <= 0 {
		panic(fmt.Sprintf("nn: %s used before ResetState", layer))
	}
	if x.Rows == 0 || x.Rows%batch != 0 {
		panic(fmt.Sprintf("nn: %s got a %v batch, not a whole number of steps of %d sequences", layer, x, batch))
	}
	return x.Rows / batch
}

// stateStack is a grow-only stack of saved copies of a layer's state
// vectors.
type stateStack[T Float] struct {
	frames [][][]T
	ints   [][]int
	depth  int
}

func (s *stateStack[T]) push(ints []int, vs ...[]T) {
	if s.depth == len(s.frames) {
		s.frames = append(s.frames, make([][]T, len(vs)))
		s.ints = append(s.ints, make([]int, len(ints)))
	}
	f := s.frames[s.depth]
	for i, v := range vs {
		f[i] = append(f[i][:0], v...)
	}
	copy(s.ints[s.depth], ints)
	s.depth++
}

// pop returns the saved vectors and integers of the last push.
func (s *stateStack[T]) pop() ([][]T, []int) {
	if s.depth == 0 {
		panic("nn: PopState without PushState")
	}
	s.depth--
	return s.frames[s.depth], s.ints[s.depth]
}
