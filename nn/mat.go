package nn

import (
	"fmt"

	"github.com/mollifying/mollify/gemm"
)

// Float is the set of element types the engine runs in.
type Float = gemm.Float

// Mat is a dense row-major matrix; in a batch, row i is example i.
type Mat[T Float] struct {
	Rows, Cols int
	Data       []T
}

// NewMat returns a zeroed rows×cols matrix.
func NewMat[T Float](rows, cols int) *Mat[T] {
	return &Mat[T]{Rows: rows, Cols: cols, Data: make([]T, rows*cols)}
}

// Reshape makes m a rows×cols matrix, reusing its storage when it is large
// enough. The contents are unspecified: callers overwrite them. Buffers only
// grow, which is what keeps the training loop free of allocations.
func (m *Mat[T]) Reshape(rows, cols int) *Mat[T] {
	n := rows * cols
	if cap(m.Data) < n {
		m.Data = make([]T, n)
	}
	m.Data = m.Data[:n]
	m.Rows, m.Cols = rows, cols
	return m
}

// Row returns row i as a slice sharing m's storage.
func (m *Mat[T]) Row(i int) []T { return m.Data[i*m.Cols : (i+1)*m.Cols] }

// Zero sets every element to 0.
func (m *Mat[T]) Zero() { clear(m.Data) }

// String describes the shape, for error messages.
func (m *Mat[T]) String() string { return fmt.Sprintf("%d×%d", m.Rows, m.Cols) }

// Param is a trainable tensor and the gradient of the loss with respect to it.
// Layers add into Grad; the training loop zeroes it before each step.
type Param[T Float] struct {
	// Name identifies the parameter in traces and error messages,
	// e.g. "dense3.W".
	Name  string
	Value []T
	Grad  []T
	// Rows and Cols give the shape; a vector has Rows = 1.
	Rows, Cols int
	// NoDecay exempts the parameter from weight decay (biases, batch-norm
	// scales, noise parameters).
	NoDecay bool
}

// NewParam returns a zeroed rows×cols parameter.
func NewParam[T Float](name string, rows, cols int) *Param[T] {
	return &Param[T]{Name: name, Value: make([]T, rows*cols), Grad: make([]T, rows*cols), Rows: rows, Cols: cols}
}

// ZeroGrad zeroes the gradients of ps.
func ZeroGrad[T Float](ps []*Param[T]) {
	for _, p := range ps {
		clear(p.Grad)
	}
}

// CountParams returns the number of scalars in ps.
func CountParams[T Float](ps []*Param[T]) int {
	n := 0
	for _, p := range ps {
		n += len(p.Value)
	}
	return n
}

func mustCols[T Float](layer string, x *Mat[T], want int) {
	if x.Cols != want {
		panic(fmt.Sprintf("nn: %s expects %d input columns, got a %v batch", layer, want, x))
	}
}
