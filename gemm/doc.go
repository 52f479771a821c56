// Package gemm is the one place where the suite multiplies matrices.
//
// Every layer of the engine computes its matrix products through [Do], which
// forwards to the process-wide [Backend]. Swapping the backend (a faster
// kernel, a cgo BLAS for comparison) therefore changes no layer code.
//
// All matrices are dense and row-major: element (i, j) of a matrix with
// leading dimension ld is stored at index i*ld+j. Do computes
//
//	C = alpha·op(A)·op(B) + beta·C
//
// where op(X) is X or its transpose, op(A) is m×k, op(B) is k×n and C is m×n.
//
// A backend must be deterministic: for the same inputs it returns the same
// bits whatever the number of goroutines or workers in the process, so that a
// training run is a pure function of its seed.
package gemm
