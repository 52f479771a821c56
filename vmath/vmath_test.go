package vmath

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"unsafe"
)

var exhaustive = flag.Bool("vmath.exhaustive", false, "measure the accuracy of exp, sigmoid and tanh over every float32 input with |x| ≤ 104 (about a minute each)")

// withPath runs f with every call on path p.
func withPath(p int, f func()) {
	old := active
	active = p
	defer func() { active = old }()
	f()
}

func TestArgsLayout(t *testing.T) {
	var a args
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"p", unsafe.Offsetof(a.p), 0},
		{"n", unsafe.Offsetof(a.n), 64},
		{"s", unsafe.Offsetof(a.s), 72},
	} {
		if c.got != c.want {
			t.Errorf("args.%s at offset %d, the assembly reads it at %d", c.name, c.got, c.want)
		}
	}
}

// signature gives the input and output streams of a kernel and how many
// scalars it reads, by the family in its name.
func signature(name string) (in, out []int, scalars int) {
	switch {
	case name == "exp" || strings.HasPrefix(name, "fwd_"):
		return []int{0}, []int{1}, 0
	case strings.HasPrefix(name, "fwdd_"):
		return []int{0}, []int{1, 2}, 0
	case strings.HasPrefix(name, "bwd_"):
		return []int{0, 1, 2}, []int{3}, 0
	case strings.HasPrefix(name, "moll_"):
		return []int{0, 1, 2, 3, 4}, []int{5, 6, 7}, 1
	case strings.HasPrefix(name, "nan_"):
		return []int{0, 1, 2}, []int{3, 4, 5}, 3
	case name == "add" || name == "mul" || name == "addrelu" || name == "passpos":
		return []int{0, 1}, []int{2}, 0
	case name == "bnfwd" || name == "bnfwd_relu":
		return []int{0}, []int{1}, 3
	case name == "bnbwd_relu":
		return []int{0, 1, 2}, []int{3}, 4
	case name == "bnbwd":
		return []int{0, 1}, []int{2}, 4
	case name == "skipgrad":
		return []int{0, 1, 2}, []int{3, 4}, 0
	case name == "sgd" || name == "sgd_nesterov":
		return []int{0, 1, 2}, []int{3, 4}, 3
	}
	panic("unknown kernel " + name)
}

var specials = []float32{0, float32(math.Copysign(0, -1)), 1, -1, 2, -2, 0.5, 0.25, float32(math.Inf(1)), float32(math.Inf(-1)),
	float32(math.NaN()), math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
	1e-40, -1e-40, 88.72, 88.73, -87.33, -103.9, -104, 89, 0.5625, -0.5625, 0.56249994, 1e30, -1e30}

// randomInput fills a stream: mostly values of the scale that matters
// (|x| up to 20), some of any magnitude, and the special values.
func randomInput(r *rand.Rand, stream int, name string, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		switch {
		case strings.HasPrefix(name, "moll_") && stream == 2: // π
			s[i] = float32(r.IntN(2))
		case strings.HasPrefix(name, "moll_") && stream == 1: // |ξ|
			if r.IntN(5) == 0 {
				s[i] = 0
			} else {
				s[i] = float32(math.Abs(r.NormFloat64()))
			}
		case r.IntN(16) == 0:
			s[i] = specials[r.IntN(len(specials))]
		case r.IntN(8) == 0:
			s[i] = math.Float32frombits(r.Uint32())
		default:
			s[i] = float32(r.NormFloat64() * 6)
		}
	}
	return s
}

// runKernel calls kernel id on the given streams (nil for unused ones).
func runKernel(id kernelID, streams [8][]float32, n int, s [4]float32) {
	a := args{n: n, s: s}
	for i, st := range streams {
		if st != nil {
			a.p[i] = unsafe.Pointer(unsafe.SliceData(st))
		}
	}
	call(id, &a)
}

func sameBits(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}

// kernelCase draws the inputs of one kernel.
func kernelCase(r *rand.Rand, id kernelID, n int) (streams [8][]float32, s [4]float32) {
	name := kernelNames[id]
	in, out, ns := signature(name)
	for _, i := range in {
		streams[i] = randomInput(r, i, name, n)
	}
	for _, i := range out {
		streams[i] = make([]float32, n)
	}
	for i := range ns {
		s[i] = float32(r.NormFloat64())
	}
	return streams, s
}

func cloneOutputs(id kernelID, st [8][]float32) [8][]float32 {
	_, out, _ := signature(kernelNames[id])
	for _, i := range out {
		st[i] = make([]float32, len(st[i]))
	}
	return st
}

