package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"unsafe"
)

// withKernels runs f with ks as the path of Fast, then restores the default.
func withKernels(ks *kernelSet, f func()) {
	old := active
	active = ks
	defer func() { active = old }()
	f()
}

// withBlocking runs f with the given block sizes and packing choice (see
// forcePacking).
func withBlocking(kc, mc, nc, pack int, f func()) {
	o := [4]int{blockK, blockM, blockN, forcePacking}
	blockK, blockM, blockN, forcePacking = kc, mc, nc, pack
	defer func() { blockK, blockM, blockN, forcePacking = o[0], o[1], o[2], o[3] }()
	f()
}

// withSwap runs f with forceSwap set (1: always compute C^T = B·A^T).
func withSwap(swap int, f func()) {
	o := forceSwap
	forceSwap = swap
	defer func() { forceSwap = o }()
	f()
}

func TestKargsLayout(t *testing.T) {
	var ka kargs
	for _, f := range []struct {
		name      string
		got, want uintptr
	}{
		{"a", unsafe.Offsetof(ka.a), 0},
		{"b", unsafe.Offsetof(ka.b), 8},
		{"c", unsafe.Offsetof(ka.c), 16},
		{"s", unsafe.Offsetof(ka.s), 24},
		{"sa", unsafe.Offsetof(ka.sa), 32},
		{"sb", unsafe.Offsetof(ka.sb), 40},
		{"ldc", unsafe.Offsetof(ka.ldc), 48},
		{"lds", unsafe.Offsetof(ka.lds), 56},
		{"k", unsafe.Offsetof(ka.k), 64},
		{"mask", unsafe.Offsetof(ka.mask), 72},
		{"mtab", unsafe.Offsetof(ka.mtab), 80},
		{"flags", unsafe.Offsetof(ka.flags), 88},
		{"alpha", unsafe.Offsetof(ka.alpha), 96},
		{"beta", unsafe.Offsetof(ka.beta), 100},
		{"pf", unsafe.Offsetof(ka.pf), 112},
		{"pfs", unsafe.Offsetof(ka.pfs), 120},
	} {
		if f.got != f.want {
			t.Errorf("kargs.%s at offset %d, the kernels read it at %d", f.name, f.got, f.want)
		}
	}
}

// gemmCase is one product; ldPad widens every leading dimension.
type gemmCase struct {
	m, n, k        int
	transA, transB bool
	alpha, beta    float32
	ldPad          int
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("m%d_n%d_k%d_tA%v_tB%v_a%v_b%v_pad%d", tc.m, tc.n, tc.k, tc.transA, tc.transB, tc.alpha, tc.beta, tc.ldPad)
}

// operands makes random A, B and C for tc (C filled with NaN when beta is 0,
// which must not leak), with their leading dimensions.
func (tc gemmCase) operands(r *rand.Rand) (a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	ar, ac := tc.m, tc.k
	if tc.transA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.transB {
		br, bc = tc.n, tc.k
	}
	lda, ldb, ldc = ac+tc.ldPad, bc+tc.ldPad, tc.n+tc.ldPad
	fill := func(rows, cols, ld int) []float32 {
		s := make([]float32, max(0, (rows-1)*ld+cols))
		for i := range s {
			s[i] = float32(r.NormFloat64())
		}
		return s
	}
	a, b, c = fill(ar, ac, lda), fill(br, bc, ldb), fill(tc.m, tc.n, ldc)
	if tc.beta == 0 {
		for i := range c {
			c[i] = float32(math.NaN())
		}
	}
	return
}

