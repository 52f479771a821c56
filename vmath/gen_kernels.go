//go:build ignore

// gen_kernels writes the kernels of package vmath three times from one
// description: kernels_amd64.s (an AVX-512 and an AVX2 function per kernel),
// kernels_amd64.go (their declarations and dispatch) and kernels_go.go (the
// pure-Go fallback, the kernel ids and their dispatch). Run it with
// `go generate` in this directory.
//
// A kernel is a straight-line program over float32 lanes (no branches:
// every "if" of the maths is computed both ways and selected per lane),
// written with the builder functions below. Each builder call is one IEEE
// operation with one rounding, emitted as one instruction on both ISAs and
// as one statement (through the exact helpers of ops.go) in Go, so the three
// paths compute the same bits. The loop runs over n elements in vectors of
// 16 (AVX-512) or 8 (AVX2) lanes; the last, partial vector is loaded and
// stored under a lane mask, so element i's result depends only on element
// i's inputs.
//
// Calling convention: every kernel takes one *args (see vmath.go; offsets
// below): up to 8 stream pointers, the element count and up to 4 float32
// scalars, broadcast to all lanes.
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"log"
	"math"
	"os"
	"sort"
	"strings"
)

// Offsets of the args fields.
const (
	offP = 0  // [8]unsafe.Pointer
	offN = 64 // int
	offS = 72 // [4]float32
)

// ----------------------------------------------------------------------------
// The program representation.

type typ int

const (
	tVec  typ = iota // 16 or 8 float32 lanes (also int32 bit patterns)
	tMask            // one bool per lane
	tNone            // stores
)

type val struct {
	id   int
	t    typ
	op   string
	args []*val
	imm  int    // stream or scalar index, shift count, compare predicate
	off  int    // loads and stores: byte offset from the current element
	bits uint32 // constant
	last int    // index of the last instruction that reads it
	reg  int    // register assigned by the allocator
}

type kernel struct {
	name    string
	doc     string
	streams int // number of stream pointers
	used    map[int]bool
	ins     []*val
	nextID  int
}

var cur *kernel

func newVal(t typ, op string, args ...*val) *val {
	v := &val{id: cur.nextID, t: t, op: op, args: args}
	cur.nextID++
	for _, a := range args {
		if a.t == tNone {
			panic("argument is a store")
		}
	}
	if op != "const" && op != "scalar" {
		cur.ins = append(cur.ins, v)
	}
	return v
}

func vec(op string, args ...*val) *val {
	for _, a := range args {
		if a.t != tVec {
			panic(op + ": mask argument")
		}
	}
	return newVal(tVec, op, args...)
}

func useStream(i int) {
	if i+1 > cur.streams {
		cur.streams = i + 1
	}
}

// Builders: one IEEE operation each.

func load(i int) *val { useStream(i); v := newVal(tVec, "load"); v.imm = i; return v }
func store(i int, x *val) {
	useStream(i)
	v := newVal(tNone, "store", x)
	v.imm = i
}
func scalar(i int) *val  { v := newVal(tVec, "scalar"); v.imm = i; return v }
func cb(b uint32) *val   { v := newVal(tVec, "const"); v.bits = b; return v }
func cf(f float32) *val  { return cb(math.Float32bits(f)) }
func c64(f float64) *val { return cf(float32(f)) }

func add(a, b *val) *val     { return vec("add", a, b) }
func sub(a, b *val) *val     { return vec("sub", a, b) }
func mul(a, b *val) *val     { return vec("mul", a, b) }
func div(a, b *val) *val     { return vec("div", a, b) }
func fma(a, b, c *val) *val  { return vec("fma", a, b, c) }  // a·b + c, one rounding
func fnma(a, b, c *val) *val { return vec("fnma", a, b, c) } // c − a·b, one rounding
// vmin and vmax have the x86 semantics: vmin(a, b) = a < b ? a : b, so a NaN
// in either operand returns b.
func vmin(a, b *val) *val    { return vec("min", a, b) }
func vmax(a, b *val) *val    { return vec("max", a, b) }
func and(a, b *val) *val     { return vec("and", a, b) }
func or(a, b *val) *val      { return vec("or", a, b) }
func andn(a, b *val) *val    { return vec("andn", a, b) } // ^a & b
func round(a *val) *val      { return vec("round", a) }   // to nearest integer, ties to even
func cvtt(a *val) *val       { return vec("cvtt", a) }    // float → int32, truncating
func iadd(a, b *val) *val    { return vec("iadd", a, b) }
func isub(a, b *val) *val    { return vec("isub", a, b) }
func shl(a *val, n int) *val { v := vec("shl", a); v.imm = n; return v }
func sar(a *val, n int) *val { v := vec("sar", a); v.imm = n; return v }

// Compare predicates (ordered, quiet; ne is unordered: true for NaN).
const (
	pEQ = iota
	pNE
	pLT
	pLE
	pGT
	pGE
)

var predImm = [...]int{0x00, 0x04, 0x11, 0x12, 0x1e, 0x1d}
var predGo = [...]string{"==", "!=", "<", "<=", ">", ">="}

func cmp(pred int, a, b *val) *val {
	v := newVal(tMask, "cmp", a, b)
	if a.t != tVec || b.t != tVec {
		panic("cmp of masks")
	}
	v.imm = pred
	return v
}

// sel returns m ? a : b per lane.
func sel(m, a, b *val) *val {
	if m.t != tMask || a.t != tVec || b.t != tVec {
		panic("sel operand types")
	}
	return newVal(tVec, "sel", m, a, b)
}

