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
	// HypDelta is the stop threshold as a fraction of the number of
	// mollified layers: δ = delta·L.
	HypDelta = "delta"
	// HypEMA is the moving-average decay of the loss v_t.
	HypEMA = "ema"
)

// Space implements experiment.Config. The quick profile keeps the paper.md §5
// defaults; the paper profile tunes c and the annealing speed.
func (Config) Space(profile string, a experiment.Arch) []experiment.Axis {
	switch a.(type) {
	case *experiment.ConvNet:
		return convSpace()
	case *experiment.LSTM:
		return lstmSpace(profile)
	}
	c := []float64{0.5}
	frac := []float64{0.5}
	if profile == "paper" {
		c = []float64{0.15, 0.5}
		frac = []float64{0.25, 0.5, 0.75}
	}
	return []experiment.Axis{
		{Name: HypC, Values: c, Doc: "noise scale c (Alg. 1 line 5); authors' noisy-unit defaults are 0.15 (sigmoid) and 0.5 (tanh)"},
		{Name: HypAnneal, Values: frac, Doc: "k of Eq. 29 such that annealing would stop after this fraction of the updates at constant loss v0"},
		{Name: HypDelta, Values: []float64{0.05}, Doc: "stop when Σ_l p^l < delta·L (paper.md §5 #4)"},
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
	OptFStar       = "fstar"
	OptSkip        = "skip"
)

// Options implements experiment.Config: one per ambiguity of paper.md §5 that
// touches the unit or the schedule.
func (Config) Options() []experiment.Option {
	return append([]experiment.Option{
		{Name: OptEval, Default: "p0", Allowed: []string{"p0", "expect"}, Doc: "§5 #10: evaluate the original network (p = 0), or the skip expectation p·h_prev + (1−p)·f at the current p"},
		{Name: OptStop, Default: "zero", Allowed: []string{"zero", "freeze", "never"}, Doc: "§5 #5: when Σ p^l < δ, set p = 0 for good, freeze p, or keep following Eq. 29"},
		{Name: OptA, Default: "fixed", Allowed: []string{"fixed", "learned"}, Doc: "§5 #2: a of Alg. 1 line 3 fixed at 1, or learned per unit from 1"},
		{Name: OptParts, Default: "both", Allowed: []string{"both", "skip", "noise"}, Doc: "§5 #9: p drives noise and skip (paper), or only one of them (ablations)"},
		{Name: OptGranularity, Default: "example", Allowed: []string{"example", "batch"}, Doc: "§5 #8: draw ξ and π per example and unit, or once per unit per minibatch"},
		{Name: OptFStar, Default: "f-minus-u0", Allowed: []string{"f-minus-u0"}, Doc: "§5 #1: f* = f − u(0), the only reading for which Alg. 1 line 6 gives f at zero noise"},
		{Name: OptSkip, Default: "auto", Allowed: []string{"auto", "pad", "project"}, Doc: "§5 #11: skip path when widths differ: zero-pad/truncate (pad), a learned linear projection (project), or pad unless the layer narrows (auto)"},
	}, lstmOptions()...)
}

// Build implements experiment.Config for MLPs: every hidden layer is mollified,
// the output layer is not (paper Sec. 2.4). LSTMs get Eq. 28 gates
// (see BuildLSTM).
func (Config) Build(a experiment.Arch, h experiment.Hyper, o experiment.Options, env experiment.Env) (*experiment.Model, error) {
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
	delta := h.Get(HypDelta) * float64(L)
	tStop := h.Get(HypAnneal) * float64(env.Updates)
	switch {
	case tStop < 1:
		return nil, 0, fmt.Errorf("mollified: %s = %v of %d updates is less than one update", HypAnneal, h.Get(HypAnneal), env.Updates)
	case delta <= 0 || delta >= float64(L):
		return nil, 0, fmt.Errorf("mollified: %s = %v, want a fraction in (0, 1)", HypDelta, h.Get(HypDelta))
	}
	k := CalibrateK(tStop, L, delta, v0)
	stop := map[string]StopMode{"zero": StopZero, "freeze": StopFreeze, "never": StopNever}[o.Get(OptStop)]
	return NewSchedule(k, h.Get(HypEMA), delta, v0, stop, targets), k, nil
}

// kTrace records the k that anneal_frac resolved to.
type kTrace float64

func (k kTrace) Trace(add func(string, float64)) { add("k", float64(k)) }

// BuildMLP builds the mollified network in any precision and returns it with
// its mollified layers, lowest first.
func BuildMLP[T nn.Float](m *experiment.MLP, h experiment.Hyper, o experiment.Options, seed uint64) (*nn.Sequential[T], []*Layer[T], error) {
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
		if skip := o.Get(OptSkip); skip == "project" || (skip == "auto" && in > w) {
			l.Proj = nn.NewDense[T](name+".skip", in, w, m.Init, projRnd)
		}
		seq = append(seq, l)
		layers = append(layers, l)
		in = w
	}
	seq = append(seq, nn.NewDense[T]("out", in, m.Out, m.Init, initRnd))
	net := nn.NewSequential(seq...)
	net.SkipInputGrad()
	return net, layers, nil
}
