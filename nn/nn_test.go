package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/nn/gradcheck"
)

func randMat(r *rand.Rand, rows, cols int, scale float64) *nn.Mat[float64] {
	m := nn.NewMat[float64](rows, cols)
	for i := range m.Data {
		m.Data[i] = scale * r.NormFloat64()
	}
	return m
}

// layerCase is one gradient-check case: a layer built fresh in float64 and
// an input batch.
type layerCase struct {
	name  string
	build func(r *rand.Rand) nn.Layer[float64]
	in    int
	train bool
	// scale of the random inputs; large values reach the saturated regions.
	scale float64
}

func (c layerCase) String() string { return c.name }

func TestGradients(t *testing.T) {
	dense := func(in, out int) func(*rand.Rand) nn.Layer[float64] {
		return func(r *rand.Rand) nn.Layer[float64] { return nn.NewDense[float64]("d", in, out, nn.Glorot, r) }
	}
	cases := []layerCase{
		{name: "dense", build: dense(5, 4), in: 5, scale: 1},
		{name: "dense-wide-out", build: dense(3, 9), in: 3, scale: 1},
		{name: "batchnorm-train", build: func(*rand.Rand) nn.Layer[float64] { return nn.NewBatchNorm[float64]("bn", 4) }, in: 4, train: true, scale: 2},
		{name: "batchnorm-eval", build: func(*rand.Rand) nn.Layer[float64] {
			b := nn.NewBatchNorm[float64]("bn", 4)
			for j := range b.RunVar {
				b.RunMean[j], b.RunVar[j] = 0.3*float64(j), 0.5+float64(j)
			}
			return b
		}, in: 4, scale: 2},
		{name: "residual-dense-bn-sigmoid", build: func(r *rand.Rand) nn.Layer[float64] {
			return nn.NewResidual(nn.NewSequential[float64](nn.NewDense[float64]("d", 4, 4, nn.Glorot, r), nn.NewBatchNorm[float64]("bn", 4), nn.NewAct[float64](nn.Sigmoid)), 4, 4)
		}, in: 4, train: true, scale: 1},
		{name: "residual-widening", build: func(r *rand.Rand) nn.Layer[float64] {
			return nn.NewResidual[float64](nn.NewSequential[float64](nn.NewDense[float64]("d", 3, 6, nn.Glorot, r), nn.NewAct[float64](nn.Tanh)), 3, 6)
		}, in: 3, train: true, scale: 1},
		{name: "residual-projection", build: func(r *rand.Rand) nn.Layer[float64] {
			res := nn.NewResidual[float64](nn.NewSequential[float64](nn.NewDense[float64]("d", 6, 3, nn.Glorot, r), nn.NewAct[float64](nn.Tanh)), 6, 3)
			res.Proj = nn.NewDense[float64]("proj", 6, 3, nn.Glorot, r)
			return res
		}, in: 6, train: true, scale: 1},
		{name: "residual-narrowing", build: func(r *rand.Rand) nn.Layer[float64] {
			return nn.NewResidual[float64](nn.NewSequential[float64](nn.NewDense[float64]("d", 6, 3, nn.Glorot, r), nn.NewAct[float64](nn.Tanh)), 6, 3)
		}, in: 6, train: true, scale: 1},
	}
	for _, k := range []nn.Kind{nn.Identity, nn.Sigmoid, nn.Tanh, nn.ReLU, nn.HardSigmoid, nn.HardTanh} {
		cases = append(cases, layerCase{name: "act-" + k.String(), build: func(*rand.Rand) nn.Layer[float64] { return nn.NewAct[float64](k) }, in: 7, scale: 3})
	}
	for _, c := range cases {
		t.Run(c.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 1))
			l := c.build(r)
			x := randMat(r, 6, c.in, c.scale)
			res, err := gradcheck.Check(l, x, gradcheck.Options{Train: c.train})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range res {
				t.Logf("%v", m)
			}
		})
	}
}

