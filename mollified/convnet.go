package mollified

import (
	"fmt"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/rng"
	"github.com/mollifying/mollify/vmath"
)

// ConvBlock is a mollified residual block (paper Fig. 2, bottom, with the
// optional residual link; paper/PROTOCOL.md choice 16):
//
//	h = π ⊙ S(x) + (1 − π) ⊙ ψ(F(x) + S(x))
//
// where F is the ResNet block's branch (conv-BN-ReLU-conv-BN), S its
// shortcut (the identity, or option A / a projection where the block
// changes shape), ψ the noisy ReLU of Eqs. 26-27 (Unit with Kind ReLU) with
// noise level p, and π ~ Bernoulli(p) drawn per activation, i.e. per
// example, channel and pixel. At p = 0 it is exactly the ResNet block
// ReLU(F(x) + S(x)); at p = 1 every activation copies the shortcut. The
// shortcut is what the skip copies because h^{l−1} must be brought to the
// block's shape somehow, and S is how the ResNet itself does it.
type ConvBlock[T nn.Float] struct {
	Branch nn.Layer[T]
	Short  *nn.Shortcut[T]
	Unit   Unit
	// P is p^l, set by the schedule.
	P float64
	// A is the fixed slope a of Alg. 1 line 3; LearnedA, when set, holds
	// one trainable a per channel.
	A        float64
	LearnedA *nn.Param[T]
	Parts    Parts
	evalSwitch
	// PerBatch draws ξ and π once per channel and pixel per batch rather
	// than per example too.
	PerBatch bool

	out        nn.Shape
	name       string
	rnd        *rng.Noise
	pre        nn.Mat[T]
	w, dpsi    nn.Mat[T] // skip weight (π, or p in EvalExpect) and ∂ψ/∂pre
	dpsida     nn.Mat[T]
	y, dpre    nn.Mat[T]
	ds, dx     nn.Mat[T]
	colXi      []float64
	colPi      []bool
	haveDpsida bool
	s32        scratch32
	// conv1 is the branch's first layer when it is the block's Conv1: it
	// then adds the shortcut's gradient to its own, as nn.BasicBlock does.
	conv1 *nn.Conv2D[T]
}

// NewConvBlock mollifies the ResNet block b, reusing its branch and shortcut
// (and so its weights), with noise scale c and noise from noiseRnd.
func NewConvBlock[T nn.Float](name string, b *nn.BasicBlock[T], c float64, noiseRnd *rng.Noise) *ConvBlock[T] {
	l := &ConvBlock[T]{
		Branch: b.Branch, Short: b.Short,
		Unit: Unit{Kind: nn.ReLU, C: c}, A: 1,
		out: b.Out, name: name, rnd: noiseRnd,
	}
	if len(b.Branch.Layers) > 0 && b.Branch.Layers[0] == nn.Layer[T](b.Conv1) {
		l.conv1 = b.Conv1
	}
	return l
}

// LearnA makes a a trainable per-channel parameter initialised at a0.
func (l *ConvBlock[T]) LearnA(a0 float64) { l.LearnedA = newSlope[T](l.name, l.out.C, a0) }

// SetRand replaces the noise stream (gradient checks re-seed it to hold the
// noise fixed).
func (l *ConvBlock[T]) SetRand(r *rng.Noise) { l.rnd = r }

// SetP implements Target.
func (l *ConvBlock[T]) SetP(p float64) {
	checkP(p)
	l.P = p
}

func (l *ConvBlock[T]) slope(c int) float64 {
	if l.LearnedA != nil {
		return float64(l.LearnedA.Value[c])
	}
	return l.A
}

