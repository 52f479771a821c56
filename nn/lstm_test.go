package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/nn/gradcheck"
)

// scaledGate is a test gate with a learned per-unit gain and a noise draw
// per element: y = f(w_j·x + ε), ε ~ N(0, 0.3²). It exercises the plumbing
// the noisy and mollified gates rely on (parameters, per-step storage, the
// noise stream held fixed by Reset).
type scaledGate struct {
	kind nn.Kind
	w    *nn.Param[float64]
	rnd  *rand.Rand
	// dw[step] holds ∂y/∂w_j per element of that step.
	dw [][]float64
}

func newScaledGate(name string, kind nn.Kind, units int, r *rand.Rand) *scaledGate {
	g := &scaledGate{kind: kind, w: nn.NewParam[float64](name, 1, units)}
	for j := range g.w.Value {
		g.w.Value[j] = 0.5 + r.Float64()
	}
	return g
}

func (g *scaledGate) Forward(a *nn.GateArgs[float64]) {
	for len(g.dw) <= a.Step {
		g.dw = append(g.dw, nil)
	}
	dw := g.dw[a.Step][:0]
	for r := range a.Rows {
		for j := range a.Units {
			i := r*a.Stride + j
			eps := 0.0
			if a.Train {
				eps = 0.3 * g.rnd.NormFloat64()
			}
			u := g.w.Value[j]*a.X[i] + eps
			f := g.kind.F(u)
			df := g.kind.D(u, f)
			a.Y[i], a.D[i] = f, df*g.w.Value[j]
			dw = append(dw, df*a.X[i])
		}
	}
	g.dw[a.Step] = dw
}

func (g *scaledGate) Backward(step int, dy []float64, rows, units, stride int) {
	for r := range rows {
		for j := range units {
			g.w.Grad[j] += dy[r*stride+j] * g.dw[step][r*units+j]
		}
	}
}

func (g *scaledGate) Params() []*nn.Param[float64] { return []*nn.Param[float64]{g.w} }

type lstmCase struct {
	name           string
	in, hidden     int
	batch, steps   int
	warm           int // steps of a first window whose final state is carried
	train          bool
	gates          string // "plain", "hard" or "scaled"
	forgetBias     float64
	inScale, scale float64
}

func (c lstmCase) String() string { return c.name }

func buildLSTM(c lstmCase, r *rand.Rand) (*nn.LSTM[float64], func()) {
	l := nn.NewLSTM[float64]("lstm", c.in, c.hidden, nn.Init{Kind: nn.Uniform, Scale: c.scale}, r)
	l.SetForgetBias(c.forgetBias)
	for j := range l.B.Value {
		l.B.Value[j] += 0.2 * r.NormFloat64()
	}
	reset := func() {}
	switch c.gates {
	case "hard":
		hs, ht := nn.KindGate[float64]{Kind: nn.HardSigmoid}, nn.KindGate[float64]{Kind: nn.HardTanh}
		l.Gates = [nn.NumGates]nn.GateFunc[float64]{hs, hs, hs, ht, ht}
	case "scaled":
		var gs []*scaledGate
		for k := range nn.NumGates {
			kind := nn.Sigmoid
			if k >= nn.GateCandidate {
				kind = nn.Tanh
			}
			g := newScaledGate(fmt.Sprintf("lstm.%s.w", nn.GateName(k)), kind, c.hidden, r)
			l.Gates[k] = g
			gs = append(gs, g)
		}
		reset = func() {
			for k, g := range gs {
				g.rnd = rand.New(rand.NewPCG(99, uint64(k)))
			}
		}
	}
	return l, reset
}

