//go:build !amd64 || noasm

package gemm

func hasPeakLoop() bool { return false }

func runPeakLoop(n int) {}
