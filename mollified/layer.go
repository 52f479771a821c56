package mollified

import (
	"fmt"
	"math/rand/v2"

	"github.com/mollifying/mollify/rng"

	"github.com/mollifying/mollify/nn"
)

// Parts selects which half of the method a layer uses. The paper ties both
// to p (Alg. 1 line 7, paper/PROTOCOL.md choice 9); the others are ablations.
type Parts int

// The parts of the method.
const (
	Both      Parts = iota // noise and skip, tied to the same p (the paper)
	SkipOnly               // the Bernoulli skip only, ψ = f
	NoiseOnly              // the noisy activation only, no skip
)

// EvalMode is how a layer behaves outside training (paper/PROTOCOL.md choice 10).
type EvalMode int

// Evaluation modes.
const (
	// EvalP0 evaluates the original network: ψ = f, no skip. Annealing
	// ends at p = 0, so this is the network being trained.
	EvalP0 EvalMode = iota
	// EvalExpect uses the expectation over the skip at the current p:
	// p·h_prev + (1−p)·f(x).
	EvalExpect
)

// evalSwitch is the evaluation behaviour of a mollified layer: its
// configured mode, which the schedule can override for a second evaluation
// of the original network (p = 0) beside the one of the network being
// trained (see [Schedule.UseOriginal]).
type evalSwitch struct {
	Eval     EvalMode
	original bool
}

// evalMode is the mode in force outside training.
func (e *evalSwitch) evalMode() EvalMode {
	if e.original {
		return EvalP0
	}
	return e.Eval
}

// setOriginal implements originalSetter.
func (e *evalSwitch) setOriginal(on bool) { e.original = on }

// originalSetter is a schedule target whose evaluation can be switched to
// the original network.
type originalSetter interface{ setOriginal(on bool) }

// Layer is a dense layer of mollified units (Algorithm 1): an affine map
// followed by the noisy activation ψ and the per-unit Bernoulli(p) choice
// between ψ and the previous layer's unit. The skip path zero-pads (or
// truncates) the previous layer when the widths differ, or goes through a
// learned linear projection Proj when one is set (paper/PROTOCOL.md choice 11).
type Layer[T nn.Float] struct {
	Dense *nn.Dense[T]
	// Proj, when not nil, maps the previous layer to this layer's width on
	// the skip path.
	Proj *nn.Dense[T]
	Unit Unit
	// P is p^l, set by the schedule before each update.
	P float64
	// A is the fixed slope a of Alg. 1 line 3, used when LearnedA is nil.
	A float64
	// LearnedA, when set, holds a trainable a per unit.
	LearnedA *nn.Param[T]
	Parts    Parts
	evalSwitch
	// PerBatch draws ξ and π once per unit per batch instead of per example
	// and unit (paper/PROTOCOL.md choice 8).
	PerBatch bool
	// ZeroSkip makes the skip path carry zeros: the layer is the branch of
	// a residual block (ResidualConfig), whose shortcut already adds the
	// previous layer, so a skipped unit contributes nothing and the block
	// is the identity at p = 1 and the residual block h + f(Wh + b) at
	// p = 0. Proj must be nil.
	ZeroSkip bool

	name   string
	rnd    *rng.Noise
	skipDX bool
	h      *nn.Mat[T]
	// w is the weight of the skip path per element (π, or p in
	// EvalExpect); dpsi and dpsida are ∂ψ/∂x and ∂ψ/∂a.
	w, dpsi, dpsida nn.Mat[T]
	out, dz, dx     nn.Mat[T]
	zeros           nn.Mat[T] // the skip source under ZeroSkip
	colXi           []float64
	colPi           []bool
	s32             scratch32
}

