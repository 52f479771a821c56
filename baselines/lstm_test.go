package baselines

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/mollified"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/nn/gradcheck"
	"github.com/mollifying/mollify/rng"
)

var testLSTM = &experiment.LSTM{LSTMNetSpec: nn.LSTMNetSpec{Vocab: 12, Embed: 3, Hidden: []int{4, 5}, Out: 12, Init: nn.Init{Kind: nn.Uniform, Scale: 0.5}}}

// TestNoisyLSTMGradients checks the noisy LSTM (NSigmoidP gates, NTanhP
// candidate and cell) with the noise held fixed, in training and
// evaluation, from a carried state.
func TestNoisyLSTMGradients(t *testing.T) {
	a := &experiment.LSTM{LSTMNetSpec: nn.LSTMNetSpec{In: 3, Hidden: []int{4, 3}, Out: 2, Init: nn.Init{Kind: nn.Uniform, Scale: 0.8}}}
	for _, train := range []bool{true, false} {
		t.Run(fmt.Sprintf("train=%v", train), func(t *testing.T) {
			net, err := BuildLSTM(a, 5, NoisyLSTMGates[float64](5))
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(3, 3))
			for _, l := range net.LSTMs {
				for j := range l.B.Value {
					l.B.Value[j] = 3 * r.NormFloat64() // reach the saturated, noisy regions
				}
			}
			reset := func() {
				for i, l := range net.LSTMs {
					for k, g := range l.Gates {
						g.(*NoisyGate[float64]).SetRand(rng.NewNoise(uint64(10*i+k), "test"))
					}
				}
			}
			const batch = 2
			x := nn.NewMat[float64](4*batch, 3)
			warm := nn.NewMat[float64](2*batch, 3)
			for i := range x.Data {
				x.Data[i] = 2 * r.NormFloat64()
			}
			for i := range warm.Data {
				warm.Data[i] = 2 * r.NormFloat64()
			}
			res, err := gradcheck.CheckCarried(net, warm, x, batch, gradcheck.Options{Train: train, Reset: reset, SkipInput: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range res {
				t.Log(m)
				if m.Tensor == "lstm1.forget.p" && m.Analytic == 0 && m.Numeric == 0 {
					t.Error("the p gradient is identically zero: the check proves nothing")
				}
			}
			if !train {
				return
			}
			// Control: with fresh noise at every pass the check fails.
			if _, err := gradcheck.CheckCarried(net, warm, x, batch, gradcheck.Options{Train: true, SkipInput: true}); err == nil {
				t.Error("the check passed with fresh noise at every pass")
			}
		})
	}
}

// TestSameInitialLSTMWeights: every configuration that applies to LSTMs
// starts from the same weights for the same seed, and the residual
// configuration does not apply.
func TestSameInitialLSTMWeights(t *testing.T) {
	env := experiment.Env{Seed: 42, Updates: 100, InitialLoss: math.Log(12)}
	mo, err := experiment.ResolveOptions(mollified.Config{}.Options(), nil)
	if err != nil {
		t.Fatal(err)
	}
	configs := []struct {
		c experiment.Config
		h experiment.Hyper
		o experiment.Options
	}{
		{Baseline{}, nil, nil},
		{Noisy{}, nil, nil},
		{Anneal{}, experiment.Hyper{HypSigma0: 0.1, HypFrac: 0.5}, nil},
		{mollified.Config{}, experiment.Hyper{mollified.HypC: 0.5, mollified.HypAnneal: 0.25, mollified.HypDelta: 0.05, mollified.HypEMA: 0.99}, mo},
	}
	var ref map[string][]float32
	for _, c := range configs {
		m, err := c.c.Build(testLSTM, c.h, c.o, env)
		if err != nil {
			t.Fatalf("%s: %v", c.c.Name(), err)
		}
		got := map[string][]float32{}
		for _, p := range LSTMWeights(m.Net) {
			got[p.Name] = p.Value
		}
		if len(got) != 6 { // emb, 2×(Wx, Wh), out
			t.Fatalf("%s: %d weight matrices, want 6", c.c.Name(), len(got))
		}
		if ref == nil {
			ref = got
			continue
		}
		for name, v := range ref {
			for i := range v {
				if got[name][i] != v[i] {
					t.Fatalf("%s: %s[%d] = %v, baseline has %v", c.c.Name(), name, i, got[name][i], v[i])
				}
			}
		}
	}
	if _, err := (Residual{}).Build(testLSTM, nil, nil, env); !errors.Is(err, experiment.ErrNotApplicable) {
		t.Fatalf("residual on an LSTM: %v, want ErrNotApplicable", err)
	}
}

// TestAnnealLSTMPerturbsWeightsOnly: weight noise reaches every weight
// matrix of the LSTM network and no bias.
func TestAnnealLSTMPerturbsWeightsOnly(t *testing.T) {
	m, err := Anneal{}.Build(testLSTM, experiment.Hyper{HypSigma0: 0.1, HypFrac: 0.5}, nil, experiment.Env{Seed: 1, Updates: 10, InitialLoss: 1})
	if err != nil {
		t.Fatal(err)
	}
	before := map[string][]float32{}
	for _, p := range m.Net.Params() {
		before[p.Name] = append([]float32(nil), p.Value...)
	}
	wn := m.Hooks[0].(*WeightNoise[float32])
	wn.Perturb(1)
	for _, p := range m.Net.Params() {
		changed := false
		for i, v := range p.Value {
			changed = changed || v != before[p.Name][i]
		}
		isBias := p.Name[len(p.Name)-2:] == ".b"
		if changed == isBias {
			t.Errorf("%s: changed=%v", p.Name, changed)
		}
	}
	wn.Restore()
}

// TestNoisyLSTMStepAllocatesNothing: a float32 training step of the noisy
// LSTM allocates nothing after the first.
func TestNoisyLSTMStepAllocatesNothing(t *testing.T) {
	m, err := Noisy{}.Build(testLSTM, nil, nil, experiment.Env{Seed: 1, Updates: 10, InitialLoss: 1})
	if err != nil {
		t.Fatal(err)
	}
	const batch, steps = 3, 4
	x := nn.NewMat[float32](steps*batch, 1)
	y := make([]int32, steps*batch)
	for i := range y {
		x.Data[i], y[i] = float32(i%12), int32((i+5)%12)
	}
	var ce nn.SeqSoftmaxCE[float32]
	ps := m.Net.Params()
	opt := &nn.SGD[float32]{}
	nn.ResetState(m.Net, batch)
	step := func() {
		nn.ZeroGrad(ps)
		ce.Forward(m.Net.Forward(x, true), y)
		m.Net.Backward(ce.Backward(1.0 / batch))
		opt.Step(ps, 0.1)
	}
	step()
	if n := testing.AllocsPerRun(10, step); n != 0 {
		t.Fatalf("a step allocates %v times", n)
	}
}
