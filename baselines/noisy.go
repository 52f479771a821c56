package baselines

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/rng"
)

// HalfNormalMean is the test-time stand-in for |ξ| in the authors' code
// (0.797 ≈ E|ξ| = sqrt(2/π) = 0.79788...). The code's constant is kept.
const HalfNormalMean = 0.797

// NAN is a noisy activation with noise added to the output and a learned
// slope p (Noisy Activation Functions, Alg. 1; the authors' NSigmoidP and
// NTanhP), in the sign convention of their code:
//
//	Δ     = h(x) − u(x)
//	scale = c·(sigmoid(p·Δ) − 0.5)², negated when half-normal and α > 1
//	φ     = α·h(x) + (1−α)·u(x) − sgn(x)·scale·ξ
//
// with h the hard-saturating function and u its linear part. Inside the
// linear region Δ = 0 and the unit is exactly u.
type NAN struct {
	// Kind is nn.HardSigmoid or nn.HardTanh.
	Kind       nn.Kind
	Alpha, C   float64
	HalfNormal bool
	// Clip applies hard-tanh to the output, as NTanhP always did in the
	// code of the paper's period (commit 2373ffb).
	Clip bool
}

// NSigmoidP returns the authors' noisy hard-sigmoid defaults: α = 1.1,
// c = 0.15, half-normal noise.
func NSigmoidP() NAN { return NAN{Kind: nn.HardSigmoid, Alpha: 1.1, C: 0.15, HalfNormal: true} }

// NTanhP returns the authors' noisy hard-tanh defaults: α = 1.15, c = 0.5,
// normal noise, output clipped.
func NTanhP() NAN { return NAN{Kind: nn.HardTanh, Alpha: 1.15, C: 0.5, Clip: true} }

// Eval returns φ and its derivatives with respect to x and p, ξ fixed.
func (n NAN) Eval(x, p, xi float64) (phi, dx, dp float64) {
	slope, u0 := n.Kind.Linear()
	h := n.Kind.F(x)
	dh := n.Kind.D(x, h)
	lin := slope*x + u0
	delta := h - lin
	sg := nn.SigmoidF(p * delta)
	g := sg - 0.5
	sgnScale := 1.0
	if n.HalfNormal && n.Alpha > 1 {
		sgnScale = -1
	}
	scale := sgnScale * n.C * g * g
	dscale := sgnScale * 2 * n.C * g * sg * (1 - sg) // ∂scale/∂(pΔ)
	sx := 0.0
	switch {
	case x > 0:
		sx = 1
	case x < 0:
		sx = -1
	}
	phi = n.Alpha*h + (1-n.Alpha)*lin - sx*scale*xi
	dx = n.Alpha*dh + (1-n.Alpha)*slope - sx*xi*dscale*p*(dh-slope)
	dp = -sx * xi * dscale * delta
	if n.Clip {
		if phi >= 1 || phi <= -1 {
			dx, dp = 0, 0
		}
		phi = max(min(phi, 1), -1)
	}
	return phi, dx, dp
}

// NoisyAct applies a [NAN] element-wise with one learned p per unit.
type NoisyAct[T nn.Float] struct {
	Unit NAN
	P    *nn.Param[T]

	rnd     *rng.Noise
	dx, dp  nn.Mat[T]
	out, gx nn.Mat[T]
	xi32    []float32
}

// NewNoisyAct returns the layer for width units with p drawn from U(−1, 1),
// as the authors' NTM controller initialises it.
func NewNoisyAct[T nn.Float](name string, width int, unit NAN, initRnd *rand.Rand, noiseRnd *rng.Noise) *NoisyAct[T] {
	p := nn.NewParam[T](name+".p", 1, width)
	p.NoDecay = true
	for j := range p.Value {
		p.Value[j] = T(2*initRnd.Float64() - 1)
	}
	return &NoisyAct[T]{Unit: unit, P: p, rnd: noiseRnd}
}

// SetRand replaces the noise stream (gradient checks hold the noise fixed).
func (l *NoisyAct[T]) SetRand(r *rng.Noise) { l.rnd = r }

