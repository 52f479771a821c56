//go:build !noasm

package gemm

import "unsafe"

//go:noescape
func copyRows(dst, src unsafe.Pointer, rows, w, lds, wp int, mtab unsafe.Pointer)

//go:noescape
func transBlock8(dst unsafe.Pointer, rows *[8]unsafe.Pointer, kc, dstride, cnt int, mtab unsafe.Pointer)

// copyBlock sets dst[r*wp+j] = src[r*lds+j] for r < rows, j < w, and zeroes
// dst[r*wp+j] for w <= j < wp.
func copyBlock(dst, src []float32, rows, w, lds, wp int) {
	if rows == 0 {
		return
	}
	if !hasAVX2 {
		copyBlockGo(dst, src, rows, w, lds, wp)
		return
	}
	_ = dst[rows*wp-1]
	_ = src[(rows-1)*lds+w-1]
	copyRows(unsafe.Pointer(&dst[0]), unsafe.Pointer(&src[0]), rows, w, lds*4, wp, unsafe.Pointer(&maskTab[8-(w-1)%8-1]))
}

// transBlock sets dst[p*ldd+j] = src[j*lds+p] for j < w, p < kc.
func transBlock(dst, src []float32, w, kc, lds, ldd int) {
	if kc == 0 || w == 0 {
		return
	}
	if !hasAVX2 {
		transBlockGo(dst, src, w, kc, lds, ldd)
		return
	}
	_ = dst[(kc-1)*ldd+w-1]
	_ = src[(w-1)*lds+kc-1]
	var rows [8]unsafe.Pointer
	for j0 := 0; j0 < w; j0 += 8 {
		cnt := min(8, w-j0)
		for j := range rows {
			rows[j] = unsafe.Pointer(&src[(j0+min(j, cnt-1))*lds])
		}
		transBlock8(unsafe.Pointer(&dst[j0]), &rows, kc, ldd*4, cnt, unsafe.Pointer(&maskTab[8-cnt]))
	}
}
