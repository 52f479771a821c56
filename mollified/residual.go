package mollified

import (
	"fmt"
	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
)

// ResidualConfig is the "mollified-res" configuration: the mollified MLP
// with the residual path of the residual baseline. Hidden layer l is the
// block h + B_l(h), where B_l is a mollified [Layer] whose skip path carries
// zeros (ZeroSkip): a unit that skips contributes nothing to the branch, so
// the block is the identity at p = 1, h + (1−p)·f(Wh + b) in expectation,
// and the residual block h + f(Wh + b) at p = 0, the network it anneals to.
// A block that narrows projects its shortcut, as the residual baseline
// does. It shares the mollified configuration's space, options and
// schedule; only MLPs have it (its plain-path sibling is [Config]).
//
// It exists because the mollified network is compared with residual+BN:
// with it, the report can tell what the residual path gives from what
// mollification gives. Unlike the residual baseline it has no batch norm,
// so that at p = 0 it is the residual network without any other change.
type ResidualConfig struct{}

var _ experiment.Config = ResidualConfig{}

// Name implements experiment.Config.
func (ResidualConfig) Name() string { return "mollified-res" }

// Summary implements experiment.Config.
func (ResidualConfig) Summary() string {
	return "mollified residual MLP: blocks h + B(h), B a mollified layer whose skipped units give 0 (identity at p = 1, residual net at p = 0)"
}

// Space implements experiment.Config: the mollified configuration's.
func (ResidualConfig) Space(p experiment.Profile, a experiment.Arch) []experiment.Axis {
	if _, ok := a.(*experiment.MLP); !ok {
		return nil
	}
	return Config{}.Space(p, a)
}

// Options implements experiment.Config: the mollified configuration's MLP
// options but skip (the shortcut is the residual one).
func (ResidualConfig) Options() []experiment.Option {
	var out []experiment.Option
	for _, o := range (Config{}).Options() {
		switch o.Name {
		case OptSkip, OptLSTMGates, OptLSTMCandidate, OptLSTMTime:
			continue
		}
		out = append(out, o)
	}
	return out
}

// Build implements experiment.Config.
func (ResidualConfig) Build(a experiment.Arch, h experiment.Hyper, o experiment.Options, env experiment.Env) (*experiment.Model, error) {
	m, ok := a.(*experiment.MLP)
	if !ok {
		return nil, experiment.ErrNotApplicable
	}
	if err := h.AtLeast(0, HypC); err != nil {
		return nil, fmt.Errorf("mollified-res: %w (a noise scale)", err)
	}
	net, layers, err := BuildResidualMLP[float32](m, h, o, env.Seed)
	return scheduledMLP(net, layers, err, h, o, env)
}

// BuildResidualMLP builds the mollified residual network in any precision
// and returns it with its mollified layers, lowest first. The dense weights
// are those of every other configuration for the same seed; the shortcut
// projections draw from "init/skip", as the residual baseline's do.
func BuildResidualMLP[T nn.Float](m *experiment.MLP, h experiment.Hyper, o experiment.Options, seed uint64) (*nn.Sequential[T], []*Layer[T], error) {
	return buildMLP(m, h, o, seed, func(l *Layer[T], in, w int, proj func() *nn.Dense[T]) nn.Layer[T] {
		l.ZeroSkip = true
		res := nn.NewResidual[T](l, in, w)
		if in > w {
			// Truncating the shortcut would drop inputs: project.
			res.Proj = proj()
		}
		return res
	})
}