func mand(a, b *val) *val  { return newVal(tMask, "mand", a, b) }
func mor(a, b *val) *val   { return newVal(tMask, "mor", a, b) }
func mandn(a, b *val) *val { return newVal(tMask, "mandn", a, b) } // !a && b

// ----------------------------------------------------------------------------
// The maths, shared by the kernels.

const (
	signBit = 0x80000000
	absMask = 0x7fffffff
)

func abs(x *val) *val { return and(x, cb(absMask)) }

// sign returns 1, −1 or 0 (for ±0 and NaN).
func sign(x *val) *val {
	s := sel(cmp(pGT, x, cf(0)), cf(1), cf(0))
	return sel(cmp(pLT, x, cf(0)), cf(-1), s)
}

// expCore is exp(x): x is clamped to [−104, 89] (outside, the float32
// result is 0 or +Inf, and the clamp gives exactly that), k = round(x/ln 2),
// r = x − k·ln 2 in two FMAs (Cody–Waite, ln 2 split into float32 hi + lo),
// e^r by its Taylor polynomial of degree 7 (|r| ≤ ln2/2: truncation below
// 0.1 ulp) in Horner form, and 2^k applied as two exact powers of two
// 2^⌊k/2⌋·2^(k−⌊k/2⌋), so that the last product rounds once into the
// subnormal range or overflows to +Inf as the exact value would. NaN
// passes the clamps (vmax/vmin return their second operand) and stays NaN.
func expCore(x *val) *val {
	t := vmax(cf(-104), x)
	t = vmin(cf(89), t)
	k := round(mul(t, c64(1/math.Ln2)))
	ln2hi := float32(math.Ln2)
	ln2lo := float32(math.Ln2 - float64(ln2hi))
	r := fma(k, cf(-ln2hi), t)
	r = fma(k, cf(-ln2lo), r)
	p := c64(1.0 / 5040)
	for _, c := range []float64{1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5, 1, 1} {
		p = fma(p, r, c64(c))
	}
	ki := cvtt(k)
	k1 := sar(ki, 1)
	k2 := isub(ki, k1)
	s1 := shl(iadd(k1, cb(127)), 23)
	s2 := shl(iadd(k2, cb(127)), 23)
	return mul(mul(p, s1), s2)
}

// sigmoidCore is 1/(1+e^−x) for x ≥ 0 and e^x/(1+e^x) for x < 0, with
// e = exp(−|x|) ≤ 1: no overflow, and the tail e^x of large negative x is
// kept down to the subnormals.
func sigmoidCore(x *val) *val {
	e := expCore(or(x, cb(signBit)))
	d := add(cf(1), e)
	num := sel(cmp(pLT, x, cf(0)), e, cf(1))
	return div(num, d)
}

// tanhSmall is the threshold below which tanh uses its odd Taylor series:
// above it tanh(|x|) > 0.5, so 1 − 2/(e^{2|x|}+1) loses no bits.
const tanhSmall = 0.5625

// tanhCore is x + x³·q(x²) (the Taylor series of tanh to x¹⁷; truncation
// below 0.1 ulp) for |x| < 0.5625, and sign(x)·(1 − 2/(e^{2|x|}+1)) above.
func tanhCore(x *val) *val {
	ax := abs(x)
	e := expCore(add(ax, ax))
	q := div(cf(2), add(e, cf(1)))
	yl := sub(cf(1), q)
	x2 := mul(x, x)
	co := tanhTaylor()
	p := c64(co[8])
	for i := 7; i >= 1; i-- {
		p = fma(p, x2, c64(co[i]))
	}
	ys := fma(ax, mul(x2, p), ax)
	// Both branches are computed for |x|; the sign goes back on last (tanh
	// is odd, and tanh(−0) = −0).
	return or(sel(cmp(pLT, ax, cf(tanhSmall)), ys, yl), and(x, cb(signBit)))
}

// tanhTaylor returns the Taylor coefficients t[i] of x^(2i+1) in tanh x, for
// i = 0..8, from the Bernoulli numbers B_2..B_18:
// t[i] = 2^(2n)·(2^(2n)−1)·B_(2n)/(2n)!, n = i+1.
func tanhTaylor() []float64 {
	// B_2, B_4, …, B_18.
	b := []float64{1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66, -691.0 / 2730, 7.0 / 6, -3617.0 / 510, 43867.0 / 798}
	t := make([]float64, len(b))
	fact := 1.0
	for i := range b {
		n := float64(2 * (i + 1))
		fact *= (n - 1) * n
		p := math.Pow(2, n)
		t[i] = p * (p - 1) * b[i] / fact
	}
	return t
}

// ----------------------------------------------------------------------------
// The activations and their derivatives.

// Activation kinds, in the order of vmath.Fn.
var fnNames = []string{"identity", "sigmoid", "tanh", "relu", "hardsigmoid", "hardtanh"}

const (
	fIdentity = iota
	fSigmoid
	fTanh
	fReLU
	fHardSigmoid
	fHardTanh
)

// fwd returns f(x).
func fwd(kind int, x *val) *val {
	switch kind {
	case fIdentity:
		return x
	case fSigmoid:
		return sigmoidCore(x)
	case fTanh:
		return tanhCore(x)
	case fReLU:
		return vmax(cf(0), x)
	case fHardSigmoid:
		return vmax(cf(0), vmin(cf(1), fma(cf(0.25), x, cf(0.5))))
	case fHardTanh:
		return vmax(cf(-1), vmin(cf(1), x))
	}
	panic("kind")
}