// NewLayer returns an in→out mollified layer with activation kind and noise
// scale c. Weights are drawn by init from initRnd; noise comes from noiseRnd.
func NewLayer[T nn.Float](name string, in, out int, kind nn.Kind, c float64, init nn.Init, initRnd *rand.Rand, noiseRnd *rng.Noise) *Layer[T] {
	return &Layer[T]{
		Dense: nn.NewDense[T](name, in, out, init, initRnd),
		Unit:  Unit{Kind: kind, C: c},
		A:     1,
		name:  name,
		rnd:   noiseRnd,
	}
}

// LearnA makes a a trainable per-unit parameter initialised at a0.
func (l *Layer[T]) LearnA(a0 float64) { l.LearnedA = newSlope[T](l.name, l.Dense.Out, a0) }

// newSlope is a learned slope a (Alg. 1 line 3): n values at a0, not
// decayed.
func newSlope[T nn.Float](name string, n int, a0 float64) *nn.Param[T] {
	p := nn.NewParam[T](name+".a", 1, n)
	p.NoDecay = true
	for j := range p.Value {
		p.Value[j] = T(a0)
	}
	return p
}

// checkP panics unless p is a probability: the schedule never makes another.
func checkP(p float64) {
	if !(p >= 0 && p <= 1) {
		panic(fmt.Sprintf("mollified: p = %v outside [0, 1]", p))
	}
}

// SetRand replaces the noise stream (gradient checks re-seed it to hold the
// noise fixed).
func (l *Layer[T]) SetRand(r *rng.Noise) { l.rnd = r }

// SetP implements the schedule's target.
func (l *Layer[T]) SetP(p float64) {
	checkP(p)
	l.P = p
}

// SkipInputGrad implements nn.InputGradSkipper.
func (l *Layer[T]) SkipInputGrad() {
	l.skipDX = true
	l.Dense.SkipInputGrad()
	if l.Proj != nil {
		l.Proj.SkipInputGrad()
	}
}

func (l *Layer[T]) slope(j int) float64 {
	if l.LearnedA != nil {
		return float64(l.LearnedA.Value[j])
	}
	return l.A
}

// Forward implements nn.Layer.
func (l *Layer[T]) Forward(h *nn.Mat[T], train bool) *nn.Mat[T] {
	l.h = h
	z := l.Dense.Forward(h, train)
	n, d := z.Rows, z.Cols
	src := h // what the skip path copies, unit by unit
	switch {
	case l.ZeroSkip:
		if l.zeros.Rows != n || l.zeros.Cols != d {
			l.zeros = *nn.NewMat[T](n, d)
		}
		src = &l.zeros
	case l.Proj != nil:
		src = l.Proj.Forward(h, train)
	}
	out := l.out.Reshape(n, d)
	w := l.w.Reshape(n, d)
	dpsi := l.dpsi.Reshape(n, d)
	dpsida := l.dpsida.Reshape(n, d)
	p := l.P
	skipW := 0.0
	if !train {
		if l.evalMode() == EvalExpect && l.Parts != NoiseOnly {
			skipW = p
		}
		p = 0
	}
	if l.forward32(z, src, out, w, dpsi, dpsida, p, skipW) {
		return out
	}
	if p == 0 {
		// The original layer (possibly mixed with the expected skip).
		for i, x := range z.Data {
			fx := l.Unit.Kind.F(float64(x))
			out.Data[i] = T(fx)
			dpsi.Data[i] = T(l.Unit.Kind.D(float64(x), fx))
			dpsida.Data[i] = 0
			w.Data[i] = T(skipW)
		}
		if skipW != 0 {
			l.mixSkip(src, out, skipW)
		}
		return out
	}
	noise, skip := l.Parts != SkipOnly, l.Parts != NoiseOnly
	if l.PerBatch {
		l.drawColumns(d, p, noise, skip)
	}
	for i := range n {
		hi := src.Row(i)
		zi, oi, wi, di, ai := z.Row(i), out.Row(i), w.Row(i), dpsi.Row(i), dpsida.Row(i)
		for j, x := range zi {
			// Draw order is fixed (ξ then π for every element) whatever
			// the branch taken, so the stream never depends on the data.
			var absXi float64
			var pi bool
			if l.PerBatch {
				absXi, pi = l.colXi[j], l.colPi[j]
			} else {
				absXi, pi = l.rnd.AbsNormBernoulli(p)
				if !noise {
					absXi = 0
				}
				pi = pi && skip
			}
			if pi {
				prev := T(0)
				if j < len(hi) {
					prev = hi[j]
				}
				oi[j], wi[j], di[j], ai[j] = prev, 1, 0, 0
				continue
			}
			o := l.Unit.Eval(float64(x), p, l.slope(j), absXi)
			oi[j], wi[j], di[j], ai[j] = T(o.Psi), 0, T(o.DX), T(o.DA)
		}
	}
	return out
}

