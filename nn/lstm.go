package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/mollifying/mollify/gemm"

	"github.com/mollifying/mollify/vmath"
)

// The parts of an LSTM layer whose non-linearity a [GateFunc] supplies, in
// the order of [LSTM.Gates]. The first four are also the column blocks of
// the layer's pre-activations.
const (
	GateInput     = iota // i, sigmoid in the plain LSTM
	GateForget           // f, sigmoid
	GateOutput           // o, sigmoid
	GateCandidate        // g, tanh: the cell's new content
	GateCell             // the squashing of the cell before the output gate, tanh
	NumGates
)

// GateName names a part of an LSTM layer ("input", ... "cell").
func GateName(k int) string {
	return [...]string{"input", "forget", "output", "candidate", "cell"}[k]
}

// GateArgs is one time step of one part of an LSTM layer. Element (r, j),
// sequence r and unit j, is at index r·Stride + j of X, Y and D.
type GateArgs[T Float] struct {
	// X holds the pre-activations; the function writes f(X) into Y and
	// ∂Y/∂X into D (with its noise, if any, held fixed).
	X, Y, D             []T
	Rows, Units, Stride int
	// Step is the 0-based index of the step within the current Forward;
	// a stochastic function keeps what its Backward needs under it.
	Step int
	// Pos is the 0-based index of the step since the last ResetState.
	Pos   int
	Train bool
}

// GateFunc is the element-wise non-linearity of one part of an LSTM layer.
// Configurations replace it: [KindGate] is the plain sigmoid or tanh, the
// noisy units of package baselines and the mollified gates of package
// mollified are others. A function that draws noise owns its stream, and
// exposes a way to re-seed it so that gradient checks hold the noise fixed.
type GateFunc[T Float] interface {
	// Forward evaluates one time step.
	Forward(a *GateArgs[T])
	// Backward receives dL/dY of step Step of the last Forward (laid out
	// as in GateArgs) and adds the gradients of the function's own
	// parameters. dL/dX is dL/dY ⊙ D; the layer computes it.
	Backward(step int, dy []T, rows, units, stride int)
	Params() []*Param[T]
}

// KindGate is a deterministic non-linearity without parameters.
type KindGate[T Float] struct{ Kind Kind }

// Forward implements [GateFunc]. float32 goes through the vectorised
// kernels of package vmath (as [Act] does); float64 stays on the exact path.
func (g KindGate[T]) Forward(a *GateArgs[T]) {
	for r := range a.Rows {
		o := r * a.Stride
		x, y, d := a.X[o:o+a.Units], a.Y[o:o+a.Units], a.D[o:o+a.Units]
		if x32, ok := any(x).([]float32); ok {
			vmath.ForwardDeriv(g.Kind.Fn(), any(y).([]float32), any(d).([]float32), x32)
			continue
		}
		for j, v := range x {
			f := g.Kind.F(float64(v))
			y[j] = T(f)
			d[j] = T(g.Kind.D(float64(v), f))
		}
	}
}

// Backward implements [GateFunc]; there is nothing to learn.
func (KindGate[T]) Backward(int, []T, int, int, int) {}

// Params implements [GateFunc].
func (KindGate[T]) Params() []*Param[T] { return nil }

// PlainGates are the functions of the standard LSTM: sigmoid gates, tanh
// candidate and cell squashing.
func PlainGates[T Float]() [NumGates]GateFunc[T] {
	s, t := KindGate[T]{Sigmoid}, KindGate[T]{Tanh}
	return [NumGates]GateFunc[T]{s, s, s, t, t}
}

// LSTM is one long short-term memory layer (Hochreiter & Schmidhuber 1997,
// with forget gate, no peepholes) run over time-major batches (see
// [Sequencer]):
//
//	[zi zf zo zg] = x_t·Wx + h_{t−1}·Wh + b
//	i, f, o = Fi(zi), Ff(zf), Fo(zo);   g = Fg(zg)
//	c_t = f ⊙ c_{t−1} + i ⊙ g
//	h_t = o ⊙ Fc(c_t)
//
// with F the layer's [GateFunc]s. The final (h, c) of a Forward is the
// initial state of the next, until ResetState; Backward propagates through
// the steps of the last Forward only (truncated BPTT).
type LSTM[T Float] struct {
	In, Hidden int
	// Wx is In×4H, Wh is H×4H and B is 1×4H; their column blocks are the
	// input, forget and output gates and the candidate, in that order.
	Wx, Wh, B *Param[T]
	Gates     [NumGates]GateFunc[T]

	batch, pos, steps int
	h0, c0            Mat[T] // carried state, batch×H
	dh0, dc0          Mat[T] // dL/d(initial state) of the last Backward
	saved             stateStack[T]
	skipDX            bool
	x                 *Mat[T]
	z, act, d         Mat[T] // T·B×4H: pre-activations, gate values, ∂/∂z
	cs, hs            Mat[T] // (T+1)·B×H: cell and hidden states, block 0 the initial one
	m, dm             Mat[T] // T·B×H: Fc(c) and its derivative
	out, dz, dx       Mat[T]
	gm                Mat[T]
	whT               Mat[T] // 4H×H: Wh transposed, for the steps of Backward
	args              GateArgs[T]
}

