//go:build openblas

package gemm

import (
	"math/rand/v2"
	"os"
	"testing"

	"github.com/mollifying/mollify/gemm/openblas"
)

// The OpenBLAS comparison backend (package gemm/openblas, build tag
// openblas) is checked against the same float64 reference as Fast and
// benchmarked on the same shapes. Run with OPENBLAS_NUM_THREADS=1.

var _ Backend = openblas.Backend{}

func TestOpenBLASMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, tc := range append(fixedCases(), randomCases(r, 120, edgeSizes)...) {
		a, lda, b, ldb, c, ldc := tc.operands(r)
		got := append([]float32(nil), c...)
		openblas.Backend{}.Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, got, ldc)
		tc.check(t, a, lda, b, ldb, c, got, ldc)
		if t.Failed() {
			t.Fatalf("case %v", tc)
		}
	}
}

// BenchmarkSgemmOpenBLAS runs BenchmarkSgemm's shapes on OpenBLAS, with
// the same metrics (GFLOP/s of wall time, cpuGFLOP/s, %peak).
func BenchmarkSgemmOpenBLAS(b *testing.B) {
	if os.Getenv("OPENBLAS_NUM_THREADS") != "1" {
		b.Log("OPENBLAS_NUM_THREADS is not 1: OpenBLAS may use several threads (cpuGFLOP/s counts them all)")
	}
	be := openblas.Backend{}
	for _, s := range benchShapes {
		r := rand.New(rand.NewPCG(1, 1))
		tc := gemmCase{s.m, s.n, s.k, s.transA, s.transB, 1, 0, 0}
		a, lda, bm, ldb, c, ldc := tc.operands(r)
		b.Run(s.name, func(b *testing.B) {
			timeSgemm(b, be, s, a, lda, bm, ldb, c, ldc)
		})
	}
}