// TestPathsBitIdentical runs every kernel on every path this CPU has (the
// AVX-512, AVX2 and pure-Go ones on a recent x86) and requires the same bits.
func TestPathsBitIdentical(t *testing.T) {
	ps := paths()
	if len(ps) < 2 {
		t.Skip("only the Go path on this machine")
	}
	r := rand.New(rand.NewPCG(1, 2))
	const n = 20000
	for id := range kernelNames {
		id := kernelID(id)
		st, s := kernelCase(r, id, n)
		var ref [8][]float32
		for k, p := range ps {
			got := cloneOutputs(id, st)
			withPath(p, func() { runKernel(id, got, n, s) })
			if k == 0 {
				ref = got
				continue
			}
			_, out, _ := signature(kernelNames[id])
			for _, o := range out {
				for i := range n {
					if !sameBits(got[o][i], ref[o][i]) {
						t.Fatalf("%s output %d, element %d (inputs %v): %s gives %g (%#x), %s gives %g (%#x)", kernelNames[id], o, i, inputsAt(id, st, i),
							pathNames[p], got[o][i], math.Float32bits(got[o][i]), pathNames[ps[0]], ref[o][i], math.Float32bits(ref[o][i]))
					}
				}
			}
		}
	}
}

func inputsAt(id kernelID, st [8][]float32, i int) []float32 {
	in, _, _ := signature(kernelNames[id])
	var v []float32
	for _, k := range in {
		v = append(v, st[k][i])
	}
	return v
}

// TestLengthAndOffset checks that element i's result does not depend on the
// slice's length or alignment (the masked tail computes the same bits as a
// full vector), on every path.
func TestLengthAndOffset(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const n = 80
	for _, p := range paths() {
		for id := range kernelNames {
			id := kernelID(id)
			st, s := kernelCase(r, id, n)
			full := cloneOutputs(id, st)
			withPath(p, func() { runKernel(id, full, n, s) })
			_, out, _ := signature(kernelNames[id])
			for off := 0; off < 19; off++ {
				for length := 0; off+length <= n && length < 45; length++ {
					var sub [8][]float32
					for k, v := range st {
						if v != nil {
							sub[k] = append([]float32(nil), v[off:off+length]...)
						}
					}
					sub = cloneOutputs(id, sub)
					withPath(p, func() { runKernel(id, sub, length, s) })
					for _, o := range out {
						for i := range length {
							if !sameBits(sub[o][i], full[o][off+i]) {
								t.Fatalf("%s on %s: element %d of output %d is %g in a slice of %d from offset %d, %g in the full slice",
									kernelNames[id], pathNames[p], off+i, o, sub[o][i], length, off, full[o][off+i])
							}
						}
					}
				}
			}
		}
	}
}

// ord maps float32 bits to integers in the order of the values, so that the
// distance in ulps is a difference.
func ord(f float32) int64 {
	b := int64(math.Float32bits(f))
	if b&0x80000000 != 0 {
		return 0x80000000 - b
	}
	return b
}

func ulps(got, want float32) int64 {
	if want != want {
		if got != got {
			return 0
		}
		return math.MaxInt64
	}
	d := ord(got) - ord(want)
	if d < 0 {
		d = -d
	}
	return d
}

type accuracy struct {
	name  string
	fast  func(dst, x []float32)
	ref   func(float64) float64
	bound int64 // maximum error in ulps, as stated in doc.go
}

var accuracies = []accuracy{
	{"exp", Exp, math.Exp, 1},
	{"sigmoid", Sigmoid, sigmoid64, 2},
	{"tanh", Tanh, math.Tanh, 2},
}

func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// sweep measures the maximum error in ulps of acc against the float64
// result rounded to float32 over the float32 inputs with |x| ≤ 104 whose bit
// patterns are a multiple of stride apart, plus a uniform grid in value.
func sweep(acc accuracy, stride uint32) (worst int64, at float32, count int) {
	const chunk = 1 << 14
	xs := make([]float32, 0, chunk)
	ys := make([]float32, chunk)
	flush := func() {
		y := ys[:len(xs)]
		acc.fast(y, xs)
		for i, x := range xs {
			if e := ulps(y[i], float32(acc.ref(float64(x)))); e > worst {
				worst, at = e, x
			}
		}
		count += len(xs)
		xs = xs[:0]
	}
	lim := math.Float32bits(104)
	for _, sgn := range []uint32{0, 0x80000000} {
		for b := uint32(0); b <= lim; b += stride {
			xs = append(xs, math.Float32frombits(b|sgn))
			if len(xs) == chunk {
				flush()
			}
		}
	}
	const grid = 1 << 20
	for i := range grid {
		xs = append(xs, float32(-104+208*float64(i)/grid))
		if len(xs) == chunk {
			flush()
		}
	}
	flush()
	return worst, at, count
}

