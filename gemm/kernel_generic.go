package gemm

import "unsafe"

// The generic kernel is the pure-Go fallback (other architectures, the noasm
// build tag, or a CPU without AVX2 and FMA). It runs the same chains in the
// same order as the assembly kernels, but Go has no float32 fused
// multiply-add, so each step rounds the product and then the sum: its
// results may differ from the assembly paths in the last bits. They are
// still deterministic, and the same on every architecture (the explicit
// float32 conversions forbid the compiler to fuse).
const (
	genericLanes = 4
	genericMR    = 4
	genericNV    = 2
)

var genericKernels = kernelSet{
	name:    "fast-generic",
	isa:     isaGeneric,
	lanes:   genericLanes,
	mrMax:   genericMR,
	nvMax:   genericNV,
	directB: true,
}

func ld(p unsafe.Pointer, off int) float32 { return *(*float32)(unsafe.Add(p, off)) }

func st(p unsafe.Pointer, off int, v float32) { *(*float32)(unsafe.Add(p, off)) = v }

func kernGeneric(ka *kargs, mr, nv int, strided bool) {
	const nr = genericLanes * genericNV
	w := (nv-1)*genericLanes + ka.cnt
	var acc [genericMR * nr]float32
	if ka.flags&loadC != 0 {
		for i := range mr {
			for j := range w {
				acc[i*nr+j] = ld(ka.c, i*ka.ldc+4*j)
			}
		}
	}
	for p := range ka.k {
		brow := p * ka.sb
		for i := range mr {
			var av float32
			if strided {
				av = ld(ka.a, i*ka.sa+4*p)
			} else {
				av = ld(ka.a, 4*i+p*ka.sa)
			}
			row := acc[i*nr : i*nr+w]
			for j := range row {
				row[j] += float32(av * ld(ka.b, brow+4*j))
			}
		}
	}
	if ka.flags&final != 0 {
		for i := range mr {
			for j := range w {
				r := acc[i*nr+j]
				if ka.flags&scaleAlpha != 0 {
					r = float32(ka.alpha * r)
				}
				if ka.beta != 0 {
					r += float32(ka.beta * ld(ka.s, i*ka.lds+4*j))
				}
				acc[i*nr+j] = r
			}
		}
	}
	for i := range mr {
		for j := range w {
			st(ka.c, i*ka.ldc+4*j, acc[i*nr+j])
		}
	}
}
