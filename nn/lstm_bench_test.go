package nn_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/mollifying/mollify/nn"
)

// BenchmarkLMStep times one truncated-BPTT update of a language model:
// embedding, LSTM stack, softmax over the vocabulary, backward, clip, SGD.
func BenchmarkLMStep(b *testing.B) {
	for _, c := range []struct {
		vocab, embed, hidden, layers, batch, steps int
	}{
		{50, 16, 64, 2, 20, 20},
		{50, 32, 128, 3, 20, 20},
		{10000, 200, 200, 3, 20, 20},
	} {
		b.Run(fmt.Sprintf("V%d_H%dx%d_B%d_T%d", c.vocab, c.hidden, c.layers, c.batch, c.steps), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			spec := nn.LSTMNetSpec{Vocab: c.vocab, Embed: c.embed, Out: c.vocab, Init: nn.Init{Kind: nn.Uniform, Scale: 0.1}}
			for range c.layers {
				spec.Hidden = append(spec.Hidden, c.hidden)
			}
			net, err := nn.NewLSTMNet[float32](spec, nil, r)
			if err != nil {
				b.Fatal(err)
			}
			x := nn.NewMat[float32](c.steps*c.batch, 1)
			y := make([]int32, c.steps*c.batch)
			for i := range y {
				x.Data[i] = float32(r.IntN(c.vocab))
				y[i] = int32(r.IntN(c.vocab))
			}
			var ce nn.SeqSoftmaxCE[float32]
			opt := &nn.SGD[float32]{}
			ps := net.Params()
			nn.ResetState[float32](net, c.batch)
			b.ResetTimer()
			for range b.N {
				nn.ZeroGrad(ps)
				ce.Forward(net.Forward(x, true), y)
				net.Backward(ce.Backward(1.0 / float64(c.batch)))
				nn.ClipGradNorm(ps, 5)
				opt.Step(ps, 0.1)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*c.steps*c.batch), "µs/token")
		})
	}
}