func (l *Layer[T]) drawColumns(d int, p float64, noise, skip bool) {
	if cap(l.colXi) < d {
		l.colXi, l.colPi = make([]float64, d), make([]bool, d)
	}
	l.colXi, l.colPi = l.colXi[:d], l.colPi[:d]
	for j := range d {
		l.colXi[j], l.colPi[j] = l.rnd.AbsNormBernoulli(p)
		if !noise {
			l.colXi[j] = 0
		}
		l.colPi[j] = l.colPi[j] && skip
	}
}

// mixSkip sets out = w·pad(h) + (1−w)·out.
func (l *Layer[T]) mixSkip(h, out *nn.Mat[T], w float64) {
	cols := min(h.Cols, out.Cols)
	for i := range out.Rows {
		o, hi := out.Row(i), h.Row(i)
		for j := range o {
			prev := 0.0
			if j < cols {
				prev = float64(hi[j])
			}
			o[j] = T(w*prev + (1-w)*float64(o[j]))
		}
	}
}

// Backward implements nn.Layer, with the noise and skip draws of the last
// Forward held fixed.
func (l *Layer[T]) Backward(dy *nn.Mat[T]) *nn.Mat[T] {
	if dx, ok := l.backward32(dy); ok {
		return dx
	}
	n, d := dy.Rows, dy.Cols
	dz := l.dz.Reshape(n, d)
	for i, g := range dy.Data {
		rest := g * (1 - l.w.Data[i])
		dz.Data[i] = rest * l.dpsi.Data[i]
	}
	if l.LearnedA != nil {
		ga := l.LearnedA.Grad
		for i := range n {
			dr, wr, ar := dy.Row(i), l.w.Row(i), l.dpsida.Row(i)
			for j := range ga {
				ga[j] += dr[j] * (1 - wr[j]) * ar[j]
			}
		}
	}
	dh := l.Dense.Backward(dz)
	if l.Proj != nil {
		// dL/d(skip source) = w ⊙ dy, reusing dz's buffer after Dense
		// has consumed it.
		for i, g := range dy.Data {
			dz.Data[i] = g * l.w.Data[i]
		}
		dp := l.Proj.Backward(dz)
		if l.skipDX {
			return nil
		}
		dx := l.dx.Reshape(n, l.Dense.In)
		copy(dx.Data, dh.Data)
		for i, v := range dp.Data {
			dx.Data[i] += v
		}
		return dx
	}
	if l.skipDX {
		return nil
	}
	dx := l.dx.Reshape(n, l.Dense.In)
	copy(dx.Data, dh.Data)
	if l.ZeroSkip {
		return dx // the skip path carried no input
	}
	cols := min(l.Dense.In, d)
	for i := range n {
		xr, dr, wr := dx.Row(i), dy.Row(i), l.w.Row(i)
		for j := range cols {
			xr[j] += wr[j] * dr[j]
		}
	}
	return dx
}

// Params implements nn.Layer.
func (l *Layer[T]) Params() []*nn.Param[T] {
	ps := l.Dense.Params()
	if l.Proj != nil {
		ps = append(ps, l.Proj.Params()...)
	}
	if l.LearnedA != nil {
		ps = append(ps, l.LearnedA)
	}
	return ps
}