// TestLSTMGradients checks the layer against central differences, input
// and parameters, over several steps and with a carried state.
func TestLSTMGradients(t *testing.T) {
	cases := []lstmCase{
		{name: "one-step", in: 3, hidden: 4, batch: 2, steps: 1, gates: "plain", scale: 0.5, inScale: 1},
		{name: "five-steps", in: 3, hidden: 4, batch: 3, steps: 5, gates: "plain", scale: 0.5, inScale: 1},
		{name: "carried-state", in: 3, hidden: 4, batch: 2, steps: 4, warm: 3, gates: "plain", forgetBias: 1, scale: 0.7, inScale: 1},
		{name: "saturating", in: 2, hidden: 3, batch: 2, steps: 6, warm: 2, gates: "plain", scale: 2, inScale: 2},
		{name: "hard-gates", in: 3, hidden: 4, batch: 2, steps: 4, warm: 2, gates: "hard", scale: 0.8, inScale: 1},
		{name: "gate-params-noise", in: 3, hidden: 4, batch: 2, steps: 4, warm: 2, train: true, gates: "scaled", scale: 0.6, inScale: 1},
		{name: "gate-params-eval", in: 3, hidden: 4, batch: 2, steps: 3, warm: 1, gates: "scaled", scale: 0.6, inScale: 1},
	}
	for _, c := range cases {
		t.Run(c.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(5, 6))
			l, reset := buildLSTM(c, r)
			x := randMat(r, c.steps*c.batch, c.in, c.inScale)
			var warm *nn.Mat[float64]
			if c.warm > 0 {
				warm = randMat(r, c.warm*c.batch, c.in, c.inScale)
			}
			res, err := gradcheck.CheckCarried(l, warm, x, c.batch, gradcheck.Options{Train: c.train, Reset: reset})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range res {
				t.Log(m)
				// From a zero state, one step gives Wh no gradient.
				trivial := m.Tensor == "lstm.Wh" && c.steps == 1 && c.warm == 0
				if m.Analytic == 0 && m.Numeric == 0 && !trivial {
					t.Errorf("%s: gradient identically zero at the worst element: the check proves nothing", m.Tensor)
				}
			}
			if c.warm > 0 {
				h, _ := l.State()
				if h.Rows != c.batch {
					t.Fatalf("state has %d rows", h.Rows)
				}
			}
		})
	}
}

// TestLSTMStateGradient checks dL/d(initial h, c), the path through which
// the carried state influences the window: perturbing the state the
// previous window left must change the loss as StateGrad says.
func TestLSTMStateGradient(t *testing.T) {
	const batch, steps = 2, 4
	c := lstmCase{in: 3, hidden: 4, scale: 0.7, gates: "plain"}
	r := rand.New(rand.NewPCG(7, 8))
	l, _ := buildLSTM(c, r)
	x := randMat(r, steps*batch, c.in, 1)
	h0 := randMat(r, batch, c.hidden, 0.5)
	c0 := randMat(r, batch, c.hidden, 1)
	proj := randMat(r, steps*batch, c.hidden, 1)
	loss := func() float64 {
		l.ResetState(batch)
		h, cc := l.State()
		copy(h.Data, h0.Data)
		copy(cc.Data, c0.Data)
		y := l.Forward(x, false)
		var s float64
		for i, v := range y.Data {
			s += v * proj.Data[i]
		}
		return s
	}
	loss()
	l.Backward(proj)
	dh, dc := l.StateGrad()
	for _, st := range []struct {
		name string
		v    *nn.Mat[float64]
		g    *nn.Mat[float64]
	}{{"h0", h0, dh}, {"c0", c0, dc}} {
		g := append([]float64(nil), st.g.Data...)
		for i := range st.v.Data {
			orig := st.v.Data[i]
			st.v.Data[i] = orig + gradcheck.Step
			lp := loss()
			st.v.Data[i] = orig - gradcheck.Step
			lm := loss()
			st.v.Data[i] = orig
			num := (lp - lm) / (2 * gradcheck.Step)
			if rel := math.Abs(num-g[i]) / max(1, math.Abs(num)); rel > gradcheck.Tol {
				t.Errorf("%s[%d]: analytic %g numeric %g", st.name, i, g[i], num)
			}
		}
	}
}

// TestLSTMCarriesState: two windows in a row compute what one long window
// computes, and PushState/PopState bracket an interruption invisibly.
func TestLSTMCarriesState(t *testing.T) {
	const batch = 3
	r := rand.New(rand.NewPCG(9, 9))
	l := nn.NewLSTM[float64]("l", 2, 5, nn.Init{Kind: nn.Uniform, Scale: 0.5}, r)
	x := randMat(r, 6*batch, 2, 1)
	l.ResetState(batch)
	whole := append([]float64(nil), l.Forward(x, false).Data...)

	l.ResetState(batch)
	first := &nn.Mat[float64]{Rows: 2 * batch, Cols: 2, Data: x.Data[:2*batch*2]}
	second := &nn.Mat[float64]{Rows: 4 * batch, Cols: 2, Data: x.Data[2*batch*2:]}
	got := append([]float64(nil), l.Forward(first, false).Data...)
	nn.PushState[float64](l)
	nn.ResetState[float64](l, 1) // an evaluation pass with another batch size
	l.Forward(randMat(r, 7, 2, 1), false)
	nn.PopState[float64](l)
	got = append(got, l.Forward(second, false).Data...)
	for i := range whole {
		if got[i] != whole[i] {
			t.Fatalf("output %d: windowed %v, whole %v", i, got[i], whole[i])
		}
	}
}

