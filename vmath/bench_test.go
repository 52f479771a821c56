package vmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

// BenchmarkKernels times each kernel on 10⁴ elements on every path of this
// CPU, and the scalar float64 math code it replaces ("math"), in ns per
// element.
func BenchmarkKernels(b *testing.B) {
	const n = 10000
	r := rand.New(rand.NewPCG(1, 2))
	in := make([][]float32, 5)
	for k := range in {
		in[k] = make([]float32, n)
		for i := range in[k] {
			in[k][i] = float32(3 * r.NormFloat64())
		}
	}
	for i := range n {
		in[1][i] = float32(math.Abs(float64(in[1][i]))) // |ξ|
		in[2][i] = float32(r.IntN(2))                   // π
	}
	out := [3][]float32{make([]float32, n), make([]float32, n), make([]float32, n)}
	sigmoid64 := func(x float64) float64 {
		if x >= 0 {
			return 1 / (1 + math.Exp(-x))
		}
		e := math.Exp(x)
		return e / (1 + e)
	}
	type bench struct {
		name   string
		kernel func()
		scalar func()
	}
	benches := []bench{
		{"exp", func() { Exp(out[0], in[0]) }, func() {
			for i, v := range in[0] {
				out[0][i] = float32(math.Exp(float64(v)))
			}
		}},
		{"sigmoid", func() { Sigmoid(out[0], in[0]) }, func() {
			for i, v := range in[0] {
				out[0][i] = float32(sigmoid64(float64(v)))
			}
		}},
		{"tanh", func() { Tanh(out[0], in[0]) }, func() {
			for i, v := range in[0] {
				out[0][i] = float32(math.Tanh(float64(v)))
			}
		}},
		{"sigmoid_backward", func() { Backward(FnSigmoid, out[0], in[1], in[0], in[3]) }, func() {
			for i, y := range in[3] {
				out[0][i] = in[1][i] * float32(float64(y)*(1-float64(y)))
			}
		}},
		{"mollify_sigmoid", func() { Mollify(FnSigmoid, out[0], out[1], out[2], in[0], in[1], in[2], in[3], in[4], 0.5) }, nil},
		{"mollify_relu", func() { Mollify(FnReLU, out[0], out[1], out[2], in[0], in[1], in[2], in[3], in[4], 0.5) }, nil},
		{"noisy_hardtanh_clip", func() { Noisy(FnHardTanh, true, out[0], out[1], out[2], in[0], in[1], in[4], 1.15, 0.5) }, nil},
	}
	for _, bb := range benches {
		for _, p := range paths() {
			b.Run(bb.name+"/"+pathNames[p], func(b *testing.B) {
				withPath(p, func() {
					for b.Loop() {
						bb.kernel()
					}
				})
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/elem")
			})
		}
		if bb.scalar != nil {
			b.Run(bb.name+"/math", func(b *testing.B) {
				for b.Loop() {
					bb.scalar()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/elem")
			})
		}
	}
}
