package mollified

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/nn/gradcheck"
	"github.com/mollifying/mollify/rng"
)

func lstmOpts(t *testing.T, set experiment.Options) experiment.Options {
	t.Helper()
	o, err := experiment.ResolveOptions(Config{}.Options(), set)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

var lstmHyper = experiment.Hyper{HypC: 0.5, HypAnneal: 0.5, HypDelta: 0.05, HypEMA: 0.99}

func TestGateInverse(t *testing.T) {
	for _, g := range []float64{0.01, 0.3, 0.5, 0.8, 0.99} {
		for _, k := range []nn.Kind{nn.Sigmoid, nn.HardSigmoid} {
			if got := k.F(GateInverse(k, g)); math.Abs(got-g) > 1e-14 {
				t.Errorf("%v: f(f⁻¹(%v)) = %v", k, g, got)
			}
		}
	}
	// The edges: hard sigmoid reaches 0 and 1 at ∓2; the logistic is
	// clipped at GammaEps.
	if GateInverse(nn.HardSigmoid, 1) != 2 || GateInverse(nn.HardSigmoid, 0) != -2 {
		t.Error("hard-sigmoid inverse at the edges is not ±2")
	}
	if got := nn.SigmoidF(GateInverse(nn.Sigmoid, 1)); math.Abs(got-(1-GammaEps)) > 1e-15 {
		t.Errorf("clipped logistic target at 1 gives %v", got)
	}
	if got := nn.SigmoidF(GateInverse(nn.Sigmoid, 0)); math.Abs(got-GammaEps) > 1e-15 {
		t.Errorf("clipped logistic target at 0 gives %v", got)
	}
}

// TestGatePreExpectation: E_ξ[x̃] = (1−p)·x + p·f⁻¹(γ) (Eq. 28 and its
// reconstruction in paper/METHOD.md §3), checked by Monte Carlo, and exactly when
// |ξ| is replaced by its mean.
func TestGatePreExpectation(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, c := range []struct{ x, p, inv float64 }{{0.3, 1, 2}, {-1.5, 0.4, -2}, {4, 0.9, 6.9}, {0, 0.1, -6.9}} {
		want := (1-c.p)*c.x + c.p*c.inv
		if pre, _ := GatePre(c.x, c.p, EAbsXi, c.inv); math.Abs(pre-want) > 1e-12 {
			t.Errorf("%+v: x̃ at mean |ξ| = %v, want %v", c, pre, want)
		}
		const n = 400000
		var sum float64
		for range n {
			pre, _ := GatePre(c.x, c.p, math.Abs(r.NormFloat64()), c.inv)
			sum += pre
		}
		// The std of x̃ is p·|inv−x|·std|ξ|/E|ξ| ≈ 0.76·p·|inv−x|.
		tol := 5 * 0.76 * c.p * math.Abs(c.inv-c.x) / math.Sqrt(n)
		if got := sum / n; math.Abs(got-want) > tol {
			t.Errorf("%+v: mean x̃ = %v, want %v ± %v", c, got, want, tol)
		}
	}
}

// TestGatePZeroIsPlain: at p = 0 every mollified gate is the plain gate,
// bit for bit, and the mollified network is the plain LSTM network with
// the same weights, in training and evaluation.
func TestGatePZeroIsPlain(t *testing.T) {
	a := &experiment.LSTM{LSTMNetSpec: nn.LSTMNetSpec{Vocab: 9, Embed: 4, Hidden: []int{5, 6}, Out: 9, Init: nn.Init{Kind: nn.Uniform, Scale: 0.5}}}
	for _, cand := range []string{"plain", "alg1"} {
		net, depths, err := BuildLSTM[float32](a, lstmHyper, lstmOpts(t, experiment.Options{OptLSTMCandidate: cand}), 3)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := nn.NewLSTMNet[float32](a.LSTMNetSpec, nil, rng.New(3, "init"))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range depths {
			d.SetP(0)
		}
		x := nn.NewMat[float32](3*4, 1)
		for i := range x.Data {
			x.Data[i] = float32(i * 7 % 9)
		}
		for _, train := range []bool{true, false} {
			nn.ResetState[float32](net, 4)
			nn.ResetState[float32](plain, 4)
			got := append([]float32(nil), net.Forward(x, train).Data...)
			want := plain.Forward(x, train).Data
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("candidate=%s train=%v: output %d = %v, plain LSTM %v", cand, train, i, got[i], want[i])
				}
			}
		}
	}
}

