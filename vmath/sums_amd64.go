//go:build !noasm

package vmath

// sums512 and sums256 accumulate n elements (a multiple of 16) of a and b
// into the lanes l1, l2, as sumsGo does (sums_amd64.s).
//
//go:noescape
func sums512(a, b *float32, n int, ka, kb float64, l1, l2 *[sumLanes]float64)

//go:noescape
func sums256(a, b *float32, n int, ka, kb float64, l1, l2 *[sumLanes]float64)

// sumsPos512 and sumsPos256 are the loops of SumsPositive, as sumsPosGo.
//
//go:noescape
func sumsPos512(a, b, m *float32, n int, kb float64, l1, l2 *[sumLanes]float64)

//go:noescape
func sumsPos256(a, b, m *float32, n int, kb float64, l1, l2 *[sumLanes]float64)
