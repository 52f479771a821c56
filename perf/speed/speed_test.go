package speed

import (
	"flag"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/mollifying/mollify/experiment"
	"time"
)

var (
	profileFlag = flag.String("speed.profile", "paper", "profile whose sizes and batches the step benchmarks use")
	fullFlag    = flag.Bool("speed.full", false, "also measure the profile's own convolutional network under the baseline configuration (ResNet-110 in the paper profile: seconds per step, 3.5 GB)")
)

// minRound is the shortest round of Measure: long enough that the clock's
// resolution and a context switch are noise, short enough for many rounds
// per benchmark.
const minRound = 10 * time.Millisecond

func benchCases(b *testing.B) []Case {
	cs, err := Cases(experiment.MustBuiltin(*profileFlag), *fullFlag)
	if err != nil {
		b.Fatal(err)
	}
	return cs
}

// BenchmarkStep times one training update (see Step) of every task's
// network under every configuration that applies, at the profile's size
// and batch. Metrics: ns/step is the CPU time of an update in the fastest
// round (see Measure), mean-ns/step the mean CPU time; examples/s and
// GFLOP/s (flops of the matrix products, counted) follow from ns/step;
// MFLOP/step is the counted work. ns/op is wall time and counts the time
// other processes held the core.
func BenchmarkStep(b *testing.B) {
	for _, c := range benchCases(b) {
		b.Run(c.Name(), func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			debug.FreeOSMemory() // the last case's network (3.5 GB for ResNet-110)
			s, err := NewStep(c, 1)
			if err != nil {
				b.Fatal(err)
			}
			s.Run() // sizes every buffer
			b.ResetTimer()
			res := Measure(b.N, minRound, func() { s.Run() })
			b.StopTimer()
			best := res.Best.Seconds()
			b.ReportMetric(float64(res.Best.Nanoseconds()), "ns/step")
			b.ReportMetric(float64(res.Mean().Nanoseconds()), "mean-ns/step")
			b.ReportMetric(float64(c.Work.Batch)/best, "examples/s")
			b.ReportMetric(res.FlopsPerCall()/best/1e9, "GFLOP/s")
			b.ReportMetric(res.FlopsPerCall()/1e6, "MFLOP/step")
		})
	}
}

// BenchmarkEval times the evaluation-mode forward pass over one chunk of
// the size train.Classify evaluates at once, per example (ns/example, the
// fastest round's CPU time), for the estimate of a run's evaluations, once
// per configuration (evaluation does not depend on the update).
func BenchmarkEval(b *testing.B) {
	for _, c := range benchCases(b) {
		if c.Late {
			continue
		}
		b.Run(c.Name(), func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			debug.FreeOSMemory()
			e, err := NewEval(c, 1)
			if err != nil {
				b.Fatal(err)
			}
			e.Run()
			b.ResetTimer()
			res := Measure(b.N, minRound, func() { e.Run() })
			b.StopTimer()
			b.ReportMetric(float64(res.Best.Nanoseconds())/float64(e.Examples()), "ns/example")
		})
	}
}
