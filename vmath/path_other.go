//go:build !amd64 || noasm

package vmath

// paths lists the kernel paths: only the pure-Go one.
func paths() []int { return []int{pathGo} }

func callAsm(int, kernelID, *args) { panic("vmath: no assembly path") }