// Forward implements nn.Layer.
func (l *ConvBlock[T]) Forward(x *nn.Mat[T], train bool) *nn.Mat[T] {
	s := l.Short.Forward(x, train)
	f := l.Branch.Forward(x, train)
	n, size, plane := x.Rows, l.out.Size(), l.out.Plane()
	pre := l.pre.Reshape(n, size)
	y := l.y.Reshape(n, size)
	w := l.w.Reshape(n, size)
	dpsi := l.dpsi.Reshape(n, size)
	l.haveDpsida = false
	p := l.P
	skipW := 0.0
	if !train {
		if l.evalMode() == EvalExpect && l.Parts != NoiseOnly {
			skipW = p
		}
		p = 0
	}
	f32, is32 := any(f.Data).([]float32)
	l.s32.noSkip = is32 && p == 0 && skipW == 0
	if l.s32.noSkip {
		// The plain ResNet block (annealing over, or evaluation at p = 0):
		// its fused kernel; Backward passes dy where y > 0.
		vmath.AddReLU(any(y.Data).([]float32), f32, any(s.Data).([]float32))
		return y
	}
	if is32 {
		vmath.Add(any(pre.Data).([]float32), f32, any(s.Data).([]float32))
	} else {
		for i, v := range f.Data {
			pre.Data[i] = v + s.Data[i]
		}
	}
	if p == 0 {
		// The ResNet block, possibly mixed with the expected skip.
		for i, v := range pre.Data {
			o := max(v, 0)
			d := T(0)
			if v > 0 {
				d = 1
			}
			if skipW != 0 {
				o = T(skipW*float64(s.Data[i]) + (1-skipW)*float64(o))
			}
			y.Data[i], w.Data[i], dpsi.Data[i] = o, T(skipW), d
		}
		return y
	}
	dpsida := l.dpsida.Reshape(n, size)
	l.haveDpsida = true
	noise, skip := l.Parts != SkipOnly, l.Parts != NoiseOnly
	if l.PerBatch {
		l.drawColumns(size, p, noise, skip)
	}
	if l.forward32(pre, s, y, w, dpsi, dpsida, p, noise, skip) {
		return y
	}
	for i := range n {
		si, pi, yi, wi, di, ai := s.Row(i), pre.Row(i), y.Row(i), w.Row(i), dpsi.Row(i), dpsida.Row(i)
		for j, v := range pi {
			// Fixed draw order (ξ then π for every activation), so the
			// stream never depends on the data.
			var absXi float64
			var copyIt bool
			if l.PerBatch {
				absXi, copyIt = l.colXi[j], l.colPi[j]
			} else {
				absXi, copyIt = l.rnd.AbsNormBernoulli(p)
				copyIt = copyIt && skip
				if !noise {
					absXi = 0
				}
			}
			if copyIt {
				yi[j], wi[j], di[j], ai[j] = si[j], 1, 0, 0
				continue
			}
			o := l.Unit.Eval(float64(v), p, l.slope(j/plane), absXi)
			yi[j], wi[j], di[j], ai[j] = T(o.Psi), 0, T(o.DX), T(o.DA)
		}
	}
	return y
}

func (l *ConvBlock[T]) drawColumns(d int, p float64, noise, skip bool) {
	if cap(l.colXi) < d {
		l.colXi, l.colPi = make([]float64, d), make([]bool, d)
	}
	l.colXi, l.colPi = l.colXi[:d], l.colPi[:d]
	for j := range d {
		l.colXi[j], l.colPi[j] = l.rnd.AbsNormBernoulli(p)
		l.colPi[j] = l.colPi[j] && skip
		if !noise {
			l.colXi[j] = 0
		}
	}
}

// Backward implements nn.Layer, with the draws of the last Forward held
// fixed: with ∂pre = dy ⊙ (1 − w) ⊙ ψ', the shortcut receives dy ⊙ w + ∂pre
// (the copy and the residual sum) and the branch ∂pre.
func (l *ConvBlock[T]) Backward(dy *nn.Mat[T]) *nn.Mat[T] {
	n, size, plane := dy.Rows, dy.Cols, l.out.Plane()
	if n != l.y.Rows || size != l.y.Cols {
		panic(fmt.Sprintf("mollified: conv block backward got %v, forward produced %v", dy, &l.y))
	}
	dpre := l.dpre.Reshape(n, size)
	ds := l.ds.Reshape(n, size)
	switch dy32, is32 := any(dy.Data).([]float32); {
	case l.s32.noSkip: // w = 0, ψ' = [y > 0]: both receive dy there
		vmath.PassPositive(any(dpre.Data).([]float32), dy32, any(l.y.Data).([]float32))
		ds = dpre
	case is32: // the loop below
		dpre32, ds32 := any(dpre.Data).([]float32), any(ds.Data).([]float32)
		vmath.SkipGrad(dpre32, ds32, dy32, any(l.w.Data).([]float32), any(l.dpsi.Data).([]float32))
		vmath.Add(ds32, ds32, dpre32)
	default:
		for i, g := range dy.Data {
			w := l.w.Data[i]
			dp := g * (1 - w) * l.dpsi.Data[i]
			dpre.Data[i] = dp
			ds.Data[i] = g*w + dp
		}
	}
	if l.LearnedA != nil && l.haveDpsida {
		ga := l.LearnedA.Grad
		for i := range n {
			dr, wr, ar := dy.Row(i), l.w.Row(i), l.dpsida.Row(i)
			for j, g := range dr {
				ga[j/plane] += g * (1 - wr[j]) * ar[j]
			}
		}
	}
	dsx := l.Short.Backward(ds)
	if l.conv1 != nil {
		// The branch's gradient after the shortcut's, which it does not
		// overwrite (see nn.BasicBlock.Backward): at p = 0 these are the
		// ResNet block's operations, so its bits.
		l.conv1.AddInputGrad(dsx)
		return l.Branch.Backward(dpre)
	}
	dx := l.dx.Reshape(n, l.Short.In.Size())
	copy(dx.Data, dsx.Data)
	nn.AddTo(dx.Data, l.Branch.Backward(dpre).Data)
	return dx
}

