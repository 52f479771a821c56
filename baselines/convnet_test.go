package baselines

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
)

func tinyConvNet() *experiment.ConvNet {
	return &experiment.ConvNet{ResNetSpec: nn.ResNetSpec{In: nn.Shape{C: 3, H: 8, W: 8}, Classes: 4, Blocks: 2, Widths: []int{3, 4, 6}, Shortcut: nn.ShortcutPad, Init: nn.He}}
}

func TestLinearDecay(t *testing.T) {
	p := LinearDecay(54, 0.5)
	if math.Abs(p[0]-(1-0.5/54)) > 1e-15 || math.Abs(p[53]-0.5) > 1e-15 {
		t.Fatalf("p_1 = %v, p_54 = %v", p[0], p[53])
	}
	var sum float64
	for l := range p {
		if l > 0 && p[l] >= p[l-1] {
			t.Fatalf("not decreasing at block %d", l+1)
		}
		sum += p[l]
	}
	// Huang et al.: about 3/4 of the blocks survive on average.
	if want := 54 - 0.5*55/2.0; math.Abs(sum-want) > 1e-9 {
		t.Fatalf("expected surviving blocks %v, want %v", sum, want)
	}
}

func TestStochasticDepthDraws(t *testing.T) {
	res, err := BuildResNet[float32](tinyConvNet(), 1)
	if err != nil {
		t.Fatal(err)
	}
	p := []float64{1, 0.9, 0.5, 0.2, 0.7, 0}
	sd := NewStochasticDepth(res.Blocks, p, rand.New(rand.NewPCG(1, 1)))
	for i, b := range res.Blocks {
		if b.ScaleEval != p[i] {
			t.Fatalf("block %d evaluation scale %v, want p = %v", i+1, b.ScaleEval, p[i])
		}
	}
	const steps = 4000
	kept := make([]int, len(p))
	for s := 1; s <= steps; s++ {
		sd.StartStep(s)
		n := 0
		for i, b := range res.Blocks {
			switch b.ScaleTrain {
			case 1:
				kept[i]++
				n++
			case 0:
			default:
				t.Fatalf("block %d training scale %v, want 0 or 1", i+1, b.ScaleTrain)
			}
		}
		if n != sd.active {
			t.Fatalf("trace counts %d active blocks, the blocks say %d", sd.active, n)
		}
	}
	for i, k := range kept {
		if got := float64(k) / steps; math.Abs(got-p[i]) > 0.03 {
			t.Errorf("block %d survived %.3f of the updates, want %v", i+1, got, p[i])
		}
	}
}

func convOptions(t *testing.T, c experiment.Config) experiment.Options {
	o, err := experiment.ResolveOptions(c.Options(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestConvNetApplicability: stochastic depth needs residual blocks; the
// residual and noisy configurations are MLP constructions.
func TestConvNetApplicability(t *testing.T) {
	env := experiment.Env{Seed: 1, Updates: 100, InitialLoss: math.Log(4)}
	mlp := &experiment.MLP{In: 4, Hidden: []int{5}, Out: 2, Act: nn.ReLU, Init: nn.Glorot}
	if _, err := (StochDepth{}).Build(mlp, experiment.Hyper{HypPL: 0.5}, convOptions(t, StochDepth{}), env); !errors.Is(err, experiment.ErrNotApplicable) {
		t.Errorf("stochdepth on an MLP: %v", err)
	}
	for _, c := range []experiment.Config{Residual{}, Noisy{}} {
		if _, err := c.Build(tinyConvNet(), nil, nil, env); !errors.Is(err, experiment.ErrNotApplicable) {
			t.Errorf("%s on a convnet: %v", c.Name(), err)
		}
	}
	if _, err := (StochDepth{}).Build(tinyConvNet(), experiment.Hyper{HypPL: 1.5}, convOptions(t, StochDepth{}), env); err == nil {
		t.Error("p_last = 1.5 accepted")
	}
}

// TestConvNetSameInitialWeights: baseline, stochastic depth and weight noise
// start from the same weights for the same seed.
func TestConvNetSameInitialWeights(t *testing.T) {
	env := experiment.Env{Seed: 42, Updates: 100, InitialLoss: math.Log(4)}
	var ref map[string][]float32
	for _, c := range []struct {
		c experiment.Config
		h experiment.Hyper
	}{
		{Baseline{}, nil},
		{StochDepth{}, experiment.Hyper{HypPL: 0.5}},
		{Anneal{}, experiment.Hyper{HypSigma0: 0.01, HypFrac: 0.5}},
	} {
		m, err := c.c.Build(tinyConvNet(), c.h, convOptions(t, c.c), env)
		if err != nil {
			t.Fatalf("%s: %v", c.c.Name(), err)
		}
		got := map[string][]float32{}
		for _, p := range m.Net.Params() {
			got[p.Name] = p.Value
		}
		if ref == nil {
			ref = got
			continue
		}
		if len(got) != len(ref) {
			t.Fatalf("%s: %d tensors, baseline %d", c.c.Name(), len(got), len(ref))
		}
		for name, v := range ref {
			for i := range v {
				if got[name][i] != v[i] {
					t.Fatalf("%s: %s[%d] = %v, baseline %v", c.c.Name(), name, i, got[name][i], v[i])
				}
			}
		}
	}
}

func TestConvAnnealPerturbsEveryWeight(t *testing.T) {
	env := experiment.Env{Seed: 3, Updates: 100, InitialLoss: math.Log(4)}
	m, err := (Anneal{}).Build(tinyConvNet(), experiment.Hyper{HypSigma0: 0.01, HypFrac: 0.5}, nil, env)
	if err != nil {
		t.Fatal(err)
	}
	wn := m.Hooks[0].(*WeightNoise[float32])
	// Stem, two convolutions per block (6 blocks), the dense head.
	if got, want := len(wn.Weights), 1+2*6+1; got != want {
		t.Fatalf("%d weight tensors perturbed, want %d", got, want)
	}
	if s := (Anneal{}).Space(experiment.MustBuiltin("paper"), tinyConvNet()); s[0].Values[0] != 0.01 {
		t.Fatalf("convnet space %v", s)
	}
}