// TestLSTMBagOfWords: with the input gate at 1/t, the forget gate at
// 1 − 1/t and the output gate at 1 (the mollified LSTM's limit, paper
// Sec. 6), the cell is the running mean of the candidates.
func TestLSTMBagOfWords(t *testing.T) {
	const batch, steps, hidden = 2, 7, 3
	r := rand.New(rand.NewPCG(1, 3))
	l := nn.NewLSTM[float64]("l", 4, hidden, nn.Init{Kind: nn.Uniform, Scale: 0.5}, r)
	l.Gates[nn.GateInput] = constGate{func(t int) float64 { return 1 / float64(t) }}
	l.Gates[nn.GateForget] = constGate{func(t int) float64 { return 1 - 1/float64(t) }}
	l.Gates[nn.GateOutput] = constGate{func(int) float64 { return 1 }}
	l.Gates[nn.GateCell] = nn.KindGate[float64]{Kind: nn.Identity}
	x := randMat(r, steps*batch, 4, 1)
	l.ResetState(batch)
	h := l.Forward(x, true)
	// The candidates g_t = tanh(x_t·Wx_g + h_{t−1}·Wh_g + b_g), recomputed.
	for b := range batch {
		mean := make([]float64, hidden)
		prev := make([]float64, hidden)
		for s := range steps {
			xr := x.Row(s*batch + b)
			for j := range hidden {
				z := l.B.Value[3*hidden+j]
				for i, v := range xr {
					z += v * l.Wx.Value[i*4*hidden+3*hidden+j]
				}
				for i, v := range prev {
					z += v * l.Wh.Value[i*4*hidden+3*hidden+j]
				}
				mean[j] += (math.Tanh(z) - mean[j]) / float64(s+1)
			}
			hr := h.Row(s*batch + b)
			for j := range hidden {
				if math.Abs(hr[j]-mean[j]) > 1e-12 {
					t.Fatalf("sequence %d step %d unit %d: h = %v, running mean %v", b, s, j, hr[j], mean[j])
				}
			}
			copy(prev, hr)
		}
	}
}

// constGate outputs v(t) whatever its input, t the 1-based step since reset.
type constGate struct{ v func(t int) float64 }

func (g constGate) Forward(a *nn.GateArgs[float64]) {
	for r := range a.Rows {
		for j := range a.Units {
			a.Y[r*a.Stride+j], a.D[r*a.Stride+j] = g.v(a.Pos+1), 0
		}
	}
}
func (constGate) Backward(int, []float64, int, int, int) {}
func (constGate) Params() []*nn.Param[float64]           { return nil }

