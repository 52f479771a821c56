package vmath

import (
	"fmt"
	"math"
)

// sumLanes is the number of float64 partial sums of [Sums]: element i goes
// to lane i mod sumLanes on every path (two AVX-512 vectors of 8 doubles, four
// AVX2 vectors of 4, or 16 Go variables), so the paths give the same bits.
const sumLanes = 16

// Sums returns, in float64,
//
//	s1 = Σ (a[i] − ka)   and   s2 = Σ (a[i] − ka)·(b[i] − kb)
//
// over the elements of a and b (of equal length): with b = a and kb = ka,
// the shifted sum and sum of squares of a (batch statistics); with ka = 0,
// Σa and Σa·(b − kb) (batch normalisation's backward sums). Each element's
// terms are exact conversions, one rounded subtraction each and, for s2,
// one fused multiply-add into its lane's partial sum; the 16 lanes are
// added pairwise at the end. The result depends only on the values (not on
// the path), and its error is that of float64 summation: about
// log2(n/16)+4 ulps of Σ|terms| at worst.
func Sums(a, b []float32, ka, kb float64) (s1, s2 float64) {
	n := len(a)
	if len(b) != n {
		panic(fmt.Sprintf("vmath: Sums of %d and %d elements", n, len(b)))
	}
	var l1, l2 [sumLanes]float64
	full := n - n%sumLanes
	if full > 0 {
		switch active {
		case pathAVX512:
			sums512(&a[0], &b[0], full, ka, kb, &l1, &l2)
		case pathAVX2:
			sums256(&a[0], &b[0], full, ka, kb, &l1, &l2)
		default:
			sumsGo(a[:full], b[:full], ka, kb, &l1, &l2)
		}
	}
	sumsGo(a[full:], b[full:], ka, kb, &l1, &l2)
	return pairwise(&l1), pairwise(&l2)
}

// SumsPositive is Sums(a', b, 0, kb) with a'[i] = a[i] where m[i] > 0 and
// +0 elsewhere: the backward sums of batch normalisation followed by a
// ReLU whose output is m.
func SumsPositive(a, b, m []float32, kb float64) (s1, s2 float64) {
	n := len(a)
	if len(b) != n || len(m) != n {
		panic(fmt.Sprintf("vmath: SumsPositive of %d, %d and %d elements", n, len(b), len(m)))
	}
	var l1, l2 [sumLanes]float64
	full := n - n%sumLanes
	if full > 0 {
		switch active {
		case pathAVX512:
			sumsPos512(&a[0], &b[0], &m[0], full, kb, &l1, &l2)
		case pathAVX2:
			sumsPos256(&a[0], &b[0], &m[0], full, kb, &l1, &l2)
		default:
			sumsPosGo(a[:full], b[:full], m[:full], kb, &l1, &l2)
		}
	}
	sumsPosGo(a[full:], b[full:], m[full:], kb, &l1, &l2)
	return pairwise(&l1), pairwise(&l2)
}

// sumsPosGo is sumsGo with ka = 0 on the masked a.
func sumsPosGo(a, b, m []float32, kb float64, l1, l2 *[sumLanes]float64) {
	b, m = b[:len(a)], m[:len(a)]
	for i, v := range a {
		if !(m[i] > 0) {
			v = 0
		}
		d := float64(v)
		e := float64(b[i]) - kb
		j := i % sumLanes
		l1[j] += d
		l2[j] = math.FMA(d, e, l2[j])
	}
}

// sumsGo accumulates element i of a and b into lane i mod sumLanes.
func sumsGo(a, b []float32, ka, kb float64, l1, l2 *[sumLanes]float64) {
	b = b[:len(a)]
	for i, v := range a {
		d := float64(v) - ka
		e := float64(b[i]) - kb
		j := i % sumLanes
		l1[j] += d
		l2[j] = math.FMA(d, e, l2[j])
	}
}

// pairwise adds the lanes as a balanced tree, in a fixed order.
func pairwise(l *[sumLanes]float64) float64 {
	var h [sumLanes / 2]float64
	for i := range h {
		h[i] = l[2*i] + l[2*i+1]
	}
	q := [4]float64{h[0] + h[1], h[2] + h[3], h[4] + h[5], h[6] + h[7]}
	return (q[0] + q[1]) + (q[2] + q[3])
}
