package nn

import (
	"fmt"
	"math"

	"github.com/mollifying/mollify/vmath"
)

// SoftmaxCE is the mean softmax cross-entropy of a batch of logits against
// integer class labels.
type SoftmaxCE[T Float] struct {
	prob Mat[T]
	lab  []int32
	dx   Mat[T]
}

// Forward returns the mean loss over the batch and the number of rows whose
// arg-max is the label. It keeps the probabilities for Backward.
func (s *SoftmaxCE[T]) Forward(logits *Mat[T], labels []int32) (loss float64, correct int) {
	if len(labels) != logits.Rows {
		panic(fmt.Sprintf("nn: SoftmaxCE got %d labels for %v logits", len(labels), logits))
	}
	s.lab = labels
	p := s.prob.Reshape(logits.Rows, logits.Cols)
	var total float64
	for i := range logits.Rows {
		y := int(labels[i])
		if y < 0 || y >= logits.Cols {
			panic(fmt.Sprintf("nn: label %d outside [0,%d)", y, logits.Cols))
		}
		nll, arg := softmaxRow(logits.Row(i), p.Row(i), y)
		total += nll
		if arg == y {
			correct++
		}
	}
	return total / float64(logits.Rows), correct
}

// softmaxRow sets pr to the softmax of row and returns −log pr[y] and the
// arg-max of row (the first, on ties). Both losses of the package use it.
// float64 (the gradient checks) is computed with the math package; float32
// (training) sends the exponentials through vmath.Exp in one vector pass
// into pr, accumulates their sum and the loss in float64 in index order,
// and takes the one log per row with math.Log.
func softmaxRow[T Float](row, pr []T, y int) (nll float64, arg int) {
	if r32, ok := any(row).([]float32); ok {
		return softmaxRow32(r32, any(pr).([]float32), y)
	}
	best := math.Inf(-1)
	for j, v := range row {
		if float64(v) > best {
			best, arg = float64(v), j
		}
	}
	var z float64
	for _, v := range row {
		z += math.Exp(float64(v) - best)
	}
	lz := math.Log(z)
	for j, v := range row {
		pr[j] = T(math.Exp(float64(v) - best - lz))
	}
	return lz - (float64(row[y]) - best), arg
}

func softmaxRow32(row, pr []float32, y int) (nll float64, arg int) {
	best := float32(math.Inf(-1))
	for j, v := range row {
		if v > best {
			best, arg = v, j
		}
	}
	for j, v := range row {
		pr[j] = v - best
	}
	vmath.Exp(pr, pr)
	var z float64
	for _, e := range pr {
		z += float64(e)
	}
	inv := float32(1 / z)
	for j := range pr {
		pr[j] *= inv
	}
	return math.Log(z) - (float64(row[y]) - float64(best)), arg
}

// Backward returns dL/dlogits of the mean loss.
func (s *SoftmaxCE[T]) Backward() *Mat[T] {
	n := s.prob.Rows
	dx := s.dx.Reshape(n, s.prob.Cols)
	inv := 1 / float64(n)
	for i := range n {
		pr, dr := s.prob.Row(i), dx.Row(i)
		for j, v := range pr {
			g := float64(v)
			if j == int(s.lab[i]) {
				g--
			}
			dr[j] = T(g * inv)
		}
	}
	return dx
}