// TestAccuracy asserts the documented error bounds on a dense sweep (every
// 251st float32 with |x| ≤ 104 and a grid of 2^20 values); with
// -vmath.exhaustive it checks every float32 in that range.
func TestAccuracy(t *testing.T) {
	stride := uint32(251)
	if active == pathGo {
		stride = 2503 // the Go path is a hundred times slower
	}
	if *exhaustive {
		stride = 1
	}
	for _, acc := range accuracies {
		t.Run(acc.name, func(t *testing.T) {
			worst, at, count := sweep(acc, stride)
			t.Logf("%s on %s: max error %d ulp (at x = %g) over %d inputs", acc.name, Path(), worst, at, count)
			if worst > acc.bound {
				t.Errorf("%s: %d ulp at x = %g (%#x), documented bound %d", acc.name, worst, at, math.Float32bits(at), acc.bound)
			}
		})
	}
}

// TestPathsExhaustive (with -vmath.exhaustive) compares the AVX-512 and AVX2
// paths on every one of the 2^32 float32 inputs, for the one-input kernels.
func TestPathsExhaustive(t *testing.T) {
	if !*exhaustive {
		t.Skip("run with -vmath.exhaustive")
	}
	if len(paths()) < 3 {
		t.Skip("needs the AVX-512 and AVX2 paths")
	}
	const chunk = 1 << 16
	x := make([]float32, chunk)
	y512, y256, d512, d256 := make([]float32, chunk), make([]float32, chunk), make([]float32, chunk), make([]float32, chunk)
	for id, name := range kernelNames {
		in, out, _ := signature(name)
		if len(in) != 1 {
			continue
		}
		var st512, st256 [8][]float32
		st512[0], st256[0] = x, x
		st512[out[0]], st256[out[0]] = y512, y256
		if len(out) > 1 {
			st512[out[1]], st256[out[1]] = d512, d256
		}
		for base := uint64(0); base < 1<<32; base += chunk {
			for i := range x {
				x[i] = math.Float32frombits(uint32(base) + uint32(i))
			}
			withPath(pathAVX512, func() { runKernel(kernelID(id), st512, chunk, [4]float32{}) })
			withPath(pathAVX2, func() { runKernel(kernelID(id), st256, chunk, [4]float32{}) })
			for i := range x {
				if !sameBits(y512[i], y256[i]) || (len(out) > 1 && !sameBits(d512[i], d256[i])) {
					t.Fatalf("%s(%g): AVX-512 and AVX2 differ", name, x[i])
				}
			}
		}
		t.Logf("%s: AVX-512 and AVX2 agree on all 2^32 inputs", name)
	}
}

// TestSpecialValues checks ±Inf, NaN, ±0, huge and subnormal inputs like
// the math package (exactly: the bound is 0 ulp for these).
func TestSpecialValues(t *testing.T) {
	inf := math.Inf(1)
	cases := []struct {
		x                  float64
		exp, sig, tanh     float64
		expULP, sigULP, th int64 // allowed error
	}{
		{inf, inf, 1, 1, 0, 0, 0},
		{-inf, 0, 0, -1, 0, 0, 0},
		{0, 1, 0.5, 0, 0, 0, 0},
		{math.Copysign(0, -1), 1, 0.5, math.Copysign(0, -1), 0, 0, 0},
		{1e30, inf, 1, 1, 0, 0, 0},
		{-1e30, 0, 0, -1, 0, 0, 0},
		{89, inf, 1, 1, 0, 0, 0},
		{-104, 0, 0, -1, 0, 0, 0},
		{1e-40, 1, 0.5, 1e-40, 0, 0, 0},
		{-1e-40, 1, 0.5, -1e-40, 0, 0, 0},
		{-100, math.Exp(-100), math.Exp(-100), -1, 1, 1, 0}, // subnormal results: the sigmoid's tail is kept
		{-88, math.Exp(-88), math.Exp(-88), -1, 1, 2, 0},
	}
	for _, p := range paths() {
		withPath(p, func() {
			for _, c := range cases {
				x := []float32{float32(c.x)}
				y := make([]float32, 1)
				for _, f := range []struct {
					name string
					fn   func(dst, x []float32)
					want float64
					tol  int64
				}{{"exp", Exp, c.exp, c.expULP}, {"sigmoid", Sigmoid, c.sig, c.sigULP}, {"tanh", Tanh, c.tanh, c.th}} {
					f.fn(y, x)
					if e := ulps(y[0], float32(f.want)); e > f.tol || (f.tol == 0 && math.Float32bits(y[0]) != math.Float32bits(float32(f.want))) {
						t.Errorf("%s: %s(%g) = %g, want %g", pathNames[p], f.name, c.x, y[0], float32(f.want))
					}
				}
			}
			nan := []float32{float32(math.NaN())}
			y := make([]float32, 1)
			for name, fn := range map[string]func(dst, x []float32){"exp": Exp, "sigmoid": Sigmoid, "tanh": Tanh} {
				fn(y, nan)
				if y[0] == y[0] {
					t.Errorf("%s: %s(NaN) = %g", pathNames[p], name, y[0])
				}
			}
		})
	}
}

