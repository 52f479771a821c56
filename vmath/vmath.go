package vmath

import (
	"fmt"
	"unsafe"
)

//go:generate go run gen_kernels.go

// args is the argument block of one kernel call. Its layout is fixed: the
// generated assembly reads the fields at constant offsets (TestArgsLayout).
type args struct {
	p [8]unsafe.Pointer // streams, element i at p[k] + 4i
	n int               // elements
	s [4]float32        // scalars, broadcast to every lane
}

// The kernel paths.
const (
	pathGo = iota
	pathAVX2
	pathAVX512
)

var pathNames = [...]string{"go", "avx2", "avx512"}

// active is the path every call takes: the fastest this CPU runs. Tests
// override it to compare paths.
var active = paths()[0]

// Path names the kernel path in use: "avx512", "avx2" or "go".
func Path() string { return pathNames[active] }

func call(id kernelID, a *args) {
	if a.n == 0 {
		return
	}
	if active == pathGo {
		callGo(id, a)
		return
	}
	callAsm(active, id, a)
}

// ptr returns the address of s[0], after checking that s has n elements.
func ptr(what string, s []float32, n int) unsafe.Pointer {
	if len(s) != n {
		panic(fmt.Sprintf("vmath: %s has %d elements, want %d", what, len(s), n))
	}
	if n == 0 {
		return nil
	}
	return unsafe.Pointer(&s[0])
}

// Fn is an element-wise function with kernels; the values are those of
// nn.Kind.
type Fn int

// The functions.
const (
	FnIdentity Fn = iota
	FnSigmoid
	FnTanh
	FnReLU
	FnHardSigmoid // max(min(0.25x+0.5, 1), 0)
	FnHardTanh    // max(min(x, 1), −1)
)

var fnNames = [...]string{"identity", "sigmoid", "tanh", "relu", "hard-sigmoid", "hard-tanh"}

func (f Fn) String() string {
	if f < 0 || int(f) >= len(fnNames) {
		return fmt.Sprintf("Fn(%d)", int(f))
	}
	return fnNames[f]
}

// kernel returns the kernel of f in the family whose first (sigmoid) member
// is base; families are laid out as fwd, fwdd, bwd, moll per function.
func (f Fn) kernel(base kernelID) kernelID {
	if f < FnSigmoid || f > FnHardTanh {
		panic(fmt.Sprintf("vmath: no kernel for %v", f))
	}
	return base + 4*kernelID(f-FnSigmoid)
}

// Exp sets dst[i] = e^x[i]. Maximum error: see the package documentation.
func Exp(dst, x []float32) {
	n := len(x)
	a := args{n: n}
	a.p[0], a.p[1] = ptr("x", x, n), ptr("dst", dst, n)
	call(k_exp, &a)
}

// Sigmoid sets dst[i] = 1/(1+e^−x[i]), without overflow and with the tail
// e^x of large negative x kept.
func Sigmoid(dst, x []float32) { Forward(FnSigmoid, dst, x) }

// Tanh sets dst[i] = tanh x[i].
func Tanh(dst, x []float32) { Forward(FnTanh, dst, x) }

// Forward sets y[i] = f(x[i]).
func Forward(f Fn, y, x []float32) {
	n := len(x)
	if f == FnIdentity {
		ptr("y", y, n)
		copy(y, x)
		return
	}
	a := args{n: n}
	a.p[0], a.p[1] = ptr("x", x, n), ptr("y", y, n)
	call(f.kernel(k_fwd_sigmoid), &a)
}

// ForwardDeriv sets y[i] = f(x[i]) and d[i] = f'(x[i]) in one pass. At the
// kinks of the piecewise-linear functions f' takes the flat side's value,
// as nn.Kind.D does.
func ForwardDeriv(f Fn, y, d, x []float32) {
	n := len(x)
	if f == FnIdentity {
		ptr("y", y, n)
		ptr("d", d, n)
		copy(y, x)
		for i := range d {
			d[i] = 1
		}
		return
	}
	a := args{n: n}
	a.p[0], a.p[1], a.p[2] = ptr("x", x, n), ptr("y", y, n), ptr("d", d, n)
	call(f.kernel(k_fwdd_sigmoid), &a)
}

