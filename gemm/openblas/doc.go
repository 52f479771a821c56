// Package openblas is a [gemm.Backend] that calls the system's OpenBLAS
// through cgo (gonum.org/v1/netlib/blas/netlib), for speed comparisons
// only: the suite's results use the pure-Go [gemm.Fast], and nothing in the
// suite imports this package.
//
// Every file but this one is behind the build tag openblas, so a build
// without the tag neither compiles nor links it and needs neither cgo nor a
// C BLAS. With the tag it needs cgo and libopenblas (on Debian:
// apt-get install libopenblas-dev); the package adds -lopenblas to the
// link itself. Run OpenBLAS on one thread, as the suite runs one job per
// core: OPENBLAS_NUM_THREADS=1 (the benchmark command sets it). Debian's
// OpenBLAS picks its kernels from the CPU model, which a virtual machine
// may hide: on the reference machine it falls back to its Prescott (SSE3)
// kernels, at a quarter of the speed or less, unless told the core type
// (OPENBLAS_CORETYPE=SkylakeX for AVX-512; perf/cmd/benchtable sets it
// from the CPU's features, for OpenBLAS here and for PyTorch, whose BLAS it
// also is).
//
//	OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=SkylakeX \
//		go test -tags openblas ./gemm -run OpenBLAS -bench SgemmOpenBLAS -cpu 1
//
// OpenBLAS is not deterministic in the sense of package gemm (its kernels
// and thread split may change the order of the sums between versions and
// thread counts), which is one more reason it stays out of training runs.
//
// [gemm.Backend]: https://pkg.go.dev/github.com/mollifying/mollify/gemm#Backend
// [gemm.Fast]: https://pkg.go.dev/github.com/mollifying/mollify/gemm#Fast
package openblas
