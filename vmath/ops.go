package vmath

import "math"

// The helpers of the pure-Go kernels (kernels_go.go). Each one is the exact
// IEEE single-precision operation of the corresponding AVX instruction, so
// the Go path computes the same bits as the assembly paths. Arithmetic on
// float32 values is always written through an explicit float32 conversion,
// which forbids the compiler to fuse a product into a later sum.

// fb returns the float32 with bits b.
func fb(b uint32) float32 { return math.Float32frombits(b) }

// fma32 returns a·b + c rounded once to float32, as VFMADD does.
//
// The product of two float32 is exact in float64 (48 ≤ 53 bits), and so
// are c and the error of the float64 sum (TwoSum). The sum is then rounded
// to odd at float64 precision (if inexact, the last bit is forced to 1 on
// the side of the exact value), and rounding-to-odd at 53 bits followed by
// rounding to nearest at 24 bits is a correct rounding of the exact value
// (53 ≥ 24 + 2).
func fma32(a, b, c float32) float32 {
	p := float64(a) * float64(b)
	cc := float64(c)
	s := p + cc
	if math.IsInf(s, 0) || math.IsNaN(s) || s == 0 {
		return float32(s)
	}
	bb := s - p
	e := (p - (s - bb)) + (cc - bb)
	if e != 0 {
		u := math.Float64bits(s)
		if u&1 == 0 {
			if (e > 0) == (s > 0) {
				u++ // the exact value is further from zero than s
			} else {
				u--
			}
		}
		s = math.Float64frombits(u)
	}
	return float32(s)
}

// min32 and max32 are MINPS and MAXPS: a NaN in either operand returns b,
// and so does an equal pair (−0 vs +0).
func min32(a, b float32) float32 {
	if a < b {
		return a
	}
	return b
}

func max32(a, b float32) float32 {
	if a > b {
		return a
	}
	return b
}

func and32(a, b float32) float32 { return fb(math.Float32bits(a) & math.Float32bits(b)) }
func or32(a, b float32) float32  { return fb(math.Float32bits(a) | math.Float32bits(b)) }

// round32 rounds to the nearest integer, ties to even (VROUNDPS $8).
func round32(a float32) float32 { return float32(math.RoundToEven(float64(a))) }

// cvtt32 converts to int32 by truncation (VCVTTPS2DQ); the kernels only
// convert integral values well inside the int32 range.
func cvtt32(a float32) float32 { return fb(uint32(int32(a))) }

func iadd32(a, b float32) float32     { return fb(math.Float32bits(a) + math.Float32bits(b)) }
func isub32(a, b float32) float32     { return fb(math.Float32bits(a) - math.Float32bits(b)) }
func shl32(a float32, n uint) float32 { return fb(math.Float32bits(a) << n) }
func sar32(a float32, n uint) float32 {
	return fb(uint32(int32(math.Float32bits(a)) >> n))
}

// sel32 is a per-lane blend: m ? a : b.
func sel32(m bool, a, b float32) float32 {
	if m {
		return a
	}
	return b
}