// deriv returns f'(x) given y = f(x); at the kinks of the piecewise-linear
// functions, the flat side's value (as nn.Kind.D).
func deriv(kind int, x, y *val) *val {
	switch kind {
	case fIdentity:
		return cf(1)
	case fSigmoid:
		return mul(y, sub(cf(1), y))
	case fTanh:
		return fnma(y, y, cf(1))
	case fReLU:
		return sel(cmp(pGT, x, cf(0)), cf(1), cf(0))
	case fHardSigmoid:
		return sel(mand(cmp(pGT, x, cf(-2)), cmp(pLT, x, cf(2))), cf(0.25), cf(0))
	case fHardTanh:
		return sel(mand(cmp(pGT, x, cf(-1)), cmp(pLT, x, cf(1))), cf(1), cf(0))
	}
	panic("kind")
}

// linear returns the slope and u(0) of f's first-order expansion at 0.
func linear(kind int) (slope, u0 float32) {
	switch kind {
	case fSigmoid, fHardSigmoid:
		return 0.25, 0.5
	}
	return 1, 0
}

// ----------------------------------------------------------------------------
// The kernels.

type kdef struct {
	name, doc string
	build     func()
}

func kernels() []kdef {
	var ks []kdef
	ks = append(ks, kdef{"exp", "Y = exp(X)", func() { store(1, expCore(load(0))) }})
	for kind := fSigmoid; kind <= fHardTanh; kind++ {
		ks = append(ks,
			kdef{"fwd_" + fnNames[kind], "Y = f(X)", func() { store(1, fwd(kind, load(0))) }},
			kdef{"fwdd_" + fnNames[kind], "Y = f(X), D = f'(X)", func() {
				x := load(0)
				y := fwd(kind, x)
				store(1, y)
				store(2, deriv(kind, x, y))
			}},
			kdef{"bwd_" + fnNames[kind], "DX = DY·f'(X) given Y = f(X)", func() {
				x, y := load(1), load(2)
				store(3, mul(load(0), deriv(kind, x, y)))
			}},
			kdef{"moll_" + fnNames[kind], "the mollified unit (Algorithm 1) with its skip", func() { mollified(kind) }},
		)
	}
	ks = append(ks,
		kdef{"add", "Z = X + Y", func() { store(2, add(load(0), load(1))) }},
		kdef{"mul", "Z = X·Y", func() { store(2, mul(load(0), load(1))) }},
		// SGD with momentum in nn.SGD's order of operations, with separate
		// multiplies and adds (no FMA), so that it computes the same bits as
		// the scalar Go loop. Streams: 0 w, 1 g, 2 v; outputs 3 w', 4 v'
		// (SGD passes w and v again: an element is read before it is
		// written); scalars: 0 μ, 1 weight decay, 2 learning rate.
		kdef{"sgd", "G' = G + WD·W; V = μV + G'; W = W − LR·V", func() {
			w, v := load(0), load(2)
			g := add(load(1), mul(scalar(1), w))
			v = add(mul(scalar(0), v), g)
			store(4, v)
			store(3, sub(w, mul(scalar(2), v)))
		}},
		kdef{"sgd_nesterov", "G' = G + WD·W; V = μV + G'; W = W − LR·(G' + μV)", func() {
			w, v := load(0), load(2)
			g := add(load(1), mul(scalar(1), w))
			v = add(mul(scalar(0), v), g)
			store(4, v)
			store(3, sub(w, mul(scalar(2), add(g, mul(scalar(0), v)))))
		}},
		// The residual block's output ReLU(F + S), and its gradient mask
		// (DY where the output is positive, +0 elsewhere, as the scalar
		// code sets it).
		kdef{"addrelu", "Z = max(0, X + Y)", func() { store(2, vmax(cf(0), add(load(0), load(1)))) }},
		kdef{"passpos", "Z = Y > 0 ? X : 0", func() { store(2, sel(cmp(pGT, load(1), cf(0)), load(0), cf(0))) }},
		// Batch normalisation with per-channel scalars: forward
		// (scalars μ, a = γ/σ, β) and the training backward pass (scalars
		// a, k, μ, c: DX = a·DY + k·(X−μ) + c).
		kdef{"bnfwd", "Y = a·(X − μ) + β", func() { store(1, fma(scalar(1), sub(load(0), scalar(0)), scalar(2))) }},
		kdef{"bnbwd", "DX = a·DY + (k·(X − μ) + c)", func() {
			d := sub(load(1), scalar(2))
			store(2, fma(scalar(0), load(0), fma(scalar(1), d, scalar(3))))
		}},
		// The same, fused with a following ReLU: the output is
		// max(0, ·), and the backward pass takes the gradient of the
		// ReLU's output Y, passing it where Y > 0.
		kdef{"bnfwd_relu", "Y = max(0, a·(X − μ) + β)", func() {
			store(1, vmax(cf(0), fma(scalar(1), sub(load(0), scalar(0)), scalar(2))))
		}},
		kdef{"bnbwd_relu", "DX = a·(Y > 0 ? DY : 0) + (k·(X − μ) + c)", func() {
			g := sel(cmp(pGT, load(2), cf(0)), load(0), cf(0))
			d := sub(load(1), scalar(2))
			store(3, fma(scalar(0), g, fma(scalar(1), d, scalar(3))))
		}},
		kdef{"skipgrad", "DZ = DY·(1−W)·DPSI, DS = W·DY", func() {
			dy, w := load(0), load(1)
			store(3, mul(mul(dy, sub(cf(1), w)), load(2)))
			store(4, mul(dy, w))
		}},
	)
	for _, kind := range []int{fHardSigmoid, fHardTanh} {
		for _, clip := range []bool{false, true} {
			name := "nan_" + fnNames[kind]
			if clip {
				name += "_clip"
			}
			ks = append(ks, kdef{name, "the noisy activation of Gulcehre et al. 2016", func() { noisy(kind, clip) }})
		}
	}
	return ks
}