// NewLSTM returns an in→hidden LSTM layer with the plain gates. Wx and then
// Wh are drawn by init from r (fan-out 4·hidden); biases are zero.
func NewLSTM[T Float](name string, in, hidden int, init Init, r *rand.Rand) *LSTM[T] {
	if in <= 0 || hidden <= 0 {
		panic(fmt.Sprintf("nn: LSTM %s with %d inputs and %d units", name, in, hidden))
	}
	l := &LSTM[T]{
		In: in, Hidden: hidden,
		Wx:    NewParam[T](name+".Wx", in, 4*hidden),
		Wh:    NewParam[T](name+".Wh", hidden, 4*hidden),
		B:     NewParam[T](name+".b", 1, 4*hidden),
		Gates: PlainGates[T](),
	}
	l.B.NoDecay = true
	init.Fill(l.Wx.Value, in, 4*hidden, r)
	init.Fill(l.Wh.Value, hidden, 4*hidden, r)
	return l
}

// SetForgetBias sets the forget gate's bias to v (Gers et al. 2000 use a
// positive value so that the cell remembers from the start).
func (l *LSTM[T]) SetForgetBias(v float64) {
	for j := l.Hidden; j < 2*l.Hidden; j++ {
		l.B.Value[j] = T(v)
	}
}

// SkipInputGrad implements [InputGradSkipper].
func (l *LSTM[T]) SkipInputGrad() { l.skipDX = true }

// ResetState implements [Sequencer].
func (l *LSTM[T]) ResetState(batch int) {
	l.batch, l.pos = batch, 0
	l.h0.Reshape(batch, l.Hidden).Zero()
	l.c0.Reshape(batch, l.Hidden).Zero()
}

// PushState implements [Sequencer].
func (l *LSTM[T]) PushState() {
	ints := [2]int{l.batch, l.pos}
	l.saved.push(ints[:], l.h0.Data, l.c0.Data)
}

// PopState implements [Sequencer].
func (l *LSTM[T]) PopState() {
	vs, ints := l.saved.pop()
	l.batch, l.pos = ints[0], ints[1]
	copy(l.h0.Reshape(l.batch, l.Hidden).Data, vs[0])
	copy(l.c0.Reshape(l.batch, l.Hidden).Data, vs[1])
}

// State returns the carried hidden and cell states (batch×H). They are the
// layer's own: writing them changes the initial state of the next Forward.
func (l *LSTM[T]) State() (h, c *Mat[T]) { return &l.h0, &l.c0 }

// StateGrad returns dL/dh and dL/dc of the initial state of the last
// Forward, as computed by the last Backward.
func (l *LSTM[T]) StateGrad() (dh, dc *Mat[T]) { return &l.dh0, &l.dc0 }

// Forward implements [Layer].
func (l *LSTM[T]) Forward(x *Mat[T], train bool) *Mat[T] {
	mustCols("LSTM", x, l.In)
	B, H := l.batch, l.Hidden
	steps := seqShape("LSTM", x, B)
	G, n, bh := 4*H, steps*B, B*H
	l.x, l.steps = x, steps
	z := l.z.Reshape(n, G)
	act := l.act.Reshape(n, G)
	d := l.d.Reshape(n, G)
	cs := l.cs.Reshape(n+B, H)
	hs := l.hs.Reshape(n+B, H)
	m := l.m.Reshape(n, H)
	dm := l.dm.Reshape(n, H)

	gemm.Do(false, false, n, G, l.In, 1, x.Data, l.In, l.Wx.Value, G, 0, z.Data, G)
	addRows(z, l.B.Value)
	copy(hs.Data[:bh], l.h0.Data)
	copy(cs.Data[:bh], l.c0.Data)
	for s := range steps {
		zs := z.Data[s*B*G : (s+1)*B*G]
		as := act.Data[s*B*G : (s+1)*B*G]
		ds := d.Data[s*B*G : (s+1)*B*G]
		gemm.Do(false, false, B, G, H, 1, hs.Data[s*bh:(s+1)*bh], H, l.Wh.Value, G, 1, zs, G)
		for k := range 4 {
			l.args = GateArgs[T]{X: zs[k*H:], Y: as[k*H:], D: ds[k*H:], Rows: B, Units: H, Stride: G, Step: s, Pos: l.pos + s, Train: train}
			l.Gates[k].Forward(&l.args)
		}
		cPrev, cNew := cs.Data[s*bh:(s+1)*bh], cs.Data[(s+1)*bh:(s+2)*bh]
		for r := range B {
			ar := as[r*G : (r+1)*G]
			ig, fg, gg := ar[:H], ar[H:2*H], ar[3*H:]
			cp, cn := cPrev[r*H:(r+1)*H], cNew[r*H:(r+1)*H]
			for j := range cn {
				cn[j] = T(float64(fg[j])*float64(cp[j]) + float64(ig[j])*float64(gg[j]))
			}
		}
		ms, dms := m.Data[s*bh:(s+1)*bh], dm.Data[s*bh:(s+1)*bh]
		l.args = GateArgs[T]{X: cNew, Y: ms, D: dms, Rows: B, Units: H, Stride: H, Step: s, Pos: l.pos + s, Train: train}
		l.Gates[GateCell].Forward(&l.args)
		hNew := hs.Data[(s+1)*bh : (s+2)*bh]
		for r := range B {
			og := as[r*G+2*H : r*G+3*H]
			mr, hr := ms[r*H:(r+1)*H], hNew[r*H:(r+1)*H]
			for j := range hr {
				hr[j] = og[j] * mr[j]
			}
		}
	}
	copy(l.h0.Data, hs.Data[n*H:])
	copy(l.c0.Data, cs.Data[n*H:])
	l.pos += steps
	l.out = Mat[T]{Rows: n, Cols: H, Data: hs.Data[bh:]}
	return &l.out
}

