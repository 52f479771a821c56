package speed

import "github.com/mollifying/mollify/gemm"

// counter is a gemm.Backend that forwards to another and counts the
// floating-point operations of the products, 2·m·n·k each.
type counter struct {
	gemm.Backend
	flops float64
}

func (c *counter) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, cm []float32, ldc int) {
	c.flops += 2 * float64(m) * float64(n) * float64(k)
	c.Backend.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, cm, ldc)
}

func (c *counter) Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, cm []float64, ldc int) {
	c.flops += 2 * float64(m) * float64(n) * float64(k)
	c.Backend.Dgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, cm, ldc)
}

// GemmFlops runs f once with a counting backend in front of the current
// one and returns the floating-point operations of the matrix products f
// made through gemm.Do (2·m·n·k per product). It swaps the process-wide
// backend: call it only while nothing else multiplies matrices.
func GemmFlops(f func()) float64 {
	c := &counter{Backend: gemm.Current()}
	prev := gemm.Use(c)
	defer gemm.Use(prev)
	f()
	return c.flops
}
