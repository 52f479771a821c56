package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/vmath"
)

// TestKindFn checks that nn.Kind and vmath.Fn number the functions alike.
func TestKindFn(t *testing.T) {
	for k := nn.Identity; k <= nn.HardTanh; k++ {
		if got := k.Fn().String(); got != k.String() {
			t.Errorf("Kind %v maps to vmath.Fn %v", k, got)
		}
	}
}

// TestActFloat32 compares the float32 layer (vmath kernels) with the float64
// maths of Kind.F and Kind.D, forward and backward, on every kind.
func TestActFloat32(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const rows, cols = 7, 33
	x := nn.NewMat[float32](rows, cols)
	dy := nn.NewMat[float32](rows, cols)
	for i := range x.Data {
		x.Data[i] = float32(4 * r.NormFloat64())
		dy.Data[i] = float32(r.NormFloat64())
	}
	x.Data[0], x.Data[1], x.Data[2], x.Data[3] = 0, -2, 2, 1 // kinks
	for k := nn.Identity; k <= nn.HardTanh; k++ {
		a := nn.NewAct[float32](k)
		y := a.Forward(x, true)
		dx := a.Backward(dy)
		for i, v := range x.Data {
			f := k.F(float64(v))
			// The derivative is computed from the stored float32 y, as the
			// float64 maths did on a float32 layer before the kernels.
			d := float64(dy.Data[i]) * float64(float32(k.D(float64(v), float64(y.Data[i]))))
			if e := math.Abs(float64(y.Data[i]) - f); e > 3e-7*math.Max(math.Abs(f), 1e-30) {
				t.Errorf("%v(%g) = %g, float64 maths %g", k, v, y.Data[i], f)
			}
			if e := math.Abs(float64(dx.Data[i]) - d); e > 1e-6*math.Abs(d)+1e-12 {
				t.Errorf("%v: dy·f'(%g) = %g, float64 maths %g", k, v, dx.Data[i], d)
			}
		}
	}
}

// TestSoftmaxCEFloat32 compares the float32 loss (vmath.Exp) with the
// float64 one.
func TestSoftmaxCEFloat32(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	const rows, cols = 13, 10
	l32 := nn.NewMat[float32](rows, cols)
	l64 := nn.NewMat[float64](rows, cols)
	labels := make([]int32, rows)
	for i := range l32.Data {
		v := float32(5 * r.NormFloat64())
		l32.Data[i], l64.Data[i] = v, float64(v)
	}
	for i := range labels {
		labels[i] = int32(r.IntN(cols))
	}
	var c32 nn.SoftmaxCE[float32]
	var c64 nn.SoftmaxCE[float64]
	loss32, ok32 := c32.Forward(l32, labels)
	loss64, ok64 := c64.Forward(l64, labels)
	if ok32 != ok64 || math.Abs(loss32-loss64) > 1e-6*loss64 {
		t.Fatalf("float32 loss %v (%d correct), float64 %v (%d correct)", loss32, ok32, loss64, ok64)
	}
	g32, g64 := c32.Backward(), c64.Backward()
	for i := range g32.Data {
		if e := math.Abs(float64(g32.Data[i]) - g64.Data[i]); e > 1e-7 {
			t.Fatalf("gradient %d: float32 %g, float64 %g", i, g32.Data[i], g64.Data[i])
		}
	}
	_ = vmath.Path()
}

// TestSpatialBatchNormFloat32 compares the float32 layer (float32
// element-wise kernels, float64 sums) with the float64 one on the same
// values, in training and evaluation, forward and backward. Channel 1 has
// a mean of 50 standard deviations, where rounding μ costs most.
func TestSpatialBatchNormFloat32(t *testing.T) {
	for _, relu := range []bool{false, true} {
		t.Run(fmt.Sprintf("relu%v", relu), func(t *testing.T) { testSpatialBatchNormFloat32(t, relu) })
	}
}

