package baselines

import (
	"fmt"
	"math"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/rng"
)

// GradNoise is annealed Gaussian gradient noise (Neelakantan et al. 2015):
// the plain network, with N(0, σ_t²) noise added to every gradient entry
// of update t, σ_t² = η/(1 + t)^γ, γ = 0.55, η tuned. The whole
// configuration is this file and one line of harness/registry.go.
//
// The noise is added when the training loop restores the network after
// the backward pass (experiment.Perturber), so before gradient clipping;
// the suite's MLP tasks do not clip.
type GradNoise struct{}

var _ experiment.Config = GradNoise{}

// Hyper-parameter and constant of the configuration.
const (
	HypEta         = "eta"
	gradNoiseGamma = 0.55
)

// Name implements experiment.Config.
func (GradNoise) Name() string { return "gradnoise" }

// Summary implements experiment.Config.
func (GradNoise) Summary() string {
	return "annealed Gaussian gradient noise (Neelakantan et al. 2015): σ_t² = η/(1+t)^0.55 on every gradient entry"
}

// Space implements experiment.Config: η ∈ {0.01, 0.3, 1} (the values the
// authors tried) in the paper profile, 0.01 in quick.
func (GradNoise) Space(p experiment.Profile, _ experiment.Arch) []experiment.Axis {
	eta := []float64{0.01}
	if !p.OnePoint {
		eta = []float64{0.01, 0.3, 1}
	}
	return []experiment.Axis{{Name: HypEta, Values: eta, Doc: "gradient-noise variance at t = 0, decaying as 1/(1+t)^0.55"}}
}

// Options implements experiment.Config.
func (GradNoise) Options() []experiment.Option { return nil }

// Build implements experiment.Config: the plain network of a, plus the
// noise hook on all its parameters.
func (GradNoise) Build(a experiment.Arch, h experiment.Hyper, o experiment.Options, env experiment.Env) (*experiment.Model, error) {
	if err := h.AtLeast(0, HypEta); err != nil {
		return nil, fmt.Errorf("gradnoise: %w (a variance)", err)
	}
	m, err := Baseline{}.Build(a, h, o, env)
	if err != nil {
		return nil, err
	}
	g := &gradNoise{eta: h.Get(HypEta), params: m.Net.Params(), rnd: rng.NewNoise(env.Seed, "gradnoise")}
	m.Hooks = append(m.Hooks, g)
	return m, nil
}

// gradNoise is the hook of [GradNoise].
type gradNoise struct {
	eta    float64
	params []*nn.Param[float32]
	rnd    *rng.Noise
	t      int
	buf    [1024]float32
}

// Perturb implements experiment.Perturber: it notes the update.
func (g *gradNoise) Perturb(t int) { g.t = t }

// Restore implements experiment.Perturber: the gradients of the update are
// complete; add the noise.
func (g *gradNoise) Restore() {
	sigma := float32(g.sigma())
	for _, p := range g.params {
		for lo := 0; lo < len(p.Grad); lo += len(g.buf) {
			chunk := g.buf[:min(len(g.buf), len(p.Grad)-lo)]
			g.rnd.FillNorm32(chunk, false)
			for i, e := range chunk {
				p.Grad[lo+i] += sigma * e
			}
		}
	}
}

// Trace implements experiment.Tracer: σ_t of the last update.
func (g *gradNoise) Trace(add func(string, float64)) {
	add("grad_noise_sigma", g.sigma())
}

// sigma is σ_t of the last update: √(η/(1+t)^γ).
func (g *gradNoise) sigma() float64 {
	return math.Sqrt(g.eta / math.Pow(1+float64(g.t), gradNoiseGamma))
}
