//go:build !noasm

package gemm

func hasPeakLoop() bool { return hasAVX512 }

func runPeakLoop(n int) { fmaPeak512(n) }
