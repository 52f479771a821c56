package mollified

import (
	"fmt"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/rng"
)

// Config is the "mollified" configuration: every hidden layer is a [Layer]
// and a [Schedule] anneals p from (nearly) 1 to 0 as training proceeds.
type Config struct{}

var _ experiment.Config = Config{}

// Name implements experiment.Config.
func (Config) Name() string { return "mollified" }

// Summary implements experiment.Config.
func (Config) Summary() string {
	return "mollified network: Algorithm 1 units with per-unit skip (Eq. 28 gates for LSTMs), p annealed by Eq. 29"
}

// Hyper-parameter names of the configuration.
const (
	// HypC is the noise scale c of Alg. 1 line 5.
	HypC = "c"
	// HypAnneal sets k of Eq. 29 through the fraction of training after
	// which annealing would stop (Σ_l p^l < δ) if the loss stayed at its
	// initial value v0 (see [CalibrateK]). As the loss falls, p falls
	// faster and annealing ends earlier.
	HypAnneal = "anneal_frac"
	// HypKappa sets k of Eq. 29 in proportion to the run's length:
	// k = kappa·T for T updates. Since p^l_t = 1 − exp(−k·v_t·l/(t·L)), the
	// top layer's p at the end of training is 1 − exp(−kappa·v_T): kappa
	// means the same thing whatever the budget. When a space has kappa,
	// anneal_frac is not used.
	HypKappa = "kappa"
	// HypDelta sets the stop threshold on Σ_l p^l (the paper's rule; its
	// value is not in the paper): δ = delta·L by default, so annealing
	// stops when the mean p falls below delta, or δ = delta with option
	// delta_on=sum. Eq. 29 falls like 1/t, so Σ_l p^l < 0.05 on 20 layers
	// needs about 210·kappa·v·T updates: it never stops within the budget
	// (measured on deep MNIST: Σp = 0.97 after T = 5000 at kappa = 0.6),
	// while 0.05·L stops at 0.7·T (kappa = 0.3).
	HypDelta = "delta"
	// HypEMA is the moving-average decay of the loss v_t.
	HypEMA = "ema"
)

// Space implements experiment.Config. For MLPs the noise scale c is tuned
// where the push towards the linear approximation, s = p·c·σ·|ξ| with
// σ ≤ 1/4 at a = 1, is comparable with u − f (c ≥ 1; the noisy-activation
// defaults 0.15 and 0.5 leave s ≤ 0.125·|ξ|, no mollification at all), and
// k through kappa = k/T over a 30-fold range. With δ = 0.05·L, Σ_l p^l ≈
// k·v·(L+1)/(2t) falls below δ at t ≈ kappa·v·T·(L+1)/(0.1·L), about
// 10.5·kappa·v·T on 20 layers: annealing can stop within the budget only
// when kappa·v is below about 0.1, so the range is {0.03, 0.1, 0.3, 1}
// (stopping at roughly 0.1·T to never, for a loss average v between 0.3 and
// 1) rather than one centred on 1, and tuning never picks a point whose
// annealing did not stop (experiment.Record.Eligible). The quick profile
// keeps one point of that space, c = 10 and kappa = 0.1, at which annealing
// stops inside its short runs.
func (Config) Space(p experiment.Profile, a experiment.Arch) []experiment.Axis {
	switch a.(type) {
	case *experiment.ConvNet:
		return convSpace()
	case *experiment.LSTM:
		return lstmSpace(p)
	}
	c := []float64{10}
	kappa := []float64{0.1}
	if !p.OnePoint {
		c = []float64{1, 3, 10, 30}
		kappa = []float64{0.03, 0.1, 0.3, 1}
	}
	return []experiment.Axis{
		{Name: HypC, Values: c, Doc: "noise scale c (Alg. 1 line 5); s = p·c·σ·|ξ| must be comparable with u − f, so c ≥ 1"},
		{Name: HypKappa, Values: kappa, Doc: "k of Eq. 29 is kappa·T: the top layer ends training at p ≈ 1 − exp(−kappa·v_T)"},
		{Name: HypDelta, Values: []float64{0.05}, Doc: "stop annealing when Σ_l p^l < delta·L, i.e. the mean p < delta (option delta_on=sum: Σ_l p^l < delta)"},
		{Name: HypEMA, Values: []float64{0.99}, Doc: "decay of the training-loss moving average v_t"},
	}
}

