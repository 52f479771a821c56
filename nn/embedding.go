package nn

import (
	"fmt"
	"math/rand/v2"
)

// Embedding maps token ids to learned vectors. Its input is a one-column
// matrix holding the ids as numbers (exact in float32 below 2²⁴), so that it
// composes with the other layers; ids are data, so it returns no input
// gradient.
type Embedding[T Float] struct {
	Vocab, Dim int
	// W is Vocab×Dim; row v is the vector of id v.
	W *Param[T]

	x *Mat[T]
	y Mat[T]
}

// NewEmbedding returns a vocab×dim table drawn by init from r.
func NewEmbedding[T Float](name string, vocab, dim int, init Init, r *rand.Rand) *Embedding[T] {
	if vocab <= 0 || dim <= 0 {
		panic(fmt.Sprintf("nn: embedding %s of %d ids and %d dimensions", name, vocab, dim))
	}
	e := &Embedding[T]{Vocab: vocab, Dim: dim, W: NewParam[T](name+".W", vocab, dim)}
	init.Fill(e.W.Value, vocab, dim, r)
	return e
}

// SkipInputGrad implements [InputGradSkipper]; the embedding never computes
// one.
func (e *Embedding[T]) SkipInputGrad() {}

func (e *Embedding[T]) id(v T) int {
	id := int(v)
	if T(id) != v || id < 0 || id >= e.Vocab {
		panic(fmt.Sprintf("nn: embedding input %v is not an id in [0, %d)", v, e.Vocab))
	}
	return id
}

// Forward implements [Layer].
func (e *Embedding[T]) Forward(x *Mat[T], _ bool) *Mat[T] {
	mustCols("Embedding", x, 1)
	e.x = x
	y := e.y.Reshape(x.Rows, e.Dim)
	for i, v := range x.Data {
		id := e.id(v)
		copy(y.Row(i), e.W.Value[id*e.Dim:(id+1)*e.Dim])
	}
	return y
}

// Backward implements [Layer]. It returns nil: ids have no gradient.
func (e *Embedding[T]) Backward(dy *Mat[T]) *Mat[T] {
	if dy.Rows != e.x.Rows || dy.Cols != e.Dim {
		panic(fmt.Sprintf("nn: Embedding backward got %v, forward produced %d×%d", dy, e.x.Rows, e.Dim))
	}
	for i, v := range e.x.Data {
		id := int(v)
		g := e.W.Grad[id*e.Dim : (id+1)*e.Dim]
		for j, d := range dy.Row(i) {
			g[j] += d
		}
	}
	return nil
}

// Params implements [Layer].
func (e *Embedding[T]) Params() []*Param[T] { return []*Param[T]{e.W} }
