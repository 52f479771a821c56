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

// convBlockCase is one gradient check of a mollified residual block.
type convBlockCase struct {
	in          nn.Shape
	out, stride int
	short       nn.ShortcutKind
	p           float64
	parts       Parts
	eval        EvalMode
	train       bool
	perBatch    bool
	learnA      bool
}

func (c convBlockCase) String() string {
	return fmt.Sprintf("in%v_out%d_s%d_%v_p%v_parts%d_eval%d_train%v_batch%v_learnA%v", c.in, c.out, c.stride, c.short, c.p, c.parts, c.eval, c.train, c.perBatch, c.learnA)
}

func newTestConvBlock(c convBlockCase, r *rand.Rand) *ConvBlock[float64] {
	b := nn.NewBasicBlock[float64]("b", c.in, c.out, c.stride, c.short, nn.He, r, r)
	for _, bn := range []*nn.SpatialBatchNorm[float64]{b.BN1, b.BN2} {
		for j := range bn.Beta.Value {
			bn.Beta.Value[j] = 0.5 * r.NormFloat64()
			bn.RunMean[j], bn.RunVar[j] = 0.2*r.NormFloat64(), 0.5+r.Float64()
		}
	}
	l := NewConvBlock("m", b, 3, nil)
	l.P, l.Parts, l.Eval, l.PerBatch = c.p, c.parts, c.eval, c.perBatch
	if c.learnA {
		l.LearnA(1)
		for j := range l.LearnedA.Value {
			l.LearnedA.Value[j] = 0.5 + r.Float64()
		}
	}
	return l
}

func TestConvBlockGradients(t *testing.T) {
	sq := nn.Shape{C: 2, H: 4, W: 4}
	cases := []convBlockCase{
		{in: sq, out: 2, stride: 1, p: 0.5, train: true},
		{in: sq, out: 3, stride: 2, short: nn.ShortcutPad, p: 0.5, train: true},
		{in: sq, out: 3, stride: 2, short: nn.ShortcutProject, p: 0.4, train: true},
		{in: sq, out: 2, stride: 1, p: 0.5, train: true, learnA: true},
		{in: sq, out: 3, stride: 2, p: 0.5, train: true, perBatch: true, learnA: true},
		{in: sq, out: 2, stride: 1, p: 0.6, parts: SkipOnly, train: true},
		{in: sq, out: 2, stride: 1, p: 0.9, parts: NoiseOnly, train: true, learnA: true},
		{in: sq, out: 2, stride: 1, p: 0, train: true},
		{in: sq, out: 3, stride: 2, p: 0.3, eval: EvalExpect},
		{in: sq, out: 3, stride: 2, p: 0.3, eval: EvalP0},
	}
	for _, c := range cases {
		t.Run(c.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(21, 22))
			l := newTestConvBlock(c, r)
			x := nn.NewMat[float64](3, c.in.Size())
			for i := range x.Data {
				x.Data[i] = r.NormFloat64()
			}
			reset := func() { l.SetRand(rng.NewNoise(31*1000+32, "test")) }
			res, err := gradcheck.Check(l, x, gradcheck.Options{Train: c.train, Reset: reset})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range res {
				if m.Tensor == "m.a" && c.p > 0 && c.train && c.parts != SkipOnly && m.Analytic == 0 {
					t.Fatal("the gradient of a is zero: the noise never acted")
				}
			}
			if !c.train || c.p == 0 {
				return
			}
			// The check must have seen both sides of the skip and, where
			// there is noise, noisy units that differ from ReLU.
			var copied, kept, noisy int
			for i, w := range l.w.Data {
				switch {
				case w == 1:
					copied++
				case l.pre.Data[i] < 0 && l.y.Data[i] != 0:
					noisy++
					kept++
				default:
					kept++
				}
			}
			if (c.parts != NoiseOnly && copied == 0) || kept == 0 || (c.parts != SkipOnly && noisy == 0) {
				t.Fatalf("degenerate case: %d copied, %d kept, %d noisy", copied, kept, noisy)
			}
		})
	}
}

func convArch(short nn.ShortcutKind) *experiment.ConvNet {
	return &experiment.ConvNet{ResNetSpec: nn.ResNetSpec{In: nn.Shape{C: 3, H: 8, W: 8}, Classes: 4, Blocks: 2, Widths: []int{3, 4, 6}, Shortcut: short, Init: nn.He}}
}

func convHyper() experiment.Hyper {
	return experiment.Hyper{HypC: 1, HypAnneal: 0.5, HypDelta: 0.05, HypEMA: 0.99}
}

func randImages(n int, shape nn.Shape, seed uint64) *nn.Mat[float32] {
	r := rand.New(rand.NewPCG(seed, seed))
	x := nn.NewMat[float32](n, shape.Size())
	for i := range x.Data {
		x.Data[i] = float32(r.NormFloat64())
	}
	return x
}