// mollified is the fused Algorithm 1 kernel. Streams: 0 x (pre-activation),
// 1 |ξ| (0 where the unit has no noise), 2 π (1 to copy the previous layer,
// else 0), 3 the previous layer's unit (what the skip copies), 4 the slope
// a; outputs 5 h, 6 ∂ψ/∂x, 7 ∂ψ/∂a (both 0 where π = 1). Scalar 0 is p·c.
// The maths is mollified.Unit.Eval's, in float32.
func mollified(kind int) {
	x := load(0)
	fx := fwd(kind, x)
	dfx := deriv(kind, x, fx)
	slope, u0 := linear(kind)
	us := x
	if slope != 1 {
		us = mul(cf(slope), x)
	}
	ux := us // u(x)
	if u0 != 0 {
		ux = add(us, cf(u0))
	}
	delta := sub(ux, fx)
	a := load(4)
	sg := sigmoidCore(mul(a, delta))
	g := sub(sg, cf(0.5))
	sigma := mul(g, g)
	common := mul(mul(g, sg), sub(cf(1), sg))
	common = add(common, common) // 2·g·sg·(1−sg), exact doubling
	dsx := mul(mul(common, a), sub(cf(slope), dfx))
	dsa := mul(common, delta)
	xi := load(1)
	scale := mul(scalar(0), xi)
	s := mul(scale, sigma)
	var psi, dx, da *val
	if kind == fReLU {
		// Eqs. 26-27: ψ = f(x) − min(|x|, s); where |x| ≤ s, ψ = x.
		id := cmp(pLE, abs(x), s)
		psi = sel(id, x, sub(fx, s))
		dx = sel(id, cf(1), fnma(scale, dsx, dfx))
		da = sel(id, cf(0), fnma(scale, dsa, cf(0)))
	} else {
		// Eq. 25: ψ = sgn(u*)·min(|u*|, |f* + sgn(u*)·s|) + u(0).
		gs := sign(us)
		fs := fx
		if u0 != 0 {
			fs = sub(fx, cf(u0))
		}
		inner := fma(gs, s, fs)
		absIn := abs(inner)
		lin := cmp(pLE, abs(us), absIn)
		is := sign(inner)
		k := mul(is, gs)
		psiN := fma(gs, absIn, cf(u0))
		dxN := mul(k, fma(gs, mul(scale, dsx), dfx))
		daN := mul(is, mul(scale, dsa))
		psi = sel(lin, ux, psiN)
		dx = sel(lin, cf(slope), dxN)
		da = sel(lin, cf(0), daN)
	}
	// No noise: exactly f and f'.
	quiet := cmp(pEQ, xi, cf(0))
	psi = sel(quiet, fx, psi)
	dx = sel(quiet, dfx, dx)
	da = sel(quiet, cf(0), da)
	skip := cmp(pNE, load(2), cf(0))
	store(5, sel(skip, load(3), psi))
	store(6, sel(skip, cf(0), dx))
	store(7, sel(skip, cf(0), da))
}

// noisy is baselines.NAN.Eval in float32. Streams: 0 x, 1 ξ, 2 the learned
// p; outputs 3 φ, 4 ∂φ/∂x, 5 ∂φ/∂p. Scalars: 0 α, 1 1−α, 2 ±c (the sign
// convention of the authors' code).
func noisy(kind int, clip bool) {
	x := load(0)
	h := fwd(kind, x)
	dh := deriv(kind, x, h)
	slope, u0 := linear(kind)
	lin := fma(cf(slope), x, cf(u0))
	delta := sub(h, lin)
	p := load(2)
	sg := sigmoidCore(mul(p, delta))
	g := sub(sg, cf(0.5))
	cs := scalar(2)
	scale := mul(cs, mul(g, g))
	dscale := mul(mul(cs, g), mul(sg, sub(cf(1), sg)))
	dscale = add(dscale, dscale)
	sx := sign(x)
	xi := load(1)
	sxi := mul(sx, xi)
	alpha, beta := scalar(0), scalar(1)
	phi := fnma(sxi, scale, fma(alpha, h, mul(beta, lin)))
	dx := fma(alpha, dh, mul(beta, cf(slope)))
	dx = fnma(mul(sxi, dscale), mul(p, sub(dh, cf(slope))), dx)
	dp := fnma(sxi, mul(dscale, delta), cf(0))
	if clip {
		out := mor(cmp(pGE, phi, cf(1)), cmp(pLE, phi, cf(-1)))
		dx = sel(out, cf(0), dx)
		dp = sel(out, cf(0), dp)
		phi = vmax(cf(-1), vmin(cf(1), phi))
	}
	store(3, phi)
	store(4, dx)
	store(5, dp)
}

// ----------------------------------------------------------------------------
// Liveness and constants.

// dce drops the values nothing reads (a load a kind's derivative does not
// need, say).
func (k *kernel) dce() {
	for {
		used := map[*val]bool{}
		for _, in := range k.ins {
			for _, a := range in.args {
				used[a] = true
			}
		}
		var keep []*val
		for _, in := range k.ins {
			if in.t == tNone || used[in] {
				keep = append(keep, in)
			}
		}
		if len(keep) == len(k.ins) {
			return
		}
		k.ins = keep
	}
}

