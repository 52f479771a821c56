//go:build !noasm

package vmath

// sums512 and sums256 accumulate n elements (a multiple of 16) of a and b
// into the lanes l1, l2, as sumsGo does (sums_amd64.s).
//
//go:noescape
func sums512(a, b *float32, n int, ka, kb float64, l1, l2 *[sumLanes]float64)

//go:noescape
func sums256(a, b *float32, n int, ka, kb float64, l1, l2 *[sumLanes]float64)
