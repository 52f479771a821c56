package gemm

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

type benchShape struct {
	name           string
	m, n, k        int
	transA, transB bool
}

// benchShapes are the products the models run (m, n, k: op(A) is m×k, op(B)
// k×n).
var benchShapes = []benchShape{
	{"mlp1000", 128, 1000, 1000, false, false},
	{"mlp784", 128, 1000, 784, false, false},
	{"100x100x40", 100, 100, 40, false, false},
	{"100x100x100", 100, 100, 100, false, false},
	{"100x100x100_tA", 100, 100, 100, true, false},
	{"100x40x100_tB", 100, 40, 100, false, true},
	{"100x400x400", 100, 400, 400, false, false},
	{"100x512x4096", 100, 512, 4096, false, false},
	{"100x512x512", 100, 512, 512, false, false},
	{"100x2x100", 100, 2, 100, false, false},
	{"lstm20x800x200", 20, 800, 200, false, false},
	{"softmax20x10000x200", 20, 10000, 200, false, false},
	{"softmax20x200x10000_tB", 20, 200, 10000, false, true},
	{"im2col1024x16x144", 1024, 16, 144, false, false},
	{"im2col256x32x288", 256, 32, 288, false, false},
	{"im2col64x64x576", 64, 64, 576, false, false},
}

// The machine these run on may be shared: wall time then counts the time
// other processes hold the core. The benchmarks therefore also report rates
// per CPU-second of this process (cpuTime, per platform), and the peak is
// measured the same way, next to each benchmark, since the clock of a
// virtual core drifts with the load of its host.

// peakNow measures the float32 peak of this core now, in GFLOP/s per
// CPU-second: a loop of independent register FMAs (24 chains × 16 lanes × 2
// flops per iteration), best of five ~4 ms runs; 0 without AVX-512.
func peakNow() float64 {
	if !hasPeakLoop() {
		return 0
	}
	const n = 200_000
	best := time.Duration(1 << 62)
	for range 5 {
		t0 := cpuTime()
		runPeakLoop(n)
		best = min(best, cpuTime()-t0)
	}
	return 24 * 16 * 2 * n / best.Seconds() / 1e9
}

// bestEfficiency returns f's best rate as a fraction of the peak: the
// fastest CPU time of short runs of f against the fastest of the peak loop
// doing the same flops, interleaved, best of three rounds. Disturbances only
// slow a run down, so on a shared machine this is a far steadier estimate of
// what the core does alone than a mean.
func bestEfficiency(flops float64, f func()) float64 {
	if !hasPeakLoop() {
		return 0
	}
	reps := 1
	for {
		t0 := cpuTime()
		for range reps {
			f()
		}
		if cpuTime()-t0 > 300*time.Microsecond {
			break
		}
		reps *= 2
	}
	n := int(flops * float64(reps) / (24 * 16 * 2))
	best := 0.0
	for range 3 {
		bf, bp := time.Duration(1<<62), time.Duration(1<<62)
		for range 15 {
			t0 := cpuTime()
			for range reps {
				f()
			}
			bf = min(bf, cpuTime()-t0)
			t0 = cpuTime()
			runPeakLoop(n)
			bp = min(bp, cpuTime()-t0)
		}
		best = max(best, bp.Seconds()/bf.Seconds())
	}
	return best
}

// BenchmarkPeak reports the measured peak and the clock it implies
// (2 FMA pipes × 16 lanes × 2 flops per cycle).
func BenchmarkPeak(b *testing.B) {
	if !hasPeakLoop() {
		b.Skip("no AVX-512 peak loop on this CPU")
	}
	for range b.N {
		runPeakLoop(200_000)
	}
	p := peakNow()
	b.ReportMetric(p, "GFLOP/s")
	b.ReportMetric(p/64, "GHz")
}

// BenchmarkSgemm runs every shape on Fast and Gonum. Metrics: GFLOP/s (wall
// time), cpuGFLOP/s (per CPU-second of the process: Gonum uses several
// goroutines, Fast one), %peak = cpuGFLOP/s over the single-core peak
// measured just before and after, and for Fast best%peak from
// bestEfficiency.
func BenchmarkSgemm(b *testing.B) {
	for _, s := range benchShapes {
		r := rand.New(rand.NewPCG(1, 1))
		tc := gemmCase{s.m, s.n, s.k, s.transA, s.transB, 1, 0, 0}
		a, lda, bm, ldb, c, ldc := tc.operands(r)
		for _, be := range []Backend{Fast{}, Gonum{}} {
			b.Run(fmt.Sprintf("%s/%s", s.name, be.Name()), func(b *testing.B) {
				b.ReportAllocs()
				call, flops, pk := timeSgemm(b, be, s, a, lda, bm, ldb, c, ldc)
				if _, ok := be.(Fast); ok && pk > 0 {
					b.ReportMetric(100*bestEfficiency(flops, call), "best%peak")
				}
			})
		}
	}
}

// timeSgemm is the body of a product benchmark on be: one warm-up call,
// b.N timed calls on a locked thread, and the metrics GFLOP/s (wall time),
// cpuGFLOP/s and %peak (against the core's peak measured before and
// after). It returns the call, its flops and that peak (0 without a peak
// loop) for further metrics.
func timeSgemm(b *testing.B, be Backend, s benchShape, a []float32, lda int, bm []float32, ldb int, c []float32, ldc int) (call func(), flops, peak float64) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	call = func() { be.Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 0, c, ldc) }
	call()
	pk := peakNow()
	b.ResetTimer()
	t0 := cpuTime()
	for range b.N {
		call()
	}
	cpu := cpuTime() - t0
	b.StopTimer()
	pk = max(pk, peakNow())
	flops = 2 * float64(s.m) * float64(s.n) * float64(s.k)
	total := flops * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	cgf := total / cpu.Seconds() / 1e9
	b.ReportMetric(cgf, "cpuGFLOP/s")
	if pk > 0 {
		b.ReportMetric(100*cgf/pk, "%peak")
	}
	return call, flops, pk
}