// TestGradientsMLP checks a whole network, loss included, against central
// differences of the scalar mean cross-entropy.
func TestGradientsMLP(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	net := nn.NewSequential[float64](
		nn.NewDense[float64]("d1", 5, 8, nn.Glorot, r), nn.NewAct[float64](nn.Tanh),
		nn.NewResidual[float64](nn.NewSequential[float64](nn.NewDense[float64]("d2", 8, 8, nn.Glorot, r), nn.NewBatchNorm[float64]("bn", 8), nn.NewAct[float64](nn.Sigmoid)), 8, 8),
		nn.NewDense[float64]("out", 8, 3, nn.Glorot, r),
	)
	net.SkipInputGrad()
	x := randMat(r, 7, 5, 1)
	y := []int32{0, 1, 2, 2, 1, 0, 1}
	var ce nn.SoftmaxCE[float64]
	loss := func() float64 {
		l, _ := ce.Forward(net.Forward(x, true), y)
		return l
	}
	ps := net.Params()
	nn.ZeroGrad(ps)
	loss()
	if dx := net.Backward(ce.Backward()); dx != nil {
		t.Fatal("first layer computed an input gradient it was told to skip")
	}
	for _, p := range ps {
		for i := range p.Value {
			orig := p.Value[i]
			p.Value[i] = orig + gradcheck.Step
			lp := loss()
			p.Value[i] = orig - gradcheck.Step
			lm := loss()
			p.Value[i] = orig
			num := (lp - lm) / (2 * gradcheck.Step)
			if rel := math.Abs(num-p.Grad[i]) / max(1, math.Abs(num)); rel > gradcheck.Tol {
				t.Errorf("%s[%d]: analytic %g numeric %g", p.Name, i, p.Grad[i], num)
			}
		}
	}
}

func TestSoftmaxCE(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	logits := randMat(r, 4, 3, 3)
	labels := []int32{2, 0, 1, 1}
	var ce nn.SoftmaxCE[float64]
	loss, correct := ce.Forward(logits, labels)
	// Reference: direct definition.
	var want float64
	wantCorrect := 0
	for i := range 4 {
		row := logits.Row(i)
		var z float64
		arg := 0
		for j, v := range row {
			z += math.Exp(v)
			if v > row[arg] {
				arg = j
			}
		}
		want += -math.Log(math.Exp(row[labels[i]]) / z)
		if arg == int(labels[i]) {
			wantCorrect++
		}
	}
	want /= 4
	if math.Abs(loss-want) > 1e-12 || correct != wantCorrect {
		t.Fatalf("loss %v correct %d, want %v and %d", loss, correct, want, wantCorrect)
	}
	g := append([]float64(nil), ce.Backward().Data...)
	for i := range logits.Data {
		orig := logits.Data[i]
		logits.Data[i] = orig + gradcheck.Step
		lp, _ := ce.Forward(logits, labels)
		logits.Data[i] = orig - gradcheck.Step
		lm, _ := ce.Forward(logits, labels)
		logits.Data[i] = orig
		if num := (lp - lm) / (2 * gradcheck.Step); math.Abs(num-g[i]) > gradcheck.Tol {
			t.Errorf("dlogits[%d] analytic %g numeric %g", i, g[i], num)
		}
	}
	// Extreme logits must not overflow.
	big := &nn.Mat[float64]{Rows: 1, Cols: 2, Data: []float64{1000, -1000}}
	if l, _ := ce.Forward(big, []int32{1}); math.Abs(l-2000) > 1e-9 {
		t.Fatalf("loss of extreme logits = %v, want 2000", l)
	}
}

func TestLinearApproximation(t *testing.T) {
	// u is the tangent of f at 0 for the smooth functions and matches the
	// linear region of the hard ones.
	for _, k := range []nn.Kind{nn.Sigmoid, nn.Tanh, nn.HardSigmoid, nn.HardTanh, nn.ReLU} {
		slope, u0 := k.Linear()
		if got := k.F(0); got != u0 {
			t.Errorf("%v: f(0) = %v, u(0) = %v", k, got, u0)
		}
		const h = 1e-7
		x := h
		if k == nn.ReLU {
			x = 0.5 // the identity is ReLU's linear piece on the positive side
		}
		d := (k.F(x) - k.F(-h)) / (x + h)
		if k == nn.ReLU {
			d = (k.F(x+h) - k.F(x-h)) / (2 * h)
		}
		if math.Abs(d-slope) > 1e-6 {
			t.Errorf("%v: derivative near 0 = %v, u slope = %v", k, d, slope)
		}
	}
}

