package baselines

import (
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

func TestNANGradients(t *testing.T) {
	for _, u := range []NAN{NSigmoidP(), NTanhP(), {Kind: nn.HardTanh, Alpha: 1.15, C: 0.5}, {Kind: nn.HardSigmoid, Alpha: 0.9, C: 0.3}} {
		t.Run(fmt.Sprintf("%v_alpha%v_half%v_clip%v", u.Kind, u.Alpha, u.HalfNormal, u.Clip), func(t *testing.T) {
			r := rand.New(rand.NewPCG(4, 4))
			l := NewNoisyAct[float64]("n", 6, u, r, nil)
			x := nn.NewMat[float64](5, 6)
			for i := range x.Data {
				x.Data[i] = 3 * r.NormFloat64()
			}
			reset := func() { l.SetRand(rng.NewNoise(7, "test")) }
			for _, train := range []bool{true, false} {
				res, err := gradcheck.Check(l, x, gradcheck.Options{Train: train, Reset: reset})
				if err != nil {
					t.Fatalf("train=%v: %v", train, err)
				}
				for _, m := range res {
					if m.Tensor == "n.p" && m.Analytic == 0 && m.Numeric == 0 && train {
						t.Fatal("the p gradient is identically zero: the check proves nothing")
					}
				}
			}
		})
	}
}

// TestNANLinearRegion: where the hard function is linear there is no noise
// and the unit is its linear part exactly.
func TestNANLinearRegion(t *testing.T) {
	for _, u := range []NAN{NSigmoidP(), NTanhP()} {
		slope, u0 := u.Kind.Linear()
		for _, x := range []float64{-0.9, -0.3, 0, 0.4, 0.95} {
			phi, dx, dp := u.Eval(x, 0.7, 5)
			if phi != slope*x+u0 || dx != slope || dp != 0 {
				t.Errorf("%v at %v: φ=%v dx=%v dp=%v", u.Kind, x, phi, dx, dp)
			}
		}
	}
}

// TestNANSaturatedNoiseDirection: with α > 1 and half-normal noise the noise
// pushes a saturated unit back towards the linear regime (the sign
// convention of the authors' code).
func TestNANSaturatedNoiseDirection(t *testing.T) {
	u := NSigmoidP()
	for _, x := range []float64{-6, 6} {
		quiet, _, _ := u.Eval(x, 1, 0)
		noisy, _, _ := u.Eval(x, 1, 2)
		lin := 0.25*x + 0.5
		if math.Abs(noisy-lin) >= math.Abs(quiet-lin) {
			t.Errorf("x=%v: noise moved φ from %v to %v, away from u=%v", x, quiet, noisy, lin)
		}
	}
}

func TestWeightNoiseRestores(t *testing.T) {
	p := nn.NewParam[float32]("h1.W", 3, 4)
	for i := range p.Value {
		p.Value[i] = float32(i)
	}
	orig := append([]float32(nil), p.Value...)
	w := NewWeightNoise(0.1, 0.5, 100, []*nn.Param[float32]{p}, rng.NewNoise(1, "test"))
	w.Perturb(1)
	changed := false
	for i := range orig {
		changed = changed || p.Value[i] != orig[i]
	}
	if !changed {
		t.Fatal("Perturb changed nothing")
	}
	w.Restore()
	for i := range orig {
		if p.Value[i] != orig[i] {
			t.Fatalf("weight %d not restored: %v vs %v", i, p.Value[i], orig[i])
		}
	}
	for _, c := range []struct {
		t    int
		want float64
	}{{0, 0.1}, {25, 0.05}, {50, 0}, {90, 0}} {
		if got := w.Sigma(c.t); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("σ(%d) = %v, want %v", c.t, got, c.want)
		}
	}
	// After the annealing window the weights are untouched.
	w.Perturb(60)
	for i := range orig {
		if p.Value[i] != orig[i] {
			t.Fatal("Perturb changed weights with σ = 0")
		}
	}
	w.Restore()
}

func TestResidualMLPGradients(t *testing.T) {
	m := &experiment.MLP{In: 4, Hidden: []int{6, 6, 5}, Out: 3, Act: nn.Sigmoid, Init: nn.Glorot}
	net, err := BuildResidualMLP[float64](m, 3)
	if err != nil {
		t.Fatal(err)
	}
	x := nn.NewMat[float64](8, 4)
	r := rand.New(rand.NewPCG(3, 3))
	for i := range x.Data {
		x.Data[i] = float64(r.IntN(2))
	}
	if _, err := gradcheck.Check(net, x, gradcheck.Options{Train: true, SkipInput: true}); err != nil {
		t.Fatal(err)
	}
}

