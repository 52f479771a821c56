package cifar10

import (
	"math/rand/v2"

	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/train"
)

// Augment is the augmentation of the stochastic-depth recipe (after He et
// al. 2016): the image is zero-padded by Pad pixels on every side, a
// Shape-sized window is cut at a uniformly random offset (one of
// (2·Pad+1)² translations), and the result is mirrored left-right with
// probability 1/2. Inputs are standardised, so the zero padding is the
// training set's mean colour. Every call draws exactly three values (row
// offset, column offset, flip), whatever the image.
type Augment struct {
	Shape nn.Shape
	Pad   int
}

var _ train.Augmenter = Augment{}

// Augment implements train.Augmenter.
func (a Augment) Augment(dst, src []float32, r *rand.Rand) {
	dy := r.IntN(2*a.Pad+1) - a.Pad
	dx := r.IntN(2*a.Pad+1) - a.Pad
	flip := r.IntN(2) == 1
	a.Apply(dst, src, dy, dx, flip)
}

// Apply writes the image src translated by (dy, dx), then mirrored when flip
// is set, into dst: dst[c][i][j] = src[c][i+dy][j'+dx] with j' = W−1−j when
// flipped and j otherwise, zero where that falls outside the image.
func (a Augment) Apply(dst, src []float32, dy, dx int, flip bool) {
	h, w, p := a.Shape.H, a.Shape.W, a.Shape.Plane()
	for c := range a.Shape.C {
		in, out := src[c*p:(c+1)*p], dst[c*p:(c+1)*p]
		for i := range h {
			row := out[i*w : (i+1)*w]
			si := i + dy
			if si < 0 || si >= h {
				clear(row)
				continue
			}
			srow := in[si*w : (si+1)*w]
			for j := range w {
				sj := j
				if flip {
					sj = w - 1 - j
				}
				sj += dx
				if sj < 0 || sj >= w {
					row[j] = 0
				} else {
					row[j] = srow[sj]
				}
			}
		}
	}
}
