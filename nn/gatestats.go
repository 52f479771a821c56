package nn

import "math"

// SaturatedBelow is the |∂Y/∂X| under which [GateStats] counts a unit as
// saturated: it passes less than a hundredth of its output's gradient. D is
// the derivative the layer back-propagates through, so a noisy or
// mollified gate's own factor (Eq. 28's 1 − p·|ξ|/E|ξ|) counts too.
const SaturatedBelow = 0.01

// GateStats wraps an LSTM part's [GateFunc] and accumulates statistics of
// its training steps: how large its pre-activations are and how many of
// its units pass (almost) no gradient. It changes nothing the wrapped
// function computes; `mollify probe` reads it to show where a network
// saturates. Evaluation steps are not counted.
type GateStats[T Float] struct {
	Inner GateFunc[T]
	// N is the number of unit-steps seen; SumAbsX and MaxAbsX the sum and
	// maximum of |X|, SumAbsY the sum of |Y|; Saturated the number with
	// |D| < SaturatedBelow.
	N, SumAbsX, MaxAbsX, SumAbsY, Saturated float64
}

// GateSummary is what [GateStats.Take] reports: the mean and largest
// |pre-activation|, the mean |output| (a gate near 0 is shut) and the share
// of saturated unit-steps.
type GateSummary struct {
	MeanAbsX, MaxAbsX, MeanAbsY, Saturated float64
}

// Forward implements [GateFunc].
func (g *GateStats[T]) Forward(a *GateArgs[T]) {
	g.Inner.Forward(a)
	if !a.Train {
		return
	}
	for r := range a.Rows {
		o := r * a.Stride
		for j := range a.Units {
			x := math.Abs(float64(a.X[o+j]))
			g.N++
			g.SumAbsX += x
			g.MaxAbsX = max(g.MaxAbsX, x)
			g.SumAbsY += math.Abs(float64(a.Y[o+j]))
			if math.Abs(float64(a.D[o+j])) < SaturatedBelow {
				g.Saturated++
			}
		}
	}
}

// Backward implements [GateFunc].
func (g *GateStats[T]) Backward(step int, dy []T, rows, units, stride int) {
	g.Inner.Backward(step, dy, rows, units, stride)
}

// Params implements [GateFunc].
func (g *GateStats[T]) Params() []*Param[T] { return g.Inner.Params() }

// Take returns the summary since the last Take (zeros when no step was
// seen) and starts counting afresh.
func (g *GateStats[T]) Take() GateSummary {
	var s GateSummary
	if g.N > 0 {
		s = GateSummary{MeanAbsX: g.SumAbsX / g.N, MaxAbsX: g.MaxAbsX, MeanAbsY: g.SumAbsY / g.N, Saturated: g.Saturated / g.N}
	}
	g.N, g.SumAbsX, g.MaxAbsX, g.SumAbsY, g.Saturated = 0, 0, 0, 0, 0
	return s
}