// TestConvPZeroIsResNet: at p = 0 the mollified convnet computes the ResNet
// with the same weights bit for bit, in training and evaluation, and its
// parameter gradients (claim 6b).
func TestConvPZeroIsResNet(t *testing.T) {
	for _, short := range []nn.ShortcutKind{nn.ShortcutPad, nn.ShortcutProject} {
		a := convArch(short)
		net, blocks, err := BuildConvNet[float32](a, convHyper(), mlpOptions(t), 4)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range blocks {
			b.SetP(0)
		}
		res, err := nn.NewResNet[float32](a.ResNetSpec, rng.New(4, "init"), rng.New(4, "init/skip"))
		if err != nil {
			t.Fatal(err)
		}
		plain := res.Net(nil)
		x := randImages(5, a.In, 1)
		for _, train := range []bool{true, true, false} {
			got := append([]float32(nil), net.Forward(x, train).Data...)
			want := plain.Forward(x, train).Data
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%v train=%v: logit %d = %v, ResNet %v", short, train, i, got[i], want[i])
				}
			}
		}
		// The gradients too, bit for bit: the blocks' p = 0 backward pass
		// is the ResNet block's.
		net.Forward(x, true)
		plain.Forward(x, true)
		dy := randImages(5, nn.Shape{C: 1, H: 1, W: a.Classes}, 2)
		nn.ZeroGrad(net.Params())
		nn.ZeroGrad(plain.Params())
		net.Backward(dy)
		plain.Backward(dy)
		grads := map[string][]float32{}
		for _, p := range plain.Params() {
			grads[p.Name] = p.Grad
		}
		for _, p := range net.Params() {
			want, ok := grads[p.Name]
			if !ok {
				t.Fatalf("%v: parameter %s is not the ResNet's", short, p.Name)
			}
			for i := range want {
				if p.Grad[i] != want[i] {
					t.Fatalf("%v: ∂L/∂%s[%d] = %v, ResNet %v", short, p.Name, i, p.Grad[i], want[i])
				}
			}
		}
	}
}

// TestConvPOneCopiesShortcuts: at p = 1 every activation of every block is
// copied from its shortcut, so the network is the stem, the chain of
// (parameter-free, option A) shortcuts and the head.
func TestConvPOneCopiesShortcuts(t *testing.T) {
	a := convArch(nn.ShortcutPad)
	net, blocks, err := BuildConvNet[float64](a, convHyper(), mlpOptions(t), 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		b.SetP(1)
	}
	x := nn.NewMat[float64](4, a.In.Size())
	r := rand.New(rand.NewPCG(6, 6))
	for i := range x.Data {
		x.Data[i] = r.NormFloat64()
	}
	y := append([]float64(nil), net.Forward(x, true).Data...)
	h := x
	for _, l := range net.Layers[:3] { // the stem
		h = l.Forward(h, true)
	}
	for _, b := range blocks {
		h = b.Short.Forward(h, true)
	}
	for _, l := range net.Layers[len(net.Layers)-2:] { // the head
		h = l.Forward(h, true)
	}
	for i := range y {
		if y[i] != h.Data[i] {
			t.Fatalf("logit %d = %v, stem → shortcuts → head gives %v", i, y[i], h.Data[i])
		}
	}
}

// TestConvNoisyReLUBounds: the noisy ReLU moves f(x) towards its linear
// approximation u(x) = x and never past it (claim 6c): ψ = x for x > 0,
// x ≤ ψ ≤ 0 for x < 0, and some units move at high noise.
func TestConvNoisyReLUBounds(t *testing.T) {
	c := convBlockCase{in: nn.Shape{C: 3, H: 6, W: 6}, out: 3, stride: 1, p: 1, parts: NoiseOnly, train: true}
	l := newTestConvBlock(c, rand.New(rand.NewPCG(1, 1)))
	l.Unit.C = 20
	l.SetRand(rng.NewNoise(2*1000+2, "test"))
	x := nn.NewMat[float64](8, c.in.Size())
	r := rand.New(rand.NewPCG(3, 3))
	for i := range x.Data {
		x.Data[i] = 2 * r.NormFloat64()
	}
	y := l.Forward(x, true)
	moved := 0
	for i, v := range l.pre.Data {
		psi := y.Data[i]
		switch {
		case v > 0 && psi != v:
			t.Fatalf("ψ(%v) = %v, want the identity for positive inputs", v, psi)
		case v <= 0 && (psi < v || psi > 0):
			t.Fatalf("ψ(%v) = %v outside [x, 0]", v, psi)
		case v < 0 && psi != 0:
			moved++
		}
	}
	if moved == 0 {
		t.Fatal("no unit moved towards the identity")
	}
}