// TestFMA32 checks the exact single-precision FMA of the Go path where
// rounding through float64 would be wrong (double rounding), and on random
// operands where the float64 sum is exact (then rounding it once is the
// answer).
func TestFMA32(t *testing.T) {
	// x² = 1 + 2^-11 + 2^-24 is a float32 midpoint; ±2^-80 decides the
	// rounding, but is lost when the sum is first rounded to float64.
	x := float32(1 + 1.0/(1<<12))
	cc := float32(math.Ldexp(1, -80))
	if naive := float32(float64(x)*float64(x) + float64(cc)); naive != float32(1+1.0/(1<<11)) {
		t.Fatalf("the case does not exercise double rounding (naive result %v)", naive)
	}
	if got, want := fma32(x, x, cc), float32(1+1.0/(1<<11)+1.0/(1<<23)); got != want {
		t.Fatalf("fma32(x, x, 2^-80) = %v, want %v (rounded up past the midpoint)", got, want)
	}
	if got, want := fma32(x, x, -cc), float32(1+1.0/(1<<11)); got != want {
		t.Fatalf("fma32(x, x, −2^-80) = %v, want %v", got, want)
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 1 << 18 {
		a := math.Float32frombits(r.Uint32())
		b := float32(r.NormFloat64())
		c := float32(r.NormFloat64() * math.Pow(2, float64(r.IntN(60)-30)))
		got := fma32(a, b, c)
		exact := math.FMA(float64(a), float64(b), float64(c))
		// Where the float64 sum is exact, rounding it once is the answer.
		if float64(a)*float64(b)+float64(c)-float64(c) == float64(a)*float64(b) && !sameBits(got, float32(exact)) {
			t.Fatalf("fma32(%g, %g, %g) = %g, want %g", a, b, c, got, float32(exact))
		}
	}
}

func ExampleSigmoid() {
	x := []float32{-100, -1, 0, 1, 100}
	y := make([]float32, len(x))
	Sigmoid(y, x)
	fmt.Println(y)
	// Output: [3.8e-44 0.26894143 0.5 0.7310586 1]
}

// TestElementwiseKernels compares the one-line kernels with their scalar
// definitions, bit for bit, on every path (random values, specials
// included, and a length with a partial last vector).
func TestElementwiseKernels(t *testing.T) {
	const n = 1003
	r := rand.New(rand.NewPCG(7, 8))
	x, y, m := randomInput(r, 0, "", n), randomInput(r, 1, "", n), randomInput(r, 2, "", n)
	s := [4]float32{float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.NormFloat64())}
	cases := []struct {
		name string
		run  func(z []float32)
		ref  func(i int) float32
	}{
		{"AddReLU", func(z []float32) { AddReLU(z, x, y) }, func(i int) float32 {
			v := x[i] + y[i]
			if v != v {
				return v
			}
			return max32(0, v)
		}},
		{"PassPositive", func(z []float32) { PassPositive(z, x, y) }, func(i int) float32 {
			if y[i] > 0 {
				return x[i]
			}
			return 0
		}},
		{"Normalize", func(z []float32) { Normalize(z, x, s[0], s[1], s[2]) }, func(i int) float32 {
			return fma32(s[1], x[i]-s[0], s[2])
		}},
		{"NormalizeGrad", func(z []float32) { NormalizeGrad(z, x, y, s[0], s[1], s[2], s[3]) }, func(i int) float32 {
			return fma32(s[0], x[i], fma32(s[1], y[i]-s[2], s[3]))
		}},
		{"NormalizeReLU", func(z []float32) { NormalizeReLU(z, x, s[0], s[1], s[2]) }, func(i int) float32 {
			v := fma32(s[1], x[i]-s[0], s[2])
			if v != v {
				return v
			}
			return max32(0, v)
		}},
		{"NormalizeReLUGrad", func(z []float32) { NormalizeReLUGrad(z, x, y, m, s[0], s[1], s[2], s[3]) }, func(i int) float32 {
			g := float32(0)
			if m[i] > 0 {
				g = x[i]
			}
			return fma32(s[0], g, fma32(s[1], y[i]-s[2], s[3]))
		}},
	}
	for _, c := range cases {
		for _, p := range paths() {
			z := make([]float32, n)
			withPath(p, func() { c.run(z) })
			for i := range z {
				if want := c.ref(i); !sameBits(z[i], want) {
					t.Fatalf("%s on %s, element %d (x %g, y %g): %g, want %g", c.name, pathNames[p], i, x[i], y[i], z[i], want)
				}
			}
		}
	}
}