// Backward implements [Layer].
func (l *LSTM[T]) Backward(dy *Mat[T]) *Mat[T] {
	B, H, steps := l.batch, l.Hidden, l.steps
	G, n, bh := 4*H, steps*B, B*H
	if dy.Rows != n || dy.Cols != H {
		panic(fmt.Sprintf("nn: LSTM backward got %v, forward produced %d×%d", dy, n, H))
	}
	dz := l.dz.Reshape(n, G)
	dh := l.dh0.Reshape(B, H)
	dc := l.dc0.Reshape(B, H)
	gm := l.gm.Reshape(B, H)
	dh.Zero()
	dc.Zero()
	// Every step multiplies by Wh transposed: transposing it once spares
	// each product a transposed operand (same bits, see gemm.Transpose).
	var whT *Mat[T]
	if steps > 1 {
		whT = l.whT.Reshape(G, H)
		gemm.Transpose(whT.Data, l.Wh.Value, H, G, G, H)
	}
	for s := steps - 1; s >= 0; s-- {
		dys := dy.Data[s*bh : (s+1)*bh]
		as := l.act.Data[s*B*G : (s+1)*B*G]
		ds := l.d.Data[s*B*G : (s+1)*B*G]
		dzs := dz.Data[s*B*G : (s+1)*B*G]
		ms, dms := l.m.Data[s*bh:(s+1)*bh], l.dm.Data[s*bh:(s+1)*bh]
		cPrev := l.cs.Data[s*bh : (s+1)*bh]
		// h_s = o ⊙ m_s: split dL/dh_s between the output gate and m_s.
		for r := range B {
			og := as[r*G+2*H : r*G+3*H]
			dzo := dzs[r*G+2*H : r*G+3*H]
			dhr, dyr, gr, mr := dh.Row(r), dys[r*H:(r+1)*H], gm.Row(r), ms[r*H:(r+1)*H]
			for j := range dhr {
				g := dhr[j] + dyr[j]
				gr[j] = g * og[j]
				dzo[j] = g * mr[j]
			}
		}
		l.Gates[GateCell].Backward(s, gm.Data, B, H, H)
		for r := range B {
			ar, dzr := as[r*G:(r+1)*G], dzs[r*G:(r+1)*G]
			dcr, gr, dmr, cp := dc.Row(r), gm.Row(r), dms[r*H:(r+1)*H], cPrev[r*H:(r+1)*H]
			for j := range dcr {
				g := dcr[j] + gr[j]*dmr[j] // dL/dc_s
				dzr[j] = g * ar[3*H+j]     // input gate: ∂c/∂i = g_s
				dzr[H+j] = g * cp[j]       // forget gate: ∂c/∂f = c_{s−1}
				dzr[3*H+j] = g * ar[j]     // candidate: ∂c/∂g = i
				dcr[j] = g * ar[H+j]       // to c_{s−1}
			}
		}
		for k := range 4 {
			l.Gates[k].Backward(s, dzs[k*H:], B, H, G)
		}
		for i, v := range ds {
			dzs[i] *= v
		}
		if whT != nil {
			gemm.Do(false, false, B, H, G, 1, dzs, G, whT.Data, H, 0, dh.Data, H)
		} else {
			gemm.Do(false, true, B, H, G, 1, dzs, G, l.Wh.Value, G, 0, dh.Data, H)
		}
	}
	gemm.Do(true, false, l.In, G, n, 1, l.x.Data, l.In, dz.Data, G, 1, l.Wx.Grad, G)
	gemm.Do(true, false, H, G, n, 1, l.hs.Data[:n*H], H, dz.Data, G, 1, l.Wh.Grad, G)
	sumRowsInto(l.B.Grad, dz)
	if l.skipDX {
		return nil
	}
	dx := l.dx.Reshape(n, l.In)
	gemm.Do(false, true, n, l.In, G, 1, dz.Data, G, l.Wx.Value, G, 0, dx.Data, l.In)
	return dx
}

// Params implements [Layer]: the weights, then each gate function's own.
func (l *LSTM[T]) Params() []*Param[T] {
	ps := []*Param[T]{l.Wx, l.Wh, l.B}
	for _, g := range l.Gates {
		ps = append(ps, g.Params()...)
	}
	return ps
}