func TestParseRoundTrip(t *testing.T) {
	for _, k := range []nn.Kind{nn.Identity, nn.Sigmoid, nn.Tanh, nn.ReLU, nn.HardSigmoid, nn.HardTanh} {
		got, err := nn.ParseKind(k.String())
		if err != nil || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k.String(), got, err)
		}
	}
	if _, err := nn.ParseKind("swish"); err == nil {
		t.Error("ParseKind accepted an unknown name")
	}
	for _, s := range []string{"glorot", "he", "zeros", "orthogonal:1", "uniform:0.1"} {
		in, err := nn.ParseInit(s)
		if err != nil || in.String() != s {
			t.Errorf("ParseInit(%q) = %v, %v", s, in, err)
		}
	}
	for _, s := range []string{"uniform", "xavier", "orthogonal:-1"} {
		if _, err := nn.ParseInit(s); err == nil {
			t.Errorf("ParseInit(%q) accepted a bad value", s)
		}
	}
}

func TestInitStatistics(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	const in, out = 300, 200
	w := make([]float64, in*out)
	nn.Glorot.Fill(w, in, out, r)
	lim := math.Sqrt(6.0 / (in + out))
	var ss float64
	for _, v := range w {
		if math.Abs(v) > lim {
			t.Fatalf("glorot weight %v outside ±%v", v, lim)
		}
		ss += v * v
	}
	if got, want := ss/float64(len(w)), lim*lim/3; math.Abs(got-want) > 0.03*want {
		t.Errorf("glorot variance %v, want %v", got, want)
	}
	nn.He.Fill(w, in, out, r)
	ss = 0
	for _, v := range w {
		ss += v * v
	}
	if got, want := ss/float64(len(w)), 2.0/in; math.Abs(got-want) > 0.03*want {
		t.Errorf("he variance %v, want %v", got, want)
	}
	for _, shape := range [][2]int{{6, 4}, {4, 6}, {5, 5}} {
		rows, cols := shape[0], shape[1]
		q := make([]float64, rows*cols)
		nn.Init{Kind: nn.Orthogonal, Scale: 2}.Fill(q, rows, cols, r)
		// The smaller Gram matrix is 4·I.
		n := min(rows, cols)
		for a := range n {
			for b := range n {
				var s float64
				for k := range max(rows, cols) {
					if rows >= cols {
						s += q[k*cols+a] * q[k*cols+b]
					} else {
						s += q[a*cols+k] * q[b*cols+k]
					}
				}
				want := 0.0
				if a == b {
					want = 4
				}
				if math.Abs(s-want) > 1e-9 {
					t.Fatalf("orthogonal %dx%d: gram[%d][%d] = %v, want %v", rows, cols, a, b, s, want)
				}
			}
		}
	}
}

func TestSGDMomentum(t *testing.T) {
	// On L = ½w², heavy-ball SGD has a closed-form two-step recursion.
	for _, nesterov := range []bool{false, true} {
		t.Run(fmt.Sprint("nesterov=", nesterov), func(t *testing.T) {
			p := nn.NewParam[float64]("w", 1, 1)
			p.Value[0] = 1
			o := &nn.SGD[float64]{Momentum: 0.9, Nesterov: nesterov}
			w, v := 1.0, 0.0
			for range 20 {
				p.Grad[0] = p.Value[0]
				o.Step([]*nn.Param[float64]{p}, 0.1)
				g := w
				v = 0.9*v + g
				if nesterov {
					w -= 0.1 * (g + 0.9*v)
				} else {
					w -= 0.1 * v
				}
				if p.Value[0] != w {
					t.Fatalf("w = %v, want %v", p.Value[0], w)
				}
			}
		})
	}
}

func TestSGDWeightDecaySkipsNoDecay(t *testing.T) {
	w := nn.NewParam[float64]("w", 1, 1)
	b := nn.NewParam[float64]("b", 1, 1)
	b.NoDecay = true
	w.Value[0], b.Value[0] = 1, 1
	(&nn.SGD[float64]{WeightDecay: 0.5}).Step([]*nn.Param[float64]{w, b}, 0.1)
	if w.Value[0] != 0.95 || b.Value[0] != 1 {
		t.Fatalf("w = %v (want 0.95), b = %v (want 1)", w.Value[0], b.Value[0])
	}
}

