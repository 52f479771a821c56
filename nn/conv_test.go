package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/nn/gradcheck"
)

// convCase is one convolution geometry.
type convCase struct {
	in             nn.Shape
	out, k, stride int
	pad            int
	bias           bool
}

func (c convCase) String() string {
	return fmt.Sprintf("in%v_out%d_k%d_s%d_p%d_bias%v", c.in, c.out, c.k, c.stride, c.pad, c.bias)
}

var convCases = []convCase{
	{in: nn.Shape{C: 2, H: 5, W: 5}, out: 3, k: 3, stride: 1, pad: 1},
	{in: nn.Shape{C: 2, H: 5, W: 6}, out: 3, k: 3, stride: 2, pad: 1, bias: true},
	{in: nn.Shape{C: 3, H: 6, W: 4}, out: 2, k: 3, stride: 1, pad: 0},
	{in: nn.Shape{C: 1, H: 7, W: 7}, out: 2, k: 5, stride: 2, pad: 2, bias: true},
	{in: nn.Shape{C: 2, H: 4, W: 5}, out: 2, k: 2, stride: 3, pad: 1},
	{in: nn.Shape{C: 3, H: 4, W: 4}, out: 4, k: 1, stride: 1, pad: 0, bias: true}, // direct: no im2col
	{in: nn.Shape{C: 3, H: 5, W: 5}, out: 2, k: 1, stride: 2, pad: 0},
	{in: nn.Shape{C: 2, H: 3, W: 3}, out: 2, k: 3, stride: 1, pad: 3}, // padding wider than the window
	// Same convolutions (conv_same.go).
	{in: nn.Shape{C: 3, H: 4, W: 6}, out: 2, k: 3, stride: 1, pad: 1, bias: true},
	{in: nn.Shape{C: 2, H: 6, W: 5}, out: 3, k: 5, stride: 1, pad: 2},
	{in: nn.Shape{C: 1, H: 2, W: 1}, out: 2, k: 3, stride: 1, pad: 1},
	{in: nn.Shape{C: 2, H: 1, W: 3}, out: 1, k: 5, stride: 1, pad: 2, bias: true}, // window wider than the image
	// Strided convolutions through the phase planes (conv_phase.go).
	{in: nn.Shape{C: 2, H: 6, W: 4}, out: 3, k: 3, stride: 2, pad: 1, bias: true},
	{in: nn.Shape{C: 3, H: 4, W: 6}, out: 2, k: 1, stride: 2, pad: 0},
}

// directConv is the textbook definition, for reference.
func directConv(c *nn.Conv2D[float64], x *nn.Mat[float64]) *nn.Mat[float64] {
	y := nn.NewMat[float64](x.Rows, c.Out.Size())
	for n := range x.Rows {
		xi, yi := x.Row(n), y.Row(n)
		for o := range c.Out.C {
			for oh := range c.Out.H {
				for ow := range c.Out.W {
					var s float64
					if c.B != nil {
						s = c.B.Value[o]
					}
					for ch := range c.In.C {
						for ki := range c.K {
							for kj := range c.K {
								ih, iw := oh*c.Stride-c.Pad+ki, ow*c.Stride-c.Pad+kj
								if ih < 0 || ih >= c.In.H || iw < 0 || iw >= c.In.W {
									continue
								}
								w := c.W.Value[((ch*c.K+ki)*c.K+kj)*c.Out.C+o]
								s += w * xi[(ch*c.In.H+ih)*c.In.W+iw]
							}
						}
					}
					yi[(o*c.Out.H+oh)*c.Out.W+ow] = s
				}
			}
		}
	}
	return y
}

func newConv(c convCase, r *rand.Rand) *nn.Conv2D[float64] {
	conv := nn.NewConv2D[float64]("conv", c.in, c.out, c.k, c.stride, c.pad, c.bias, nn.He, r)
	if conv.B != nil {
		for i := range conv.B.Value {
			conv.B.Value[i] = r.NormFloat64()
		}
	}
	return conv
}