func (k *kernel) liveness() {
	k.used = map[int]bool{}
	for _, in := range k.ins {
		if in.op == "load" || in.op == "store" {
			k.used[in.imm] = true
		}
	}
	for i, in := range k.ins {
		for _, a := range in.args {
			a.last = i
		}
	}
}

var consts = map[uint32]int{} // bits → offset in the constant table

func constOff(b uint32) int {
	if off, ok := consts[b]; ok {
		return off
	}
	off := 4 * len(consts)
	consts[b] = off
	return off
}

// ----------------------------------------------------------------------------
// Assembly.

var out bytes.Buffer

func p(format string, args ...any) { fmt.Fprintf(&out, format+"\n", args...) }

var streamRegs = []string{"SI", "DI", "R8", "R9", "R10", "R11", "R12", "R13"}

type isa struct {
	name  string // suffix of the function names
	lanes int
	vreg  string // "Z" or "Y"
	nvec  int    // allocatable vector registers
	kmask bool   // masks live in K registers (AVX-512)
}

var avx512 = isa{name: "512", lanes: 16, vreg: "Z", nvec: 32, kmask: true}
var avx2 = isa{name: "256", lanes: 8, vreg: "Y", nvec: 15} // Y15 holds the tail mask

// regs is a free list.
type regs struct {
	free []bool
	name func(int) string
}

func newRegs(n int, name func(int) string) *regs {
	r := &regs{free: make([]bool, n), name: name}
	for i := range r.free {
		r.free[i] = true
	}
	return r
}

func (r *regs) get() int {
	for i, f := range r.free {
		if f {
			r.free[i] = false
			return i
		}
	}
	panic(fmt.Sprintf("vmath generator: out of registers in kernel %s", cur.name))
}

func (r *regs) put(i int) {
	if r.free[i] {
		panic("double free")
	}
	r.free[i] = true
}

