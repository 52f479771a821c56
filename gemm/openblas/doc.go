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
// core: OPENBLAS_NUM_THREADS=1 (the benchmark command sets it).
//
//	go test -tags openblas ./gemm -run OpenBLAS -bench SgemmOpenBLAS -cpu 1
//
// OpenBLAS is not deterministic in the sense of package gemm (its kernels
// and thread split may change the order of the sums between versions and
// thread counts), which is one more reason it stays out of training runs.
//
// [gemm.Backend]: https://pkg.go.dev/github.com/mollifying/mollify/gemm#Backend
// [gemm.Fast]: https://pkg.go.dev/github.com/mollifying/mollify/gemm#Fast
package openblas
