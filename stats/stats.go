package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/mollifying/mollify/rng"
)

// Defaults of the summaries.
const (
	// Resamples is the number of bootstrap resamples.
	Resamples = 10000
	// Confidence is the coverage of the intervals.
	Confidence = 0.95
	// MinN is the smallest sample size whose interval is not flagged.
	MinN = 5
	// Seed seeds the bootstrap.
	Seed = 20170424
)

// Summary is a mean over seeds with its confidence interval.
type Summary struct {
	N            int
	Mean, Lo, Hi float64
	Min, Max     float64
	Confidence   float64
	Warnings     []string
}

// String formats the summary as "mean [lo, hi]".
func (s Summary) String() string {
	if s.N == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.4g [%.4g, %.4g]", s.Mean, s.Lo, s.Hi)
}

// Mean returns the mean of xs, NaN for none.
func Mean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// Summarize returns the mean of xs with a percentile-bootstrap interval.
// purpose names the bootstrap stream, so that two summaries in one report do
// not share resamples by accident.
func Summarize(xs []float64, purpose string) Summary {
	s := Summary{N: len(xs), Confidence: Confidence}
	if len(xs) == 0 {
		s.Mean, s.Lo, s.Hi, s.Min, s.Max = math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()
		s.Warnings = append(s.Warnings, "no runs")
		return s
	}
	s.Mean = Mean(xs)
	s.Min, s.Max = slices.Min(xs), slices.Max(xs)
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			s.Warnings = append(s.Warnings, "non-finite values (diverged runs)")
			s.Lo, s.Hi = math.NaN(), math.NaN()
			return s
		}
	}
	s.Lo, s.Hi = bootstrap(xs, purpose)
	if len(xs) < MinN {
		s.Warnings = append(s.Warnings, fmt.Sprintf("n = %d < %d: the interval is not reliable", len(xs), MinN))
	}
	return s
}

// bootstrap returns the percentile interval of the mean.
func bootstrap(xs []float64, purpose string) (lo, hi float64) {
	n := len(xs)
	if n == 1 {
		return xs[0], xs[0]
	}
	r := rng.New(Seed, "bootstrap/"+purpose)
	means := make([]float64, Resamples)
	for b := range means {
		var s float64
		for range n {
			s += xs[r.IntN(n)]
		}
		means[b] = s / float64(n)
	}
	slices.Sort(means)
	alpha := (1 - Confidence) / 2
	return quantile(means, alpha), quantile(means, 1-alpha)
}

// quantile is the linear-interpolation quantile of sorted xs.
func quantile(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)-1)
	i := int(math.Floor(pos))
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	f := pos - float64(i)
	return sorted[i]*(1-f) + sorted[i+1]*f
}

// Comparison is configuration X against configuration Y on one metric.
type Comparison struct {
	// Diff summarises X − Y: per seed when the seeds pair up (same seed,
	// same initial weights), else the difference of the means with an
	// unpaired bootstrap.
	Diff   Summary
	Paired bool
	// PImprove is P(X better than Y) over all pairs of runs, ties counted
	// half (the probability of improvement of rliable).
	PImprove float64
}

// Compare compares samples x and y (one value per seed, seeds given) where
// higher is better when higherBetter.
func Compare(x, y []float64, xSeeds, ySeeds []uint64, higherBetter bool, purpose string) Comparison {
	var c Comparison
	ym := map[uint64]float64{}
	for i, s := range ySeeds {
		ym[s] = y[i]
	}
	var diffs []float64
	if len(xSeeds) == len(ySeeds) {
		for i, s := range xSeeds {
			v, ok := ym[s]
			if !ok {
				diffs = nil
				break
			}
			diffs = append(diffs, x[i]-v)
		}
	}
	if len(diffs) > 0 {
		c.Paired = true
		c.Diff = Summarize(diffs, purpose)
	} else {
		c.Diff = unpaired(x, y, purpose)
	}
	var wins float64
	for _, a := range x {
		for _, b := range y {
			switch {
			case a == b:
				wins += 0.5
			case (a > b) == higherBetter:
				wins++
			}
		}
	}
	if n := len(x) * len(y); n > 0 {
		c.PImprove = wins / float64(n)
	} else {
		c.PImprove = math.NaN()
	}
	return c
}

func unpaired(x, y []float64, purpose string) Summary {
	s := Summary{N: min(len(x), len(y)), Confidence: Confidence}
	s.Mean = Mean(x) - Mean(y)
	if len(x) == 0 || len(y) == 0 {
		s.Lo, s.Hi = math.NaN(), math.NaN()
		s.Warnings = append(s.Warnings, "no runs")
		return s
	}
	r := rng.New(Seed, "bootstrap-diff/"+purpose)
	diffs := make([]float64, Resamples)
	for b := range diffs {
		diffs[b] = resampleMean(x, r) - resampleMean(y, r)
	}
	slices.Sort(diffs)
	alpha := (1 - Confidence) / 2
	s.Lo, s.Hi = quantile(diffs, alpha), quantile(diffs, 1-alpha)
	s.Min, s.Max = s.Lo, s.Hi
	if s.N < MinN {
		s.Warnings = append(s.Warnings, fmt.Sprintf("n = %d < %d: the interval is not reliable", s.N, MinN))
	}
	return s
}

func resampleMean(xs []float64, r *rand.Rand) float64 {
	var s float64
	for range xs {
		s += xs[r.IntN(len(xs))]
	}
	return s / float64(len(xs))
}
