package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestSummarizeReproducible(t *testing.T) {
	xs := []float64{1, 2, 3, 4, 10}
	a, b := Summarize(xs, "m"), Summarize(xs, "m")
	if a.Lo != b.Lo || a.Hi != b.Hi {
		t.Fatal("the same sample gave two intervals")
	}
	if a.Mean != 4 || a.Lo > a.Mean || a.Hi < a.Mean || a.Lo < 1 || a.Hi > 10 {
		t.Fatalf("summary %+v is not a sensible interval around 4", a)
	}
	if len(a.Warnings) != 0 {
		t.Fatalf("n = 5 flagged: %v", a.Warnings)
	}
	if s := Summarize(xs[:2], "m"); len(s.Warnings) == 0 {
		t.Fatal("n = 2 not flagged")
	}
	if s := Summarize([]float64{1, math.NaN()}, "m"); !math.IsNaN(s.Lo) || len(s.Warnings) == 0 {
		t.Fatal("NaN sample not flagged")
	}
}

// TestCoverage: on normal samples of 10 the 95% percentile interval covers
// the true mean in roughly 95% of repetitions (percentile intervals are a
// little narrow at small n; accept 88-98%).
func TestCoverage(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	r := rand.New(rand.NewPCG(1, 2))
	covered := 0
	const reps = 300
	for i := range reps {
		xs := make([]float64, 10)
		for j := range xs {
			xs[j] = 3 + r.NormFloat64()
		}
		s := Summarize(xs, "coverage"+string(rune(i)))
		if s.Lo <= 3 && 3 <= s.Hi {
			covered++
		}
	}
	if frac := float64(covered) / reps; frac < 0.88 || frac > 0.98 {
		t.Fatalf("coverage %v", frac)
	}
}

func TestCompare(t *testing.T) {
	x := []float64{0.5, 0.6, 0.7}
	y := []float64{0.4, 0.5, 0.6}
	c := Compare(x, y, []uint64{1, 2, 3}, []uint64{1, 2, 3}, true, "c")
	if !c.Paired || math.Abs(c.Diff.Mean-0.1) > 1e-12 || c.Diff.Lo != c.Diff.Hi {
		t.Fatalf("paired constant difference: %+v", c)
	}
	// Pairs: x beats y in 6 of 9, ties in 2 → (6 + 1)/9.
	if math.Abs(c.PImprove-7.0/9) > 1e-12 {
		t.Fatalf("P(improve) = %v, want 7/9", c.PImprove)
	}
	lower := Compare(x, y, []uint64{1, 2, 3}, []uint64{1, 2, 3}, false, "c")
	if math.Abs(lower.PImprove-2.0/9) > 1e-12 {
		t.Fatalf("P(improve) when lower is better = %v, want 2/9", lower.PImprove)
	}
	u := Compare(x, y, []uint64{1, 2, 3}, []uint64{4, 5, 6}, true, "c")
	if u.Paired || math.Abs(u.Diff.Mean-0.1) > 1e-12 {
		t.Fatalf("unpaired: %+v", u)
	}
}
