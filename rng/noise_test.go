package rng

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestNoiseDistribution checks the ziggurat against the half-normal law:
// the Kolmogorov-Smirnov distance over 10⁶ draws (the 1% critical value is
// 1.63/√n = 0.0016), the moments, the tail beyond the base strip, and the
// Bernoulli bit's frequency.
func TestNoiseDistribution(t *testing.T) {
	const n = 1000000
	nz := NewNoise(1, "test")
	xs := make([]float64, n)
	var ones int
	for i := range xs {
		var pi bool
		xs[i], pi = nz.AbsNormBernoulli(0.3)
		if pi {
			ones++
		}
	}
	slices.Sort(xs)
	var d, sum, sq float64
	tail := 0
	for i, x := range xs {
		cdf := math.Erf(x / math.Sqrt2)
		d = max(d, math.Abs(cdf-float64(i)/n), math.Abs(cdf-float64(i+1)/n))
		sum += x
		sq += x * x
		if x > zigR {
			tail++
		}
	}
	if d > 0.0016 {
		t.Errorf("KS distance %v", d)
	}
	if mean := sum / n; math.Abs(mean-math.Sqrt(2/math.Pi)) > 0.002 {
		t.Errorf("E|ξ| = %v, want %v", mean, math.Sqrt(2/math.Pi))
	}
	if m2 := sq / n; math.Abs(m2-1) > 0.005 {
		t.Errorf("E ξ² = %v, want 1", m2)
	}
	want := math.Erfc(zigR/math.Sqrt2) * n
	if math.Abs(float64(tail)-want) > 4*math.Sqrt(want) {
		t.Errorf("%d draws beyond %v, want about %.0f", tail, zigR, want)
	}
	if f := float64(ones) / n; math.Abs(f-0.3) > 0.002 {
		t.Errorf("Bernoulli(0.3) frequency %v", f)
	}
	// NormFloat64 is symmetric.
	var pos int
	var m float64
	for range n {
		x := nz.NormFloat64()
		m += x
		if x > 0 {
			pos++
		}
	}
	if math.Abs(m/n) > 0.004 || math.Abs(float64(pos)/n-0.5) > 0.002 {
		t.Errorf("normal draws: mean %v, %d positive of %d", m/n, pos, n)
	}
	// The Bernoulli bit at the ends.
	for range 1000 {
		if _, pi := nz.AbsNormBernoulli(0); pi {
			t.Fatal("Bernoulli(0) gave 1")
		}
		if _, pi := nz.AbsNormBernoulli(1); !pi {
			t.Fatal("Bernoulli(1) gave 0")
		}
	}
}

func TestNoiseGolden(t *testing.T) {
	nz := NewNoise(3, "golden")
	a, pi := nz.AbsNormBernoulli(0.5)
	got := fmt.Sprintf("%.17g %v %.17g %.17g", a, pi, nz.NormFloat64(), nz.Float64())
	const want = "0.19147917384337684 true 0.74100676960832845 0.51508577534731914"
	if *printGolden {
		fmt.Printf("%q\n", got)
		return
	}
	if got != want {
		t.Errorf("draws = %s, want %s", got, want)
	}
}

func BenchmarkAbsNormBernoulli(b *testing.B) {
	nz := NewNoise(1, "bench")
	var s float64
	for b.Loop() {
		x, _ := nz.AbsNormBernoulli(0.5)
		s += x
	}
	sink = s
}

var sink float64

// BenchmarkRandNormFloat is the draw Noise replaces, for comparison: a
// *rand.Rand's NormFloat64 and Float64.
func BenchmarkRandNormFloat(b *testing.B) {
	r := New(1, "bench")
	var s float64
	for b.Loop() {
		s += math.Abs(r.NormFloat64())
		if r.Float64() < 0.5 {
			s++
		}
	}
	sink = s
}

// TestNoiseMatchesPCG holds the written-out generator to math/rand/v2's PCG
// word for word.
func TestNoiseMatchesPCG(t *testing.T) {
	hi, lo := Words(7, "pcg")
	ref := rand.NewPCG(hi, lo)
	nz := NewNoise(7, "pcg")
	for i := range 10000 {
		if got, want := nz.Uint64(), ref.Uint64(); got != want {
			t.Fatalf("word %d = %#x, want %#x", i, got, want)
		}
	}
}

// TestFillAbsNormBernoulli32 checks that the fill gives the bits of the
// scalar draws, including the ziggurat's rejections and tail, and leaves the
// stream where the scalar loop does.
func TestFillAbsNormBernoulli32(t *testing.T) {
	for _, p := range []float64{0, 0.3, 1} {
		const n = 200_000
		a, b := NewNoise(5, "fill"), NewNoise(5, "fill")
		xi, pi := make([]float32, n), make([]float32, n)
		a.FillAbsNormBernoulli32(xi, pi, p)
		tail := 0
		for i := range n {
			x, bit := b.AbsNormBernoulli(p)
			want := float32(0)
			if bit {
				want = 1
			}
			if xi[i] != float32(x) || pi[i] != want {
				t.Fatalf("p=%g draw %d: fill (%v, %v), scalar (%v, %v)", p, i, xi[i], pi[i], float32(x), want)
			}
			if x > zigR {
				tail++
			}
		}
		if tail == 0 {
			t.Errorf("p=%g: no draw from the tail; the test misses that path", p)
		}
		if a.Uint64() != b.Uint64() {
			t.Errorf("p=%g: the streams part after the fill", p)
		}
	}
}

// TestFillNorm checks the normal fills (float32, then float64) against NormFloat64, signed and
// half, through the ziggurat's rejections and tail.
func TestFillNorm(t *testing.T) {
	for _, half := range []bool{false, true} {
		const n = 200_000
		a, b := NewNoise(6, "fill"), NewNoise(6, "fill")
		xi := make([]float32, n)
		xi64 := make([]float64, n)
		a.FillNorm32(xi[:n/2], half)
		a.FillNorm64(xi64[n/2:], half)
		tail := 0
		for i := range n {
			v := b.NormFloat64()
			if half {
				v = math.Abs(v)
			}
			if i < n/2 && xi[i] != float32(v) {
				t.Fatalf("half=%v draw %d: FillNorm32 %v, NormFloat64 %v", half, i, xi[i], float32(v))
			}
			if i >= n/2 && xi64[i] != v {
				t.Fatalf("half=%v draw %d: FillNorm64 %v, NormFloat64 %v", half, i, xi64[i], v)
			}
			if math.Abs(v) > zigR {
				tail++
			}
		}
		if tail == 0 {
			t.Errorf("half=%v: no draw from the tail; the test misses that path", half)
		}
		if a.Uint64() != b.Uint64() {
			t.Errorf("half=%v: the streams part after the fill", half)
		}
	}
}

func BenchmarkFillAbsNormBernoulli32(b *testing.B) {
	nz := NewNoise(1, "bench")
	xi, pi := make([]float32, 10000), make([]float32, 10000)
	for b.Loop() {
		nz.FillAbsNormBernoulli32(xi, pi, 0.5)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(xi)), "ns/draw")
}