// genBody writes the loop body of kernel k for one ISA; masked selects the
// tail form (loads and stores under the lane mask).
func genBody(k *kernel, is isa, masked bool, pins map[string]int) {
	vr := newRegs(is.nvec, func(i int) string { return fmt.Sprintf("%s%d", is.vreg, i) })
	for _, r := range pins {
		vr.free[r] = false
	}
	kr := newRegs(6, func(i int) string { return fmt.Sprintf("K%d", i+2) })
	regOf := func(v *val) string {
		if v.t == tMask && is.kmask {
			return kr.name(v.reg)
		}
		return vr.name(v.reg)
	}
	mem := func(in *val) string {
		if in.off != 0 {
			return fmt.Sprintf("%d(%s)(BX*4)", in.off, streamRegs[in.imm])
		}
		return fmt.Sprintf("(%s)(BX*4)", streamRegs[in.imm])
	}
	for idx, in := range k.ins {
		// Operands: constants and scalars are broadcast into temporaries.
		var temps []int
		opnd := make([]string, len(in.args))
		for j, a := range in.args {
			if r, ok := pins[pinKey(a)]; ok {
				opnd[j] = vr.name(r)
				continue
			}
			switch a.op {
			case "const":
				r := vr.get()
				temps = append(temps, r)
				p("\tVBROADCASTSS vconst<>+%d(SB), %s", constOff(a.bits), vr.name(r))
				opnd[j] = vr.name(r)
			case "scalar":
				r := vr.get()
				temps = append(temps, r)
				p("\tVBROADCASTSS %d(AX), %s", offS+4*a.imm, vr.name(r))
				opnd[j] = vr.name(r)
			default:
				opnd[j] = regOf(a)
			}
		}
		// dying lists the registers of operands read for the last time here
		// (and the temporaries); tmpIdx maps operand j to its temp if any.
		type dreg struct {
			r    int
			mask bool
		}
		var dying []dreg
		seen := map[*val]bool{}
		ti := 0
		operandDies := make([]bool, len(in.args))
		operandReg := make([]int, len(in.args))
		for j, a := range in.args {
			if r, ok := pins[pinKey(a)]; ok {
				operandReg[j] = r // never a destination
				continue
			}
			switch {
			case a.op == "const" || a.op == "scalar":
				operandDies[j], operandReg[j] = true, temps[ti]
				dying = append(dying, dreg{temps[ti], false})
				ti++
			case a.last == idx:
				operandDies[j], operandReg[j] = true, a.reg
				if !seen[a] {
					seen[a] = true
					dying = append(dying, dreg{a.reg, a.t == tMask && is.kmask})
				}
			default:
				operandReg[j] = a.reg
			}
		}
		freeAll := func(except int, exceptMask bool) {
			for _, d := range dying {
				if d.r == except && d.mask == exceptMask {
					continue
				}
				if d.mask {
					kr.put(d.r)
				} else {
					vr.put(d.r)
				}
			}
		}
		if in.op == "store" {
			if masked {
				if is.kmask {
					p("\tVMOVUPS %s, K1, %s", opnd[0], mem(in))
				} else {
					p("\tVMASKMOVPS %s, Y15, %s", opnd[0], mem(in))
				}
			} else {
				p("\tVMOVUPS %s, %s", opnd[0], mem(in))
			}
			freeAll(-1, false)
			continue
		}
		if in.last == 0 && in.op != "store" {
			// Never read: still computed (an unused output would be a bug
			// in the kernel description).
			panic(fmt.Sprintf("kernel %s: value %d (%s) is never used", k.name, in.id, in.op))
		}
		if in.op == "fma" || in.op == "fnma" {
			mn := "VFMADD"
			if in.op == "fnma" {
				mn = "VFNMADD"
			}
			a, b, c := opnd[0], opnd[1], opnd[2]
			switch {
			case operandDies[2]:
				in.reg = operandReg[2]
				p("\t%s231PS %s, %s, %s", mn, b, a, c)
			case operandDies[0]:
				in.reg = operandReg[0]
				p("\t%s213PS %s, %s, %s", mn, c, b, a)
			case operandDies[1]:
				in.reg = operandReg[1]
				p("\t%s213PS %s, %s, %s", mn, c, a, b)
			default:
				freeAll(-1, false)
				in.reg = vr.get()
				d := vr.name(in.reg)
				p("\tVMOVAPS %s, %s", c, d)
				p("\t%s231PS %s, %s, %s", mn, b, a, d)
				continue
			}
			freeAll(in.reg, false)
			continue
		}
		// Non-destructive forms: the destination may reuse a dying register.
		freeAll(-1, false)
		isMask := in.t == tMask && is.kmask
		if isMask {
			in.reg = kr.get()
		} else {
			in.reg = vr.get()
		}
		d := regOf(in)
		switch in.op {
		case "load":
			switch {
			case !masked:
				p("\tVMOVUPS %s, %s", mem(in), d)
			case is.kmask:
				p("\tVMOVUPS.Z %s, K1, %s", mem(in), d)
			default:
				p("\tVMASKMOVPS %s, Y15, %s", mem(in), d)
			}
		case "add", "sub", "mul", "div", "min", "max":
			p("\tV%sPS %s, %s, %s", strings.ToUpper(in.op), opnd[1], opnd[0], d)
		case "and", "or", "andn":
			if is.kmask {
				m := map[string]string{"and": "VPANDD", "or": "VPORD", "andn": "VPANDND"}[in.op]
				p("\t%s %s, %s, %s", m, opnd[1], opnd[0], d)
			} else {
				m := map[string]string{"and": "VANDPS", "or": "VORPS", "andn": "VANDNPS"}[in.op]
				p("\t%s %s, %s, %s", m, opnd[1], opnd[0], d)
			}
		case "round":
			if is.kmask {
				p("\tVRNDSCALEPS $8, %s, %s", opnd[0], d)
			} else {
				p("\tVROUNDPS $8, %s, %s", opnd[0], d)
			}
		case "cvtt":
			p("\tVCVTTPS2DQ %s, %s", opnd[0], d)
		case "iadd":
			p("\tVPADDD %s, %s, %s", opnd[1], opnd[0], d)
		case "isub":
			p("\tVPSUBD %s, %s, %s", opnd[1], opnd[0], d)
		case "shl":
			p("\tVPSLLD $%d, %s, %s", in.imm, opnd[0], d)
		case "sar":
			p("\tVPSRAD $%d, %s, %s", in.imm, opnd[0], d)
		case "cmp":
			p("\tVCMPPS $%d, %s, %s, %s", predImm[in.imm], opnd[1], opnd[0], d)
		case "sel":
			if is.kmask {
				p("\tVBLENDMPS %s, %s, %s, %s", opnd[1], opnd[2], opnd[0], d)
			} else {
				p("\tVBLENDVPS %s, %s, %s, %s", opnd[0], opnd[1], opnd[2], d)
			}
		case "mand", "mor", "mandn":
			if is.kmask {
				m := map[string]string{"mand": "KANDW", "mor": "KORW", "mandn": "KANDNW"}[in.op]
				p("\t%s %s, %s, %s", m, opnd[1], opnd[0], d)
			} else {
				m := map[string]string{"mand": "VANDPS", "mor": "VORPS", "mandn": "VANDNPS"}[in.op]
				p("\t%s %s, %s, %s", m, opnd[1], opnd[0], d)
			}
		default:
			panic("op " + in.op)
		}
	}
}

// pinKey names a constant or scalar operand ("" for other values).
func pinKey(v *val) string {
	switch v.op {
	case "const":
		return fmt.Sprintf("c%08x", v.bits)
	case "scalar":
		return fmt.Sprintf("s%d", v.imm)
	}
	return ""
}

// pinOrder lists k's constants and scalars, most used first.
func pinOrder(k *kernel) []*val {
	count := map[string]int{}
	first := map[string]*val{}
	var keys []string
	for _, in := range k.ins {
		for _, a := range in.args {
			key := pinKey(a)
			if key == "" {
				continue
			}
			if _, ok := first[key]; !ok {
				first[key] = a
				keys = append(keys, key)
			}
			count[key]++
		}
	}
	sort.SliceStable(keys, func(i, j int) bool { return count[keys[i]] > count[keys[j]] })
	vs := make([]*val, len(keys))
	for i, key := range keys {
		vs[i] = first[key]
	}
	return vs
}

func asmName(k *kernel, is isa) string { return fmt.Sprintf("k%s_%s", is.name, k.name) }

// interleave returns k's program for two vectors at once, the second at a
// byte offset of vb: each instruction is followed by its copy for the second
// vector, so the two dependency chains overlap. Every lane still sees the
// same operations.
func interleave(k *kernel, vb int) *kernel {
	u := &kernel{name: k.name, streams: k.streams, used: k.used}
	copies := [2]map[*val]*val{{}, {}}
	for _, in := range k.ins {
		for c := 0; c < 2; c++ {
			v := *in
			v.args = make([]*val, len(in.args))
			for j, a := range in.args {
				if m, ok := copies[c][a]; ok {
					v.args[j] = m
				} else {
					v.args[j] = a // constants and scalars
				}
			}
			if in.op == "load" || in.op == "store" {
				v.off = c * vb
			}
			v.last = 0
			copies[c][in] = &v
			u.ins = append(u.ins, &v)
		}
	}
	u.liveness()
	return u
}