// check compares got with the float64 reference. The bound is the usual
// forward error bound of a length-k dot product in float32, ~k·u·Σ|a·b|,
// with some slack.
func (tc gemmCase) check(t *testing.T, a []float32, lda int, b []float32, ldb int, c0, got []float32, ldc int) {
	t.Helper()
	const u = 1.0 / (1 << 24)
	for i := range tc.m {
		for j := range tc.n {
			var s, abs float64
			for p := range tc.k {
				ai, bi := i*lda+p, p*ldb+j
				if tc.transA {
					ai = p*lda + i
				}
				if tc.transB {
					bi = j*ldb + p
				}
				x := float64(a[ai]) * float64(b[bi])
				s += x
				abs += math.Abs(x)
			}
			want := float64(tc.alpha) * s
			bound := float64(tc.k+2) * u * math.Abs(float64(tc.alpha)) * abs
			if tc.beta != 0 {
				cv := float64(c0[i*ldc+j])
				want += float64(tc.beta) * cv
				bound += 2 * u * math.Abs(float64(tc.beta)*cv)
			}
			bound = 2*bound + 1e-30
			g := float64(got[i*ldc+j])
			if !(math.Abs(g-want) <= bound) {
				t.Fatalf("C[%d,%d] = %v, want %v (bound %g)", i, j, g, want, bound)
			}
		}
		// Padding between rows must be untouched.
		for j := tc.n; j < ldc && i < tc.m-1; j++ {
			if g, w := got[i*ldc+j], c0[i*ldc+j]; math.Float32bits(g) != math.Float32bits(w) {
				t.Fatalf("padding C[%d,%d] changed from %v to %v", i, j, w, g)
			}
		}
	}
}

var edgeSizes = []int{1, 2, 3, 15, 16, 17, 31, 33, 63, 65, 127, 129, 257}

// randomCases builds count products with dimensions from sizes.
func randomCases(r *rand.Rand, count int, sizes []int) []gemmCase {
	alphas := []float32{1, -1, 0.5, 2.5}
	betas := []float32{0, 1, -1, 0.5}
	var cs []gemmCase
	for range count {
		cs = append(cs, gemmCase{
			m: sizes[r.IntN(len(sizes))], n: sizes[r.IntN(len(sizes))], k: sizes[r.IntN(len(sizes))],
			transA: r.IntN(2) == 1, transB: r.IntN(2) == 1,
			alpha: alphas[r.IntN(len(alphas))], beta: betas[r.IntN(len(betas))],
			ldPad: []int{0, 0, 1, 7}[r.IntN(4)],
		})
	}
	return cs
}

// fixedCases covers every transpose pair and alpha/beta pair on a few shapes
// that are not multiples of any block or tile size.
func fixedCases() []gemmCase {
	var cs []gemmCase
	for _, s := range [][3]int{{1, 1, 1}, {3, 5, 7}, {17, 33, 15}, {29, 47, 300}, {65, 31, 129}, {100, 2, 100}} {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, ab := range [][2]float32{{1, 0}, {1, 1}, {-1, 0.5}, {0.5, -1}} {
				cs = append(cs, gemmCase{s[0], s[1], s[2], tr[0], tr[1], ab[0], ab[1], 3})
			}
		}
	}
	return cs
}

func runCase(t *testing.T, r *rand.Rand, tc gemmCase) {
	t.Helper()
	a, lda, b, ldb, c, ldc := tc.operands(r)
	got := append([]float32(nil), c...)
	Fast{}.Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, got, ldc)
	tc.check(t, a, lda, b, ldb, c, got, ldc)
}

func TestFastMatchesReference(t *testing.T) {
	for _, ks := range kernelSets() {
		t.Run(ks.name, func(t *testing.T) {
			withKernels(ks, func() {
				r := rand.New(rand.NewPCG(3, 4))
				cases := append(fixedCases(), randomCases(r, 120, edgeSizes)...)
				if !testing.Short() {
					cases = append(cases, randomCases(r, 20, []int{1, 5, 31, 129, 1000})...)
				}
				for _, tc := range cases {
					runCase(t, r, tc)
					if t.Failed() {
						t.Fatalf("case %v", tc)
					}
				}
			})
		})
	}
}