// Backward sets dx[i] = dy[i]·f'(x[i]), given y = f(x) (sigmoid and tanh
// read only y, the piecewise-linear functions only x).
func Backward(f Fn, dx, dy, x, y []float32) {
	n := len(dy)
	if f == FnIdentity {
		ptr("dx", dx, n)
		copy(dx, dy)
		return
	}
	a := args{n: n}
	a.p[0], a.p[1], a.p[2], a.p[3] = ptr("dy", dy, n), ptr("x", x, n), ptr("y", y, n), ptr("dx", dx, n)
	call(f.kernel(k_bwd_sigmoid), &a)
}

// Mollify is Algorithm 1 of Mollifying Networks for n units at once, with
// the noise and skip draws as inputs: for each i, with f = fn,
//
//	Δ  = u(x) − f(x),  σ = (sigmoid(a·Δ) − 0.5)²,  s = pc·σ·|ξ|
//	ψ  = sgn(u*)·min(|u*|, |f* + sgn(u*)·s|) + u(0)   (ReLU: f(x) − min(|x|, s))
//	h  = π ? prev : ψ
//
// and the derivatives ∂ψ/∂x and ∂ψ/∂a with ξ fixed (0 where π = 1). pc is
// p·c; absXi[i] = 0 gives exactly f and f'; pi[i] is 1 (skip) or 0. It is
// mollified.Unit.Eval in float32; the identity has no kernel.
func Mollify(f Fn, h, dpsi, dpsida, x, absXi, pi, prev, slope []float32, pc float32) {
	n := len(x)
	a := args{n: n}
	a.p[0], a.p[1], a.p[2], a.p[3] = ptr("x", x, n), ptr("absXi", absXi, n), ptr("pi", pi, n), ptr("prev", prev, n)
	a.p[4], a.p[5], a.p[6], a.p[7] = ptr("slope", slope, n), ptr("h", h, n), ptr("dpsi", dpsi, n), ptr("dpsida", dpsida, n)
	a.s[0] = pc
	call(f.kernel(k_moll_sigmoid), &a)
}

// Noisy is the noisy activation of Gulcehre et al. (2016) as
// baselines.NAN.Eval computes it, in float32: for f hard-sigmoid or
// hard-tanh with linear part u, Δ = f(x) − u(x), scale = c·(sigmoid(p·Δ) −
// 0.5)² and
//
//	φ = α·f(x) + (1−α)·u(x) − sgn(x)·scale·ξ
//
// with ∂φ/∂x and ∂φ/∂p (ξ fixed); clip applies hard-tanh to φ (derivatives
// 0 where it clips). c carries the sign convention of the authors' code.
func Noisy(f Fn, clip bool, phi, dx, dp, x, xi, p []float32, alpha, c float64) {
	var id kernelID
	switch f {
	case FnHardSigmoid:
		id = k_nan_hardsigmoid
	case FnHardTanh:
		id = k_nan_hardtanh
	default:
		panic(fmt.Sprintf("vmath: no noisy kernel for %v", f))
	}
	if clip {
		id++
	}
	n := len(x)
	a := args{n: n}
	a.p[0], a.p[1], a.p[2] = ptr("x", x, n), ptr("xi", xi, n), ptr("p", p, n)
	a.p[3], a.p[4], a.p[5] = ptr("phi", phi, n), ptr("dx", dx, n), ptr("dp", dp, n)
	a.s[0], a.s[1], a.s[2] = float32(alpha), float32(1-alpha), float32(c)
	call(id, &a)
}

// Add sets z[i] = x[i] + y[i].
func Add(z, x, y []float32) {
	n := len(x)
	a := args{n: n}
	a.p[0], a.p[1], a.p[2] = ptr("x", x, n), ptr("y", y, n), ptr("z", z, n)
	call(k_add, &a)
}

// Mul sets z[i] = x[i]·y[i].
func Mul(z, x, y []float32) {
	n := len(x)
	a := args{n: n}
	a.p[0], a.p[1], a.p[2] = ptr("x", x, n), ptr("y", y, n), ptr("z", z, n)
	call(k_mul, &a)
}

// SkipGrad is the backward pass of a unit h = w·skip + (1−w)·ψ(x): it sets
// dx[i] = (dy[i]·(1−w[i]))·dpsi[i] and dskip[i] = dy[i]·w[i].
func SkipGrad(dx, dskip, dy, w, dpsi []float32) {
	n := len(dy)
	a := args{n: n}
	a.p[0], a.p[1], a.p[2] = ptr("dy", dy, n), ptr("w", w, n), ptr("dpsi", dpsi, n)
	a.p[3], a.p[4] = ptr("dx", dx, n), ptr("dskip", dskip, n)
	call(k_skipgrad, &a)
}

