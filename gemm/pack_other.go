//go:build !amd64 || noasm

package gemm

func copyBlock(dst, src []float32, rows, w, lds, wp int) { copyBlockGo(dst, src, rows, w, lds, wp) }

func transBlock(dst, src []float32, w, kc, lds, ldd int) { transBlockGo(dst, src, w, kc, lds, ldd) }
