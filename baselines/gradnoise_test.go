package baselines

import (
	"math"
	"testing"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
)

// TestGradNoiseVariance: on zero gradients the hook leaves entries whose
// variance is η/(1+t)^0.55, decaying with t, and the network is the plain
// one (same weights as the baseline for the same seed).
func TestGradNoiseVariance(t *testing.T) {
	a := &experiment.MLP{In: 50, Hidden: []int{100, 100}, Out: 10, Act: nn.Tanh, Init: nn.Glorot}
	env := experiment.Env{Seed: 3, Updates: 100, InitialLoss: 1}
	m, err := GradNoise{}.Build(a, experiment.Hyper{"lr": 0.1, HypEta: 0.3}, nil, env)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Baseline{}.Build(a, experiment.Hyper{"lr": 0.1}, nil, env)
	for i, p := range m.Net.Params() {
		q := b.Net.Params()[i]
		for j := range p.Value {
			if p.Value[j] != q.Value[j] {
				t.Fatalf("%s differs from the baseline's initial weights", p.Name)
			}
		}
	}
	g := m.Hooks[len(m.Hooks)-1].(experiment.Perturber)
	for _, step := range []int{1, 10, 1000} {
		nn.ZeroGrad(m.Net.Params())
		g.Perturb(step)
		g.Restore()
		var sum, n float64
		for _, p := range m.Net.Params() {
			for _, v := range p.Grad {
				sum += float64(v) * float64(v)
				n++
			}
		}
		want := 0.3 / math.Pow(1+float64(step), 0.55)
		if got := sum / n; math.Abs(got-want) > 0.05*want {
			t.Errorf("t = %d: gradient-noise variance %v, want %v", step, got, want)
		}
	}
}