// SGD applies one step of SGD with momentum mu, weight decay wd and learning
// rate lr to w in place, with velocity v (nn.SGD's update, in its order of
// operations and with its roundings): g' = g + wd·w, v = mu·v + g',
// w = w − lr·v, or w = w − lr·(g' + mu·v) with Nesterov momentum.
func SGD(w, g, v []float32, mu, wd, lr float32, nesterov bool) {
	n := len(w)
	a := args{n: n}
	a.p[0], a.p[1], a.p[2] = ptr("w", w, n), ptr("g", g, n), ptr("v", v, n)
	a.p[3], a.p[4] = a.p[0], a.p[2] // in place
	a.s[0], a.s[1], a.s[2] = mu, wd, lr
	k := k_sgd
	if nesterov {
		k = k_sgd_nesterov
	}
	call(k, &a)
}

// AddReLU sets z[i] = max(0, x[i] + y[i]) (a residual block's output). A
// NaN sum stays NaN; a sum of −0 gives −0.
func AddReLU(z, x, y []float32) {
	n := len(x)
	a := args{n: n}
	a.p[0], a.p[1], a.p[2] = ptr("x", x, n), ptr("y", y, n), ptr("z", z, n)
	call(k_addrelu, &a)
}

// PassPositive sets z[i] = x[i] where y[i] > 0 and +0 elsewhere (the
// gradient through a ReLU whose output is y).
func PassPositive(z, x, y []float32) {
	n := len(x)
	a := args{n: n}
	a.p[0], a.p[1], a.p[2] = ptr("x", x, n), ptr("y", y, n), ptr("z", z, n)
	call(k_passpos, &a)
}

// Normalize sets y[i] = a·(x[i] − mu) + b, the subtraction rounded, the
// rest one fused multiply-add (batch normalisation of one channel).
func Normalize(y, x []float32, mu, a, b float32) {
	n := len(x)
	ar := args{n: n}
	ar.p[0], ar.p[1] = ptr("x", x, n), ptr("y", y, n)
	ar.s[0], ar.s[1], ar.s[2] = mu, a, b
	call(k_bnfwd, &ar)
}

// NormalizeGrad sets dx[i] = a·dy[i] + (k·(x[i] − mu) + c), in three
// roundings (the subtraction and two fused multiply-adds): batch
// normalisation's input gradient for one channel, a = γ/σ, k and c the
// projections on the batch statistics.
func NormalizeGrad(dx, dy, x []float32, a, k, mu, c float32) {
	n := len(dy)
	ar := args{n: n}
	ar.p[0], ar.p[1], ar.p[2] = ptr("dy", dy, n), ptr("x", x, n), ptr("dx", dx, n)
	ar.s[0], ar.s[1], ar.s[2], ar.s[3] = a, k, mu, c
	call(k_bnbwd, &ar)
}

// NormalizeReLU sets y[i] = max(0, a·(x[i] − mu) + b): [Normalize] followed
// by a ReLU (NaN stays NaN).
func NormalizeReLU(y, x []float32, mu, a, b float32) {
	n := len(x)
	ar := args{n: n}
	ar.p[0], ar.p[1] = ptr("x", x, n), ptr("y", y, n)
	ar.s[0], ar.s[1], ar.s[2] = mu, a, b
	call(k_bnfwd_relu, &ar)
}

// NormalizeReLUGrad is [NormalizeGrad] with dy[i] taken as +0 where
// y[i] > 0 fails: the input gradient of [NormalizeReLU] (output y) given
// the gradient dy of its output.
func NormalizeReLUGrad(dx, dy, x, y []float32, a, k, mu, c float32) {
	n := len(dy)
	ar := args{n: n}
	ar.p[0], ar.p[1], ar.p[2], ar.p[3] = ptr("dy", dy, n), ptr("x", x, n), ptr("y", y, n), ptr("dx", dx, n)
	ar.s[0], ar.s[1], ar.s[2], ar.s[3] = a, k, mu, c
	call(k_bnbwd_relu, &ar)
}