func testSpatialBatchNormFloat32(t *testing.T, relu bool) {
	shape := nn.Shape{C: 3, H: 5, W: 7}
	const rows = 6
	r := rand.New(rand.NewPCG(11, 12))
	b32 := nn.NewSpatialBatchNorm[float32]("bn", shape)
	b64 := nn.NewSpatialBatchNorm[float64]("bn", shape)
	b32.ReLU, b64.ReLU = relu, relu
	for c := range shape.C {
		g, be := 0.5+r.Float64(), r.NormFloat64()
		b32.Gamma.Value[c], b32.Beta.Value[c] = float32(g), float32(be)
		b64.Gamma.Value[c], b64.Beta.Value[c] = float64(float32(g)), float64(float32(be))
	}
	x32, dy32 := nn.NewMat[float32](rows, shape.Size()), nn.NewMat[float32](rows, shape.Size())
	x64, dy64 := nn.NewMat[float64](rows, shape.Size()), nn.NewMat[float64](rows, shape.Size())
	for i := range x32.Data {
		c := i % shape.Size() / shape.Plane()
		v := float32(r.NormFloat64())
		if c == 1 {
			v += 50
		}
		x32.Data[i], x64.Data[i] = v, float64(v)
		g := float32(r.NormFloat64())
		dy32.Data[i], dy64.Data[i] = g, float64(g)
	}
	for _, train := range []bool{true, false} {
		y32, y64 := b32.Forward(x32, train), b64.Forward(x64, train)
		for i, v := range y64.Data {
			// ulp(μ)/2 · a, relative to y's scale (1 in training).
			if e := math.Abs(float64(y32.Data[i]) - v); e > 4e-6*(math.Abs(v)+1) {
				t.Fatalf("train %v: y[%d] = %g, float64 %g", train, i, y32.Data[i], v)
			}
		}
		dx32, dx64 := b32.Backward(dy32), b64.Backward(dy64)
		var scale float64
		for _, v := range dx64.Data {
			scale = max(scale, math.Abs(v))
		}
		for i, v := range dx64.Data {
			if e := math.Abs(float64(dx32.Data[i]) - v); e > 1e-6*scale {
				t.Fatalf("train %v: dx[%d] = %g, float64 %g", train, i, dx32.Data[i], v)
			}
		}
		for c := range shape.C {
			for _, p := range [][2]float64{{float64(b32.Gamma.Grad[c]), b64.Gamma.Grad[c]}, {float64(b32.Beta.Grad[c]), b64.Beta.Grad[c]}} {
				if math.Abs(p[0]-p[1]) > 1e-6*(math.Abs(p[1])+1) {
					t.Fatalf("train %v channel %d: parameter gradient %g, float64 %g", train, c, p[0], p[1])
				}
			}
		}
		if train {
			for c := range shape.C {
				if b32.RunMean[c] != b64.RunMean[c] || math.Abs(b32.RunVar[c]-b64.RunVar[c]) > 1e-12 {
					t.Fatalf("channel %d: running estimates %v %v, float64 %v %v", c, b32.RunMean[c], b32.RunVar[c], b64.RunMean[c], b64.RunVar[c])
				}
			}
		}
	}
}

// TestResNetFloat32TracksFloat64 trains the same residual network in
// float32 (the vmath kernels, the gemm backend) and in float64 (the scalar
// maths of the gradient checks) from the same weights: over the first
// updates the losses agree to float32 rounding (about 1e-7 relative), which
// they would not if a float32-only path (batch norm's, the block's, the
// convolutions' kernels) were wrong. The code both share is checked by the
// gradient checks.
func TestResNetFloat32TracksFloat64(t *testing.T) {
	for _, short := range []nn.ShortcutKind{nn.ShortcutPad, nn.ShortcutProject} {
		t.Run(short.String(), func(t *testing.T) {
			spec := nn.ResNetSpec{In: nn.Shape{C: 3, H: 16, W: 16}, Classes: 10, Blocks: 2, Widths: []int{8, 16, 32}, Shortcut: short, Init: nn.He}
			r32, err := nn.NewResNet[float32](spec, rand.New(rand.NewPCG(1, 1)), rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				t.Fatal(err)
			}
			r64, _ := nn.NewResNet[float64](spec, rand.New(rand.NewPCG(1, 1)), rand.New(rand.NewPCG(1, 2)))
			r32.Blocks[1].ScaleTrain, r64.Blocks[1].ScaleTrain = 0.5, 0.5
			n32, n64 := r32.Net(nil), r64.Net(nil)
			p32, p64 := n32.Params(), n64.Params()
			for i := range p32 {
				for j, v := range p32[i].Value {
					p64[i].Value[j] = float64(v)
				}
			}
			r := rand.New(rand.NewPCG(2, 2))
			const rows = 16
			x32, x64 := nn.NewMat[float32](rows, spec.In.Size()), nn.NewMat[float64](rows, spec.In.Size())
			for i := range x32.Data {
				v := float32(r.NormFloat64())
				x32.Data[i], x64.Data[i] = v, float64(v)
			}
			y := make([]int32, rows)
			for i := range y {
				y[i] = int32(r.IntN(10))
			}
			var c32 nn.SoftmaxCE[float32]
			var c64 nn.SoftmaxCE[float64]
			o32 := &nn.SGD[float32]{Momentum: 0.9, WeightDecay: 1e-4}
			o64 := &nn.SGD[float64]{Momentum: 0.9, WeightDecay: 1e-4}
			for step := range 4 {
				nn.ZeroGrad(p32)
				nn.ZeroGrad(p64)
				l32, _ := c32.Forward(n32.Forward(x32, true), y)
				l64, _ := c64.Forward(n64.Forward(x64, true), y)
				if rel := math.Abs(l32-l64) / l64; rel > 2e-6 {
					t.Fatalf("update %d: float32 loss %.8g, float64 %.8g (relative %.1e)", step, l32, l64, rel)
				}
				n32.Backward(c32.Backward())
				n64.Backward(c64.Backward())
				o32.Step(p32, 0.05)
				o64.Step(p64, 0.05)
			}
		})
	}
}
