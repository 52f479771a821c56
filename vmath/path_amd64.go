//go:build !noasm

package vmath

import "golang.org/x/sys/cpu"

var (
	hasAVX2   = cpu.X86.HasAVX && cpu.X86.HasAVX2 && cpu.X86.HasFMA
	hasAVX512 = hasAVX2 && cpu.X86.HasAVX512F
)

// paths lists the kernel paths this CPU can run, fastest first.
func paths() []int {
	var s []int
	if hasAVX512 {
		s = append(s, pathAVX512)
	}
	if hasAVX2 {
		s = append(s, pathAVX2)
	}
	return append(s, pathGo)
}