func TestConvMatchesDefinition(t *testing.T) {
	for _, c := range convCases {
		t.Run(c.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			conv := newConv(c, r)
			if want := (nn.Shape{C: c.out, H: nn.ConvOut(c.in.H, c.k, c.stride, c.pad), W: nn.ConvOut(c.in.W, c.k, c.stride, c.pad)}); conv.Out != want {
				t.Fatalf("output shape %v, want %v", conv.Out, want)
			}
			x := randMat(r, 3, c.in.Size(), 1)
			got := conv.Forward(x, true)
			want := directConv(conv, x)
			for i := range want.Data {
				if math.Abs(got.Data[i]-want.Data[i]) > 1e-12 {
					t.Fatalf("output %d = %v, definition gives %v", i, got.Data[i], want.Data[i])
				}
			}
		})
	}
}

func TestConvGradients(t *testing.T) {
	for _, c := range convCases {
		t.Run(c.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			conv := newConv(c, r)
			x := randMat(r, 3, c.in.Size(), 1)
			res, err := gradcheck.Check(conv, x, gradcheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range res {
				t.Log(m)
			}
		})
	}
}

// TestConvAddInputGrad: after AddInputGrad(r), Backward returns r plus the
// input gradient, once.
func TestConvAddInputGrad(t *testing.T) {
	for _, c := range convCases {
		t.Run(c.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			conv := newConv(c, r)
			x := randMat(r, 3, c.in.Size(), 1)
			dy := randMat(r, 3, conv.Out.Size(), 1)
			add := randMat(r, 3, c.in.Size(), 1)
			conv.Forward(x, true)
			want := append([]float64(nil), conv.Backward(dy).Data...)
			for i, v := range add.Data {
				want[i] += v
			}
			conv.AddInputGrad(add)
			got := conv.Backward(dy)
			for i := range want {
				if math.Abs(got.Data[i]-want[i]) > 1e-12 {
					t.Fatalf("dx[%d] = %v, want %v", i, got.Data[i], want[i])
				}
			}
			again := conv.Backward(dy)
			for i := range want {
				if math.Abs(again.Data[i]+add.Data[i]-want[i]) > 1e-12 {
					t.Fatalf("the addition outlived its Backward: dx[%d] = %v", i, again.Data[i])
				}
			}
		})
	}
}

func TestConvSkipInputGrad(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	conv := newConv(convCases[0], r)
	conv.SkipInputGrad()
	x := randMat(r, 2, conv.In.Size(), 1)
	y := conv.Forward(x, true)
	if dx := conv.Backward(y); dx != nil {
		t.Fatal("returned an input gradient it was told to skip")
	}
	if _, err := gradcheck.Check(conv, x, gradcheck.Options{SkipInput: true}); err != nil {
		t.Fatal(err)
	}
}

func TestConvRejectsBadGeometry(t *testing.T) {
	for _, c := range []convCase{
		{in: nn.Shape{C: 1, H: 2, W: 2}, out: 1, k: 5, stride: 1, pad: 0},
		{in: nn.Shape{C: 1, H: 4, W: 4}, out: 1, k: 3, stride: 0, pad: 1},
		{in: nn.Shape{C: 0, H: 4, W: 4}, out: 1, k: 3, stride: 1, pad: 1},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%v: no panic", c)
				}
			}()
			nn.NewConv2D[float64]("bad", c.in, c.out, c.k, c.stride, c.pad, false, nn.He, rand.New(rand.NewPCG(1, 1)))
		}()
	}
}

func spatialBN(shape nn.Shape, r *rand.Rand, trained bool) *nn.SpatialBatchNorm[float64] {
	b := nn.NewSpatialBatchNorm[float64]("bn", shape)
	for c := range shape.C {
		b.Gamma.Value[c] = 0.5 + r.Float64()
		b.Beta.Value[c] = r.NormFloat64()
		if trained {
			b.RunMean[c], b.RunVar[c] = r.NormFloat64(), 0.5+r.Float64()
		}
	}
	return b
}

