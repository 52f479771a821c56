package rng

import (
	"math"
	"math/bits"
)

// Noise is the stream of the per-unit noise of the noisy and mollified
// layers, drawn once per unit per example per update: fast enough that the
// draws do not dominate a training step. It is a PCG generator used directly
// (no interface call per draw, unlike *rand.Rand), with its own ziggurat
// normal sampler (Marsaglia & Tsang 2000, 128 layers) that takes one 64-bit
// word per draw in 98.8% of cases. The generator is math/rand/v2's PCG
// (128-bit LCG, DXSM output), written out here so that a fill loop keeps its
// state in registers; TestNoiseMatchesPCG holds the two to the same words.
type Noise struct {
	pcg pcg
}

// NewNoise returns the noise stream for (seed, purpose).
func NewNoise(seed uint64, purpose string) *Noise {
	hi, lo := Words(seed, purpose)
	return &Noise{pcg: pcg{hi, lo}}
}

// pcg is the state of math/rand/v2's PCG, as rand.NewPCG(hi, lo) seeds it.
type pcg struct{ hi, lo uint64 }

// Uint64 advances the state and returns the DXSM output: the same words as
// (*rand.PCG).Uint64.
func (p *pcg) Uint64() uint64 {
	var u uint64
	p.hi, p.lo, u = pcgStep(p.hi, p.lo)
	return u
}

// pcgStep is one step of the PCG from state (hi, lo): the new state and the
// output word.
func pcgStep(hi, lo uint64) (nhi, nlo, u uint64) {
	const (
		mulHi = 2549297995355413924
		mulLo = 4865540595714422341
		incHi = 6364136223846793005
		incLo = 1442695040888963407
		cheap = 0xda942042e4dd58b5
	)
	nhi, nlo = bits.Mul64(lo, mulLo)
	nhi += hi*mulLo + lo*mulHi
	var c uint64
	nlo, c = bits.Add64(nlo, incLo, 0)
	nhi, _ = bits.Add64(nhi, incHi, c)
	u = nhi ^ nhi>>32
	u *= cheap
	u ^= u >> 48
	u *= nlo | 1
	return nhi, nlo, u
}

// Uint64 returns 64 uniform bits.
func (n *Noise) Uint64() uint64 { return n.pcg.Uint64() }

// Float64 returns a uniform draw in [0, 1) with 53 random bits.
func (n *Noise) Float64() float64 { return float64(n.pcg.Uint64()>>11) * 0x1p-53 }

// NormFloat64 returns a standard normal draw.
func (n *Noise) NormFloat64() float64 {
	return n.normFrom(n.pcg.Uint64())
}

// normFrom is a normal draw whose first word is u: the sign is the top bit
// of the word the ziggurat accepts.
func (n *Noise) normFrom(u uint64) float64 {
	for {
		if x, ok := n.zig(u); ok {
			if u>>63 != 0 {
				return -x
			}
			return x
		}
		u = n.pcg.Uint64()
	}
}

// AbsNormBernoulli returns |ξ| for a standard normal ξ and a Bernoulli(p)
// bit, from one 64-bit word in 98.8% of cases: the ziggurat uses the low 39
// bits and the Bernoulli bit compares the top 25 bits with p (a resolution
// of 3·10⁻⁸, far below anything a schedule distinguishes). It is the draw
// of one mollified unit (Algorithm 1 lines 4 and 7).
func (n *Noise) AbsNormBernoulli(p float64) (absXi float64, pi bool) {
	u := n.pcg.Uint64()
	pi = float64(u>>39) < p*(1<<25)
	// The ziggurat's common case, inline: the point is inside its layer.
	if j, i := uint32(u)&(1<<31-1), (u>>31)&127; j < zigK[i] {
		return float64(j) * zigW[i], pi
	}
	return n.zigFrom(u), pi
}

// FillAbsNormBernoulli32 fills xi and pi (of equal length) with the draws of
// len(xi) mollified units, in order: xi[i] = |ξ| and pi[i] = 1 or 0, the
// values AbsNormBernoulli(p) returns for its i-th call, as float32. It is
// that loop with the generator's state kept in registers.
func (n *Noise) FillAbsNormBernoulli32(xi, pi []float32, p float64) {
	pi = pi[:len(xi)]
	hi, lo := n.pcg.hi, n.pcg.lo
	// float64(k) < p·2²⁵ for an integer k ⇔ k < ⌈p·2²⁵⌉, so the Bernoulli
	// bit is the sign of k − ⌈p·2²⁵⌉: no branch to mispredict when p is
	// near 1/2.
	thr := uint64(0) // p < 0 or NaN: never
	if p > 0 {
		thr = uint64(math.Ceil(min(p, 2) * (1 << 25)))
	}
	for i := range xi {
		var u uint64
		hi, lo, u = pcgStep(hi, lo)
		pi[i] = float32((u>>39 - thr) >> 63)
		if j, l := uint32(u)&(1<<31-1), (u>>31)&127; j < zigK[l] {
			xi[i] = float32(float64(j) * zigW[l])
			continue
		}
		n.pcg.hi, n.pcg.lo = hi, lo
		xi[i] = float32(n.zigFrom(u))
		hi, lo = n.pcg.hi, n.pcg.lo
	}
	n.pcg.hi, n.pcg.lo = hi, lo
}

