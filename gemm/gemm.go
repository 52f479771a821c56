package gemm

import (
	"fmt"
	"sync/atomic"
)

// Float is the set of element types the engine trains in: float32 for speed,
// float64 for gradient checks.
type Float interface{ ~float32 | ~float64 }

// Backend multiplies row-major matrices: C = alpha·op(A)·op(B) + beta·C, with
// op(A) m×k, op(B) k×n and C m×n. When beta is zero, C is overwritten and its
// previous contents (even NaN) must not leak into the result.
type Backend interface {
	// Name identifies the backend in result files and benchmarks.
	Name() string
	Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)
	Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int)
}

var current atomic.Pointer[Backend]

func init() {
	b := Best() // Fast where the CPU has an assembly kernel path, else Gonum
	current.Store(&b)
}

// Current returns the backend used by [Do].
func Current() Backend { return *current.Load() }

// Use makes b the backend of [Do] and returns the previous one. It is meant
// for program start-up and benchmarks, not for use while training runs.
func Use(b Backend) Backend {
	if b == nil {
		panic("gemm: Use(nil)")
	}
	return *current.Swap(&b)
}

// Do computes C = alpha·op(A)·op(B) + beta·C with the current backend. The
// slices are generic so that layers written once for any [Float] reach the
// right precision of the backend.
func Do[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	checkShapes(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	be := Current()
	switch cs := any(c).(type) {
	case []float32:
		be.Sgemm(transA, transB, m, n, k, float32(alpha), any(a).([]float32), lda, any(b).([]float32), ldb, float32(beta), cs, ldc)
	case []float64:
		be.Dgemm(transA, transB, m, n, k, float64(alpha), any(a).([]float64), lda, any(b).([]float64), ldb, float64(beta), cs, ldc)
	default:
		panic(fmt.Sprintf("gemm: unsupported element type %T", c))
	}
}

// checkShapes panics with a precise message when a product is malformed: a
// shape error is a programming error, never a data error.
func checkShapes(transA, transB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	need := func(name string, rows, cols, l, ld int) {
		if rows == 0 || cols == 0 {
			return
		}
		if ld < cols {
			panic(fmt.Sprintf("gemm: %s is %d×%d but its leading dimension is %d", name, rows, cols, ld))
		}
		if min := (rows-1)*ld + cols; l < min {
			panic(fmt.Sprintf("gemm: %s is %d×%d (ld %d) and needs %d elements, has %d", name, rows, cols, ld, min, l))
		}
	}
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	need("A", ar, ac, la, lda)
	need("B", br, bc, lb, ldb)
	need("C", m, n, lc, ldc)
}

// Transpose sets dst[j·ldd+i] = src[i·lds+j] for i < rows, j < cols: a
// layer that multiplies by the transpose of the same matrix many times
// (an LSTM's recurrent weights, once per time step of its backward pass)
// transposes it once and multiplies without a transposed operand, which the
// kernels of [Fast] would otherwise re-pack at every call. The products are
// the same chains of FMAs either way, so the bits do not change.
func Transpose[T Float](dst, src []T, rows, cols, lds, ldd int) {
	if rows == 0 || cols == 0 {
		return
	}
	if lds < cols || ldd < rows || len(src) < (rows-1)*lds+cols || len(dst) < (cols-1)*ldd+rows {
		panic(fmt.Sprintf("gemm: Transpose of %d×%d (ld %d, %d elements) into ld %d (%d elements)", rows, cols, lds, len(src), ldd, len(dst)))
	}
	if s, ok := any(src).([]float32); ok {
		transpose(any(dst).([]float32), s, rows, cols, lds, ldd)
		return
	}
	for i := range rows {
		for j, v := range src[i*lds : i*lds+cols] {
			dst[j*ldd+i] = v
		}
	}
}
