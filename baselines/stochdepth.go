package baselines

import (
	"fmt"
	"math/rand/v2"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/rng"
)

// StochasticDepth drops residual blocks at random (Huang, Sun, Liu, Sedra
// and Weinberger 2016). Before every update each block l = 1..L survives
// with probability P[l−1], one Bernoulli draw per block per minibatch: a
// surviving block computes ReLU(F(x) + S(x)), a dropped one ReLU(S(x)) (its
// branch is neither computed nor trained). At evaluation every block
// computes ReLU(p_l·F(x) + S(x)), the expectation of its branch.
type StochasticDepth[T nn.Float] struct {
	Blocks []*nn.BasicBlock[T]
	// P is each block's survival probability p_l.
	P []float64

	rnd    *rand.Rand
	active int
}

// NewStochasticDepth drops the given blocks, lowest first, with survival
// probabilities p, drawing from r. It sets every block's evaluation scale
// to its p_l.
func NewStochasticDepth[T nn.Float](blocks []*nn.BasicBlock[T], p []float64, r *rand.Rand) *StochasticDepth[T] {
	if len(p) != len(blocks) {
		panic(fmt.Sprintf("baselines: %d survival probabilities for %d blocks", len(p), len(blocks)))
	}
	for i, b := range blocks {
		b.ScaleEval = p[i]
	}
	return &StochasticDepth[T]{Blocks: blocks, P: p, rnd: r, active: len(blocks)}
}

// LinearDecay returns the survival probabilities of Huang et al.'s linear
// decay rule, p_l = 1 − (l/L)(1 − pL) for l = 1..L: the input is always kept
// (p_0 = 1) and the last block survives with probability pL.
func LinearDecay(L int, pL float64) []float64 {
	p := make([]float64, L)
	for l := range p {
		p[l] = 1 - float64(l+1)/float64(L)*(1-pL)
	}
	return p
}

// StartStep implements experiment.StepStarter: one draw per block, every update.
func (s *StochasticDepth[T]) StartStep(int) {
	s.active = 0
	for i, b := range s.Blocks {
		if s.rnd.Float64() < s.P[i] {
			b.ScaleTrain = 1
			s.active++
		} else {
			b.ScaleTrain = 0
		}
	}
}

// Trace implements experiment.Tracer: the number of blocks the last update
// used, and the expected number.
func (s *StochasticDepth[T]) Trace(add func(string, float64)) {
	var e float64
	for _, p := range s.P {
		e += p
	}
	add("blocks_active", float64(s.active))
	add("blocks_expected", e)
}

// StochDepth is the stochastic-depth configuration, for networks of
// residual blocks (the paper's CIFAR-10 comparison, Table 1).
type StochDepth struct{}

var _ experiment.Config = StochDepth{}

// Name implements experiment.Config.
func (StochDepth) Name() string { return "stochdepth" }

// Summary implements experiment.Config.
func (StochDepth) Summary() string {
	return "stochastic depth (Huang et al. 2016): residual blocks dropped per minibatch, survival 1 → p_L linearly, expectation at test"
}

// HypPL is the survival probability of the last block.
const HypPL = "p_last"

// Space implements experiment.Config: p_L = 0.5, the value of Huang et al.'s
// CIFAR experiments (and of the paper's, which copies their recipe), for
// networks of residual blocks; nothing for the others.
func (StochDepth) Space(_ experiment.Profile, a experiment.Arch) []experiment.Axis {
	if _, ok := a.(*experiment.ConvNet); !ok {
		return nil
	}
	return []experiment.Axis{{Name: HypPL, Values: []float64{0.5}, Doc: "survival probability p_L of the last residual block"}}
}

// OptRule names the survival rule option.
const OptRule = "rule"

// Options implements experiment.Config.
func (StochDepth) Options() []experiment.Option {
	return []experiment.Option{{Name: OptRule, Default: "linear", Allowed: []string{"linear", "uniform"},
		Doc: "survival probabilities: linear decay p_l = 1 − (l/L)(1 − p_L) (Huang et al.'s choice), or p_l = p_L for every block"}}
}

// Build implements experiment.Config. Only networks of residual blocks apply:
// an MLP returns experiment.ErrNotApplicable.
func (StochDepth) Build(a experiment.Arch, h experiment.Hyper, o experiment.Options, env experiment.Env) (*experiment.Model, error) {
	c, ok := a.(*experiment.ConvNet)
	if !ok {
		return nil, experiment.ErrNotApplicable
	}
	pL := h.Get(HypPL)
	if !(pL > 0 && pL <= 1) {
		return nil, fmt.Errorf("stochdepth: %s = %v, want a probability in (0, 1]", HypPL, pL)
	}
	res, err := BuildResNet[float32](c, env.Seed)
	if err != nil {
		return nil, err
	}
	p := LinearDecay(len(res.Blocks), pL)
	if o.Get(OptRule) == "uniform" {
		for i := range p {
			p[i] = pL
		}
	}
	sd := NewStochasticDepth(res.Blocks, p, rng.New(env.Seed, "noise/stochdepth"))
	return &experiment.Model{Net: res.Net(nil), Hooks: []any{sd}}, nil
}