// TestSameInitialWeights: every configuration starts from the same dense
// weights for the same seed, so they differ only in what they add.
func TestSameInitialWeights(t *testing.T) {
	m := &experiment.MLP{In: 5, Hidden: []int{7, 7}, Out: 2, Act: nn.Sigmoid, Init: nn.Glorot}
	dense := func(net nn.Layer[float32]) map[string][]float32 {
		out := map[string][]float32{}
		for _, p := range net.Params() {
			if len(p.Name) > 2 && (p.Name[len(p.Name)-2:] == ".W" || p.Name[len(p.Name)-2:] == ".b") {
				out[p.Name] = p.Value
			}
		}
		return out
	}
	env := experiment.Env{Seed: 42, Updates: 100, InitialLoss: math.Ln2}
	var ref map[string][]float32
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
		{Residual{}, nil, nil},
		{Noisy{}, nil, nil},
		{Anneal{}, experiment.Hyper{HypSigma0: 0.1, HypFrac: 0.5}, nil},
		{mollified.Config{}, experiment.Hyper{mollified.HypC: 0.5, mollified.HypAnneal: 0.25, mollified.HypDelta: 0.05, mollified.HypEMA: 0.99}, mo},
	}
	for _, c := range configs {
		model, err := c.c.Build(m, c.h, c.o, env)
		if err != nil {
			t.Fatalf("%s: %v", c.c.Name(), err)
		}
		got := dense(model.Net)
		if len(got) != 6 {
			t.Fatalf("%s: found %d dense tensors, want 6", c.c.Name(), len(got))
		}
		if ref == nil {
			ref = got
			continue
		}
		for name, v := range ref {
			w := got[name]
			for i := range v {
				if w[i] != v[i] {
					t.Fatalf("%s: %s[%d] = %v, baseline has %v", c.c.Name(), name, i, w[i], v[i])
				}
			}
		}
	}
}

// TestConfiguredStepAllocatesNothing: a whole training step of every
// configuration's model, hooks included, allocates nothing after the first.
func TestConfiguredStepAllocatesNothing(t *testing.T) {
	m := &experiment.MLP{In: 12, Hidden: []int{16, 16, 8}, Out: 2, Act: nn.Sigmoid, Init: nn.Glorot}
	mo, err := experiment.ResolveOptions(mollified.Config{}.Options(), nil)
	if err != nil {
		t.Fatal(err)
	}
	env := experiment.Env{Seed: 3, Updates: 1000, InitialLoss: math.Ln2}
	for _, c := range []struct {
		c experiment.Config
		h experiment.Hyper
		o experiment.Options
	}{
		{Baseline{}, nil, nil},
		{Residual{}, nil, nil},
		{Noisy{}, nil, nil},
		{Anneal{}, experiment.Hyper{HypSigma0: 0.1, HypFrac: 0.5}, nil},
		{mollified.Config{}, experiment.Hyper{mollified.HypC: 0.5, mollified.HypAnneal: 0.5, mollified.HypDelta: 0.05, mollified.HypEMA: 0.99}, mo},
	} {
		t.Run(c.c.Name(), func(t *testing.T) {
			model, err := c.c.Build(m, c.h, c.o, env)
			if err != nil {
				t.Fatal(err)
			}
			x := nn.NewMat[float32](16, 12)
			for i := range x.Data {
				x.Data[i] = float32(i % 2)
			}
			y := make([]int32, 16)
			ps := model.Net.Params()
			opt := &nn.SGD[float32]{Momentum: 0.9}
			var ce nn.SoftmaxCE[float32]
			step := 0
			run := func() {
				step++
				for _, h := range model.Hooks {
					if s, ok := h.(experiment.StepStarter); ok {
						s.StartStep(step)
					}
					if p, ok := h.(experiment.Perturber); ok {
						p.Perturb(step)
					}
				}
				nn.ZeroGrad(ps)
				loss, _ := ce.Forward(model.Net.Forward(x, true), y)
				model.Net.Backward(ce.Backward())
				for _, h := range model.Hooks {
					if p, ok := h.(experiment.Perturber); ok {
						p.Restore()
					}
					if o, ok := h.(experiment.LossObserver); ok {
						o.ObserveLoss(step, loss)
					}
				}
				opt.Step(ps, 0.1)
			}
			run()
			if n := testing.AllocsPerRun(10, run); n != 0 {
				t.Fatalf("%v allocations per step", n)
			}
		})
	}
}
