package vmath

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// exactSums computes Sums's two sums with every term exact (big.Float),
// rounded once at the end.
func exactSums(a, b []float32, ka, kb float64) (float64, float64) {
	s1, s2 := new(big.Float).SetPrec(2000), new(big.Float).SetPrec(2000)
	for i, v := range a {
		d := new(big.Float).SetPrec(2000).Sub(big.NewFloat(float64(v)), big.NewFloat(ka))
		e := new(big.Float).SetPrec(2000).Sub(big.NewFloat(float64(b[i])), big.NewFloat(kb))
		s1.Add(s1, d)
		s2.Add(s2, new(big.Float).SetPrec(2000).Mul(d, e))
	}
	f1, _ := s1.Float64()
	f2, _ := s2.Float64()
	return f1, f2
}

// TestSums checks Sums on every path against the exact sums (within
// float64 summation error) and requires the same bits on every path, for
// every length up to 80 (tails of every size) and a few offsets.
func TestSums(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	a, b := make([]float32, 90), make([]float32, 90)
	for i := range a {
		// Magnitudes over six decades, so that the sums round and their
		// order shows in the bits.
		a[i] = float32((3 + r.NormFloat64()) * math.Pow(10, 3*r.Float64()))
		b[i] = float32((-1 + 2*r.NormFloat64()) * math.Pow(10, 3*r.Float64()))
	}
	for n := 0; n <= 80; n++ {
		for off := 0; off < 3; off++ {
			x, y := a[off:off+n], b[off:off+n]
			for _, k := range [][2]float64{{3.1, 3.1}, {0, -1.1}, {2.5, 0.1}} {
				same := k[0] == k[1] // b = a, the statistics form
				yy := y
				if same {
					yy = x
				}
				w1, w2 := exactSums(x, yy, k[0], k[1])
				var abs1, abs2 float64
				for i := range x {
					d, e := float64(x[i])-k[0], float64(yy[i])-k[1]
					abs1, abs2 = abs1+math.Abs(d), abs2+math.Abs(d*e)
				}
				var ref [2]float64
				for pi, p := range paths() {
					var s1, s2 float64
					withPath(p, func() { s1, s2 = Sums(x, yy, k[0], k[1]) })
					if math.Abs(s1-w1) > 1e-15*abs1 || math.Abs(s2-w2) > 1e-15*abs2 {
						t.Fatalf("n %d off %d k %v on %s: %v %v, exact %v %v", n, off, k, pathNames[p], s1, s2, w1, w2)
					}
					if pi == 0 {
						ref = [2]float64{s1, s2}
					} else if s1 != ref[0] || s2 != ref[1] {
						t.Fatalf("n %d off %d k %v: %s gives %v %v, %s %v %v", n, off, k, pathNames[p], s1, s2, pathNames[paths()[0]], ref[0], ref[1])
					}
				}
			}
		}
	}
}

// TestSumsPositive checks SumsPositive against Sums of the masked values,
// bit for bit, on every path and length up to 80.
func TestSumsPositive(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	a, b, m := make([]float32, 80), make([]float32, 80), make([]float32, 80)
	for i := range a {
		// Twelve decades: float64 sums of float32 values over a narrower
		// range are exact, whatever their order.
		a[i] = float32((1 + r.NormFloat64()) * math.Pow(10, 12*r.Float64()-6))
		b[i] = float32(r.NormFloat64() * math.Pow(10, 3*r.Float64()))
		m[i] = float32(r.NormFloat64())
	}
	m[3], m[17], m[40] = 0, float32(math.NaN()), float32(math.Copysign(0, -1))
	masked := make([]float32, len(a))
	for i := range a {
		if m[i] > 0 {
			masked[i] = a[i]
		}
	}
	for n := 0; n <= len(a); n++ {
		var w1, w2 float64
		withPath(pathGo, func() { w1, w2 = Sums(masked[:n], b[:n], 0, 0.3) })
		for _, p := range paths() {
			var s1, s2 float64
			withPath(p, func() { s1, s2 = SumsPositive(a[:n], b[:n], m[:n], 0.3) })
			if s1 != w1 || s2 != w2 {
				t.Fatalf("n %d on %s: %v %v, Sums of the masked values %v %v", n, pathNames[p], s1, s2, w1, w2)
			}
		}
	}
}
