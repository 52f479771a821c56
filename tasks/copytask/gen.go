package copytask

import (
	"fmt"
	"math/rand/v2"

	"github.com/mollifying/mollify/nn"
)

// Generator lays out copy sequences of Bits-bit vectors in time-major
// batches, in the format of Gulcehre et al.'s D-NTM copy task: for a
// sequence of length N,
//
//	step 0           BOS on input channel Bits
//	steps 1..N       the N random vectors on channels 0..Bits−1
//	step N+1         EOS on input channel Bits+1
//	steps N+2..2N+1  zero input; the targets are the N vectors in order
//
// A batch is padded with zero steps to its longest sequence; the mask marks
// the (step, sequence) rows that carry targets.
type Generator struct {
	Bits, MaxLen int
}

// In is the input width: the data bits and the two delimiters.
func (g Generator) In() int { return g.Bits + 2 }

// Batch is one time-major batch of copy sequences.
type Batch struct {
	Lens []int
	X, Y *nn.Mat[float32]
	Mask []bool
}

// Fill draws the vectors of sequences of the given lengths from r and lays
// them out in b, reusing its storage.
func (g Generator) Fill(b *Batch, lens []int, r *rand.Rand) {
	batch := len(lens)
	longest := 0
	for _, n := range lens {
		if n < 1 || n > g.MaxLen {
			panic(fmt.Sprintf("copy: sequence length %d outside [1, %d]", n, g.MaxLen))
		}
		longest = max(longest, n)
	}
	steps := 2*longest + 2
	if b.X == nil {
		b.X, b.Y = &nn.Mat[float32]{}, &nn.Mat[float32]{}
	}
	x := b.X.Reshape(steps*batch, g.In())
	y := b.Y.Reshape(steps*batch, g.Bits)
	x.Zero()
	y.Zero()
	if cap(b.Mask) < steps*batch {
		b.Mask = make([]bool, steps*batch)
	}
	b.Mask = b.Mask[:steps*batch]
	clear(b.Mask)
	b.Lens = append(b.Lens[:0], lens...)
	for s, n := range lens {
		x.Row(s)[g.Bits] = 1 // BOS at step 0
		for t := 1; t <= n; t++ {
			in := x.Row(t*batch + s)
			out := y.Row((t+n+1)*batch + s)
			for j := range g.Bits {
				v := float32(r.IntN(2))
				in[j], out[j] = v, v
			}
			b.Mask[(t+n+1)*batch+s] = true
		}
		x.Row((n+1)*batch + s)[g.Bits+1] = 1 // EOS
	}
}

// Curriculum is the length schedule of the D-NTM copy task: example number
// cnt (0-based, counted over training) has a length drawn uniformly from
// 1..ub with ub = min(⌊Start·MaxLen + cnt·Slope⌋, MaxLen), except that with
// probability Long it is drawn from the three longest lengths instead.
type Curriculum struct {
	Start, Slope, Long float64
}

// Len draws the length of example cnt.
func (c Curriculum) Len(cnt, maxLen int, r *rand.Rand) int {
	if r.Float64() < c.Long {
		lo := max(1, maxLen-2)
		return lo + r.IntN(maxLen-lo+1)
	}
	ub := min(int(c.Start*float64(maxLen)+float64(cnt)*c.Slope), maxLen)
	ub = max(ub, 1)
	return 1 + r.IntN(ub)
}

// UpperBound is ub for example cnt.
func (c Curriculum) UpperBound(cnt, maxLen int) int {
	return max(1, min(int(c.Start*float64(maxLen)+float64(cnt)*c.Slope), maxLen))
}
