package wordembed

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/mollifying/mollify/nn"
)

// SGNS are the settings of word2vec's skip-gram with negative sampling
// (Mikolov et al. 2013), with the defaults of the reference C code where
// they apply.
type SGNS struct {
	Dim int `json:"dim"`
	// Window is the largest distance of a context word; each centre word
	// uses a window drawn uniformly from 1..Window.
	Window int `json:"window"`
	// Negative is the number of noise words per pair, drawn from the
	// unigram distribution raised to 3/4.
	Negative int `json:"negative"`
	Epochs   int `json:"epochs"`
	// LR is the initial learning rate, decayed linearly to LR·1e-4.
	LR float64 `json:"lr"`
	// Sample is the sub-sampling threshold of frequent words.
	Sample float64 `json:"sample"`
}

// Validate reports the first bad field.
func (s SGNS) Validate() error {
	switch {
	case s.Dim <= 0:
		return fmt.Errorf("dim = %d, want > 0", s.Dim)
	case s.Window <= 0:
		return fmt.Errorf("window = %d, want > 0", s.Window)
	case s.Negative <= 0:
		return fmt.Errorf("negative = %d, want > 0", s.Negative)
	case s.Epochs <= 0:
		return fmt.Errorf("epochs = %d, want > 0", s.Epochs)
	case !(s.LR > 0):
		return fmt.Errorf("lr = %v, want > 0", s.LR)
	case s.Sample < 0:
		return fmt.Errorf("sample = %v, want ≥ 0", s.Sample)
	}
	return nil
}

// Vectors are trained word vectors, row v for word v.
type Vectors struct {
	Dim int
	W   []float64
	// Loss holds the mean loss per positive pair (its own term and its
	// noise words') over each tenth of training, for diagnostics.
	Loss [10]float64
}

// Row returns the vector of word v.
func (v *Vectors) Row(w int) []float64 { return v.W[w*v.Dim : (w+1)*v.Dim] }

// Train runs SGNS over the token stream of a vocabulary of vocab words.
// It is a sequential, seeded computation: the same stream and seed give
// the same vectors.
func (s SGNS) Train(tokens []int32, vocab int, r *rand.Rand) (*Vectors, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("wordembed: SGNS: %w", err)
	}
	count := make([]float64, vocab)
	for _, t := range tokens {
		count[t]++
	}
	total := float64(len(tokens))
	// The noise distribution: cumulative unigram counts to the 3/4.
	cum := make([]float64, vocab)
	var z float64
	for v, c := range count {
		z += math.Pow(c, 0.75)
		cum[v] = z
	}
	noise := func() int32 {
		return int32(min(sort.SearchFloat64s(cum, r.Float64()*z), vocab-1))
	}
	// Keep probability of word2vec's sub-sampling.
	keep := make([]float64, vocab)
	for v, c := range count {
		keep[v] = 1
		if s.Sample > 0 && c > 0 {
			th := s.Sample * total
			keep[v] = min(1, (math.Sqrt(c/th)+1)*th/c)
		}
	}
	d := s.Dim
	in := make([]float64, vocab*d)
	out := make([]float64, vocab*d)
	for i := range in {
		in[i] = (r.Float64() - 0.5) / float64(d)
	}
	grad := make([]float64, d)
	sent := make([]int32, 0, len(tokens))
	steps := float64(s.Epochs) * total
	done := 0.0
	vec := &Vectors{Dim: d, W: in}
	var lossSum [10]float64
	var lossN [10]int
	for range s.Epochs {
		sent = sent[:0]
		for _, t := range tokens {
			if keep[t] >= 1 || r.Float64() < keep[t] {
				sent = append(sent, t)
			}
		}
		scale := total / float64(max(len(sent), 1)) // progress per kept token
		for i, w := range sent {
			alpha := s.LR * max(1e-4, 1-done/steps)
			done += scale
			bucket := min(int(10*done/steps), 9)
			win := 1 + r.IntN(s.Window)
			for j := max(0, i-win); j <= min(len(sent)-1, i+win); j++ {
				if j == i {
					continue
				}
				c := sent[j]
				h := in[int(c)*d : int(c+1)*d] // the context word's vector predicts w
				clear(grad)
				var pairLoss float64
				for k := 0; k <= s.Negative; k++ {
					target, label := w, 1.0
					if k > 0 {
						target, label = noise(), 0
						if target == w {
							continue
						}
					}
					o := out[int(target)*d : int(target+1)*d]
					var f float64
					for q := range h {
						f += h[q] * o[q]
					}
					p := nn.SigmoidF(f)
					if label == 1 {
						pairLoss -= math.Log(max(p, 1e-300))
					} else {
						pairLoss -= math.Log(max(1-p, 1e-300))
					}
					g := (label - p) * alpha
					for q := range h {
						grad[q] += g * o[q]
						o[q] += g * h[q]
					}
				}
				for q := range h {
					h[q] += grad[q]
				}
				lossSum[bucket] += pairLoss
				lossN[bucket]++
			}
		}
	}
	for b := range lossSum {
		vec.Loss[b] = lossSum[b] / float64(max(lossN[b], 1))
	}
	return vec, nil
}
