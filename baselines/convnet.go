package baselines

import (
	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/rng"
)

// BuildResNet builds the residual network of a ConvNet architecture in any
// precision, from the run's "init" stream (and "init/skip" for projection
// shortcuts), so that every configuration starts from the same weights.
func BuildResNet[T nn.Float](a *experiment.ConvNet, seed uint64) (*nn.ResNet[T], error) {
	return nn.NewResNet[T](a.ResNetSpec, rng.New(seed, "init"), rng.New(seed, "init/skip"))
}

// buildConvBaseline is the plain ResNet, the "ResNet" row of the paper's
// Table 1.
func buildConvBaseline(a *experiment.ConvNet, env experiment.Env) (*experiment.Model, error) {
	res, err := BuildResNet[float32](a, env.Seed)
	if err != nil {
		return nil, err
	}
	return &experiment.Model{Net: res.Net(nil)}, nil
}

// convAnnealSpace is Anneal's space for a ConvNet: the paper trains its
// CIFAR models with fixed hyper-parameters, so σ0 is one value. Every
// convolution is followed by batch norm, so what matters is the noise
// relative to the weights: σ0 = 0.01 is about a tenth to a sixth of the He
// initialisation's standard deviation (0.06 to 0.12 for 64 to 16 channels).
func convAnnealSpace() []experiment.Axis {
	return []experiment.Axis{
		{Name: HypSigma0, Values: []float64{0.01}, Doc: "initial weight-noise std σ0 on convolution and dense weights"},
		{Name: HypFrac, Values: []float64{0.5}, Doc: "σ reaches 0 after this fraction of the updates"},
	}
}