// TestConvSkipFrequency: π is drawn per activation with P(π = 1) = p.
func TestConvSkipFrequency(t *testing.T) {
	c := convBlockCase{in: nn.Shape{C: 4, H: 8, W: 8}, out: 4, stride: 1, p: 0.3, parts: SkipOnly, train: true}
	l := newTestConvBlock(c, rand.New(rand.NewPCG(4, 4)))
	l.SetRand(rng.NewNoise(5*1000+5, "test"))
	x := nn.NewMat[float64](16, c.in.Size())
	l.Forward(x, true)
	var copied float64
	for _, w := range l.w.Data {
		copied += w
	}
	frac := copied / float64(len(l.w.Data))
	if math.Abs(frac-0.3) > 0.02 {
		t.Fatalf("copied fraction %v, want 0.3", frac)
	}
	// Per batch: every example makes the same choice at a position.
	l.PerBatch = true
	l.Forward(x, true)
	for i := 1; i < l.w.Rows; i++ {
		for j, w := range l.w.Row(i) {
			if w != l.w.Row(0)[j] {
				t.Fatal("per-batch draws differ between examples")
			}
		}
	}
}

// TestConvConfig: the configuration builds the mollified convnet with one
// schedule target per residual block, starting from the baseline's weights,
// and a float32 training step allocates nothing after the first.
func TestConvConfig(t *testing.T) {
	a := convArch(nn.ShortcutPad)
	if ax := (Config{}).Space(experiment.MustBuiltin("paper"), a); len(ax) != 4 || ax[0].Values[0] != 1 {
		t.Fatalf("convnet space %v", ax)
	}
	env := experiment.Env{Seed: 7, Updates: 200, InitialLoss: math.Log(4)}
	m, err := Config{}.Build(a, convHyper(), mlpOptions(t), env)
	if err != nil {
		t.Fatal(err)
	}
	s := m.Hooks[0].(*Schedule)
	if len(s.Layers) != 6 {
		t.Fatalf("%d schedule targets, want 6 blocks", len(s.Layers))
	}
	res, err := nn.NewResNet[float32](a.ResNetSpec, rng.New(7, "init"), rng.New(7, "init/skip"))
	if err != nil {
		t.Fatal(err)
	}
	want := res.Net(nil).Params()
	got := m.Net.Params()
	if len(got) != len(want) {
		t.Fatalf("%d tensors, ResNet has %d", len(got), len(want))
	}
	for i, p := range want {
		for j := range p.Value {
			if got[i].Name != p.Name || got[i].Value[j] != p.Value[j] {
				t.Fatalf("%s[%d] differs from the ResNet's", p.Name, j)
			}
		}
	}
	o := mlpOptions(t)
	o[OptA] = "learned"
	m, err = Config{}.Build(a, convHyper(), o, env)
	if err != nil {
		t.Fatal(err)
	}
	x := randImages(8, a.In, 2)
	y := make([]int32, 8)
	var ce nn.SoftmaxCE[float32]
	opt := &nn.SGD[float32]{Momentum: 0.9}
	ps := m.Net.Params()
	tStep := 0
	step := func() {
		tStep++
		s := m.Hooks[0].(*Schedule)
		s.StartStep(tStep)
		nn.ZeroGrad(ps)
		loss, _ := ce.Forward(m.Net.Forward(x, true), y)
		m.Net.Backward(ce.Backward())
		opt.Step(ps, 0.01)
		s.ObserveLoss(tStep, loss)
	}
	step()
	if s := m.Hooks[0].(*Schedule); s.P()[0] == 0 {
		t.Fatal("p is 0 at the first update: the step exercised the plain network only")
	}
	if n := testing.AllocsPerRun(5, step); n != 0 {
		t.Fatalf("a training step allocates %v times", n)
	}
}

// BenchmarkConvNetStep times a float32 training step of the mollified
// ResNet-20 at batch 128 on 32×32×3 images, with every block at p = 0.5
// (noise and skip draws for every activation) and at p = 0 (the ResNet's
// cost plus the block bookkeeping), to compare with nn's
// BenchmarkResNetStep.
func BenchmarkConvNetStep(b *testing.B) {
	a := &experiment.ConvNet{ResNetSpec: nn.ResNetSpec{In: nn.Shape{C: 3, H: 32, W: 32}, Classes: 10, Blocks: 3, Widths: []int{16, 32, 64}, Init: nn.He}}
	o, err := experiment.ResolveOptions(Config{}.Options(), nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range []float64{0.5, 0} {
		b.Run(fmt.Sprintf("resnet20_p%v", p), func(b *testing.B) {
			net, blocks, err := BuildConvNet[float32](a, convHyper(), o, 1)
			if err != nil {
				b.Fatal(err)
			}
			for _, blk := range blocks {
				blk.SetP(p)
			}
			const batch = 128
			x := randImages(batch, a.In, 3)
			y := make([]int32, batch)
			var ce nn.SoftmaxCE[float32]
			opt := &nn.SGD[float32]{Momentum: 0.9, WeightDecay: 1e-4}
			ps := net.Params()
			step := func() {
				nn.ZeroGrad(ps)
				ce.Forward(net.Forward(x, true), y)
				net.Backward(ce.Backward())
				opt.Step(ps, 0.1)
			}
			step()
			b.ResetTimer()
			for b.Loop() {
				step()
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "images/s")
		})
	}
}
