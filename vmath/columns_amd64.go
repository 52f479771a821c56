//go:build !noasm

package vmath

// The AVX-512 loops of the column kernels (columns_amd64.s): n is a
// positive multiple of 8 and every slice behind a pointer has n elements.

//go:noescape
func colAdd512(acc *float64, x *float32, n int)

//go:noescape
func colAddSqDev512(acc, mean *float64, x *float32, n int)

//go:noescape
func colAddDot512(s, sp *float64, a, b *float32, n int)

//go:noescape
func colNormalize512(h, y, x *float32, mean, inv *float64, gamma, beta *float32, n int)

//go:noescape
func colNormalizeGrad512(dx, dy, h *float32, sc, sh, sdx *float64, inv float64, n int)