func TestAdamFirstStep(t *testing.T) {
	// With bias correction the first step has size lr in every coordinate
	// (up to eps), whatever the gradient's scale.
	p := nn.NewParam[float64]("w", 1, 3)
	copy(p.Grad, []float64{1e-3, -5, 100})
	nn.NewAdam[float64]().Step([]*nn.Param[float64]{p}, 0.01)
	for i, want := range []float64{-0.01, 0.01, -0.01} {
		if math.Abs(p.Value[i]-want) > 1e-7 {
			t.Errorf("w[%d] = %v, want %v", i, p.Value[i], want)
		}
	}
}

func TestClipGradNorm(t *testing.T) {
	a := nn.NewParam[float64]("a", 1, 2)
	b := nn.NewParam[float64]("b", 1, 1)
	copy(a.Grad, []float64{3, 0})
	b.Grad[0] = 4
	ps := []*nn.Param[float64]{a, b}
	if n := nn.ClipGradNorm(ps, 0); n != 0 || a.Grad[0] != 3 {
		t.Fatalf("disabled clip: norm %v grad %v", n, a.Grad)
	}
	if n := nn.ClipGradNorm(ps, 10); n != 5 || a.Grad[0] != 3 {
		t.Fatalf("no-op clip changed gradients: norm %v grad %v", n, a.Grad)
	}
	if n := nn.ClipGradNorm(ps, 1); n != 5 {
		t.Fatalf("norm before clipping = %v, want 5", n)
	}
	if n := nn.GradNorm(ps); math.Abs(n-1) > 1e-12 {
		t.Fatalf("norm after clipping = %v, want 1", n)
	}
}

// TestTrainingStepAllocatesNothing runs a float32 MLP step (forward, loss,
// backward, clip, update) and requires zero allocations after the first.
func TestTrainingStepAllocatesNothing(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	net := nn.NewSequential[float32](
		nn.NewDense[float32]("d1", 40, 64, nn.Glorot, r), nn.NewAct[float32](nn.Sigmoid),
		nn.NewResidual[float32](nn.NewSequential[float32](nn.NewDense[float32]("d2", 64, 64, nn.Glorot, r), nn.NewBatchNorm[float32]("bn", 64), nn.NewAct[float32](nn.Sigmoid)), 64, 64),
		nn.NewDense[float32]("out", 64, 2, nn.Glorot, r),
	)
	x := nn.NewMat[float32](32, 40)
	for i := range x.Data {
		x.Data[i] = float32(r.IntN(2))
	}
	y := make([]int32, 32)
	var ce nn.SoftmaxCE[float32]
	opt := &nn.SGD[float32]{Momentum: 0.9}
	ps := net.Params()
	step := func() {
		nn.ZeroGrad(ps)
		ce.Forward(net.Forward(x, true), y)
		net.Backward(ce.Backward())
		nn.ClipGradNorm(ps, 1)
		opt.Step(ps, 0.1)
	}
	step()
	if n := testing.AllocsPerRun(20, step); n != 0 {
		t.Fatalf("a training step allocates %v times", n)
	}
}

// TestSGDKernelMatchesLoop: the vectorised float32 update computes the bits
// of the scalar loop (v = μv + g + wd·w; w −= lr·v, and Nesterov's form).
func TestSGDKernelMatchesLoop(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 5))
	for _, nesterov := range []bool{false, true} {
		for _, n := range []int{1, 7, 16, 33, 100} {
			p := nn.NewParam[float32]("w", 1, n)
			w, v := make([]float32, n), make([]float32, n)
			for j := range n {
				p.Value[j] = float32(r.NormFloat64())
				w[j] = p.Value[j]
			}
			o := &nn.SGD[float32]{Momentum: 0.9, Nesterov: nesterov, WeightDecay: 1e-4}
			mu, wd, lr := float32(0.9), float32(1e-4), float32(0.05)
			for range 3 {
				for j := range n {
					p.Grad[j] = float32(r.NormFloat64())
				}
				o.Step([]*nn.Param[float32]{p}, 0.05)
				for j, g := range p.Grad {
					g += wd * w[j]
					v[j] = mu*v[j] + g
					if nesterov {
						w[j] -= lr * (g + mu*v[j])
					} else {
						w[j] -= lr * v[j]
					}
				}
				for j := range n {
					if p.Value[j] != w[j] {
						t.Fatalf("nesterov=%v n=%d: w[%d] = %v, loop gives %v", nesterov, n, j, p.Value[j], w[j])
					}
				}
			}
		}
	}
}