func TestSpatialBatchNormGradients(t *testing.T) {
	for _, c := range []struct {
		shape nn.Shape
		rows  int
		train bool
		relu  bool
	}{
		{nn.Shape{C: 3, H: 2, W: 3}, 4, true, false},
		{nn.Shape{C: 2, H: 1, W: 1}, 5, true, false}, // one pixel: plain batch norm
		{nn.Shape{C: 2, H: 4, W: 4}, 1, true, false}, // one example: statistics over pixels only
		{nn.Shape{C: 3, H: 2, W: 3}, 4, false, false},
		{nn.Shape{C: 3, H: 2, W: 3}, 4, true, true}, // fused ReLU
		{nn.Shape{C: 3, H: 2, W: 3}, 4, false, true},
	} {
		t.Run(fmt.Sprintf("%v_n%d_train%v_relu%v", c.shape, c.rows, c.train, c.relu), func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, 8))
			b := spatialBN(c.shape, r, !c.train)
			b.ReLU = c.relu
			x := randMat(r, c.rows, c.shape.Size(), 2)
			for i := range x.Data {
				x.Data[i] += 1 // a non-zero mean
			}
			if _, err := gradcheck.Check(b, x, gradcheck.Options{Train: c.train}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestSpatialBatchNormStatistics: with γ = 1, β = 0 each channel of the
// training output has mean 0 and variance 1 over batch and pixels, and the
// running estimates move by the momentum towards the batch's.
func TestSpatialBatchNormStatistics(t *testing.T) {
	shape := nn.Shape{C: 3, H: 4, W: 5}
	b := nn.NewSpatialBatchNorm[float64]("bn", shape)
	r := rand.New(rand.NewPCG(9, 9))
	x := randMat(r, 6, shape.Size(), 3)
	for i := range x.Rows {
		for c := range shape.C {
			for j := range shape.Plane() {
				x.Row(i)[c*shape.Plane()+j] += float64(c) * 10
			}
		}
	}
	y := b.Forward(x, true)
	m := float64(6 * shape.Plane())
	for c := range shape.C {
		var s, ss, xs, xss float64
		for i := range y.Rows {
			for j := range shape.Plane() {
				v := y.Row(i)[c*shape.Plane()+j]
				s += v
				ss += v * v
				xv := x.Row(i)[c*shape.Plane()+j]
				xs += xv
				xss += xv * xv
			}
		}
		if math.Abs(s/m) > 1e-12 || math.Abs(ss/m-1) > 1e-4 {
			t.Errorf("channel %d: mean %v, variance %v", c, s/m, ss/m)
		}
		mean := xs / m
		unbiased := (xss - m*mean*mean) / (m - 1)
		if math.Abs(b.RunMean[c]-0.1*mean) > 1e-12 || math.Abs(b.RunVar[c]-(0.9+0.1*unbiased)) > 1e-9 {
			t.Errorf("channel %d: running mean %v var %v, want %v and %v", c, b.RunMean[c], b.RunVar[c], 0.1*mean, 0.9+0.1*unbiased)
		}
	}
}

func TestGlobalAvgPool(t *testing.T) {
	shape := nn.Shape{C: 3, H: 2, W: 3}
	r := rand.New(rand.NewPCG(10, 10))
	p := nn.NewGlobalAvgPool[float64](shape)
	x := randMat(r, 4, shape.Size(), 1)
	y := p.Forward(x, false)
	for i := range x.Rows {
		for c := range shape.C {
			var s float64
			for _, v := range x.Row(i)[c*6 : (c+1)*6] {
				s += v
			}
			if math.Abs(y.Row(i)[c]-s/6) > 1e-15 {
				t.Fatalf("example %d channel %d: %v, want %v", i, c, y.Row(i)[c], s/6)
			}
		}
	}
	if _, err := gradcheck.Check(p, x, gradcheck.Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestShortcutPad(t *testing.T) {
	in, out := nn.Shape{C: 2, H: 5, W: 4}, nn.Shape{C: 3, H: 3, W: 2}
	s := nn.NewShortcut[float64]("s", in, out, 2, nn.ShortcutPad, nn.He, nil)
	r := rand.New(rand.NewPCG(11, 11))
	x := randMat(r, 2, in.Size(), 1)
	y := s.Forward(x, true)
	for n := range 2 {
		for c := range out.C {
			for i := range out.H {
				for j := range out.W {
					want := 0.0
					if c < in.C {
						want = x.Row(n)[(c*in.H+2*i)*in.W+2*j]
					}
					if got := y.Row(n)[(c*out.H+i)*out.W+j]; got != want {
						t.Fatalf("y[%d][%d][%d][%d] = %v, want %v", n, c, i, j, got, want)
					}
				}
			}
		}
	}
	if _, err := gradcheck.Check(s, x, gradcheck.Options{Train: true}); err != nil {
		t.Fatal(err)
	}
	id := nn.NewShortcut[float64]("id", in, in, 1, nn.ShortcutProject, nn.He, nil)
	if !id.Identity() || id.Forward(x, true) != x || len(id.Params()) != 0 {
		t.Fatal("a shortcut between equal shapes is not the parameter-free identity")
	}
}

func TestShortcutProjectGradients(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 12))
	in, out := nn.Shape{C: 2, H: 4, W: 4}, nn.Shape{C: 3, H: 2, W: 2}
	s := nn.NewShortcut[float64]("s", in, out, 2, nn.ShortcutProject, nn.He, r)
	x := randMat(r, 3, in.Size(), 1)
	if _, err := gradcheck.Check(s, x, gradcheck.Options{Train: true}); err != nil {
		t.Fatal(err)
	}
}

// blockCase is one residual-block gradient check.
type blockCase struct {
	in           nn.Shape
	out, stride  int
	short        nn.ShortcutKind
	scale        float64
	train        bool
	trainedStats bool
}

func (c blockCase) String() string {
	return fmt.Sprintf("in%v_out%d_s%d_%v_scale%v_train%v", c.in, c.out, c.stride, c.short, c.scale, c.train)
}

func TestBasicBlockGradients(t *testing.T) {
	cases := []blockCase{
		{in: nn.Shape{C: 2, H: 4, W: 4}, out: 2, stride: 1, scale: 1, train: true},
		{in: nn.Shape{C: 2, H: 4, W: 4}, out: 3, stride: 2, short: nn.ShortcutPad, scale: 1, train: true},
		{in: nn.Shape{C: 2, H: 5, W: 4}, out: 3, stride: 2, short: nn.ShortcutProject, scale: 1, train: true},
		{in: nn.Shape{C: 2, H: 4, W: 4}, out: 2, stride: 1, scale: 0, train: true},
		{in: nn.Shape{C: 2, H: 4, W: 4}, out: 4, stride: 2, scale: 0, train: true},
		{in: nn.Shape{C: 2, H: 4, W: 4}, out: 2, stride: 1, scale: 0.6, train: true},
		{in: nn.Shape{C: 2, H: 4, W: 4}, out: 3, stride: 2, scale: 0.6, train: false, trainedStats: true},
	}
	for _, c := range cases {
		t.Run(c.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(13, 14))
			b := nn.NewBasicBlock[float64]("b", c.in, c.out, c.stride, c.short, nn.He, r, r)
			b.ScaleTrain, b.ScaleEval = c.scale, c.scale
			for _, bn := range []*nn.SpatialBatchNorm[float64]{b.BN1, b.BN2} {
				for j := range bn.Beta.Value {
					bn.Beta.Value[j] = 0.3 * r.NormFloat64() // move the ReLU kinks about
					if c.trainedStats {
						bn.RunMean[j], bn.RunVar[j] = 0.2*r.NormFloat64(), 0.5+r.Float64()
					}
				}
			}
			x := randMat(r, 3, c.in.Size(), 1)
			res, err := gradcheck.Check(b, x, gradcheck.Options{Train: c.train})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range res {
				if c.scale == 0 && m.Tensor != "input" && (m.Analytic != 0 || m.Numeric != 0) {
					t.Fatalf("a dropped branch has a gradient: %v", m)
				}
			}
		})
	}
}