// Option names of the configuration.
const (
	OptEval        = "eval"
	OptStop        = "stop"
	OptA           = "a"
	OptParts       = "parts"
	OptGranularity = "granularity"
	OptSkip        = "skip"
	OptDeltaOn     = "delta_on"
)

// feedForward are the architectures of Algorithm 1's units (the LSTM has
// Eq. 28's gates instead).
var feedForward = []string{"mlp", "convnet"}

// Options implements experiment.Config: one per open choice of paper/PROTOCOL.md that
// touches the unit or the schedule.
func (Config) Options() []experiment.Option {
	return append([]experiment.Option{
		{Name: OptEval, Default: "expect", Allowed: []string{"expect", "p0"}, Doc: "paper/PROTOCOL.md choice 10: evaluate the network being trained (the skip expectation p·h_prev + (1−p)·f at the current p), or the original network (p = 0); the other is always recorded beside it with the suffix _p0"},
		{Name: OptDeltaOn, Default: "layers", Allowed: []string{"layers", "sum"}, Doc: "paper/PROTOCOL.md choice 4: the threshold on Σ_l p^l is delta·L (annealing stops when the mean p falls below delta), or delta itself; with delta = 0.05 on 20 layers the second never stops within a budget (paper/TUNING.md §2)"},
		{Name: OptStop, Default: "zero", Allowed: []string{"zero", "freeze", "never"}, Doc: "paper/PROTOCOL.md choice 5: when Σ p^l < δ, set p = 0 for good, freeze p, or keep following Eq. 29"},
		{Name: OptA, Default: "fixed", Allowed: []string{"fixed", "learned"}, Doc: "paper/PROTOCOL.md choice 2: a of Alg. 1 line 3 fixed at 1, or learned per unit from 1", Archs: feedForward},
		{Name: OptParts, Default: "both", Allowed: []string{"both", "skip", "noise"}, Doc: "paper/PROTOCOL.md choice 9: p drives noise and skip (paper), or only one of them (ablations)", Archs: feedForward},
		{Name: OptGranularity, Default: "example", Allowed: []string{"example", "batch"}, Doc: "paper/PROTOCOL.md choice 8: draw ξ and π per example and unit, or once per unit per minibatch"},
		{Name: OptSkip, Default: "auto", Allowed: []string{"auto", "pad", "project"}, Doc: "paper/PROTOCOL.md choice 11: skip path when widths differ: zero-pad/truncate (pad), a learned linear projection (project), or pad unless the layer narrows (auto)", Archs: feedForward},
	}, lstmOptions()...)
}

// Build implements experiment.Config for MLPs: every hidden layer is mollified,
// the output layer is not (paper Sec. 2.4). LSTMs get Eq. 28 gates
// (see BuildLSTM).
func (Config) Build(a experiment.Arch, h experiment.Hyper, o experiment.Options, env experiment.Env) (*experiment.Model, error) {
	if err := h.AtLeast(0, HypC); err != nil {
		return nil, fmt.Errorf("mollified: %w (a noise scale)", err)
	}
	switch a := a.(type) {
	case *experiment.ConvNet:
		return buildConv(a, h, o, env)
	case *experiment.LSTM:
		return buildLSTM(a, h, o, env)
	}
	m, ok := a.(*experiment.MLP)
	if !ok {
		return nil, experiment.ErrNotApplicable
	}
	net, layers, err := BuildMLP[float32](m, h, o, env.Seed)
	return scheduledMLP(net, layers, err, h, o, env)
}

// scheduledMLP is the model of an MLP builder's result: the network with
// the Eq. 29 schedule over its mollified layers, or the builder's error.
func scheduledMLP(net *nn.Sequential[float32], layers []*Layer[float32], err error, h experiment.Hyper, o experiment.Options, env experiment.Env) (*experiment.Model, error) {
	if err != nil {
		return nil, err
	}
	targets := make([]Target, len(layers))
	for i, l := range layers {
		targets[i] = l
	}
	return scheduled(net, targets, h, o, env)
}

// scheduled returns net with the Eq. 29 schedule over targets, k
// calibrated from anneal_frac: the model of every architecture.
func scheduled(net nn.Layer[float32], targets []Target, h experiment.Hyper, o experiment.Options, env experiment.Env) (*experiment.Model, error) {
	s, k, err := newSchedule(h, o, env, targets)
	if err != nil {
		return nil, err
	}
	return &experiment.Model{Net: net, Hooks: []any{s, kTrace(k)}}, nil
}

