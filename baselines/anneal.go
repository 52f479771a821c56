package baselines

import (
	"fmt"
	"strings"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/rng"
)

// WeightNoise is annealed Gaussian weight noise. At update t every weight
// matrix W is replaced by W + σ_t·ε, ε ~ N(0, I), for the forward and
// backward pass; the gradient, taken at the perturbed point, is then applied
// to the clean weights. This is a one-sample Monte-Carlo estimate of the
// gradient of the Gaussian-mollified loss (paper Eqs. 13, 16), and annealing
// σ_t to 0 recovers the original loss (Eq. 14).
//
// σ_t = σ0·max(0, 1 − t/(frac·updates)): linear decay to zero over the first
// frac of training, then none.
type WeightNoise[T nn.Float] struct {
	Sigma0  float64
	Frac    float64
	Updates int
	Weights []*nn.Param[T]

	rnd    *rng.Noise
	saved  [][]T
	active bool
	sigma  float64
	eps    [1024]float64 // one chunk of ε, drawn by FillNorm64
}

// NewWeightNoise perturbs the given weight matrices with noise from r.
func NewWeightNoise[T nn.Float](sigma0, frac float64, updates int, weights []*nn.Param[T], r *rng.Noise) *WeightNoise[T] {
	w := &WeightNoise[T]{Sigma0: sigma0, Frac: frac, Updates: updates, Weights: weights, rnd: r}
	w.saved = make([][]T, len(weights))
	for i, p := range weights {
		w.saved[i] = make([]T, len(p.Value))
	}
	return w
}

// Sigma returns σ_t.
func (w *WeightNoise[T]) Sigma(t int) float64 {
	end := w.Frac * float64(w.Updates)
	if end <= 0 {
		return 0
	}
	return w.Sigma0 * max(0, 1-float64(t)/end)
}

// Perturb implements experiment.Perturber.
func (w *WeightNoise[T]) Perturb(t int) {
	w.sigma = w.Sigma(t)
	w.active = w.sigma > 0
	if !w.active {
		return
	}
	s := w.sigma
	buf := w.eps[:]
	for i, p := range w.Weights {
		copy(w.saved[i], p.Value)
		v := p.Value
		for len(v) > 0 {
			e := buf[:min(len(v), len(buf))]
			w.rnd.FillNorm64(e, false)
			for j, x := range e {
				v[j] += T(s * x)
			}
			v = v[len(e):]
		}
	}
}

// Restore implements experiment.Perturber.
func (w *WeightNoise[T]) Restore() {
	if !w.active {
		return
	}
	for i, p := range w.Weights {
		copy(p.Value, w.saved[i])
	}
	w.active = false
}

// Trace implements experiment.Tracer.
func (w *WeightNoise[T]) Trace(add func(string, float64)) { add("sigma", w.sigma) }

// Anneal is the simulated-annealing configuration: the plain network trained
// under annealed Gaussian weight noise.
type Anneal struct{}

var _ experiment.Config = Anneal{}

// Name implements experiment.Config.
func (Anneal) Name() string { return "anneal" }

// Summary implements experiment.Config.
func (Anneal) Summary() string {
	return "annealed Gaussian weight noise: Monte-Carlo Gaussian mollifier (Eqs. 13, 16), std linearly to 0"
}

// Hyper-parameter names of Anneal.
const (
	HypSigma0 = "sigma0"
	HypFrac   = "anneal_frac"
)

// Space implements experiment.Config. σ0 = 0.075 is the weight-noise std of
// Graves et al. (2013); the paper profile also tries a third and thrice it.
func (Anneal) Space(p experiment.Profile, a experiment.Arch) []experiment.Axis {
	if _, ok := a.(*experiment.ConvNet); ok {
		return convAnnealSpace()
	}
	sigma := []float64{0.075}
	if !p.OnePoint {
		sigma = []float64{0.025, 0.075, 0.225}
	}
	return []experiment.Axis{
		{Name: HypSigma0, Values: sigma, Doc: "initial weight-noise std σ0"},
		{Name: HypFrac, Values: []float64{0.5}, Doc: "σ reaches 0 after this fraction of the updates"},
	}
}

// Options implements experiment.Config.
func (Anneal) Options() []experiment.Option { return nil }

// Build implements experiment.Config.
func (Anneal) Build(a experiment.Arch, h experiment.Hyper, _ experiment.Options, env experiment.Env) (*experiment.Model, error) {
	if err := h.AtLeast(0, HypSigma0); err != nil {
		return nil, fmt.Errorf("anneal: %w (a standard deviation)", err)
	}
	if f, ok := h[HypFrac]; ok && !(f > 0 && f <= 1) {
		return nil, fmt.Errorf("anneal: %s = %v, want a fraction of training in (0, 1]", HypFrac, f)
	}
	if a, ok := a.(*experiment.LSTM); ok {
		return buildAnnealLSTM(a, h, env)
	}
	// The plain MLP or ResNet, under annealed Gaussian noise on its dense
	// and convolution weights (not biases or batch-norm parameters).
	plain, err := Baseline{}.Build(a, nil, nil, env)
	if err != nil {
		return nil, err
	}
	var weights []*nn.Param[float32]
	for _, p := range plain.Net.Params() {
		if strings.HasSuffix(p.Name, ".W") {
			weights = append(weights, p)
		}
	}
	wn := NewWeightNoise(h.Get(HypSigma0), h.Get(HypFrac), env.Updates, weights, rng.NewNoise(env.Seed, "noise/weights"))
	return &experiment.Model{Net: plain.Net, Hooks: []any{wn}}, nil
}