// Forward implements nn.Layer. Training draws ξ per element; evaluation uses
// its expectation (0, or 0.797 for half-normal noise).
func (l *NoisyAct[T]) Forward(x *nn.Mat[T], train bool) *nn.Mat[T] {
	if x.Cols != len(l.P.Value) {
		panic(fmt.Sprintf("baselines: noisy layer of %d units got a %v batch", len(l.P.Value), x))
	}
	out := l.out.Reshape(x.Rows, x.Cols)
	dx := l.dx.Reshape(x.Rows, x.Cols)
	dp := l.dp.Reshape(x.Rows, x.Cols)
	xiTest := 0.0
	if l.Unit.HalfNormal {
		xiTest = HalfNormalMean
	}
	if l.forward32(x, out, dx, dp, train, xiTest) {
		return out
	}
	for i := range x.Rows {
		xr, or, dxr, dpr := x.Row(i), out.Row(i), dx.Row(i), dp.Row(i)
		for j, v := range xr {
			xi := xiTest
			if train {
				xi = l.rnd.NormFloat64()
				if l.Unit.HalfNormal {
					xi = math.Abs(xi)
				}
			}
			phi, a, b := l.Unit.Eval(float64(v), float64(l.P.Value[j]), xi)
			or[j], dxr[j], dpr[j] = T(phi), T(a), T(b)
		}
	}
	return out
}

// Backward implements nn.Layer.
func (l *NoisyAct[T]) Backward(dy *nn.Mat[T]) *nn.Mat[T] {
	gx := l.gx.Reshape(dy.Rows, dy.Cols)
	gp := l.P.Grad
	for i := range dy.Rows {
		dr, xr, pr, gr := dy.Row(i), l.dx.Row(i), l.dp.Row(i), gx.Row(i)
		for j, g := range dr {
			gr[j] = g * xr[j]
			gp[j] += g * pr[j]
		}
	}
	return gx
}

// Params implements nn.Layer.
func (l *NoisyAct[T]) Params() []*nn.Param[T] { return []*nn.Param[T]{l.P} }

// Noisy is the noisy-activation configuration: each hidden non-linearity is
// replaced by the authors' noisy hard version with learned p (NSigmoidP for
// sigmoid networks, NTanhP for tanh networks).
type Noisy struct{}

var _ experiment.Config = Noisy{}

// Name implements experiment.Config.
func (Noisy) Name() string { return "noisy" }

// Summary implements experiment.Config.
func (Noisy) Summary() string {
	return "noisy activation functions (Gulcehre et al. 2016), learned p per unit, authors' constants"
}

// Space implements experiment.Config: the authors' constants are kept; only the
// learning rate is tuned.
func (Noisy) Space(experiment.Profile, experiment.Arch) []experiment.Axis { return nil }

// Options implements experiment.Config.
func (Noisy) Options() []experiment.Option { return nil }

// NANFor returns the authors' noisy unit for a network's activation.
func NANFor(kind nn.Kind) (NAN, bool) {
	switch kind {
	case nn.Sigmoid, nn.HardSigmoid:
		return NSigmoidP(), true
	case nn.Tanh, nn.HardTanh:
		return NTanhP(), true
	}
	return NAN{}, false
}

// Build implements experiment.Config.
func (Noisy) Build(a experiment.Arch, _ experiment.Hyper, _ experiment.Options, env experiment.Env) (*experiment.Model, error) {
	if a, ok := a.(*experiment.LSTM); ok {
		return buildNoisyLSTM(a, env)
	}
	m, ok := a.(*experiment.MLP)
	if !ok {
		return nil, experiment.ErrNotApplicable
	}
	net, err := BuildNoisyMLP[float32](m, env.Seed)
	if err != nil {
		return nil, err
	}
	return &experiment.Model{Net: net}, nil
}

// BuildNoisyMLP builds the noisy network in any precision. The p vectors are
// drawn from their own stream, so the dense weights equal the baseline's.
func BuildNoisyMLP[T nn.Float](m *experiment.MLP, seed uint64) (*nn.Sequential[T], error) {
	unit, ok := NANFor(m.Act)
	if !ok {
		return nil, experiment.ErrNotApplicable
	}
	pRnd := rng.New(seed, "init/noisy-p")
	return buildMLP(m, seed, false, func(i, w int) nn.Layer[T] {
		name := fmt.Sprintf("h%d", i+1)
		return NewNoisyAct[T](name, w, unit, pRnd, rng.NewNoise(seed, "noise/"+name))
	})
}
