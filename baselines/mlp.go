package baselines

import (
	"fmt"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/rng"
)

// hiddenFunc builds the non-linear part that follows hidden layer i's affine
// map (width w): an activation, batch norm plus activation, a noisy unit.
type hiddenFunc[T nn.Float] func(i, w int) nn.Layer[T]

// buildMLP assembles the network shared by the baselines: per hidden layer a
// dense map and then after(i, width); residual wraps each hidden layer in a
// (zero-padded) identity shortcut. The dense layers draw from the "init"
// stream in a fixed order, so every configuration starts from the same
// weights.
func buildMLP[T nn.Float](m *experiment.MLP, seed uint64, residual bool, after hiddenFunc[T]) (*nn.Sequential[T], error) {
	if m.In <= 0 || m.Out <= 0 {
		return nil, fmt.Errorf("baselines: MLP needs positive input and output sizes, got %d and %d", m.In, m.Out)
	}
	r := rng.New(seed, "init")
	projRnd := rng.New(seed, "init/skip") // apart, so the dense weights match the other configurations
	var seq []nn.Layer[T]
	in := m.In
	for i, w := range m.Hidden {
		d := nn.NewDense[T](fmt.Sprintf("h%d", i+1), in, w, m.Init, r)
		f := nn.NewSequential(d, after(i, w))
		if residual {
			res := nn.NewResidual[T](f, in, w)
			if in > w {
				// Truncating the shortcut would drop inputs: project.
				res.Proj = nn.NewDense[T](fmt.Sprintf("h%d.skip", i+1), in, w, m.Init, projRnd)
			}
			seq = append(seq, res)
		} else {
			seq = append(seq, f.Layers...)
		}
		in = w
	}
	seq = append(seq, nn.NewDense[T]("out", in, m.Out, m.Init, r))
	net := nn.NewSequential(seq...)
	net.SkipInputGrad()
	return net, nil
}

// plainAct is the hidden non-linearity of the original network.
func plainAct[T nn.Float](kind nn.Kind) hiddenFunc[T] {
	return func(int, int) nn.Layer[T] { return nn.NewAct[T](kind) }
}

// Baseline is the plain network.
type Baseline struct{}

var _ experiment.Config = Baseline{}

// Name implements experiment.Config.
func (Baseline) Name() string { return "baseline" }

// Summary implements experiment.Config.
func (Baseline) Summary() string { return "the plain network" }

// Space implements experiment.Config: only the task's learning rate is tuned.
func (Baseline) Space(experiment.Profile, experiment.Arch) []experiment.Axis { return nil }

// Options implements experiment.Config.
func (Baseline) Options() []experiment.Option { return nil }

// Build implements experiment.Config.
func (Baseline) Build(a experiment.Arch, _ experiment.Hyper, _ experiment.Options, env experiment.Env) (*experiment.Model, error) {
	switch a := a.(type) {
	case *experiment.ConvNet:
		return buildConvBaseline(a, env)
	case *experiment.LSTM:
		return buildPlainLSTM(a, env)
	}
	m, ok := a.(*experiment.MLP)
	if !ok {
		return nil, experiment.ErrNotApplicable
	}
	net, err := buildMLP(m, env.Seed, false, plainAct[float32](m.Act))
	if err != nil {
		return nil, err
	}
	return &experiment.Model{Net: net}, nil
}

// Residual is the residual network with batch normalisation before each
// non-linearity (paper/PROTOCOL.md choice 17): h_l = pad(h_{l−1}) + f(BN(W h_{l−1} + b)).
type Residual struct{}

var _ experiment.Config = Residual{}

// Name implements experiment.Config.
func (Residual) Name() string { return "residual" }

// Summary implements experiment.Config.
func (Residual) Summary() string {
	return "residual shortcut around every hidden layer, batch norm before the non-linearity"
}

// Space implements experiment.Config.
func (Residual) Space(experiment.Profile, experiment.Arch) []experiment.Axis { return nil }

// Options implements experiment.Config.
func (Residual) Options() []experiment.Option { return nil }

// Build implements experiment.Config.
func (Residual) Build(a experiment.Arch, _ experiment.Hyper, _ experiment.Options, env experiment.Env) (*experiment.Model, error) {
	m, ok := a.(*experiment.MLP)
	if !ok {
		return nil, experiment.ErrNotApplicable
	}
	net, err := BuildResidualMLP[float32](m, env.Seed)
	if err != nil {
		return nil, err
	}
	return &experiment.Model{Net: net}, nil
}

// BuildResidualMLP builds the residual network in any precision.
func BuildResidualMLP[T nn.Float](m *experiment.MLP, seed uint64) (*nn.Sequential[T], error) {
	return buildMLP(m, seed, true, func(i, w int) nn.Layer[T] {
		return nn.NewSequential[T](nn.NewBatchNorm[T](fmt.Sprintf("h%d.bn", i+1), w), nn.NewAct[T](m.Act))
	})
}
