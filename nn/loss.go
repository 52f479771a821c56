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
	if l32, ok := any(logits).(*Mat[float32]); ok {
		return softmaxCE32(l32, any(p).(*Mat[float32]), labels)
	}
	var total float64
	for i := range logits.Rows {
		row, pr := logits.Row(i), p.Row(i)
		best, arg := math.Inf(-1), 0
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
		y := int(labels[i])
		if y < 0 || y >= logits.Cols {
			panic(fmt.Sprintf("nn: label %d outside [0,%d)", y, logits.Cols))
		}
		total += lz - (float64(row[y]) - best)
		if arg == y {
			correct++
		}
	}
	return total / float64(logits.Rows), correct
}

// softmaxCE32 is the float32 form of Forward: the exponentials go through
// vmath.Exp (one vector pass per row, into the probability row), their sum
// and the loss are accumulated in float64 in index order, and the one log
// per row is math.Log's.
func softmaxCE32(logits, p *Mat[float32], labels []int32) (loss float64, correct int) {
	var total float64
	for i := range logits.Rows {
		row, pr := logits.Row(i), p.Row(i)
		best, arg := float32(math.Inf(-1)), 0
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
		y := int(labels[i])
		if y < 0 || y >= logits.Cols {
			panic(fmt.Sprintf("nn: label %d outside [0,%d)", y, logits.Cols))
		}
		total += math.Log(z) - (float64(row[y]) - float64(best))
		if arg == y {
			correct++
		}
	}
	return total / float64(logits.Rows), correct
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
