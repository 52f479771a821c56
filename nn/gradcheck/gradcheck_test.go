package gradcheck

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/mollifying/mollify/nn"
)

// wrongAct is tanh whose backward pass is off by a factor: the check must
// catch it, or it proves nothing.
type wrongAct struct {
	nn.Act[float64]
	factor float64
}

func (w *wrongAct) Backward(dy *nn.Mat[float64]) *nn.Mat[float64] {
	dx := w.Act.Backward(dy)
	for i := range dx.Data {
		dx.Data[i] *= w.factor
	}
	return dx
}

func TestCheckCatchesWrongGradient(t *testing.T) {
	x := nn.NewMat[float64](3, 4)
	r := rand.New(rand.NewPCG(1, 1))
	for i := range x.Data {
		x.Data[i] = r.NormFloat64()
	}
	for _, c := range []struct {
		factor float64
		ok     bool
	}{{1, true}, {1.001, false}, {0, false}} {
		l := &wrongAct{Act: nn.Act[float64]{Kind: nn.Tanh}, factor: c.factor}
		_, err := Check(l, x, Options{})
		if (err == nil) != c.ok {
			t.Errorf("factor %v: err = %v, want ok=%v", c.factor, err, c.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "input[") {
			t.Errorf("error does not name the tensor: %v", err)
		}
	}
}
