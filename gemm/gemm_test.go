package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// naive is the reference product, accumulated in float64.
func naive(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				ai, bi := i*lda+p, p*ldb+j
				if transA {
					ai = p*lda + i
				}
				if transB {
					bi = j*ldb + p
				}
				av, bv := a[ai], b[bi]
				s += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}

func TestDoMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		m, n, k        int
		transA, transB bool
		alpha, beta    float64
	}{
		{1, 1, 1, false, false, 1, 0},
		{3, 5, 7, false, false, 1, 0},
		{3, 5, 7, true, false, 1, 1},
		{3, 5, 7, false, true, 0.5, 2},
		{3, 5, 7, true, true, -1, 0},
		{67, 129, 33, false, false, 1, 1},
		{4, 4, 0, false, false, 1, 0.5},
	} {
		t.Run(fmt.Sprintf("%dx%dx%d_tA%v_tB%v", tc.m, tc.n, tc.k, tc.transA, tc.transB), func(t *testing.T) {
			lda, ldb := tc.k, tc.n
			if tc.transA {
				lda = tc.m
			}
			if tc.transB {
				ldb = tc.k
			}
			a := make([]float64, tc.m*tc.k)
			b := make([]float64, tc.k*tc.n)
			c := make([]float64, tc.m*tc.n)
			for _, s := range [][]float64{a, b, c} {
				for i := range s {
					s[i] = r.NormFloat64()
				}
			}
			want := append([]float64(nil), c...)
			naive(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, want, tc.n)
			got := append([]float64(nil), c...)
			Do(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, got, tc.n)
			for i := range got {
				if math.Abs(got[i]-want[i]) > 1e-12*float64(tc.k+1) {
					t.Fatalf("float64 element %d: got %v want %v", i, got[i], want[i])
				}
			}
			a32, b32 := to32(a), to32(b)
			got32 := to32(c)
			Do(tc.transA, tc.transB, tc.m, tc.n, tc.k, float32(tc.alpha), a32, lda, b32, ldb, float32(tc.beta), got32, tc.n)
			for i := range got32 {
				if math.Abs(float64(got32[i])-want[i]) > 1e-5*float64(tc.k+1) {
					t.Fatalf("float32 element %d: got %v want %v", i, got32[i], want[i])
				}
			}
		})
	}
}

func to32(s []float64) []float32 {
	out := make([]float32, len(s))
	for i, v := range s {
		out[i] = float32(v)
	}
	return out
}

func TestBetaZeroIgnoresNaN(t *testing.T) {
	c := []float32{float32(math.NaN())}
	Do(false, false, 1, 1, 1, 1, []float32{2}, 1, []float32{3}, 1, 0, c, 1)
	if c[0] != 6 {
		t.Fatalf("got %v, want 6", c[0])
	}
}

func TestShapeErrorsPanic(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("short A did not panic")
		}
	}()
	Do(false, false, 2, 2, 2, 1, make([]float32, 3), 2, make([]float32, 4), 2, 0, make([]float32, 4), 2)
}

func TestTranspose(t *testing.T) {
	for _, tc := range []struct{ rows, cols, lds, ldd int }{
		{1, 1, 1, 1}, {3, 5, 5, 3}, {8, 8, 8, 8}, {9, 17, 20, 11}, {200, 800, 800, 200}, {13, 3, 7, 16},
	} {
		t.Run(fmt.Sprintf("%dx%d", tc.rows, tc.cols), func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, uint64(tc.rows)))
			src := make([]float64, (tc.rows-1)*tc.lds+tc.cols)
			for i := range src {
				src[i] = r.NormFloat64()
			}
			src32 := make([]float32, len(src))
			for i, v := range src {
				src32[i] = float32(v)
			}
			n := (tc.cols-1)*tc.ldd + tc.rows
			dst, dst32 := make([]float64, n), make([]float32, n)
			for i := range dst {
				dst[i], dst32[i] = -7, -7 // lanes past rows must keep this
			}
			Transpose(dst, src, tc.rows, tc.cols, tc.lds, tc.ldd)
			Transpose(dst32, src32, tc.rows, tc.cols, tc.lds, tc.ldd)
			for j := range tc.cols {
				for i := range tc.ldd {
					o := j*tc.ldd + i
					if o >= n {
						break
					}
					want := -7.0
					if i < tc.rows {
						want = src[i*tc.lds+j]
					}
					if dst[o] != want || dst32[o] != float32(want) {
						t.Fatalf("dst[%d][%d] = %v (float32 %v), want %v", j, i, dst[o], dst32[o], want)
					}
				}
			}
		})
	}
}

// TestPreTransposedSameBits checks what callers of Transpose rely on: a
// product with B transposed gives the same bits as the same product with
// B transposed beforehand, on every kernel path.
func TestPreTransposedSameBits(t *testing.T) {
	for _, ks := range kernelSets() {
		for _, s := range [][3]int{{20, 200, 800}, {32, 128, 512}, {1, 3, 2}, {7, 40, 1100}, {100, 100, 100}, {20, 200, 10000}} {
			m, n, k := s[0], s[1], s[2]
			t.Run(fmt.Sprintf("%s/%dx%dx%d", ks.name, m, n, k), func(t *testing.T) {
				prev := active
				active = ks
				defer func() { active = prev }()
				r := rand.New(rand.NewPCG(5, uint64(m*n*k)))
				a, b := make([]float32, m*k), make([]float32, n*k)
				for i := range a {
					a[i] = float32(r.NormFloat64())
				}
				for i := range b {
					b[i] = float32(r.NormFloat64())
				}
				bt := make([]float32, k*n)
				Transpose(bt, b, n, k, k, n)
				c1, c2 := make([]float32, m*n), make([]float32, m*n)
				Fast{}.Sgemm(false, true, m, n, k, 1, a, k, b, k, 0, c1, n)
				Fast{}.Sgemm(false, false, m, n, k, 1, a, k, bt, n, 0, c2, n)
				for i := range c1 {
					if math.Float32bits(c1[i]) != math.Float32bits(c2[i]) {
						t.Fatalf("element %d: %v with B transposed, %v pre-transposed", i, c1[i], c2[i])
					}
				}
			})
		}
	}
}
