package gradcheck

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mollifying/mollify/nn"
)

// Named tolerances, in the manner of gonum's optimize/functions.
const (
	// Step is the central-difference step h. Truncation error is O(h²) and
	// rounding error O(ε/h); 1e-6 balances them for O(1) functions.
	Step = 1e-6
	// Tol bounds |analytic − numeric| / max(1, |analytic|, |numeric|).
	Tol = 1e-6
)

// Options tunes a check.
type Options struct {
	// Train is passed to Forward.
	Train bool
	// Reset, when set, is called before every Forward so that a stochastic
	// layer draws the same noise each time.
	Reset func()
	// MaxPerTensor caps how many elements of each tensor are probed (a
	// seeded random subset); 0 probes all of them.
	MaxPerTensor int
	// Tol overrides the default tolerance when non-zero.
	Tol float64
	// SkipInput skips the input gradient (for layers told not to compute it).
	SkipInput bool
}

// Mismatch describes the worst disagreement found in one tensor.
type Mismatch struct {
	Tensor            string
	Index             int
	Analytic, Numeric float64
	RelErr            float64
}

func (m Mismatch) String() string {
	return fmt.Sprintf("%s[%d]: analytic %.10g, numeric %.10g (relative error %.3g)", m.Tensor, m.Index, m.Analytic, m.Numeric, m.RelErr)
}

// Check compares the backward pass of l at input x with central differences
// and returns the worst relative error per tensor ("input" and each
// parameter name), plus an error if any exceeds the tolerance.
func Check(l nn.Layer[float64], x *nn.Mat[float64], opt Options) ([]Mismatch, error) {
	tol := opt.Tol
	if tol == 0 {
		tol = Tol
	}
	reset := opt.Reset
	if reset == nil {
		reset = func() {}
	}
	r := rand.New(rand.NewPCG(17, 29))
	reset()
	y := l.Forward(x, opt.Train)
	proj := nn.NewMat[float64](y.Rows, y.Cols)
	for i := range proj.Data {
		proj.Data[i] = r.NormFloat64()
	}
	loss := func() float64 {
		reset()
		y := l.Forward(x, opt.Train)
		var s float64
		for i, v := range y.Data {
			s += v * proj.Data[i]
		}
		return s
	}
	ps := l.Params()
	nn.ZeroGrad(ps)
	reset()
	l.Forward(x, opt.Train)
	dx := l.Backward(proj)

	type tensor struct {
		name     string
		value    []float64
		analytic []float64
	}
	var ts []tensor
	if !opt.SkipInput {
		if dx == nil {
			return nil, fmt.Errorf("gradcheck: layer returned no input gradient")
		}
		ts = append(ts, tensor{"input", x.Data, append([]float64(nil), dx.Data...)})
	}
	for _, p := range ps {
		ts = append(ts, tensor{p.Name, p.Value, append([]float64(nil), p.Grad...)})
	}
	var out []Mismatch
	var bad []string
	for _, t := range ts {
		idx := probe(len(t.value), opt.MaxPerTensor, r)
		worst := Mismatch{Tensor: t.name, Index: -1}
		for _, i := range idx {
			orig := t.value[i]
			t.value[i] = orig + Step
			lp := loss()
			t.value[i] = orig - Step
			lm := loss()
			t.value[i] = orig
			num := (lp - lm) / (2 * Step)
			a := t.analytic[i]
			rel := math.Abs(a-num) / max(1, math.Abs(a), math.Abs(num))
			if math.IsNaN(rel) {
				rel = math.Inf(1)
			}
			if worst.Index < 0 || rel > worst.RelErr {
				worst = Mismatch{t.name, i, a, num, rel}
			}
		}
		out = append(out, worst)
		if worst.RelErr > tol {
			bad = append(bad, worst.String())
		}
	}
	if len(bad) > 0 {
		return out, fmt.Errorf("gradcheck: %d tensor(s) above tolerance %g: %v", len(bad), tol, bad)
	}
	return out, nil
}

func probe(n, max int, r *rand.Rand) []int {
	if max <= 0 || n <= max {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	return r.Perm(n)[:max]
}
