package nn

import (
	"fmt"
	"math"
)

// SeqSoftmaxCE is the softmax cross-entropy of a batch of time-major logits
// (one row per step and sequence) against integer labels, summed over the
// rows; rows whose label is negative are masked out. The caller chooses the
// normalisation through the scale of Backward: 1/B gives the loss of
// Zaremba et al. (2014), summed over the steps of a window and averaged over
// the B sequences.
type SeqSoftmaxCE[T Float] struct {
	prob Mat[T]
	lab  []int32
	dx   Mat[T]
}

// Forward returns the summed negative log-likelihood over the unmasked
// rows, their number, and how many of them have the label as arg-max. It
// keeps the probabilities for Backward.
func (s *SeqSoftmaxCE[T]) Forward(logits *Mat[T], labels []int32) (sum float64, count, correct int) {
	if len(labels) != logits.Rows {
		panic(fmt.Sprintf("nn: SeqSoftmaxCE got %d labels for %v logits", len(labels), logits))
	}
	s.lab = labels
	p := s.prob.Reshape(logits.Rows, logits.Cols)
	for i := range logits.Rows {
		y := int(labels[i])
		if y < 0 {
			continue
		}
		if y >= logits.Cols {
			panic(fmt.Sprintf("nn: label %d outside [0,%d)", y, logits.Cols))
		}
		nll, arg := softmaxRow(logits.Row(i), p.Row(i), y)
		sum += nll
		count++
		if arg == y {
			correct++
		}
	}
	return sum, count, correct
}

// Backward returns scale · ∂sum/∂logits; masked rows get zero.
func (s *SeqSoftmaxCE[T]) Backward(scale float64) *Mat[T] {
	dx := s.dx.Reshape(s.prob.Rows, s.prob.Cols)
	for i := range dx.Rows {
		dr := dx.Row(i)
		y := int(s.lab[i])
		if y < 0 {
			clear(dr)
			continue
		}
		for j, v := range s.prob.Row(i) {
			g := float64(v)
			if j == y {
				g--
			}
			dr[j] = T(g * scale)
		}
	}
	return dx
}

// SigmoidBCE is the binary cross-entropy of independent sigmoid outputs
// against 0/1 targets, summed over the elements of the rows that Mask keeps.
type SigmoidBCE[T Float] struct {
	z, y *Mat[T]
	mask []bool
	dx   Mat[T]
}

// Forward returns the summed cross-entropy (in nats) over the kept rows,
// the number of elements summed, and how many of them are wrong when the
// output is thresholded at 1/2. mask has one entry per row; nil keeps all.
func (b *SigmoidBCE[T]) Forward(logits, targets *Mat[T], mask []bool) (sum float64, count, wrong int) {
	if targets.Rows != logits.Rows || targets.Cols != logits.Cols {
		panic(fmt.Sprintf("nn: SigmoidBCE got %v targets for %v logits", targets, logits))
	}
	if mask != nil && len(mask) != logits.Rows {
		panic(fmt.Sprintf("nn: SigmoidBCE got a mask of %d rows for %v logits", len(mask), logits))
	}
	b.z, b.y, b.mask = logits, targets, mask
	for i := range logits.Rows {
		if mask != nil && !mask[i] {
			continue
		}
		for j, v := range logits.Row(i) {
			z, y := float64(v), float64(targets.Row(i)[j])
			// max(z,0) − z·y + log(1 + e^−|z|), stable for any z.
			sum += max(z, 0) - z*y + math.Log1p(math.Exp(-math.Abs(z)))
			count++
			if (z > 0) != (y > 0.5) {
				wrong++
			}
		}
	}
	return sum, count, wrong
}

// Backward returns scale · ∂sum/∂logits; masked rows get zero.
func (b *SigmoidBCE[T]) Backward(scale float64) *Mat[T] {
	dx := b.dx.Reshape(b.z.Rows, b.z.Cols)
	for i := range dx.Rows {
		dr := dx.Row(i)
		if b.mask != nil && !b.mask[i] {
			clear(dr)
			continue
		}
		for j, v := range b.z.Row(i) {
			dr[j] = T(scale * (SigmoidF(float64(v)) - float64(b.y.Row(i)[j])))
		}
	}
	return dx
}

// SquaredError is ½‖y − target‖² summed over the rows of a batch.
type SquaredError[T Float] struct {
	y, t *Mat[T]
	dx   Mat[T]
}

// Forward returns the summed loss.
func (e *SquaredError[T]) Forward(y, target *Mat[T]) float64 {
	if target.Rows != y.Rows || target.Cols != y.Cols {
		panic(fmt.Sprintf("nn: SquaredError got %v targets for %v outputs", target, y))
	}
	e.y, e.t = y, target
	var sum float64
	for i, v := range y.Data {
		d := float64(v) - float64(target.Data[i])
		sum += d * d
	}
	return sum / 2
}

// Backward returns scale · ∂sum/∂y.
func (e *SquaredError[T]) Backward(scale float64) *Mat[T] {
	dx := e.dx.Reshape(e.y.Rows, e.y.Cols)
	for i, v := range e.y.Data {
		dx.Data[i] = T(scale * (float64(v) - float64(e.t.Data[i])))
	}
	return dx
}
