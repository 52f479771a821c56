// Package mollified implements the method of Gulcehre, Moczulski, Visin and
// Bengio, "Mollifying Networks" (ICLR 2017).
//
// # The unit (Algorithm 1)
//
// For unit i of hidden layer l with pre-activation x = wᵢᵀh + bᵢ:
//
//	Δ  = u(x) − f(x)                    saturation gap (line 2)
//	σ  = (sigmoid(aΔ) − 0.5)²           noise std, 0 where f is linear (line 3)
//	s  = p·c·σ·|ξ|, ξ ~ N(0,1)          half-normal magnitude (lines 4-5)
//	ψ  = sgn(u*)·min(|u*|, |f* + sgn(u*)·s|) + u(0)          (line 6, Eq. 25)
//	π  ~ Bernoulli(p)                                        (line 7)
//	h  = π·h_prev + (1−π)·ψ                                  (line 9)
//
// where u is f's first-order expansion at 0, u* = u − u(0) and
// f* = f − u(0). Noise pushes ψ from f towards u and never past it; with p = 1
// every unit copies the previous layer (zero-padded when the widths differ),
// so the network is its output layer applied to the input: a convex problem.
// For ReLU the unit is Eqs. 26-27: s = min(|x|, p·c·σ·|ξ|), ψ = f(x) − s.
// [Unit] is the per-element maths with its exact derivatives; [Layer] is a
// dense layer of such units.
//
// # The schedule (Eqs. 29-30)
//
// [Schedule] sets p_t^l = 1 − exp(−k·v_t·l/(t·L)) for hidden layer l of L at
// update t, where v_t is an exponential moving average of the minibatch
// training loss: high loss means much noise and skipping, and p → 0 as the
// loss does. Annealing stops when Σ_l p^l < δ; p is then 0 for good.
//
// # Convolutional networks
//
// For the residual convnet of the CIFAR-10 task, [ConvBlock] mollifies a
// ResNet basic block as paper/PROTOCOL.md choice 16 reads Fig. 2:
// h = π ⊙ S(x) + (1 − π) ⊙ ψ(F(x) + S(x)), with F the block's
// conv-BN-ReLU-conv-BN branch, S its shortcut (what the skip copies, since
// it is how the ResNet itself brings h^{l−1} to the block's shape), ψ the
// noisy ReLU of Eqs. 26-27 replacing the block's final ReLU, and ξ and π
// drawn per activation (example, channel, pixel). The schedule's layers are
// the L residual blocks; the stem and the output layer are not mollified.
// At p = 0 the network is the ResNet bit for bit. The options apply as for
// MLPs, with a learned per channel, "batch" granularity drawing once per
// channel and pixel, skip=pad/project choosing the shortcut (auto keeps the
// architecture's), and f* needs no option (the ReLU form has none).
//
// # LSTMs (Sec. 6, Eq. 28)
//
// A mollified LSTM keeps the LSTM and replaces its gate non-linearities by
// [Gate]: y = f(x + p·σ(x)·|ξ|) with σ(x) = (f⁻¹(γ) − x)/E|ξ|, so that the
// gate's pre-activation is, in expectation over ξ, (1−p)·x + p·f⁻¹(γ). The
// targets γ are 1 for the output gate, 1/t for the input gate and 1 − 1/t
// for the forget gate: at p = 1 (and |ξ| at its mean) the cell is the
// running mean of the candidates and the LSTM a bag of words; at p = 0 it is
// the plain LSTM, bit for bit. [BuildLSTM] gives one schedule target per
// layer depth (both directions of a bidirectional layer share it), so Eq. 29
// anneals the lowest layer first, with L the number of LSTM layers.
//
// Choices (the options are in [Config.Options]):
//   - lstm_gates (paper/PROTOCOL.md choice 13): f⁻¹(1) is infinite for
//     the logistic sigmoid. The default, clip, keeps logistic gates and
//     clips γ to [1e-3, 1−1e-3] (GammaEps), so the network at p = 0 is
//     the baseline's; hard uses hard-sigmoid gates (f⁻¹(γ) = 4γ − 2
//     exactly), which changes the network being trained.
//   - t of 1/t is the 1-based step within the current window of truncated
//     BPTT (for tasks whose sequences are not cut, within the sequence):
//     lstm_time=window. A language model's stream would otherwise make 1/t
//     vanish after a few windows; lstm_time=reset counts from the last
//     state reset instead.
//   - The derivative is that of the per-sample function, σ(x) included:
//     ∂y/∂x = f'(x̃)·(1 − p|ξ|/E|ξ|).
//   - paper/PROTOCOL.md choice 14: only the gates are mollified (as
//     written); lstm_candidate=alg1 also applies Algorithm 1's ψ (noise
//     scale c, no skip) to the candidate tanh. The per-unit skip π of
//     Algorithm 1 is not used in LSTMs: Eq. 28 is the paper's whole
//     prescription for them.
//   - Evaluation uses p = 0 (eval=p0) or the noise at its mean, p as set
//     (eval=expect); granularity=batch draws one |ξ| per unit and step for
//     the whole batch. The options a, parts and skip concern
//     Algorithm 1's skip units and do not apply to LSTMs.
//
// # Precision and speed
//
// [Unit] is the reference maths, in float64; the float64 instantiation of
// [Layer] and [ConvBlock] (the gradient checks) evaluates it per element.
// A float32 layer (training) draws |ξ| and π for the whole batch first, in
// the same order (one rng.Noise.AbsNormBernoulli per element, row-major:
// one 64-bit word gives both in 98.8% of cases), and then runs the fused
// kernel vmath.Mollify, which computes ψ, ∂ψ/∂x, ∂ψ/∂a and the skip for a
// row in one vectorised pass, in float32 (agreeing with Unit to about
// 1e-5 relative, away from the branch boundaries of Eq. 25). Its backward
// bookkeeping goes through vmath too. The draws (a few ns per element) are
// still the largest element-wise cost of a mollified layer at p > 0. At
// p = 0 a float32 [ConvBlock] runs the ResNet block's own kernels and
// gradient order, so its step and its bits are the ResNet's. A float32
// LSTM [Gate] takes its |ξ| draws into a buffer in the float64 path's
// order and forms x̃ = x + w·(f⁻¹(γ) − x) in float32, f and f′ by vmath;
// the [Candidate] option (lstm_candidate=alg1) stays on Unit per element.
//
// # Ambiguities
//
// The paper's appendix is lost, and several details are open (paper/PROTOCOL.md, the open choices).
// Each is a named option of [Config] with the recommended reading as its
// default; paper/PROTOCOL.md lists them with reasons.
package mollified