// Params implements nn.Layer.
func (l *ConvBlock[T]) Params() []*nn.Param[T] {
	ps := append(l.Branch.Params(), l.Short.Params()...)
	if l.LearnedA != nil {
		ps = append(ps, l.LearnedA)
	}
	return ps
}

// convSpace is the configuration's space for a ConvNet. The paper trains
// its CIFAR-10 models with one set of hyper-parameters, so every axis is a
// single value: c = 1 (Eq. 26 has no c; paper/PROTOCOL.md choice 12), annealing that
// would end half-way through training at constant loss, δ = 0.05·L, and the
// EMA decay of the MLP tasks.
func convSpace() []experiment.Axis {
	return []experiment.Axis{
		{Name: HypC, Values: []float64{1}, Doc: "noise scale c of the noisy ReLU (Eq. 26 has none: c = 1)"},
		{Name: HypAnneal, Values: []float64{0.5}, Doc: "k of Eq. 29 such that annealing would stop after this fraction of the updates at constant loss v0"},
		{Name: HypDelta, Values: []float64{0.05}, Doc: "stop annealing when Σ_l p^l < delta·L (option delta_on=sum: < delta), L the number of residual blocks"},
		{Name: HypEMA, Values: []float64{0.99}, Doc: "decay of the training-loss moving average v_t"},
	}
}

// BuildConvNet builds the mollified convnet in any precision: the ResNet of
// a (same weights as the baseline for the same seed) with every residual
// block mollified, blocks l = 1..L from the input. The stem and the head are
// not mollified (the stem changes the number of channels, and the output
// layer never is, paper Sec. 2.4). Option skip=pad or project overrides the
// architecture's shortcut kind; auto keeps it.
func BuildConvNet[T nn.Float](a *experiment.ConvNet, h experiment.Hyper, o experiment.Options, seed uint64) (*nn.Sequential[T], []*ConvBlock[T], error) {
	spec := a.ResNetSpec
	switch o.Get(OptSkip) {
	case "pad":
		spec.Shortcut = nn.ShortcutPad
	case "project":
		spec.Shortcut = nn.ShortcutProject
	}
	res, err := nn.NewResNet[T](spec, rng.New(seed, "init"), rng.New(seed, "init/skip"))
	if err != nil {
		return nil, nil, err
	}
	parts := map[string]Parts{"both": Both, "skip": SkipOnly, "noise": NoiseOnly}[o.Get(OptParts)]
	eval := map[string]EvalMode{"p0": EvalP0, "expect": EvalExpect}[o.Get(OptEval)]
	blocks := make([]*ConvBlock[T], len(res.Blocks))
	layers := make([]nn.Layer[T], len(res.Blocks))
	for i, b := range res.Blocks {
		name := fmt.Sprintf("block%d", i+1)
		cb := NewConvBlock(name, b, h.Get(HypC), rng.NewNoise(seed, "noise/"+name))
		cb.Parts, cb.Eval = parts, eval
		cb.PerBatch = o.Get(OptGranularity) == "batch"
		if o.Get(OptA) == "learned" {
			cb.LearnA(1)
		}
		blocks[i], layers[i] = cb, cb
	}
	return res.Net(layers), blocks, nil
}

// buildConv is Config.Build for a ConvNet: the mollified convnet and the
// Eq. 29 schedule over its L residual blocks.
func buildConv(a *experiment.ConvNet, h experiment.Hyper, o experiment.Options, env experiment.Env) (*experiment.Model, error) {
	net, blocks, err := BuildConvNet[float32](a, h, o, env.Seed)
	if err != nil {
		return nil, err
	}
	targets := make([]Target, len(blocks))
	for i, b := range blocks {
		targets[i] = b
	}
	return scheduled(net, targets, h, o, env)
}
