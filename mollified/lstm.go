package mollified

import (
	"fmt"
	"math"
	"slices"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/rng"
)

// EAbsXi is E|ξ| for ξ ~ N(0, 1), the mean of a unit half-normal: √(2/π).
var EAbsXi = math.Sqrt(2 / math.Pi)

// GammaEps bounds the gate targets away from 0 and 1 when the gates are
// logistic sigmoids, whose inverse is infinite there (paper/PROTOCOL.md choice 13).
const GammaEps = 1e-3

// GateTarget gives a gate's target value γ at 1-based time step t: the value the
// gate takes, in expectation over the noise, at p = 1 (paper Sec. 6).
type GateTarget int

// The targets of Sec. 6, under which the LSTM is a bag of words: the cell
// is the running mean of the candidates.
const (
	GammaOne          GateTarget = iota // γ = 1 (output gate)
	GammaInvT                           // γ = 1/t (input gate)
	GammaOneMinusInvT                   // γ = 1 − 1/t (forget gate)
)

// Gamma returns γ at step t ≥ 1.
func (tg GateTarget) Gamma(t int) float64 {
	switch tg {
	case GammaOne:
		return 1
	case GammaInvT:
		return 1 / float64(t)
	case GammaOneMinusInvT:
		return 1 - 1/float64(t)
	}
	panic(fmt.Sprintf("mollified: unknown gate target %d", int(tg)))
}

// GateInverse returns f⁻¹(γ) for a gate non-linearity: the logit for the
// logistic sigmoid, with γ clipped to [GammaEps, 1 − GammaEps], and
// 4γ − 2 for the hard sigmoid, whose inverse exists on all of [0, 1] (the
// edge of the flat part at 0 and 1).
func GateInverse(kind nn.Kind, gamma float64) float64 {
	switch kind {
	case nn.Sigmoid:
		g := min(max(gamma, GammaEps), 1-GammaEps)
		return math.Log(g / (1 - g))
	case nn.HardSigmoid:
		return 4*min(max(gamma, 0), 1) - 2
	}
	panic("mollified: no gate inverse for " + kind.String())
}

// GatePre is the pre-activation of the mollified gate (paper Sec. 6, Eq. 28):
//
//	x̃ = x + p·σ(x)·|ξ|,   σ(x) = (f⁻¹(γ) − x) / E|ξ|
//
// and its derivative with respect to x, the noise held fixed. Its
// expectation over ξ is (1 − p)·x + p·f⁻¹(γ): the gate's input moves from x
// to the target's pre-image as p goes from 0 to 1.
func GatePre(x, p, absXi, inv float64) (pre, dpre float64) {
	w := p * absXi / EAbsXi
	return x + w*(inv-x), 1 - w
}

// TimeMode says what t of the targets 1/t and 1 − 1/t counts.
type TimeMode int

// Time modes.
const (
	// TimeWindow counts steps from the start of each Forward: the window of
	// truncated back-propagation through time, or the whole sequence when
	// sequences are not cut.
	TimeWindow TimeMode = iota
	// TimeReset counts steps from the last ResetState (the start of the
	// stream in language modelling).
	TimeReset
)

// Gate is the mollified LSTM gate of paper Sec. 6: y = f(x̃) with x̃ from
// [GatePre]. At p = 0 it is f exactly; at p = 1, with |ξ| at its mean, it is
// its target γ. It implements nn.GateFunc.
type Gate[T nn.Float] struct {
	Kind   nn.Kind
	Target GateTarget
	Time   TimeMode
	// P is p^l, set by the schedule before each update.
	P float64
	evalSwitch
	// PerBatch draws one |ξ| per unit and step, shared by the sequences of
	// the batch (paper/PROTOCOL.md choice 8).
	PerBatch bool

	rnd *rng.Noise
	col []float64
	s32 gate32
}

// NewGate returns the gate with non-linearity kind (nn.Sigmoid or
// nn.HardSigmoid) and the given target, drawing noise from r.
func NewGate[T nn.Float](kind nn.Kind, target GateTarget, r *rng.Noise) *Gate[T] {
	GateInverse(kind, 0.5) // rejects a kind without an inverse
	return &Gate[T]{Kind: kind, Target: target, rnd: r}
}

// SetRand replaces the noise stream (gradient checks re-seed it).
func (g *Gate[T]) SetRand(r *rng.Noise) { g.rnd = r }

// SetP implements [Target] of the schedule.
func (g *Gate[T]) SetP(p float64) {
	checkP(p)
	g.P = p
}

func (g *Gate[T]) step(a *nn.GateArgs[T]) int {
	if g.Time == TimeReset {
		return a.Pos + 1
	}
	return a.Step + 1
}

