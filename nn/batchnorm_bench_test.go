package nn

import "testing"

// BenchmarkBatchNorm times one training forward and backward pass of batch
// norm at the residual MLPs' size (batch 100, 256 features).
func BenchmarkBatchNorm(b *testing.B) {
	const n, d = 100, 256
	bn := NewBatchNorm[float32]("bn", d)
	x, dy := NewMat[float32](n, d), NewMat[float32](n, d)
	for i := range x.Data {
		x.Data[i] = float32(i%17) / 7
		dy.Data[i] = float32(i%5) - 2
	}
	for b.Loop() {
		bn.Forward(x, true)
		bn.Backward(dy)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n*d), "ns/elem")
}
