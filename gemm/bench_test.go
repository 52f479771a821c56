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

// benchShapes are the products to benchmark (m, n, k: op(A) is m×k, op(B)
// k×n): the two of the speed issue's targets (a 1000-unit and a 784-input
// MLP layer at batch 128), then every product one training update of the
// paper profile's models makes, the largest share of a step's product flops
// first. perf/cmd/benchtable's tests check the list against the models (a
// shape that changes there must change here) and read it from this file.
var benchShapes = []benchShape{
	{"mlp1000", 128, 1000, 1000, false, false},
	{"mlp784", 128, 1000, 784, false, false},
	{"100x512x4096", 100, 512, 4096, false, false},
	{"4096x512x100_tA", 4096, 512, 100, true, false},
	{"100x100x100", 100, 100, 100, false, false},
	{"100x100x100_tA", 100, 100, 100, true, false},
	{"100x100x100_tB", 100, 100, 100, false, true},
	{"128x512x1280_tA", 128, 512, 1280, true, false},
	{"32x128x512", 32, 128, 512, false, false},
	{"32x512x128", 32, 512, 128, false, false},
	{"100x256x256", 100, 256, 256, false, false},
	{"100x256x256_tB", 100, 256, 256, false, true},
	{"256x256x100_tA", 256, 256, 100, true, false},
	{"16x1024x48_tA", 16, 1024, 48, true, false},
	{"200x10000x400_tA", 200, 10000, 400, true, false},
	{"400x10000x200", 400, 10000, 200, false, false},
	{"400x200x10000_tB", 400, 200, 10000, false, true},
	{"32x256x96_tA", 32, 256, 96, true, false},
	{"64x64x192_tA", 64, 64, 192, true, false},
	{"128x512x224_tA", 128, 512, 224, true, false},
	{"224x256x512_tB", 224, 256, 512, false, true},
	{"224x512x256", 224, 512, 256, false, false},
	{"256x512x224_tA", 256, 512, 224, true, false},
	{"48x16x1024_tB", 48, 16, 1024, false, true},
	{"100x512x512", 100, 512, 512, false, false},
	{"100x512x512_tB", 100, 512, 512, false, true},
	{"512x512x100_tA", 512, 512, 100, true, false},
	{"200x800x400_tA", 200, 800, 400, true, false},
	{"96x32x256_tB", 96, 32, 256, false, true},
	{"192x64x64_tB", 192, 64, 64, false, true},
	{"100x256x784", 100, 256, 784, false, false},
	{"784x256x100_tA", 784, 256, 100, true, false},
	{"20x200x800", 20, 200, 800, false, false},
	{"20x800x200", 20, 800, 200, false, false},
	{"400x200x800_tB", 400, 200, 800, false, true},
	{"400x800x200", 400, 800, 200, false, false},
	{"100x100x40", 100, 100, 40, false, false},
	{"40x100x100_tA", 40, 100, 100, true, false},
	{"100x400x400", 100, 400, 400, false, false},
	{"100x400x400_tB", 100, 400, 400, false, true},
	{"400x400x100_tA", 400, 400, 100, true, false},
	{"100x400x40", 100, 400, 40, false, false},
	{"40x400x100_tA", 40, 400, 100, true, false},
	{"100x2x400", 100, 2, 400, false, false},
	{"100x400x2_tB", 100, 400, 2, false, true},
	{"400x2x100_tA", 400, 2, 100, true, false},
	{"10x512x1280_tA", 10, 512, 1280, true, false},
	{"1280x512x10", 1280, 512, 10, false, false},
	{"224x32x512_tB", 224, 32, 512, false, true},
	{"224x512x32", 224, 512, 32, false, false},
	{"32x512x224_tA", 32, 512, 224, true, false},
	{"288x64x64", 288, 64, 64, false, false},
	{"288x64x64_tB", 288, 64, 64, false, true},
	{"64x64x288_tA", 64, 64, 288, true, false},
	{"144x256x32", 144, 256, 32, false, false},
	{"144x32x256_tB", 144, 32, 256, false, true},
	{"32x256x144_tA", 32, 256, 144, true, false},
	{"1280x128x8_tB", 1280, 128, 8, false, true},
	{"1280x8x128", 1280, 8, 128, false, false},
	{"128x8x1280_tA", 128, 8, 1280, true, false},
	{"16x1024x9_tA", 16, 1024, 9, true, false},
	{"9x16x1024_tB", 9, 16, 1024, false, true},
	{"256x100x32_tA", 256, 100, 32, true, false},
	{"32x100x256", 32, 100, 256, false, false},
	{"32x256x100_tB", 32, 256, 100, false, true},
	{"100x100x2_tB", 100, 100, 2, false, true},
	{"100x2x100", 100, 2, 100, false, false},
	{"100x2x100_tA", 100, 2, 100, true, false},
	{"100x10x256", 100, 10, 256, false, false},
	{"100x256x10_tB", 100, 256, 10, false, true},
	{"256x10x100_tA", 256, 10, 100, true, false},
	{"100x2x512", 100, 2, 512, false, false},
	{"100x512x2_tB", 100, 512, 2, false, true},
	{"512x2x100_tA", 512, 2, 100, true, false},
	{"128x10x64", 128, 10, 64, false, false},
	{"128x64x10_tB", 128, 64, 10, false, true},
	{"64x10x128_tA", 64, 10, 128, true, false},
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
// doing the same flops, interleaved, best of rounds that span at least
// effSpan of CPU time. Disturbances only slow a run down, so on a shared
// machine this is a far steadier estimate of what the core does alone than
// a mean; the span is long because this machine's host has slow spells of
// a second or so (a shape then measures 20-30 points lower).
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
	start := cpuTime()
	for round := 0; round < 3 || cpuTime()-start < effSpan; round++ {
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

// effSpan is the least CPU time bestEfficiency spends on a shape.
const effSpan = 1500 * time.Millisecond

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