// Forward implements nn.GateFunc. Training draws |ξ| per element (or per
// unit with PerBatch) whenever p > 0; evaluation uses p = 0 (EvalP0) or the
// mean |ξ| at the current p (EvalExpect).
func (g *Gate[T]) Forward(a *nn.GateArgs[T]) {
	p := g.P
	if !a.Train && g.evalMode() == EvalP0 {
		p = 0
	}
	if p == 0 {
		nn.KindGate[T]{Kind: g.Kind}.Forward(a)
		return
	}
	inv := GateInverse(g.Kind, g.Target.Gamma(g.step(a)))
	if a.Train && g.PerBatch {
		g.col = drawAbs(g.col, a.Units, g.rnd)
	}
	if g.forward32(a, p, inv) {
		return
	}
	for r := range a.Rows {
		o := r * a.Stride
		x, y, d := a.X[o:o+a.Units], a.Y[o:o+a.Units], a.D[o:o+a.Units]
		for j, v := range x {
			absXi := EAbsXi
			switch {
			case !a.Train:
			case g.PerBatch:
				absXi = g.col[j]
			default:
				absXi = math.Abs(g.rnd.NormFloat64())
			}
			pre, dpre := GatePre(float64(v), p, absXi, inv)
			f := g.Kind.F(pre)
			y[j], d[j] = T(f), T(g.Kind.D(pre, f)*dpre)
		}
	}
}

// drawAbs returns dst resized to n and filled with n draws of |ξ| from r
// (the magnitudes of n successive NormFloat64 calls, which FillNorm64
// gives, as rng's tests check).
func drawAbs(dst []float64, n int, r *rng.Noise) []float64 {
	dst = slices.Grow(dst[:0], n)[:n]
	r.FillNorm64(dst, true)
	return dst
}

// Backward implements nn.GateFunc; the gate has no parameters.
func (*Gate[T]) Backward(int, []T, int, int, int) {}

// Params implements nn.GateFunc.
func (*Gate[T]) Params() []*nn.Param[T] { return nil }

// Candidate applies the noisy activation ψ of Algorithm 1 (no skip) to the
// LSTM's candidate: with p = 1 and enough noise the candidate tanh becomes
// its linear part (paper/PROTOCOL.md choice 14, an option). It implements nn.GateFunc.
type Candidate[T nn.Float] struct {
	Unit Unit
	P    float64
	evalSwitch
	// PerBatch: see [Gate].
	PerBatch bool

	rnd *rng.Noise
	col []float64
}

// SetRand replaces the noise stream.
func (c *Candidate[T]) SetRand(r *rng.Noise) { c.rnd = r }

// SetP implements [Target] of the schedule.
func (c *Candidate[T]) SetP(p float64) {
	checkP(p)
	c.P = p
}

// Forward implements nn.GateFunc. Evaluation uses p = 0 (EvalP0) or |ξ| at
// its mean (EvalExpect).
func (c *Candidate[T]) Forward(a *nn.GateArgs[T]) {
	p := c.P
	if !a.Train && c.evalMode() == EvalP0 {
		p = 0
	}
	if p == 0 {
		nn.KindGate[T]{Kind: c.Unit.Kind}.Forward(a)
		return
	}
	if a.Train && c.PerBatch {
		c.col = drawAbs(c.col, a.Units, c.rnd)
	}
	for r := range a.Rows {
		o := r * a.Stride
		x, y, d := a.X[o:o+a.Units], a.Y[o:o+a.Units], a.D[o:o+a.Units]
		for j, v := range x {
			absXi := EAbsXi
			switch {
			case !a.Train:
			case c.PerBatch:
				absXi = c.col[j]
			default:
				absXi = math.Abs(c.rnd.NormFloat64())
			}
			out := c.Unit.Eval(float64(v), p, 1, absXi)
			y[j], d[j] = T(out.Psi), T(out.DX)
		}
	}
}

// Backward implements nn.GateFunc.
func (*Candidate[T]) Backward(int, []T, int, int, int) {}

// Params implements nn.GateFunc.
func (*Candidate[T]) Params() []*nn.Param[T] { return nil }

// Option names of the LSTM part of the configuration.
const (
	OptLSTMGates     = "lstm_gates"
	OptLSTMCandidate = "lstm_candidate"
	OptLSTMTime      = "lstm_time"
)

// lstmOptions are the configuration's options for LSTMs. Of the others,
// eval, stop and granularity apply to LSTMs too; a, parts and skip
// are about Algorithm 1's skip units and do not.
func lstmOptions() []experiment.Option {
	return []experiment.Option{
		{Name: OptLSTMGates, Default: "clip", Allowed: []string{"clip", "hard"}, Doc: "paper/PROTOCOL.md choice 13: keep logistic gates and clip the targets γ to [1e-3, 1−1e-3] (f⁻¹(1) = ∞), or use hard-sigmoid gates (f⁻¹(1) = 2), which changes the network itself", Archs: []string{"lstm"}},
		{Name: OptLSTMCandidate, Default: "plain", Allowed: []string{"plain", "alg1"}, Doc: "paper/PROTOCOL.md choice 14: mollify the gates only (as written), or also apply Algorithm 1's noisy ψ (noise scale c, no skip) to the candidate tanh", Archs: []string{"lstm"}},
		{Name: OptLSTMTime, Default: "window", Allowed: []string{"window", "reset"}, Doc: "t of the targets 1/t, 1−1/t: the step within the sequence or truncated-BPTT window (window), or since the last state reset (reset)", Archs: []string{"lstm"}},
	}
}