// TestFastBlockingPaths forces small blocks and every packing choice, so that
// the k-block chaining (with and without the copy of C for beta), several
// row and column blocks, in-place A and B, and the C^T = B·A^T form are all
// exercised.
func TestFastBlockingPaths(t *testing.T) {
	for _, ks := range kernelSets() {
		for _, bl := range []struct{ kc, mc, nc, pack, swap int }{
			{16, 30, 40, 1, 0}, // pack everything, tiny blocks
			{7, 13, 33, 2, 0},  // read A and B in place
			{64, 100, 64, 0, 0},
			{16, 30, 40, 0, 1}, // always compute C^T = B·A^T
			{40, 20, 60, 2, 1},
		} {
			t.Run(fmt.Sprintf("%s_%v", ks.name, bl), func(t *testing.T) {
				withKernels(ks, func() {
					withSwap(bl.swap, func() {
						withBlocking(bl.kc, bl.mc, bl.nc, bl.pack, func() {
							r := rand.New(rand.NewPCG(5, 6))
							for _, tc := range append(fixedCases(), randomCases(r, 60, edgeSizes)...) {
								runCase(t, r, tc)
								if t.Failed() {
									t.Fatalf("case %v", tc)
								}
							}
						})
					})
				})
			})
		}
	}
}

// sgemmBits runs tc on ks and returns C.
func sgemmBits(ks *kernelSet, tc gemmCase, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) []float32 {
	got := append([]float32(nil), c...)
	withKernels(ks, func() {
		Fast{}.Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, got, ldc)
	})
	return got
}

func sameBits(x, y []float32) int {
	for i := range x {
		if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
			return i
		}
	}
	return -1
}

// TestPathsBitIdentical checks the determinism contract across kernel paths:
// AVX-512 and AVX2 produce the same bits on every shape, and so does any
// blocking (each element is one FMA chain in increasing k).
func TestPathsBitIdentical(t *testing.T) {
	sets := kernelSets()
	if len(sets) < 3 {
		t.Skipf("only %d kernel paths on this CPU", len(sets))
	}
	r := rand.New(rand.NewPCG(7, 8))
	sizes := append(edgeSizes, 300, 600)
	for _, tc := range append(fixedCases(), randomCases(r, 150, sizes)...) {
		a, lda, b, ldb, c, ldc := tc.operands(r)
		want := sgemmBits(sets[0], tc, a, lda, b, ldb, c, ldc)
		if i := sameBits(want, sgemmBits(sets[1], tc, a, lda, b, ldb, c, ldc)); i >= 0 {
			t.Fatalf("%v: %s and %s differ at %d", tc, sets[0].name, sets[1].name, i)
		}
		withBlocking(8, 20, 48, 1, func() {
			if i := sameBits(want, sgemmBits(sets[0], tc, a, lda, b, ldb, c, ldc)); i >= 0 {
				t.Fatalf("%v: %s differs with other blocking at %d", tc, sets[0].name, i)
			}
		})
		for _, swap := range []int{1, 2} {
			withSwap(swap, func() {
				if i := sameBits(want, sgemmBits(sets[0], tc, a, lda, b, ldb, c, ldc)); i >= 0 {
					t.Fatalf("%v: %s differs with forceSwap=%d at %d", tc, sets[0].name, swap, i)
				}
			})
		}
	}
}