func TestStackedAndBidirectionalGradients(t *testing.T) {
	const batch, steps = 2, 4
	r := rand.New(rand.NewPCG(2, 2))
	u := nn.Init{Kind: nn.Uniform, Scale: 0.6}
	stack := nn.NewSequential[float64](
		nn.NewLSTM[float64]("l1", 3, 4, u, r),
		nn.NewLSTM[float64]("l2", 4, 5, u, r),
		nn.NewDense[float64]("out", 5, 2, nn.Glorot, r),
	)
	bi := nn.NewSequential[float64](
		nn.NewBidirectional(nn.NewLSTM[float64]("f", 3, 4, u, r), nn.NewLSTM[float64]("b", 3, 2, u, r)),
		&nn.SeqEnds[float64]{Head: 4},
		nn.NewDense[float64]("out", 6, 3, nn.Glorot, r),
	)
	for _, c := range []struct {
		name string
		net  nn.Layer[float64]
		warm bool
	}{{"stacked", stack, true}, {"bidirectional-ends", bi, false}} {
		t.Run(c.name, func(t *testing.T) {
			x := randMat(r, steps*batch, 3, 1)
			var warm *nn.Mat[float64]
			if c.warm {
				warm = randMat(r, 2*batch, 3, 1)
			}
			res, err := gradcheck.CheckCarried(c.net, warm, x, batch, gradcheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range res {
				t.Log(m)
			}
		})
	}
}

// TestBidirectionalDirections: the backward half at step t depends only on
// steps ≥ t, the forward half only on steps ≤ t.
func TestBidirectionalDirections(t *testing.T) {
	const batch, steps = 2, 5
	r := rand.New(rand.NewPCG(4, 4))
	u := nn.Init{Kind: nn.Uniform, Scale: 0.6}
	bi := nn.NewBidirectional(nn.NewLSTM[float64]("f", 2, 3, u, r), nn.NewLSTM[float64]("b", 2, 3, u, r))
	x := randMat(r, steps*batch, 2, 1)
	nn.ResetState[float64](bi, batch)
	y0 := append([]float64(nil), bi.Forward(x, false).Data...)
	x.Row(2 * batch)[0] += 1 // change step 2 of sequence 0
	nn.ResetState[float64](bi, batch)
	y1 := bi.Forward(x, false)
	for s := range steps {
		row := s * batch
		for j := range 6 {
			changed := y1.Data[row*6+j] != y0[row*6+j]
			want := (j < 3 && s >= 2) || (j >= 3 && s <= 2)
			if changed != want {
				t.Errorf("step %d column %d: changed=%v, want %v", s, j, changed, want)
			}
		}
	}
}

// lossLayer turns a loss into a layer whose single output is the scaled
// loss, so that gradcheck can check its input gradient.
type lossLayer struct {
	f     func(x *nn.Mat[float64]) float64
	b     func(scale float64) *nn.Mat[float64]
	scale float64
	y     nn.Mat[float64]
}

func (l *lossLayer) Forward(x *nn.Mat[float64], _ bool) *nn.Mat[float64] {
	y := l.y.Reshape(1, 1)
	y.Data[0] = l.scale * l.f(x)
	return y
}
func (l *lossLayer) Backward(dy *nn.Mat[float64]) *nn.Mat[float64] { return l.b(l.scale * dy.Data[0]) }
func (l *lossLayer) Params() []*nn.Param[float64]                  { return nil }

func TestSequenceLossGradients(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 1))
	labels := []int32{2, -1, 0, 4, 1, -1, 3, 3}
	var ce nn.SeqSoftmaxCE[float64]
	targets := nn.NewMat[float64](8, 3)
	for i := range targets.Data {
		targets.Data[i] = float64(r.IntN(2))
	}
	mask := []bool{true, false, true, true, false, true, true, true}
	var bce nn.SigmoidBCE[float64]
	reg := randMat(r, 8, 3, 1)
	var se nn.SquaredError[float64]
	cases := []struct {
		name string
		l    *lossLayer
		cols int
	}{
		{"softmax-masked", &lossLayer{f: func(x *nn.Mat[float64]) float64 { s, _, _ := ce.Forward(x, labels); return s }, b: ce.Backward, scale: 0.5}, 5},
		{"sigmoid-bce-masked", &lossLayer{f: func(x *nn.Mat[float64]) float64 { s, _, _ := bce.Forward(x, targets, mask); return s }, b: bce.Backward, scale: 0.25}, 3},
		{"sigmoid-bce", &lossLayer{f: func(x *nn.Mat[float64]) float64 { s, _, _ := bce.Forward(x, targets, nil); return s }, b: bce.Backward, scale: 1}, 3},
		{"squared-error", &lossLayer{f: func(x *nn.Mat[float64]) float64 { return se.Forward(x, reg) }, b: se.Backward, scale: 0.3}, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := randMat(r, 8, c.cols, 3)
			if _, err := gradcheck.Check(c.l, x, gradcheck.Options{}); err != nil {
				t.Fatal(err)
			}
		})
	}
	// Counting: masked rows are left out of the sums.
	x := randMat(r, 8, 5, 1)
	if _, n, _ := ce.Forward(x, labels); n != 6 {
		t.Errorf("softmax counted %d rows, want 6", n)
	}
	if _, n, _ := bce.Forward(randMat(r, 8, 3, 1), targets, mask); n != 18 {
		t.Errorf("BCE counted %d elements, want 18", n)
	}
	// A confident correct output costs nothing and is not wrong.
	z := nn.NewMat[float64](1, 2)
	z.Data[0], z.Data[1] = 40, -40
	y := nn.NewMat[float64](1, 2)
	y.Data[0] = 1
	if s, _, w := bce.Forward(z, y, nil); s > 1e-15 || w != 0 {
		t.Errorf("confident BCE: loss %v, %d wrong", s, w)
	}
}

func TestEmbeddingGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 1))
	e := nn.NewEmbedding[float64]("emb", 7, 3, nn.Init{Kind: nn.Uniform, Scale: 1}, r)
	x := nn.NewMat[float64](9, 1)
	for i := range x.Data {
		x.Data[i] = float64(r.IntN(7))
	}
	x.Data[3] = x.Data[5] // a repeated id accumulates
	if _, err := gradcheck.Check(e, x, gradcheck.Options{SkipInput: true}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("an id outside the vocabulary was accepted")
		}
	}()
	x.Data[0] = 7
	e.Forward(x, false)
}

// TestSequenceStepAllocatesNothing runs a float32 language-model step
// (embedding, two LSTM layers, softmax over time, backward, clip, update)
// and requires zero allocations after the first, state carried between
// windows and an evaluation pass in between.
func TestSequenceStepAllocatesNothing(t *testing.T) {
	const batch, steps, vocab = 4, 5, 11
	r := rand.New(rand.NewPCG(1, 2))
	u := nn.Init{Kind: nn.Uniform, Scale: 0.1}
	net := nn.NewSequential[float32](
		nn.NewEmbedding[float32]("emb", vocab, 6, u, r),
		nn.NewLSTM[float32]("l1", 6, 8, u, r),
		nn.NewLSTM[float32]("l2", 8, 8, u, r),
		nn.NewDense[float32]("out", 8, vocab, u, r),
	)
	x := nn.NewMat[float32](steps*batch, 1)
	y := make([]int32, steps*batch)
	for i := range y {
		x.Data[i] = float32(r.IntN(vocab))
		y[i] = int32(r.IntN(vocab))
	}
	var ce nn.SeqSoftmaxCE[float32]
	opt := &nn.SGD[float32]{}
	ps := net.Params()
	nn.ResetState[float32](net, batch)
	step := func() {
		nn.ZeroGrad(ps)
		ce.Forward(net.Forward(x, true), y)
		net.Backward(ce.Backward(1.0 / batch))
		nn.ClipGradNorm(ps, 5)
		opt.Step(ps, 0.1)
		nn.PushState[float32](net)
		nn.ResetState[float32](net, batch)
		ce.Forward(net.Forward(x, false), y)
		nn.PopState[float32](net)
	}
	step()
	if n := testing.AllocsPerRun(20, step); n != 0 {
		t.Fatalf("a training step allocates %v times", n)
	}
}

// TestBidirectionalStepAllocatesNothing: a sequence-to-vector step through
// a bidirectional layer, new sequences every step (ResetState reaches the
// two directions through Sublayers), allocates nothing after the first.
func TestBidirectionalStepAllocatesNothing(t *testing.T) {
	const batch, steps = 3, 4
	r := rand.New(rand.NewPCG(1, 2))
	net, err := nn.NewLSTMNet[float32](nn.LSTMNetSpec{Vocab: 9, Embed: 5, Hidden: []int{6}, Bidirectional: true, Summary: true, Out: 2, Init: nn.Init{Kind: nn.Uniform, Scale: 0.1}}, nil, r)
	if err != nil {
		t.Fatal(err)
	}
	x := nn.NewMat[float32](steps*batch, 1)
	for i := range x.Data {
		x.Data[i] = float32(r.IntN(9))
	}
	y := nn.NewMat[float32](batch, 2)
	var se nn.SquaredError[float32]
	opt := &nn.SGD[float32]{}
	ps := net.Params()
	step := func() {
		nn.ResetState[float32](net, batch)
		nn.ZeroGrad(ps)
		se.Forward(net.Forward(x, true), y)
		net.Backward(se.Backward(1.0 / batch))
		opt.Step(ps, 0.1)
	}
	step()
	if n := testing.AllocsPerRun(20, step); n != 0 {
		t.Fatalf("a training step allocates %v times", n)
	}
}