// TestGatePOneIsBagOfWords: at p = 1 with the noise at its mean (eval=expect
// in evaluation mode), the gates equal their targets, so with hard-sigmoid
// gates the cell is exactly the running mean of the candidates and
// h_t = tanh(c_t); with clipped logistic targets it is so up to GammaEps.
func TestGatePOneIsBagOfWords(t *testing.T) {
	const batch, steps, hidden = 3, 8, 4
	a := &experiment.LSTM{LSTMNetSpec: nn.LSTMNetSpec{In: 3, Hidden: []int{hidden}, Out: 2, Init: nn.Init{Kind: nn.Uniform, Scale: 0.8}}}
	for _, c := range []struct {
		gates string
		tol   float64
	}{{"hard", 1e-12}, {"clip", 0.02}} {
		t.Run(c.gates, func(t *testing.T) {
			net, depths, err := BuildLSTM[float64](a, lstmHyper, lstmOpts(t, experiment.Options{OptEval: "expect", OptLSTMGates: c.gates}), 5)
			if err != nil {
				t.Fatal(err)
			}
			depths[0].SetP(1)
			l := net.LSTMs[0]
			r := rand.New(rand.NewPCG(2, 2))
			x := nn.NewMat[float64](steps*batch, 3)
			for i := range x.Data {
				x.Data[i] = r.NormFloat64()
			}
			l.ResetState(batch)
			h := l.Forward(x, false)
			var worst float64
			for b := range batch {
				mean := make([]float64, hidden)
				prev := make([]float64, hidden)
				for s := range steps {
					for j := range hidden {
						z := l.B.Value[3*hidden+j]
						for i, v := range x.Row(s*batch + b) {
							z += v * l.Wx.Value[i*4*hidden+3*hidden+j]
						}
						for i, v := range prev {
							z += v * l.Wh.Value[i*4*hidden+3*hidden+j]
						}
						mean[j] += (math.Tanh(z) - mean[j]) / float64(s+1)
						hr := h.Row(s*batch + b)
						worst = max(worst, math.Abs(hr[j]-math.Tanh(mean[j])))
					}
					copy(prev, h.Row(s*batch+b))
				}
			}
			if worst > c.tol {
				t.Fatalf("h differs from tanh(running mean of candidates) by %v (tolerance %v)", worst, c.tol)
			}
			t.Logf("largest difference from the bag of words: %.3g", worst)
		})
	}
}

// TestGateTargets: at p = 1 and mean noise each gate outputs its target at
// every step, counted per window or since the reset.
func TestGateTargets(t *testing.T) {
	for _, tm := range []TimeMode{TimeWindow, TimeReset} {
		for _, tg := range []GateTarget{GammaOne, GammaInvT, GammaOneMinusInvT} {
			g := NewGate[float64](nn.HardSigmoid, tg, nil)
			g.Time, g.Eval = tm, EvalExpect
			g.SetP(1)
			x, y, d := []float64{-3, 0.2, 5}, make([]float64, 3), make([]float64, 3)
			for step := range 4 {
				a := &nn.GateArgs[float64]{X: x, Y: y, D: d, Rows: 1, Units: 3, Stride: 3, Step: step, Pos: 10 + step}
				g.Forward(a)
				tt := step + 1
				if tm == TimeReset {
					tt = 11 + step
				}
				for j := range y {
					if math.Abs(y[j]-tg.Gamma(tt)) > 1e-15 {
						t.Fatalf("mode %d target %d step %d: gate %v, want γ(%d) = %v", tm, tg, step, y[j], tt, tg.Gamma(tt))
					}
				}
			}
		}
	}
}

type lstmGradCase struct {
	gates, cand, time, gran string
	p                       float64
	train                   bool
	eval                    string
}

func (c lstmGradCase) String() string {
	return fmt.Sprintf("%s_%s_%s_%s_p%v_train%v_%s", c.gates, c.cand, c.time, c.gran, c.p, c.train, c.eval)
}