// newSchedule is the Eq. 29 schedule over targets with the configuration's
// hyper-parameters, k calibrated from anneal_frac.
func newSchedule(h experiment.Hyper, o experiment.Options, env experiment.Env, targets []Target) (*Schedule, float64, error) {
	L := len(targets)
	v0 := env.InitialLoss
	if v0 <= 0 {
		return nil, 0, fmt.Errorf("mollified: initial loss %v must be positive", v0)
	}
	delta := h.Get(HypDelta)
	if o.Get(OptDeltaOn) == "layers" {
		delta *= float64(L)
	}
	if delta <= 0 || delta >= float64(L) {
		return nil, 0, fmt.Errorf("mollified: %s = %v (%s=%s) gives δ = %v, want 0 < δ < L = %d", HypDelta, h.Get(HypDelta), OptDeltaOn, o.Get(OptDeltaOn), delta, L)
	}
	var k float64
	if kappa, ok := h[HypKappa]; ok {
		if !(kappa > 0) {
			return nil, 0, fmt.Errorf("mollified: %s = %v, want > 0", HypKappa, kappa)
		}
		k = kappa * float64(env.Updates)
	} else {
		tStop := h.Get(HypAnneal) * float64(env.Updates)
		if tStop < 1 {
			return nil, 0, fmt.Errorf("mollified: %s = %v of %d updates is less than one update", HypAnneal, h.Get(HypAnneal), env.Updates)
		}
		k = CalibrateK(tStop, L, delta, v0)
	}
	stop := map[string]StopMode{"zero": StopZero, "freeze": StopFreeze, "never": StopNever}[o.Get(OptStop)]
	return NewSchedule(k, h.Get(HypEMA), delta, v0, stop, targets), k, nil
}

// kTrace records the k the hyper-parameters resolved to.
type kTrace float64

func (k kTrace) Trace(add func(string, float64)) { add("k", float64(k)) }

// BuildMLP builds the mollified network in any precision and returns it with
// its mollified layers, lowest first.
func BuildMLP[T nn.Float](m *experiment.MLP, h experiment.Hyper, o experiment.Options, seed uint64) (*nn.Sequential[T], []*Layer[T], error) {
	return buildMLP(m, h, o, seed, func(l *Layer[T], in, w int, proj func() *nn.Dense[T]) nn.Layer[T] {
		if skip := o.Get(OptSkip); skip == "project" || (skip == "auto" && in > w) {
			l.Proj = proj()
		}
		return l
	})
}

// buildMLP assembles a mollified MLP: one mollified layer per hidden layer,
// configured by the options, placed in the network by place (which may
// give the layer a skip projection, drawn by proj, or wrap it), and a
// plain output layer. The dense weights draw from "init" in the order of
// every configuration; projections draw from "init/skip".
func buildMLP[T nn.Float](m *experiment.MLP, h experiment.Hyper, o experiment.Options, seed uint64, place func(l *Layer[T], in, w int, proj func() *nn.Dense[T]) nn.Layer[T]) (*nn.Sequential[T], []*Layer[T], error) {
	if len(m.Hidden) == 0 {
		return nil, nil, fmt.Errorf("mollified: the MLP has no hidden layer to mollify")
	}
	initRnd := rng.New(seed, "init")
	projRnd := rng.New(seed, "init/skip") // apart, so the dense weights match the other configurations
	parts := map[string]Parts{"both": Both, "skip": SkipOnly, "noise": NoiseOnly}[o.Get(OptParts)]
	eval := map[string]EvalMode{"p0": EvalP0, "expect": EvalExpect}[o.Get(OptEval)]
	var seq []nn.Layer[T]
	var layers []*Layer[T]
	in := m.In
	for i, w := range m.Hidden {
		name := fmt.Sprintf("h%d", i+1)
		l := NewLayer[T](name, in, w, m.Act, h.Get(HypC), m.Init, initRnd, rng.NewNoise(seed, "noise/"+name))
		l.Parts, l.Eval = parts, eval
		l.PerBatch = o.Get(OptGranularity) == "batch"
		if o.Get(OptA) == "learned" {
			l.LearnA(1)
		}
		proj := func() *nn.Dense[T] { return nn.NewDense[T](name+".skip", in, w, m.Init, projRnd) }
		seq = append(seq, place(l, in, w, proj))
		layers = append(layers, l)
		in = w
	}
	seq = append(seq, nn.NewDense[T]("out", in, m.Out, m.Init, initRnd))
	net := nn.NewSequential(seq...)
	net.SkipInputGrad()
	return net, layers, nil
}