// lstmSpace is the configuration's space for LSTMs: the schedule's
// constants; c matters only with lstm_candidate=alg1. Annealing stops near
// t ≈ kappa·v·T·(L+1)/(0.1·L) (see Config.Space), 20·kappa·v·T for the
// one-layer copy and word-embedding LSTMs, so kappa spans {0.01, ..., 0.3}:
// with a per-bit or per-unit loss around 0.5, the smallest stops within
// the first tenth of training and the largest only once the loss is low.
func lstmSpace(p experiment.Profile) []experiment.Axis {
	kappa := []float64{0.03} // quick: one point, at which annealing stops inside its short runs
	if !p.OnePoint {
		kappa = []float64{0.01, 0.03, 0.1, 0.3}
	}
	return []experiment.Axis{
		{Name: HypC, Values: []float64{0.5}, Doc: "noise scale c of Algorithm 1, used only by lstm_candidate=alg1 (authors' tanh default)"},
		{Name: HypKappa, Values: kappa, Doc: "k of Eq. 29 is kappa·T: the top layer ends training at p ≈ 1 − exp(−kappa·v_T)"},
		{Name: HypDelta, Values: []float64{0.05}, Doc: "stop annealing when Σ_l p^l < delta·L (option delta_on=sum: < delta), L the number of LSTM layers"},
		{Name: HypEMA, Values: []float64{0.99}, Doc: "decay of the training-loss moving average v_t"},
	}
}

// LSTMDepth gathers what the schedule sets at one depth of the stack: the
// mollified parts of its layer (both directions of a bidirectional layer).
type LSTMDepth []Target

// SetP implements [Target].
func (d LSTMDepth) SetP(p float64) {
	for _, t := range d {
		t.SetP(p)
	}
}

// setOriginal implements originalSetter.
func (d LSTMDepth) setOriginal(on bool) {
	for _, t := range d {
		if o, ok := t.(originalSetter); ok {
			o.setOriginal(on)
		}
	}
}

// BuildLSTM builds the mollified LSTM network in any precision and returns
// it with one schedule target per depth, lowest first. Gate noise comes
// from the streams "noise/<layer>.<part>"; weights are those of every other
// configuration for the same seed.
func BuildLSTM[T nn.Float](a *experiment.LSTM, h experiment.Hyper, o experiment.Options, seed uint64) (*nn.LSTMNet[T], []LSTMDepth, error) {
	kind := map[string]nn.Kind{"clip": nn.Sigmoid, "hard": nn.HardSigmoid}[o.Get(OptLSTMGates)]
	tm := map[string]TimeMode{"window": TimeWindow, "reset": TimeReset}[o.Get(OptLSTMTime)]
	eval := map[string]EvalMode{"p0": EvalP0, "expect": EvalExpect}[o.Get(OptEval)]
	perBatch := o.Get(OptGranularity) == "batch"
	alg1 := o.Get(OptLSTMCandidate) == "alg1"
	c := h.Get(HypC)
	depths := make([]LSTMDepth, len(a.Hidden))
	targets := [3]GateTarget{nn.GateInput: GammaInvT, nn.GateForget: GammaOneMinusInvT, nn.GateOutput: GammaOne}
	gates := func(name string, depth, _ int) [nn.NumGates]nn.GateFunc[T] {
		gs := nn.PlainGates[T]()
		for k := range 3 {
			g := NewGate[T](kind, targets[k], rng.NewNoise(seed, "noise/"+name+"."+nn.GateName(k)))
			g.Time, g.Eval, g.PerBatch = tm, eval, perBatch
			gs[k] = g
			depths[depth] = append(depths[depth], g)
		}
		if alg1 {
			cand := &Candidate[T]{Unit: Unit{Kind: nn.Tanh, C: c}, evalSwitch: evalSwitch{Eval: eval}, PerBatch: perBatch,
				rnd: rng.NewNoise(seed, "noise/"+name+"."+nn.GateName(nn.GateCandidate))}
			gs[nn.GateCandidate] = cand
			depths[depth] = append(depths[depth], cand)
		}
		return gs
	}
	net, err := nn.NewLSTMNet(a.LSTMNetSpec, gates, rng.New(seed, "init"))
	if err != nil {
		return nil, nil, err
	}
	return net, depths, nil
}

// buildLSTM is Config.Build for LSTMs: Eq. 28 gates in every layer, one p
// per layer depth annealed by Eq. 29 (the lowest layer first).
func buildLSTM(a *experiment.LSTM, h experiment.Hyper, o experiment.Options, env experiment.Env) (*experiment.Model, error) {
	net, depths, err := BuildLSTM[float32](a, h, o, env.Seed)
	if err != nil {
		return nil, err
	}
	targets := make([]Target, len(depths))
	for i, d := range depths {
		targets[i] = d
	}
	return scheduled(net, targets, h, o, env)
}