// TestLSTMGradients checks the mollified LSTM against central differences
// with the noise held fixed, over several steps and from a carried state.
func TestLSTMGradients(t *testing.T) {
	cases := []lstmGradCase{
		{gates: "clip", cand: "plain", time: "window", gran: "example", p: 0.6, train: true},
		{gates: "clip", cand: "plain", time: "reset", gran: "example", p: 1, train: true},
		{gates: "hard", cand: "plain", time: "window", gran: "example", p: 0.5, train: true},
		{gates: "clip", cand: "alg1", time: "window", gran: "example", p: 0.7, train: true},
		{gates: "clip", cand: "alg1", time: "window", gran: "batch", p: 0.4, train: true},
		{gates: "clip", cand: "plain", time: "window", gran: "example", p: 0.5, eval: "expect"},
		{gates: "clip", cand: "alg1", time: "reset", gran: "example", p: 0.5, eval: "p0"},
		{gates: "clip", cand: "plain", time: "window", gran: "example", p: 0, train: true},
	}
	const batch = 2
	a := &experiment.LSTM{LSTMNetSpec: nn.LSTMNetSpec{In: 3, Hidden: []int{4, 3}, Out: 2, Init: nn.Init{Kind: nn.Uniform, Scale: 0.7}}}
	for _, c := range cases {
		t.Run(c.String(), func(t *testing.T) {
			eval := c.eval
			if eval == "" {
				eval = "p0"
			}
			o := lstmOpts(t, experiment.Options{OptLSTMGates: c.gates, OptLSTMCandidate: c.cand, OptLSTMTime: c.time, OptGranularity: c.gran, OptEval: eval})
			net, depths, err := BuildLSTM[float64](a, lstmHyper, o, 8)
			if err != nil {
				t.Fatal(err)
			}
			for i, d := range depths {
				d.SetP(c.p * float64(i+1) / float64(len(depths)))
			}
			// Random biases, so that saturated and central gates both occur.
			r := rand.New(rand.NewPCG(4, 4))
			for _, l := range net.LSTMs {
				for j := range l.B.Value {
					l.B.Value[j] = r.NormFloat64()
				}
			}
			reset := func() {
				for i, d := range depths {
					for k, g := range d {
						s := rng.NewNoise(uint64(10*i+k), "test")
						switch g := g.(type) {
						case *Gate[float64]:
							g.SetRand(s)
						case *Candidate[float64]:
							g.SetRand(s)
						}
					}
				}
			}
			x := nn.NewMat[float64](4*batch, 3)
			warm := nn.NewMat[float64](3*batch, 3)
			for i := range x.Data {
				x.Data[i] = 1.5 * r.NormFloat64()
			}
			for i := range warm.Data {
				warm.Data[i] = 1.5 * r.NormFloat64()
			}
			// The network skips its input gradient (the first LSTM has
			// no use for it); the nn tests check that path.
			res, err := gradcheck.CheckCarried(net, warm, x, batch, gradcheck.Options{Train: c.train, Reset: reset, SkipInput: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range res {
				t.Log(m)
			}
		})
	}
}

// TestLSTMScheduleDrivesGates: the configuration builds one schedule target
// per LSTM layer; p increases with depth, starts near 1 and anneals to 0,
// and the gates see the p the schedule sets.
func TestLSTMScheduleDrivesGates(t *testing.T) {
	a := &experiment.LSTM{LSTMNetSpec: nn.LSTMNetSpec{Vocab: 20, Embed: 4, Hidden: []int{5, 5, 5}, Out: 20, Init: nn.Init{Kind: nn.Uniform, Scale: 0.1}}}
	const updates = 1000
	m, err := Config{}.Build(a, lstmHyper, lstmOpts(t, nil), experiment.Env{Seed: 1, Updates: updates, InitialLoss: math.Log(20)})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Hooks[0].(*Schedule)
	if len(s.Layers) != 3 {
		t.Fatalf("schedule has %d targets, want one per LSTM layer (3)", len(s.Layers))
	}
	net := m.Net.(*nn.LSTMNet[float32])
	gateP := func(depth int) float64 {
		for i, l := range net.LSTMs {
			if net.Depth[i] == depth {
				return l.Gates[nn.GateForget].(*Gate[float32]).P
			}
		}
		t.Fatalf("no layer at depth %d", depth)
		return 0
	}
	s.StartStep(1)
	for l := range 3 {
		if gateP(l) != s.P()[l] {
			t.Fatalf("layer %d gate p = %v, schedule %v", l, gateP(l), s.P()[l])
		}
		if l > 0 && s.P()[l] <= s.P()[l-1] {
			t.Fatalf("p not increasing with depth: %v", s.P())
		}
	}
	if s.P()[2] < 0.99 {
		t.Fatalf("p of the top layer at update 1 = %v, want ≈ 1", s.P()[2])
	}
	for u := 1; u <= updates; u++ {
		s.StartStep(u)
		s.ObserveLoss(u, math.Log(20))
	}
	if s.StoppedAt() == 0 || gateP(0) != 0 || gateP(2) != 0 {
		t.Fatalf("annealing did not end at p = 0 (stopped at %d, p %v)", s.StoppedAt(), s.P())
	}
}

func TestLSTMOptionsApplyToMLPsUnchanged(t *testing.T) {
	// The LSTM options are accepted and ignored by the MLP build, whose
	// network is unchanged.
	m := &experiment.MLP{In: 3, Hidden: []int{4}, Out: 2, Act: nn.Sigmoid, Init: nn.Glorot}
	env := experiment.Env{Seed: 1, Updates: 100, InitialLoss: math.Ln2}
	a, err := Config{}.Build(m, lstmHyper, lstmOpts(t, nil), env)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Config{}.Build(m, lstmHyper, lstmOpts(t, experiment.Options{OptLSTMGates: "hard", OptLSTMCandidate: "alg1"}), env)
	if err != nil {
		t.Fatal(err)
	}
	pa, pb := a.Net.Params(), b.Net.Params()
	for i := range pa {
		for j := range pa[i].Value {
			if pa[i].Value[j] != pb[i].Value[j] {
				t.Fatal("LSTM options changed an MLP")
			}
		}
	}
}

// TestLSTMGradientNeedsFixedNoise is the control of TestLSTMGradients: with
// the noise redrawn at every forward pass the same check fails, so the
// cases above do exercise noisy gates.
func TestLSTMGradientNeedsFixedNoise(t *testing.T) {
	a := &experiment.LSTM{LSTMNetSpec: nn.LSTMNetSpec{In: 3, Hidden: []int{4}, Out: 2, Init: nn.Init{Kind: nn.Uniform, Scale: 0.7}}}
	net, depths, err := BuildLSTM[float64](a, lstmHyper, lstmOpts(t, nil), 8)
	if err != nil {
		t.Fatal(err)
	}
	depths[0].SetP(0.8)
	x := nn.NewMat[float64](3*2, 3)
	for i := range x.Data {
		x.Data[i] = float64(i%5) - 2
	}
	if _, err := gradcheck.CheckCarried(net, nil, x, 2, gradcheck.Options{Train: true, SkipInput: true}); err == nil {
		t.Fatal("the gradient check passed with fresh noise at every pass")
	}
}

// TestLSTMStepAllocatesNothing: a float32 training step of the mollified
// LSTM (noise drawn, candidate mollified, schedule hooks) allocates nothing
// after the first.
func TestLSTMStepAllocatesNothing(t *testing.T) {
	for _, gran := range []string{"example", "batch"} {
		a := &experiment.LSTM{LSTMNetSpec: nn.LSTMNetSpec{Vocab: 7, Embed: 3, Hidden: []int{5, 5}, Out: 7, Init: nn.Init{Kind: nn.Uniform, Scale: 0.1}}}
		m, err := Config{}.Build(a, lstmHyper, lstmOpts(t, experiment.Options{OptLSTMCandidate: "alg1", OptGranularity: gran}), experiment.Env{Seed: 1, Updates: 1000, InitialLoss: math.Log(7)})
		if err != nil {
			t.Fatal(err)
		}
		s := m.Hooks[0].(*Schedule)
		const batch, steps = 3, 4
		x := nn.NewMat[float32](steps*batch, 1)
		y := make([]int32, steps*batch)
		for i := range y {
			x.Data[i], y[i] = float32(i%7), int32((i+3)%7)
		}
		var ce nn.SeqSoftmaxCE[float32]
		ps := m.Net.Params()
		opt := &nn.SGD[float32]{}
		nn.ResetState(m.Net, batch)
		u := 0
		step := func() {
			u++
			s.StartStep(u)
			nn.ZeroGrad(ps)
			sum, n, _ := ce.Forward(m.Net.Forward(x, true), y)
			m.Net.Backward(ce.Backward(1.0 / batch))
			opt.Step(ps, 0.1)
			s.ObserveLoss(u, sum/float64(n))
		}
		step()
		if s.P()[1] == 0 {
			t.Fatal("p = 0: the step draws no noise")
		}
		if n := testing.AllocsPerRun(10, step); n != 0 {
			t.Fatalf("granularity %s: a step allocates %v times", gran, n)
		}
	}
}