// FillNorm32 fills xi with len(xi) standard normal draws, in order, as
// float32: the values of successive NormFloat64 calls, or their magnitudes
// when half is set. It is that loop with the state kept in registers.
func (n *Noise) FillNorm32(xi []float32, half bool) { fillNorm(n, xi, half) }

// FillNorm64 is [Noise.FillNorm32] in float64: exactly the values of
// successive NormFloat64 calls (or their magnitudes).
func (n *Noise) FillNorm64(xi []float64, half bool) { fillNorm(n, xi, half) }

func fillNorm[F float32 | float64](n *Noise, xi []F, half bool) {
	hi, lo := n.pcg.hi, n.pcg.lo
	for i := range xi {
		var u uint64
		hi, lo, u = pcgStep(hi, lo)
		var x float64
		if j, l := uint32(u)&(1<<31-1), (u>>31)&127; j < zigK[l] {
			x = float64(j) * zigW[l]
			if !half && u>>63 != 0 {
				x = -x
			}
		} else {
			n.pcg.hi, n.pcg.lo = hi, lo
			x = n.normFrom(u)
			hi, lo = n.pcg.hi, n.pcg.lo
			if half {
				x = math.Abs(x)
			}
		}
		xi[i] = F(x)
	}
	n.pcg.hi, n.pcg.lo = hi, lo
}

// zigFrom finishes a ziggurat draw whose first word u fell outside the
// common case, taking fresh words as AbsNormBernoulli does.
func (n *Noise) zigFrom(u uint64) float64 {
	for {
		if x, ok := n.zig(u); ok {
			return x
		}
		u = n.pcg.Uint64()
	}
}

// zig is one ziggurat attempt for |ξ| from the low 39 bits of u: 31 bits of
// magnitude and 7 bits of layer. It reports false when the attempt is
// rejected and a fresh word is needed.
func (n *Noise) zig(u uint64) (float64, bool) {
	j := uint32(u) & (1<<31 - 1)
	i := (u >> 31) & 127
	x := float64(j) * zigW[i]
	if j < zigK[i] {
		return x, true
	}
	if i == 0 {
		// The tail beyond r: Marsaglia's exponential rejection.
		for {
			a := -math.Log(n.open()) / zigR
			b := -math.Log(n.open())
			if b+b >= a*a {
				return zigR + a, true
			}
		}
	}
	if zigF[i]+n.Float64()*(zigF[i-1]-zigF[i]) < math.Exp(-0.5*x*x) {
		return x, true
	}
	return 0, false
}

// open returns a uniform draw in (0, 1), never 0, for a logarithm.
func (n *Noise) open() float64 {
	return (float64(n.pcg.Uint64()>>11) + 0.5) * 0x1p-53
}

// The ziggurat tables for 128 layers of the half-normal density
// exp(−x²/2): layer i has right edge x_i, zigW[i] = x_i / 2³¹ scales a
// 31-bit integer to [0, x_i), zigK[i] = 2³¹·x_{i−1}/x_i is the integer
// below which a point is inside the layer for sure, zigF[i] = exp(−x_i²/2).
const (
	zigR = 3.442619855899           // the base strip's edge
	zigV = 9.91256303526217e-3      // the area of each layer
	zigM = float64(uint64(1) << 31) // 2³¹
)

var (
	zigK [128]uint32
	zigW [128]float64
	zigF [128]float64
)

func init() {
	d := zigR
	t := d
	q := zigV / math.Exp(-0.5*d*d)
	zigK[0] = uint32(d / q * zigM)
	zigK[1] = 0
	zigW[0] = q / zigM
	zigW[127] = d / zigM
	zigF[0] = 1
	zigF[127] = math.Exp(-0.5 * d * d)
	for i := 126; i >= 1; i-- {
		d = math.Sqrt(-2 * math.Log(zigV/d+math.Exp(-0.5*d*d)))
		zigK[i+1] = uint32(d / t * zigM)
		t = d
		zigF[i] = math.Exp(-0.5 * d * d)
		zigW[i] = d / zigM
	}
}