func TestFastSpecialCases(t *testing.T) {
	nan := float32(math.NaN())
	// k = 0: C = beta·C, and beta = 0 clears NaN.
	c := []float32{1, 2, nan, 4}
	Fast{}.Sgemm(false, false, 2, 2, 0, 1, nil, 1, nil, 2, 0, c, 2)
	for i, v := range c {
		if v != 0 {
			t.Fatalf("k=0 beta=0: c[%d] = %v", i, v)
		}
	}
	c = []float32{1, 2, 3, 4}
	Fast{}.Sgemm(false, false, 2, 2, 0, 1, nil, 1, nil, 2, 2, c, 2)
	if c[3] != 8 {
		t.Fatalf("k=0 beta=2: got %v", c)
	}
	// alpha = 0: A and B are not read (BLAS semantics).
	c = []float32{1, 2, 3, 4}
	inf := float32(math.Inf(1))
	Fast{}.Sgemm(false, false, 2, 2, 1, 0, []float32{inf, inf}, 1, []float32{1, 1}, 2, 1, c, 2)
	if c[0] != 1 || c[3] != 4 {
		t.Fatalf("alpha=0: got %v", c)
	}
	// m = 0 or n = 0: nothing to do, even with empty slices.
	Fast{}.Sgemm(false, false, 0, 3, 3, 1, nil, 3, make([]float32, 9), 3, 0, nil, 3)
	// Malformed calls panic before any kernel runs.
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("short C did not panic")
			}
		}()
		Fast{}.Sgemm(false, false, 2, 2, 2, 1, make([]float32, 4), 2, make([]float32, 4), 2, 0, make([]float32, 3), 2)
	}()
	// Dgemm is correct too.
	for _, tr := range [][2]bool{{false, false}, {true, true}} {
		a := []float64{1, 2, 3, 4}
		b := []float64{5, 6, 7, 8}
		cd := []float64{math.NaN(), 0, 0, 0}
		Fast{}.Dgemm(tr[0], tr[1], 2, 2, 2, 1, a, 2, b, 2, 0, cd, 2)
		want := []float64{19, 22, 43, 50}
		if tr[0] {
			want = []float64{23, 31, 34, 46}
		}
		for i := range want {
			if cd[i] != want[i] {
				t.Fatalf("Dgemm %v: got %v want %v", tr, cd, want)
			}
		}
	}
}

// TestFastConcurrent runs products from several goroutines at once (run it
// with -race): each result must be bit-identical to the sequential one.
func TestFastConcurrent(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	type job struct {
		tc       gemmCase
		a, b, c  []float32
		lda, ldb int
		ldc      int
		want     []float32
	}
	var jobs []job
	for _, tc := range randomCases(r, 12, []int{3, 33, 129, 300}) {
		j := job{tc: tc}
		j.a, j.lda, j.b, j.ldb, j.c, j.ldc = tc.operands(r)
		j.want = append([]float32(nil), j.c...)
		Fast{}.Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, j.a, j.lda, j.b, j.ldb, tc.beta, j.want, j.ldc)
		jobs = append(jobs, j)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4*len(jobs))
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rep := range 3 {
				for i := range jobs {
					j := jobs[(i+g+rep)%len(jobs)]
					got := append([]float32(nil), j.c...)
					Fast{}.Sgemm(j.tc.transA, j.tc.transB, j.tc.m, j.tc.n, j.tc.k, j.tc.alpha, j.a, j.lda, j.b, j.ldb, j.tc.beta, got, j.ldc)
					if sameBits(got, j.want) >= 0 {
						errs <- j.tc.String()
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatalf("concurrent result differs: %s", e)
	}
}

// TestFastNoAllocs: steady-state calls allocate nothing.
func TestFastNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	r := rand.New(rand.NewPCG(11, 12))
	for _, tc := range []gemmCase{
		{128, 300, 600, false, false, 1, 1, 0},
		{20, 200, 300, false, true, 1, 0, 0},
		{3, 5, 7, true, false, 1, 0, 0},
		{3, 5, 7, true, true, 1, 0, 0},
		{20, 200, 1000, false, true, 1, 0, 0},
	} {
		a, lda, b, ldb, c, ldc := tc.operands(r)
		var be Backend = Fast{}
		allocs := testing.AllocsPerRun(20, func() {
			be.Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
		})
		if allocs != 0 {
			t.Errorf("%v: %v allocations per call", tc, allocs)
		}
	}
}

func TestBest(t *testing.T) {
	be := Best()
	if hasAsm := active != &genericKernels; hasAsm {
		if _, ok := be.(Fast); !ok {
			t.Fatalf("Best() = %s on a CPU with %s", be.Name(), active.name)
		}
	} else if _, ok := be.(Gonum); !ok {
		t.Fatalf("Best() = %s without an assembly path", be.Name())
	}
	t.Logf("Best() = %s", be.Name())
}