// tryBody writes genBody's output, or nothing and false if the registers
// do not suffice.
func tryBody(k *kernel, is isa, masked bool, pins map[string]int) (ok bool) {
	mark := out.Len()
	defer func() {
		if r := recover(); r != nil {
			out.Truncate(mark)
			ok = false
		}
	}()
	genBody(k, is, masked, pins)
	return true
}

// genAsm writes the function of k for one ISA: a loop over two vectors per
// iteration (when the registers allow), one over single vectors, and the
// masked tail. The most used constants and scalars are broadcast into
// registers once before the loops, as many as the bodies leave free.
func genAsm(k *kernel, is isa) {
	name := asmName(k, is)
	p("")
	p("// func %s(a *args)", name)
	p("TEXT ·%s(SB), NOSPLIT, $0-8", name)
	p("\tMOVQ a+0(FP), AX")
	for i := 0; i < k.streams; i++ {
		if k.used[i] {
			p("\tMOVQ %d(AX), %s", offP+8*i, streamRegs[i])
		}
	}
	p("\tMOVQ %d(AX), CX", offN)
	p("\tXORQ BX, BX")
	order := pinOrder(k)
	start := out.Len()
	for _, two := range []bool{true, false} {
		for npin := len(order); npin >= 0; npin-- {
			out.Truncate(start)
			pins := map[string]int{}
			for i, v := range order[:npin] {
				r := is.nvec - 1 - i
				pins[pinKey(v)] = r
				reg := fmt.Sprintf("%s%d", is.vreg, r)
				if v.op == "const" {
					p("\tVBROADCASTSS vconst<>+%d(SB), %s", constOff(v.bits), reg)
				} else {
					p("\tVBROADCASTSS %d(AX), %s", offS+4*v.imm, reg)
				}
			}
			if npin > 0 && npin >= is.nvec {
				continue
			}
			if two {
				p("%s_loop2:", name)
				p("\tCMPQ CX, $%d", 2*is.lanes)
				p("\tJLT %s_loop", name)
				if !tryBody(interleave(k, 4*is.lanes), is, false, pins) {
					continue
				}
				p("\tADDQ $%d, BX", 2*is.lanes)
				p("\tSUBQ $%d, CX", 2*is.lanes)
				p("\tJMP %s_loop2", name)
			}
			p("%s_loop:", name)
			p("\tCMPQ CX, $%d", is.lanes)
			p("\tJLT %s_tail", name)
			if !tryBody(k, is, false, pins) {
				continue
			}
			p("\tADDQ $%d, BX", is.lanes)
			p("\tSUBQ $%d, CX", is.lanes)
			p("\tJMP %s_loop", name)
			p("%s_tail:", name)
			p("\tTESTQ CX, CX")
			p("\tJEQ %s_done", name)
			if is.kmask {
				p("\tMOVL $1, DX")
				p("\tSHLL CX, DX")
				p("\tDECL DX")
				p("\tKMOVW DX, K1")
			} else {
				p("\tLEAQ vmasks<>+32(SB), DX")
				p("\tSHLQ $2, CX")
				p("\tSUBQ CX, DX")
				p("\tVMOVDQU (DX), Y15")
			}
			if !tryBody(k, is, true, pins) {
				continue
			}
			p("%s_done:", name)
			p("\tVZEROUPPER")
			p("\tRET")
			fmt.Fprintf(os.Stderr, "%s: %d vector(s) per iteration, %d of %d constants in registers\n", name, map[bool]int{true: 2, false: 1}[two], npin, len(order))
			return
		}
	}
	log.Fatalf("%s: does not fit in the registers", name)
}

// ----------------------------------------------------------------------------
// Go.

var gout bytes.Buffer

func g(format string, args ...any) { fmt.Fprintf(&gout, format+"\n", args...) }

func goName(k *kernel) string { return "kgo_" + k.name }

func goExpr(v *val) string {
	switch v.op {
	case "const":
		return fmt.Sprintf("fb(0x%08x)", v.bits)
	case "scalar":
		return fmt.Sprintf("s%d", v.imm)
	}
	return fmt.Sprintf("v%d", v.id)
}

