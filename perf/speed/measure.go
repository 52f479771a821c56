package speed

import (
	"slices"
	"time"

	"github.com/mollifying/mollify/gemm"
)

// Result is the measurement of n calls of a function, grouped in rounds.
type Result struct {
	// Calls is the number of calls measured; Rounds the number of rounds.
	Calls, Rounds int
	// CPU is their total CPU time and Flops the floating-point operations
	// of their matrix products.
	CPU   time.Duration
	Flops float64
	// Best is the CPU time per call of the fastest round, relative to the
	// round's work (see [Measure]).
	Best time.Duration
}

// Mean is the mean CPU time per call.
func (r Result) Mean() time.Duration { return r.CPU / time.Duration(max(r.Calls, 1)) }

// FlopsPerCall is the mean GEMM flops of a call.
func (r Result) FlopsPerCall() float64 { return r.Flops / float64(max(r.Calls, 1)) }

// Measure calls f n times in rounds of at least minRound of CPU time (a
// round of one call when a call is longer), with a counting backend in
// front of the current GEMM backend, and returns the total and the best
// round. On a shared core other processes only ever slow a round down, so
// the fastest round is the steadiest estimate of what the core does alone.
// Rounds are compared by CPU time per GEMM flop, so that a step whose work
// varies (stochastic depth drops blocks at random) is not credited with its
// cheapest draws; Best is that rate times the mean flops of a call (the
// CPU time per call of the fastest round when f makes no product). A round
// more than maxSpeedup times faster than the median round is not credible
// (a glitch of the CPU clock, seen once under the profiler's signals) and
// is left out of Best, though not of the totals. The first call is timed
// alone to size the rounds; it is part of the result.
func Measure(n int, minRound time.Duration, f func()) Result {
	c := &counter{Backend: gemm.Current()}
	prev := gemm.Use(c)
	defer gemm.Use(prev)
	var res Result
	var rates, pers []float64 // per round: flops per CPU second, CPU seconds per call
	round := func(calls int) {
		f0 := c.flops
		t0 := cpuClock()
		for range calls {
			f()
		}
		cpu := cpuClock() - t0
		fl := c.flops - f0
		res.Calls += calls
		res.Rounds++
		res.CPU += cpu
		res.Flops += fl
		if cpu <= 0 {
			return
		}
		rates = append(rates, fl/cpu.Seconds())
		pers = append(pers, cpu.Seconds()/float64(calls))
	}
	if n <= 0 {
		return res
	}
	round(1)
	per := max(res.CPU, time.Microsecond)
	size := max(1, int(minRound/per))
	for left := n - 1; left > 0; left -= size {
		round(min(size, left))
	}
	bestRate, bestPer := credibleBest(rates, true), credibleBest(pers, false)
	switch {
	case res.Flops > 0 && bestRate > 0:
		res.Best = time.Duration(res.FlopsPerCall() / bestRate * 1e9)
	case bestPer > 0:
		res.Best = time.Duration(bestPer * 1e9)
	default:
		res.Best = res.Mean()
	}
	return res
}

// maxSpeedup bounds how much faster than the median round a round may be
// and still count as the best.
const maxSpeedup = 3

// credibleBest returns the largest (high) or smallest (!high) of xs within
// a factor maxSpeedup of their median, or 0 when xs is empty or all zero.
func credibleBest(xs []float64, high bool) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	med := s[len(s)/2]
	best := 0.0
	for _, x := range s {
		switch {
		case x <= 0:
		case high && x <= maxSpeedup*med:
			best = max(best, x)
		case !high && x >= med/maxSpeedup && (best == 0 || x < best):
			best = x
		}
	}
	return best
}

// cpuClock is the clock of Measure; tests replace it.
var cpuClock = CPUTime
