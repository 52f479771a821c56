package nn_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/mollifying/mollify/nn"
)

// The 3×3 convolutions of the three stages of a CIFAR ResNet, at the
// stochastic-depth recipe's batch of 128. Multiply-adds per image are
// reported so that GFLOP/s can be read off: 2·MACs·images / time.
var benchConvs = []struct {
	in  nn.Shape
	out int
}{
	{nn.Shape{C: 16, H: 32, W: 32}, 16},
	{nn.Shape{C: 32, H: 16, W: 16}, 32},
	{nn.Shape{C: 64, H: 8, W: 8}, 64},
}

const benchBatch = 128

func benchConv(b *testing.B, backward bool) {
	for _, c := range benchConvs {
		b.Run(fmt.Sprintf("%v_to_%d", c.in, c.out), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			conv := nn.NewConv2D[float32]("c", c.in, c.out, 3, 1, 1, false, nn.He, r)
			x := nn.NewMat[float32](benchBatch, c.in.Size())
			for i := range x.Data {
				x.Data[i] = float32(r.NormFloat64())
			}
			y := conv.Forward(x, true)
			dy := nn.NewMat[float32](y.Rows, y.Cols)
			copy(dy.Data, y.Data)
			macs := float64(c.in.C*9*c.out*conv.Out.Plane()) * benchBatch
			b.ResetTimer()
			for b.Loop() {
				if backward {
					conv.Backward(dy)
				} else {
					conv.Forward(x, true)
				}
			}
			passes := 1.0
			if backward {
				passes = 2 // weight and input gradients
			}
			b.ReportMetric(2*macs*passes*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

func BenchmarkConvForward(b *testing.B)  { benchConv(b, false) }
func BenchmarkConvBackward(b *testing.B) { benchConv(b, true) }

// BenchmarkResNetStep times one float32 training step (forward, loss,
// backward, SGD update) of a CIFAR ResNet at batch 128 on 32×32×3 images:
// ResNet-20, and ResNet-110 (the paper's network; run it with
// -benchtime=1x, a step takes seconds).
func BenchmarkResNetStep(b *testing.B) {
	for _, blocks := range []int{3, 18} {
		spec := nn.ResNetSpec{In: nn.Shape{C: 3, H: 32, W: 32}, Classes: 10, Blocks: blocks, Widths: []int{16, 32, 64}, Init: nn.He}
		b.Run(fmt.Sprintf("resnet%d", spec.Depth()), func(b *testing.B) {
			res, err := nn.NewResNet[float32](spec, rand.New(rand.NewPCG(1, 1)), rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				b.Fatal(err)
			}
			net := res.Net(nil)
			r := rand.New(rand.NewPCG(2, 2))
			x := nn.NewMat[float32](benchBatch, spec.In.Size())
			for i := range x.Data {
				x.Data[i] = float32(r.NormFloat64())
			}
			y := make([]int32, benchBatch)
			for i := range y {
				y[i] = int32(r.IntN(10))
			}
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
			b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "images/s")
		})
	}
}