func genGo(k *kernel) {
	g("")
	g("func %s(a *args) {", goName(k))
	g("\tn := a.n")
	for i := 0; i < k.streams; i++ {
		if k.used[i] {
			g("\tp%d := unsafe.Slice((*float32)(a.p[%d]), n)", i, i)
		}
	}
	scal := map[int]bool{}
	for _, in := range k.ins {
		for _, a := range in.args {
			if a.op == "scalar" {
				scal[a.imm] = true
			}
		}
	}
	var sidx []int
	for i := range scal {
		sidx = append(sidx, i)
	}
	sort.Ints(sidx)
	for _, i := range sidx {
		g("\ts%d := a.s[%d]", i, i)
	}
	g("\tfor i := 0; i < n; i++ {")
	for _, in := range k.ins {
		e := make([]string, len(in.args))
		for j, a := range in.args {
			e[j] = goExpr(a)
		}
		var rhs string
		switch in.op {
		case "store":
			g("\t\tp%d[i] = %s", in.imm, e[0])
			continue
		case "load":
			rhs = fmt.Sprintf("p%d[i]", in.imm)
		case "add", "sub", "mul", "div":
			sym := map[string]string{"add": "+", "sub": "-", "mul": "*", "div": "/"}[in.op]
			rhs = fmt.Sprintf("float32(%s %s %s)", e[0], sym, e[1])
		case "fma":
			rhs = fmt.Sprintf("fma32(%s, %s, %s)", e[0], e[1], e[2])
		case "fnma":
			rhs = fmt.Sprintf("fma32(-%s, %s, %s)", e[0], e[1], e[2])
		case "min", "max", "and", "or", "andn", "iadd", "isub":
			rhs = fmt.Sprintf("%s32(%s, %s)", in.op, e[0], e[1])
		case "round", "cvtt":
			rhs = fmt.Sprintf("%s32(%s)", in.op, e[0])
		case "shl", "sar":
			rhs = fmt.Sprintf("%s32(%s, %d)", in.op, e[0], in.imm)
		case "cmp":
			rhs = fmt.Sprintf("%s %s %s", e[0], predGo[in.imm], e[1])
		case "sel":
			rhs = fmt.Sprintf("sel32(%s, %s, %s)", e[0], e[1], e[2])
		case "mand":
			rhs = fmt.Sprintf("%s && %s", e[0], e[1])
		case "mor":
			rhs = fmt.Sprintf("%s || %s", e[0], e[1])
		case "mandn":
			rhs = fmt.Sprintf("!%s && %s", e[0], e[1])
		default:
			panic(in.op)
		}
		g("\t\tv%d := %s", in.id, rhs)
	}
	g("\t}")
	g("}")
}

// ----------------------------------------------------------------------------

func main() {
	var ks []*kernel
	for _, d := range kernels() {
		cur = &kernel{name: d.name, doc: d.doc}
		d.build()
		cur.dce()
		cur.liveness()
		ks = append(ks, cur)
	}

	p("// Code generated by gen_kernels.go; DO NOT EDIT.")
	p("")
	p("//go:build !noasm")
	p("")
	p("#include \"textflag.h\"")
	for _, k := range ks {
		cur = k
		genAsm(k, avx512)
		genAsm(k, avx2)
	}
	p("")
	// Lane masks of the AVX2 tail: 8 × −1 then 8 × 0.
	for i := 0; i < 16; i++ {
		v := uint32(0)
		if i < 8 {
			v = 0xffffffff
		}
		p("DATA vmasks<>+%d(SB)/4, $0x%08x", 4*i, v)
	}
	p("GLOBL vmasks<>(SB), RODATA|NOPTR, $64")
	p("")
	type kv struct {
		bits uint32
		off  int
	}
	var cl []kv
	for b, off := range consts {
		cl = append(cl, kv{b, off})
	}
	sort.Slice(cl, func(i, j int) bool { return cl[i].off < cl[j].off })
	for _, c := range cl {
		p("DATA vconst<>+%d(SB)/4, $0x%08x // %v", c.off, c.bits, math.Float32frombits(c.bits))
	}
	p("GLOBL vconst<>(SB), RODATA|NOPTR, $%d", 4*len(cl))
	if err := os.WriteFile("kernels_amd64.s", out.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}

	// Go: declarations of the assembly functions and their dispatch.
	g("// Code generated by gen_kernels.go; DO NOT EDIT.")
	g("")
	g("//go:build !noasm")
	g("")
	g("package vmath")
	g("")
	for _, k := range ks {
		for _, is := range []isa{avx512, avx2} {
			g("//go:noescape")
			g("func %s(a *args)", asmName(k, is))
			g("")
		}
	}
	g("// callAsm runs kernel id on the assembly path of isa.")
	g("func callAsm(isa int, id kernelID, a *args) {")
	g("\tif isa == pathAVX512 {")
	g("\t\tswitch id {")
	for _, k := range ks {
		g("\t\tcase k_%s:", k.name)
		g("\t\t\t%s(a)", asmName(k, avx512))
	}
	g("\t\t}")
	g("\t\treturn")
	g("\t}")
	g("\tswitch id {")
	for _, k := range ks {
		g("\tcase k_%s:", k.name)
		g("\t\t%s(a)", asmName(k, avx2))
	}
	g("\t}")
	g("}")
	if err := os.WriteFile("kernels_amd64.go", gofmt(gout.Bytes()), 0o644); err != nil {
		log.Fatal(err)
	}

	gout.Reset()
	g("// Code generated by gen_kernels.go; DO NOT EDIT.")
	g("")
	g("package vmath")
	g("")
	g("import \"unsafe\"")
	g("")
	g("// kernelID names a kernel.")
	g("type kernelID int")
	g("")
	g("// The kernels.")
	g("const (")
	for i, k := range ks {
		if i == 0 {
			g("\tk_%s kernelID = iota // %s", k.name, k.doc)
		} else {
			g("\tk_%s // %s", k.name, k.doc)
		}
	}
	g(")")
	g("")
	g("// kernelNames lists the kernels by id.")
	g("var kernelNames = [...]string{")
	for _, k := range ks {
		g("\t%q,", k.name)
	}
	g("}")
	g("")
	g("// callGo runs kernel id on the pure-Go path.")
	g("func callGo(id kernelID, a *args) {")
	g("\tswitch id {")
	for _, k := range ks {
		g("\tcase k_%s:", k.name)
		g("\t\t%s(a)", goName(k))
	}
	g("\t}")
	g("}")
	for _, k := range ks {
		genGo(k)
	}
	if err := os.WriteFile("kernels_go.go", gofmt(gout.Bytes()), 0o644); err != nil {
		log.Fatal(err)
	}
}

func gofmt(b []byte) []byte {
	f, err := format.Source(b)
	if err != nil {
		log.Fatal(err)
	}
	return f
}
