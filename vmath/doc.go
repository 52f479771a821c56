// Package vmath is the suite's vectorised element-wise maths: float32
// kernels over slices for the functions that dominate training once the
// matrix products are fast (exp, sigmoid, tanh and the activation layers'
// forward and backward passes, softmax's exponentials, the mollified unit
// of Algorithm 1 and the noisy unit of the baselines).
//
// Only float32 goes through these kernels. The engine's float64
// instantiation (the central-difference gradient checks) keeps the exact
// math package path; layers choose with a type switch on the slice type,
// as gemm.Do does.
//
// # Functions
//
//   - [Exp], [Sigmoid], [Tanh]: y = f(x) over a slice.
//   - [Forward], [ForwardDeriv], [Backward]: an activation (nn.Kind's
//     functions, as [Fn]) and its derivative; Backward reads y = f(x) for
//     sigmoid and tanh (y(1−y), 1−y²) and x for the piecewise-linear ones.
//   - [Mollify]: the fused Algorithm 1 kernel, forward and backward in one
//     pass: f, f', Δ, σ = (sigmoid(aΔ) − 0.5)², s = p·c·σ·|ξ|, ψ by Eq. 25
//     (Eqs. 26-27 for ReLU), ∂ψ/∂x, ∂ψ/∂a, and the skip choice π, for
//     sigmoid, tanh, hard-sigmoid, hard-tanh and ReLU. The random draws are
//     inputs: mollified.Layer draws |ξ| and π from its stream into buffers,
//     in its usual order, and then runs the kernel.
//   - [Noisy]: baselines.NAN's unit (hard-sigmoid, hard-tanh, with or
//     without the output clip).
//   - [SkipGrad], [Add], [Mul]: the mollified layer's backward bookkeeping.
//   - [SGD]: nn.SGD's momentum update, in its order of operations (no FMA),
//     so it gives the bits of the scalar loop.
//   - [AddReLU], [PassPositive]: a residual block's output max(0, F + S)
//     and the gradient through it; [Normalize], [NormalizeGrad] and their
//     forms fused with a ReLU, [NormalizeReLU], [NormalizeReLUGrad]: batch
//     normalisation's per-channel element-wise passes.
//   - [Sums], [SumsPositive]: Σ(a−ka) and Σ(a−ka)(b−kb) in float64 (batch
//     statistics and batch normalisation's backward sums; the second
//     takes a as 0 where a mask is not positive). Reductions, so not
//     generated lane-wise kernels: their loops are hand-written
//     (sums_amd64.s), with 16 float64 partial sums in the same lanes on
//     every path, so their bits too are the same on every path
//     (TestSums, TestSumsPositive).
//   - [ColAdd], [ColAddSqDev], [ColAddDot], [ColNormalize],
//     [ColNormalizeGrad]: dense batch normalisation's per-row loops (one
//     feature per lane, float64 as nn.BatchNorm computes): AVX-512 loops
//     with the Go loops' operations and no FMA, so the same bits as the Go
//     loops that take the tail and every other path (TestColumnsSameBits).
//
// LSTMs: [Sigmoid] and [Tanh] over the gate pre-activations, and [Backward]
// with [FnSigmoid] or [FnTanh] for their derivatives from the gate outputs,
// are the building blocks of LSTM gate kernels; a fused gate kernel (c' =
// f⊙c + i⊙g, h = o⊙tanh(c') and its backward) is one more description in
// gen_kernels.go.
//
// # Accuracy
//
// Maximum error against the float64 math result rounded to float32,
// measured over every float32 input with |x| ≤ 104 (all of them: outside,
// every function is constant or overflows in float32, which
// TestSpecialValues checks); TestAccuracy asserts the bound on a dense sweep
// (every 251st float32 and a grid of 2^20 values), and on every input with
// -vmath.exhaustive:
//
//	exp      1 ulp
//	sigmoid  2 ulp   (at x ≈ −1.1, in e/(1+e))
//	tanh     2 ulp   (just above |x| = 0.5625, in 1 − 2/(e+1))
//
// Special values are those of math: exp(−Inf) = 0, exp(+Inf) = +Inf,
// exp overflows to +Inf above ln(MaxFloat32) ≈ 88.72 and rounds to 0 below
// ≈ −103.97, with subnormal results rounded once; sigmoid(±Inf) = 1, 0, and for x < 0 it is e^x/(1+e^x) with
// e^x computed directly, so it neither overflows nor loses the tail (down to
// the subnormals, as nn.SigmoidF); tanh(±0) = ±0, tanh(±Inf) = ±1; NaN
// gives NaN. ReLU, hard-sigmoid and hard-tanh propagate NaN.
//
// Algorithm: exp clamps x to [−104, 89], takes k = round(x/ln2) and r = x −
// k·ln2 in two FMAs (ln2 split in a float32 head and tail), evaluates the
// Taylor polynomial of degree 7 on |r| ≤ ln2/2 (truncation < 0.1 ulp) by
// Horner's rule with FMAs, and scales by 2^k as two exact powers of two,
// so that the last product rounds once into the subnormals or overflows as
// the exact value would. Sigmoid is 1/(1+e) or e/(1+e) with e = exp(−|x|),
// one division. Tanh is the odd Taylor series to x¹⁷ below |x| = 0.5625
// (truncation < 0.1 ulp) and 1 − 2/(e^{2|x|}+1) above, where tanh > 0.5 and
// the subtraction loses nothing. The composite kernels ([Mollify],
// [Noisy]) evaluate the same formulas as their float64 originals, in
// float32; their tests compare them with the originals (relative 1e-5).
//
// # Determinism
//
// Every kernel is one straight-line program of IEEE single-precision
// operations per element (add, multiply, divide, fused multiply-add, min,
// max, compare, select, integer bit operations), written once in
// gen_kernels.go and generated three times: an AVX-512 function (16 lanes),
// an AVX2 function (8 lanes) and a pure-Go loop (the fallback for other
// CPUs and the noasm build tag). Each operation rounds once and is
// emitted as the same operation on every path, so the three paths give
// the same bits (TestPathsBitIdentical forces each path in turn). In
// particular the Go path has no difference to document: its fused
// multiply-add is exact (fma32 in ops.go computes a·b + c with one
// rounding through float64 and round-to-odd), and every other Go operation
// is explicitly rounded to float32. The Go path is slow (100–400 ns per
// element), a reference and a fallback rather than a fast path.
//
// A partial last vector is loaded and stored under a lane mask and computed
// like a full one, and lanes never interact, so element i's result depends
// only on element i's inputs: not on the slice's length, alignment or
// offset (TestLengthAndOffset). The assembly keeps two vectors in flight
// per loop iteration where the registers allow, and the most used
// constants in registers; neither changes any lane's operations.
//
// # Speed
//
// BenchmarkKernels reports ns per element for every kernel and path and for
// the scalar float64 code it replaces. On the development machine (a shared
// 2-core AVX-512 Xeon at about 2.4 GHz), 10⁴ elements in L2:
//
//	              AVX-512  AVX2   float64 math
//	exp           0.33     0.56    9
//	sigmoid       0.50     0.79   15
//	tanh          0.71     1.2    49
//	sigmoid bwd   0.14     0.15    1.4
//	mollify sigm  2.4      6.0    69 (Unit.Eval, mollified's BenchmarkUnitKernel)
//	mollify relu  1.2      3.0    45
package vmath
