package baselines

import (
	"math"
	"math/rand/v2"
	"strings"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/rng"
)

// BuildLSTM builds the network of a in any precision with the given gates
// (nil for the plain LSTM). The weights come from the run's "init" stream
// in the order of nn.NewLSTMNet, so every configuration starts from the
// same weights.
func BuildLSTM[T nn.Float](a *experiment.LSTM, seed uint64, gates nn.GateMaker[T]) (*nn.LSTMNet[T], error) {
	return nn.NewLSTMNet(a.LSTMNetSpec, gates, rng.New(seed, "init"))
}

// buildPlainLSTM is Baseline.Build for LSTMs.
func buildPlainLSTM(a *experiment.LSTM, env experiment.Env) (*experiment.Model, error) {
	net, err := BuildLSTM[float32](a, env.Seed, nil)
	if err != nil {
		return nil, err
	}
	return &experiment.Model{Net: net}, nil
}

// NoisyGate applies a [NAN] to one part of an LSTM layer, with one learned p
// per unit (Gulcehre et al. 2016; paper/BASELINES.md §2). Training draws ξ per
// element and time step; evaluation uses its expectation.
type NoisyGate[T nn.Float] struct {
	Unit NAN
	P    *nn.Param[T]

	rnd *rng.Noise
	// dp[step] holds ∂φ/∂p per element of that step, Rows×Units.
	dp   [][]T
	xi32 []float32 // the float32 path's draws of one step
}

// NewNoisyGate returns the gate for width units with p drawn from U(−1, 1)
// by initRnd, as the authors' NTM controller initialises it.
func NewNoisyGate[T nn.Float](name string, width int, unit NAN, initRnd *rand.Rand, noiseRnd *rng.Noise) *NoisyGate[T] {
	p := nn.NewParam[T](name+".p", 1, width)
	p.NoDecay = true
	for j := range p.Value {
		p.Value[j] = T(2*initRnd.Float64() - 1)
	}
	return &NoisyGate[T]{Unit: unit, P: p, rnd: noiseRnd}
}

// SetRand replaces the noise stream (gradient checks hold the noise fixed).
func (g *NoisyGate[T]) SetRand(r *rng.Noise) { g.rnd = r }

// Forward implements nn.GateFunc.
func (g *NoisyGate[T]) Forward(a *nn.GateArgs[T]) {
	for len(g.dp) <= a.Step {
		g.dp = append(g.dp, nil)
	}
	n := a.Rows * a.Units
	if cap(g.dp[a.Step]) < n {
		g.dp[a.Step] = make([]T, n)
	}
	dp := g.dp[a.Step][:n]
	g.dp[a.Step] = dp
	xiTest := 0.0
	if g.Unit.HalfNormal {
		xiTest = HalfNormalMean
	}
	if g.forward32(a, dp, xiTest) {
		return
	}
	for r := range a.Rows {
		o := r * a.Stride
		x, y, d := a.X[o:o+a.Units], a.Y[o:o+a.Units], a.D[o:o+a.Units]
		dpr := dp[r*a.Units : (r+1)*a.Units]
		for j, v := range x {
			xi := xiTest
			if a.Train {
				xi = g.rnd.NormFloat64()
				if g.Unit.HalfNormal {
					xi = math.Abs(xi)
				}
			}
			phi, dx, dpj := g.Unit.Eval(float64(v), float64(g.P.Value[j]), xi)
			y[j], d[j], dpr[j] = T(phi), T(dx), T(dpj)
		}
	}
}

// Backward implements nn.GateFunc: dL/dp_j = Σ dL/dφ · ∂φ/∂p_j.
func (g *NoisyGate[T]) Backward(step int, dy []T, rows, units, stride int) {
	dp, gp := g.dp[step], g.P.Grad
	for r := range rows {
		dyr, dpr := dy[r*stride:r*stride+units], dp[r*units:(r+1)*units]
		for j, v := range dyr {
			gp[j] += v * dpr[j]
		}
	}
}

// Params implements nn.GateFunc.
func (g *NoisyGate[T]) Params() []*nn.Param[T] { return []*nn.Param[T]{g.P} }

// NoisyLSTMGates returns the gate maker of the noisy LSTM: NSigmoidP for the
// input, forget and output gates, NTanhP for the candidate and for the cell
// squashing (every non-linearity of the cell is noisy). p comes from the
// "init/noisy-p" stream and ξ from "noise/<layer>.<part>".
func NoisyLSTMGates[T nn.Float](seed uint64) nn.GateMaker[T] {
	pRnd := rng.New(seed, "init/noisy-p")
	return func(name string, _, units int) [nn.NumGates]nn.GateFunc[T] {
		var gs [nn.NumGates]nn.GateFunc[T]
		for k := range nn.NumGates {
			unit := NSigmoidP()
			if k >= nn.GateCandidate {
				unit = NTanhP()
			}
			part := name + "." + nn.GateName(k)
			gs[k] = NewNoisyGate[T](part, units, unit, pRnd, rng.NewNoise(seed, "noise/"+part))
		}
		return gs
	}
}

// buildNoisyLSTM is Noisy.Build for LSTMs.
func buildNoisyLSTM(a *experiment.LSTM, env experiment.Env) (*experiment.Model, error) {
	net, err := BuildLSTM(a, env.Seed, NoisyLSTMGates[float32](env.Seed))
	if err != nil {
		return nil, err
	}
	return &experiment.Model{Net: net}, nil
}

// LSTMWeights returns the weight matrices of an LSTM network (embedding,
// input and recurrent LSTM weights, output layer), not the biases nor the
// noisy units' p.
func LSTMWeights[T nn.Float](net nn.Layer[T]) []*nn.Param[T] {
	var ws []*nn.Param[T]
	for _, p := range net.Params() {
		if strings.HasSuffix(p.Name, ".W") || strings.HasSuffix(p.Name, ".Wx") || strings.HasSuffix(p.Name, ".Wh") {
			ws = append(ws, p)
		}
	}
	return ws
}

// buildAnnealLSTM is Anneal.Build for LSTMs: the plain LSTM under weight
// noise drawn once per update, i.e. once per truncated-BPTT window, shared
// by all its steps (Graves et al. 2013 draw it once per sequence).
func buildAnnealLSTM(a *experiment.LSTM, h experiment.Hyper, env experiment.Env) (*experiment.Model, error) {
	net, err := BuildLSTM[float32](a, env.Seed, nil)
	if err != nil {
		return nil, err
	}
	wn := NewWeightNoise(h.Get(HypSigma0), h.Get(HypFrac), env.Updates, LSTMWeights[float32](net), rng.NewNoise(env.Seed, "noise/weights"))
	return &experiment.Model{Net: net, Hooks: []any{wn}}, nil
}
