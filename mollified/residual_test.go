package mollified

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/nn/gradcheck"
	"github.com/mollifying/mollify/rng"
)

func residualInput(rows, cols int) *nn.Mat[float64] {
	r := rand.New(rand.NewPCG(4, 4))
	x := nn.NewMat[float64](rows, cols)
	for i := range x.Data {
		x.Data[i] = 2 * r.NormFloat64()
	}
	return x
}

// TestResidualLimits: the mollified residual network is the identity map
// into the output layer at p = 1 (shortcut projections aside, linear), and
// at p = 0 the plain residual network h + f(Wh + b) with the same weights.
func TestResidualLimits(t *testing.T) {
	m := &experiment.MLP{In: 6, Hidden: []int{6, 6, 6}, Out: 3, Act: nn.Sigmoid, Init: nn.Glorot}
	o := mlpOptions(t)
	x := residualInput(10, 6)
	for _, c := range []struct {
		name string
		p    float64
		want func() *nn.Mat[float64]
	}{
		{"p=1 is the output layer on the input", 1, func() *nn.Mat[float64] {
			net, _, _ := BuildResidualMLP[float64](m, experiment.Hyper{HypC: 3}, o, 5)
			out := net.Layers[len(net.Layers)-1]
			return out.Forward(x, false)
		}},
		{"p=0 is the residual network", 0, func() *nn.Mat[float64] {
			// h + f(Wh + b) per block: the mollified layers at p = 0,
			// wrapped in the shortcut, against a hand-built stack.
			net, _, _ := BuildResidualMLP[float64](m, experiment.Hyper{HypC: 3}, o, 5)
			h := x
			for _, l := range net.Layers[:len(net.Layers)-1] {
				d := l.(*nn.Residual[float64]).F.(*Layer[float64]).Dense
				z := d.Forward(h, false)
				next := nn.NewMat[float64](h.Rows, z.Cols)
				for i := range next.Data {
					next.Data[i] = h.Data[i] + m.Act.F(z.Data[i])
				}
				h = next
			}
			return net.Layers[len(net.Layers)-1].Forward(h, false)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			net, layers, err := BuildResidualMLP[float64](m, experiment.Hyper{HypC: 3}, o, 5)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range layers {
				l.SetP(c.p)
			}
			got := net.Forward(x, true)
			want := c.want()
			for i := range got.Data {
				if math.Abs(got.Data[i]-want.Data[i]) > 1e-12 {
					t.Fatalf("logit %d: %v, want %v", i, got.Data[i], want.Data[i])
				}
			}
		})
	}
}

// TestResidualGradients checks mollified residual blocks, one with a
// projected (narrowing) shortcut, with the noise held fixed.
func TestResidualGradients(t *testing.T) {
	for _, c := range []struct{ in, out int }{{5, 5}, {7, 5}, {4, 6}} {
		r := rand.New(rand.NewPCG(2, 3))
		l := NewLayer[float64]("m", c.in, c.out, nn.Tanh, 3, nn.Init{Kind: nn.Uniform, Scale: 1.5}, r, nil)
		l.ZeroSkip = true
		l.SetP(0.5)
		block := nn.NewResidual[float64](l, c.in, c.out)
		if c.in > c.out {
			block.Proj = nn.NewDense[float64]("m.skip", c.in, c.out, nn.Glorot, r)
		}
		reset := func() { l.SetRand(rng.NewNoise(7, "test")) }
		res, err := gradcheck.Check(block, residualInput(6, c.in), gradcheck.Options{Train: true, Reset: reset})
		if err != nil {
			t.Fatalf("%d→%d: %v", c.in, c.out, err)
		}
		for _, m := range res {
			t.Log(m)
		}
	}
}