func tinyResNet[T nn.Float](t testing.TB, short nn.ShortcutKind, seed uint64) *nn.ResNet[T] {
	spec := nn.ResNetSpec{In: nn.Shape{C: 3, H: 8, W: 8}, Classes: 4, Blocks: 1, Widths: []int{3, 4, 6}, Shortcut: short, Init: nn.He}
	net, err := nn.NewResNet[T](spec, rand.New(rand.NewPCG(seed, 1)), rand.New(rand.NewPCG(seed, 2)))
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// TestResNetGradients checks a whole residual network, loss included.
func TestResNetGradients(t *testing.T) {
	for _, short := range []nn.ShortcutKind{nn.ShortcutPad, nn.ShortcutProject} {
		t.Run(short.String(), func(t *testing.T) {
			res := tinyResNet[float64](t, short, 3)
			if got, want := res.Spec.Depth(), 8; got != want {
				t.Fatalf("depth %d, want %d", got, want)
			}
			net := res.Net(nil)
			r := rand.New(rand.NewPCG(4, 4))
			x := randMat(r, 5, res.Spec.In.Size(), 1)
			y := []int32{0, 1, 2, 3, 1}
			var ce nn.SoftmaxCE[float64]
			loss := func() float64 {
				l, _ := ce.Forward(net.Forward(x, true), y)
				return l
			}
			ps := net.Params()
			nn.ZeroGrad(ps)
			loss()
			if dx := net.Backward(ce.Backward()); dx != nil {
				t.Fatal("the stem computed an input gradient")
			}
			probe := rand.New(rand.NewPCG(5, 5))
			for _, p := range ps {
				for range 6 {
					i := probe.IntN(len(p.Value))
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
		})
	}
}

func TestResNetSpecValidate(t *testing.T) {
	good := nn.ResNetSpec{In: nn.Shape{C: 3, H: 32, W: 32}, Classes: 10, Blocks: 18, Widths: []int{16, 32, 64}, Init: nn.He}
	if err := good.Validate(); err != nil || good.Depth() != 110 {
		t.Fatalf("ResNet-110: depth %d, %v", good.Depth(), err)
	}
	for _, bad := range []func(*nn.ResNetSpec){
		func(s *nn.ResNetSpec) { s.Classes = 1 },
		func(s *nn.ResNetSpec) { s.Blocks = 0 },
		func(s *nn.ResNetSpec) { s.Widths = nil },
		func(s *nn.ResNetSpec) { s.Widths = []int{16, 0} },
		func(s *nn.ResNetSpec) { s.In.C = 0 },
	} {
		s := good
		bad(&s)
		if err := s.Validate(); err == nil {
			t.Errorf("%+v accepted", s)
		}
	}
}

// TestResNetSameInitialWeights: the init stream is consumed in a fixed
// order, so two networks from the same seed agree, and the projection
// stream does not move the weights the option-A network has.
func TestResNetSameInitialWeights(t *testing.T) {
	a := tinyResNet[float32](t, nn.ShortcutPad, 7).Net(nil).Params()
	b := tinyResNet[float32](t, nn.ShortcutProject, 7).Net(nil).Params()
	byName := map[string][]float32{}
	for _, p := range b {
		byName[p.Name] = p.Value
	}
	for _, p := range a {
		q, ok := byName[p.Name]
		if !ok {
			t.Fatalf("%s missing from the projection network", p.Name)
		}
		for i := range p.Value {
			if p.Value[i] != q[i] {
				t.Fatalf("%s[%d] differs: %v vs %v", p.Name, i, p.Value[i], q[i])
			}
		}
	}
}

// TestResNetStepAllocatesNothing runs float32 ResNet training steps,
// stochastic-depth style scale changes included, and requires zero
// allocations after the first.
func TestResNetStepAllocatesNothing(t *testing.T) {
	res := tinyResNet[float32](t, nn.ShortcutProject, 9)
	net := res.Net(nil)
	r := rand.New(rand.NewPCG(1, 2))
	x := nn.NewMat[float32](8, res.Spec.In.Size())
	for i := range x.Data {
		x.Data[i] = float32(r.NormFloat64())
	}
	y := make([]int32, 8)
	var ce nn.SoftmaxCE[float32]
	opt := &nn.SGD[float32]{Momentum: 0.9, WeightDecay: 1e-4}
	ps := net.Params()
	k := 0
	step := func() {
		k++
		for i, b := range res.Blocks {
			b.ScaleTrain = float64((i + k) % 2) // drop every other block, alternating
		}
		nn.ZeroGrad(ps)
		ce.Forward(net.Forward(x, true), y)
		net.Backward(ce.Backward())
		opt.Step(ps, 0.1)
		net.Forward(x, false)
	}
	step()
	step()
	if n := testing.AllocsPerRun(10, step); n != 0 {
		t.Fatalf("a training step allocates %v times", n)
	}
}
