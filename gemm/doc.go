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
//
// # The Fast backend
//
// [Fast] is a pure-Go (no cgo) float32 GEMM for one core: each call runs on
// the calling goroutine, so two training jobs on a two-core machine each get
// a core. [Best] returns it when the CPU has an assembly path.
//
// Micro-kernel. One generated assembly function per tile shape
// (gen_kernels.go writes kernel_amd64.s): a tile of mr rows × nv vectors of
// C stays in registers while the kernel runs over k, each step broadcasting
// mr elements of A against nv vectors of a row of B. AVX-512 tiles are up to
// 14×32 (28 of the 32 zmm registers accumulate; 14 broadcast loads and 2
// vector loads feed 28 FMAs, well under the two load ports), AVX2 tiles up
// to 6×16 (12 of 16 ymm). The rows of a row block are split into tiles as
// even as possible (100 rows: 4×13 + 4×12), and the last vector of a row is
// masked, so edges cost no copy. The fallback for other CPUs and the noasm
// tag is a Go kernel of 4×8 tiles.
//
// Operands in place. Packing is a separate pass over memory that cannot
// overlap with the FMAs, and most products here are small in m (20 to 128
// rows): packing B would cost as much as 10–25% of the product. So the kernel
// reads A in place (a not-transposed A as up to 14 row streams, a transposed
// A one cache line per step) and B in place (masked loads at the right edge),
// and software-prefetches into L2 the B micro-panel that comes next, row by
// row, which the hardware prefetchers would not anticipate. Only a
// transposed B is packed (transposed back into micro-panels of NR = 32 or 16
// columns, just before first use), or a B whose rows are a multiple of 4 KiB
// apart (its micro-panel would thrash a few cache sets), or a transposed A
// reused by many micro-panels (n > 128). When B is transposed and m is much
// smaller than n, the backend computes C^T = B·A^T instead, which reads B
// in place and transposes only A (a cost model in swapPays decides). A
// caller that multiplies by the transpose of one matrix many times (an
// LSTM's recurrent weights, once per time step) transposes it once with
// [Transpose] instead: the same FMA chains, so the same bits.
//
// Blocking. k is cut into nearly equal blocks of at most 512 steps, rows
// into blocks of 448, columns into blocks of 1024. Inside a k block the
// loops run micro-panel by micro-panel (32 columns of B, kc×128 bytes: L2,
// prefetched) and, inner, tile by tile, so that the micro-panel is reused
// by every tile of the row block while the A block (448×512 floats at most,
// 900 KiB) stays in the 2 MiB L2. Packing buffers come from a free list of
// workspaces (one per concurrent call, never trimmed), so steady state
// allocates nothing; tiny products use only the stack.
//
// Determinism. Every element of C is one chain of fused multiply-adds over
// p = 0, 1, …, k-1 in increasing order, starting from +0: between k blocks
// the partial sum is stored in C (exactly, as a float32) and the next block
// continues the chain from it. At the end, r = alpha·acc (skipped when alpha
// is 1, which is exact) and, if beta != 0, r = fma(beta, C₀, r) with the
// original C (kept in a copy when C held partial sums). The AVX-512 and AVX2
// kernels perform exactly these IEEE operations per element whatever the
// tile shape, blocking or packing choice, and so does the C^T form (an FMA's
// product commutes): the two assembly paths give identical bits
// (TestPathsBitIdentical), independent of timing and concurrency. The Go
// kernel rounds each product before adding it (Go has no float32 FMA), so
// its results may differ from the assembly paths in the last bits; they are
// still deterministic and the same on every architecture.
//
// BLAS conventions: beta = 0 overwrites C (NaN in C does not leak), alpha =
// 0 or k = 0 only scales C by beta. Dgemm delegates to [Gonum].
package gemm
