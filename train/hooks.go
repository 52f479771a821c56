package train

import (
	"maps"
	"math"
	"slices"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
)

// Hooks sorts a model's hooks by the points of an update at which a
// training loop calls them (see the package documentation).
type Hooks struct {
	Starters   []experiment.StepStarter
	Perturbers []experiment.Perturber
	Observers  []experiment.LossObserver
	Tracers    []experiment.Tracer
	Originals  []experiment.Originaler
}

// CollectHooks returns the hooks of m.
func CollectHooks(m *experiment.Model) *Hooks {
	h := &Hooks{}
	for _, v := range m.Hooks {
		if s, ok := v.(experiment.StepStarter); ok {
			h.Starters = append(h.Starters, s)
		}
		if s, ok := v.(experiment.Perturber); ok {
			h.Perturbers = append(h.Perturbers, s)
		}
		if s, ok := v.(experiment.LossObserver); ok {
			h.Observers = append(h.Observers, s)
		}
		if s, ok := v.(experiment.Tracer); ok {
			h.Tracers = append(h.Tracers, s)
		}
		if s, ok := v.(experiment.Originaler); ok {
			h.Originals = append(h.Originals, s)
		}
	}
	return h
}

// Start calls every StepStarter for update t.
func (h *Hooks) Start(t int) {
	for _, s := range h.Starters {
		s.StartStep(t)
	}
}

// Perturb calls every Perturber's Perturb for update t.
func (h *Hooks) Perturb(t int) {
	for _, s := range h.Perturbers {
		s.Perturb(t)
	}
}

// Restore undoes the perturbations, last first.
func (h *Hooks) Restore() {
	for i := len(h.Perturbers) - 1; i >= 0; i-- {
		h.Perturbers[i].Restore()
	}
}

// Observe gives every LossObserver the training loss of update t.
func (h *Hooks) Observe(t int, loss float64) {
	for _, s := range h.Observers {
		s.ObserveLoss(t, loss)
	}
}

// Trace adds every Tracer's values to v.
func (h *Hooks) Trace(v experiment.Values) {
	for _, s := range h.Tracers {
		s.Trace(func(name string, x float64) { v[name] = experiment.Num(x) })
	}
}

// Evaluate fills v at an evaluation point: measure(v, "") measures the
// network being trained, writing its values under their names; when the
// model has an [experiment.Originaler], measure(v, OriginalSuffix) then
// measures the original network (p = 0) under the suffixed names, or, when
// the two networks are the same (annealing over), the values are copied.
func (h *Hooks) Evaluate(v experiment.Values, measure func(v experiment.Values, suffix string)) {
	if len(h.Originals) == 0 {
		measure(v, "")
		return
	}
	before := maps.Clone(v)
	measure(v, "")
	differs := false
	for _, o := range h.Originals {
		differs = o.UseOriginal(true) || differs
	}
	if differs {
		measure(v, experiment.OriginalSuffix)
	} else {
		for _, k := range slices.Collect(maps.Keys(v)) {
			if _, had := before[k]; !had {
				v[k+experiment.OriginalSuffix] = v[k]
			}
		}
	}
	for _, o := range h.Originals {
		o.UseOriginal(false)
	}
}

// Headline is the suffix of the values that stand for a run's result: the
// original network's when the model has one apart (the network a method
// delivers once annealing is over), else the plain names ("").
func (h *Hooks) Headline() string {
	if len(h.Originals) > 0 {
		return experiment.OriginalSuffix
	}
	return ""
}

// finite reports whether a loss is a number and not infinite.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// StepFrom returns one update of m per call, numbered first, first+1, ...,
// each made by [Hooks.Update] with m's hooks: the timed step of a task
// whose loop is its own (train.Stepper). It returns the minibatch loss.
func StepFrom(m *experiment.Model, first int, clip float64, opt nn.Optimizer[float32], lr float64, fb func() float64) func() float64 {
	hooks, params := CollectHooks(m), m.Net.Params()
	t := first - 1
	return func() float64 {
		t++
		loss, _ := hooks.Update(t, params, clip, opt, lr, fb)
		return loss
	}
}

// Update makes update t of a training loop, in the order the package
// documentation gives: the StepStarter hooks, zeroed gradients, the
// perturbation, fb (the forward and backward pass, which returns the
// loss), the restoration, then — unless the loss is NaN or infinite, which
// Update reports with ok = false and no step — gradient-norm clipping, the
// optimiser's step with learning rate lr, and the LossObserver hooks.
func (h *Hooks) Update(t int, params []*nn.Param[float32], clip float64, opt nn.Optimizer[float32], lr float64, fb func() float64) (loss float64, ok bool) {
	h.Start(t)
	nn.ZeroGrad(params)
	h.Perturb(t)
	loss = fb()
	h.Restore()
	if !finite(loss) {
		return loss, false
	}
	nn.ClipGradNorm(params, clip)
	opt.Step(params, lr)
	h.Observe(t, loss)
	return loss, true
}
