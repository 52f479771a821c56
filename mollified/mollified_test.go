package mollified

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/nn/gradcheck"
	"github.com/mollifying/mollify/rng"
)

var saturating = []nn.Kind{nn.Sigmoid, nn.Tanh, nn.HardSigmoid, nn.HardTanh}

// TestZeroNoiseIsF: p = 0 (or a zero draw) gives exactly f, for every
// activation including ReLU (claim 6b).
func TestZeroNoiseIsF(t *testing.T) {
	for _, k := range append(saturating, nn.ReLU) {
		u := Unit{Kind: k, C: 3}
		for x := -8.0; x <= 8; x += 0.37 {
			if got := u.Eval(x, 0, 1, 1.3).Psi; got != k.F(x) {
				t.Fatalf("%v: ψ(%v) at p=0 = %v, f = %v", k, x, got, k.F(x))
			}
			if got := u.Eval(x, 0.8, 1, 0).Psi; got != k.F(x) {
				t.Fatalf("%v: ψ(%v) at ξ=0 = %v, f = %v", k, x, got, k.F(x))
			}
		}
	}
}

// TestNoiseMovesTowardsLinear: as s grows, ψ moves monotonically from f to
// u and never passes it; with enough noise it reaches u (claim 6c).
func TestNoiseMovesTowardsLinear(t *testing.T) {
	for _, k := range append(saturating, nn.ReLU) {
		t.Run(k.String(), func(t *testing.T) {
			u := Unit{Kind: k, C: 1}
			slope, u0 := k.Linear()
			for x := -9.0; x <= 9; x += 0.25 {
				lin := slope*x + u0
				f := k.F(x)
				prev := math.Abs(f - lin)
				reached := false
				for xi := 0.0; xi <= 1e15; xi = xi*1.5 + 0.01 {
					psi := u.Eval(x, 1, 1, xi).Psi
					gap := math.Abs(psi - lin)
					if gap > prev+1e-15 {
						t.Fatalf("x=%v |ξ|=%v: |ψ−u| grew from %v to %v", x, xi, prev, gap)
					}
					if (psi-f)*(lin-f) < 0 || math.Abs(psi-f) > math.Abs(lin-f)+1e-15 {
						t.Fatalf("x=%v |ξ|=%v: ψ=%v is not between f=%v and u=%v", x, xi, psi, f, lin)
					}
					prev = gap
					reached = reached || gap == 0
				}
				if !reached {
					t.Fatalf("x=%v: ψ never reached u(x)=%v (last gap %v)", x, lin, prev)
				}
			}
		})
	}
}

func TestUnitGradients(t *testing.T) {
	// ∂ψ/∂x and ∂ψ/∂a against central differences, ξ fixed.
	for _, k := range append(saturating, nn.ReLU) {
		u := Unit{Kind: k, C: 2}
		r := rand.New(rand.NewPCG(1, uint64(k)))
		for range 400 {
			x := 6 * r.NormFloat64()
			a := 0.5 + r.Float64()
			p := r.Float64()
			xi := math.Abs(r.NormFloat64())
			o := u.Eval(x, p, a, xi)
			h := gradcheck.Step
			nx := (u.Eval(x+h, p, a, xi).Psi - u.Eval(x-h, p, a, xi).Psi) / (2 * h)
			na := (u.Eval(x, p, a+h, xi).Psi - u.Eval(x, p, a-h, xi).Psi) / (2 * h)
			if math.Abs(nx-o.DX) > gradcheck.Tol*max(1, math.Abs(nx)) || math.Abs(na-o.DA) > gradcheck.Tol*max(1, math.Abs(na)) {
				t.Fatalf("%v x=%v a=%v p=%v ξ=%v: dx %v vs %v, da %v vs %v", k, x, a, p, xi, o.DX, nx, o.DA, na)
			}
		}
	}
}

type layerCase struct {
	kind     nn.Kind
	in, out  int
	p        float64
	learnA   bool
	perBatch bool
	parts    Parts
	eval     EvalMode
	train    bool
	proj     bool
	zeroSkip bool
}

func (c layerCase) String() string {
	return fmt.Sprintf("%v_%dto%d_p%v_learnA%v_batch%v_parts%d_eval%d_train%v_proj%v_zero%v", c.kind, c.in, c.out, c.p, c.learnA, c.perBatch, c.parts, c.eval, c.train, c.proj, c.zeroSkip)
}

// TestLayerGradients checks the mollified layer (dense map, noisy unit, skip)
// with ξ and π held fixed, for every activation.
func TestLayerGradients(t *testing.T) {
	var cases []layerCase
	for _, k := range append(saturating, nn.ReLU) {
		cases = append(cases,
			layerCase{kind: k, in: 4, out: 6, p: 0.4, train: true},
			layerCase{kind: k, in: 6, out: 4, p: 0.8, learnA: true, train: true},
		)
	}
	cases = append(cases,
		layerCase{kind: nn.Tanh, in: 7, out: 4, p: 0.6, proj: true, train: true},
		layerCase{kind: nn.Sigmoid, in: 7, out: 4, p: 0.6, proj: true, eval: EvalExpect},
		layerCase{kind: nn.Sigmoid, in: 5, out: 5, p: 0.5, perBatch: true, train: true},
		layerCase{kind: nn.Tanh, in: 5, out: 5, p: 0.5, parts: SkipOnly, train: true},
		layerCase{kind: nn.Tanh, in: 5, out: 5, p: 0.5, parts: NoiseOnly, train: true},
		layerCase{kind: nn.Sigmoid, in: 3, out: 5, p: 0.3, eval: EvalExpect},
		layerCase{kind: nn.Sigmoid, in: 5, out: 5, p: 0.3, eval: EvalP0},
		layerCase{kind: nn.Sigmoid, in: 5, out: 5, p: 0, train: true},
		layerCase{kind: nn.Sigmoid, in: 5, out: 5, p: 0.5, train: true, zeroSkip: true},
		layerCase{kind: nn.Tanh, in: 4, out: 6, p: 0.4, learnA: true, train: true, zeroSkip: true},
		layerCase{kind: nn.Sigmoid, in: 5, out: 5, p: 0.5, eval: EvalExpect, zeroSkip: true},
	)
	for _, c := range cases {
		t.Run(c.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(2, 3))
			l := NewLayer[float64]("m", c.in, c.out, c.kind, 2, nn.Init{Kind: nn.Uniform, Scale: 1.5}, r, nil)
			l.P, l.PerBatch, l.Parts, l.Eval, l.ZeroSkip = c.p, c.perBatch, c.parts, c.eval, c.zeroSkip
			if c.proj {
				l.Proj = nn.NewDense[float64]("m.skip", c.in, c.out, nn.Glorot, r)
			}
			if c.learnA {
				l.LearnA(1)
				for j := range l.LearnedA.Value {
					l.LearnedA.Value[j] = 0.5 + r.Float64()
				}
			}
			x := nn.NewMat[float64](7, c.in)
			for i := range x.Data {
				x.Data[i] = 2 * r.NormFloat64()
			}
			reset := func() { l.SetRand(rng.NewNoise(11*1000+12, "test")) }
			res, err := gradcheck.Check(l, x, gradcheck.Options{Train: c.train, Reset: reset})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range res {
				t.Log(m)
			}
			// The check must have exercised both branches of the skip.
			if c.train && c.p > 0 && c.parts != NoiseOnly {
				var skipped, kept int
				for _, w := range l.w.Data {
					if w == 1 {
						skipped++
					} else {
						kept++
					}
				}
				if skipped == 0 || kept == 0 {
					t.Fatalf("degenerate case: %d skipped, %d kept", skipped, kept)
				}
			}
		})
	}
}

func mlpOptions(t *testing.T) experiment.Options {
	o, err := experiment.ResolveOptions(Config{}.Options(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestPOneIsAffine: with p = 1 every hidden layer is the identity (or, where
// a layer narrows, a linear projection), so the network's output is an affine
// function of its input: a convex problem for the output layer (claim 6a).
// With skip=pad it is exactly the output layer on the zero-padded, truncated
// input.
func TestPOneIsAffine(t *testing.T) {
	m := &experiment.MLP{In: 7, Hidden: []int{10, 10, 6, 10}, Out: 3, Act: nn.Sigmoid, Init: nn.Glorot}
	for _, skip := range []string{"pad", "auto", "project"} {
		t.Run(skip, func(t *testing.T) {
			o := mlpOptions(t)
			o[OptSkip] = skip
			net, layers, err := BuildMLP[float64](m, experiment.Hyper{HypC: 0.5}, o, 5)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range layers {
				l.SetP(1)
			}
			r := rand.New(rand.NewPCG(8, 8))
			const n = 20
			x := nn.NewMat[float64](3*n, 7)
			for i := range x.Data[:2*n*7] {
				x.Data[i] = 3 * r.NormFloat64()
			}
			// Rows 2n.. are convex combinations of rows 0.. and n..
			alpha := make([]float64, n)
			for i := range n {
				alpha[i] = r.Float64()
				for j := range 7 {
					x.Row(2*n + i)[j] = alpha[i]*x.Row(i)[j] + (1-alpha[i])*x.Row(n + i)[j]
				}
			}
			y := net.Forward(x, true)
			for i := range n {
				for o := range m.Out {
					want := alpha[i]*y.Row(i)[o] + (1-alpha[i])*y.Row(n + i)[o]
					if got := y.Row(2*n + i)[o]; math.Abs(got-want) > 1e-10 {
						t.Fatalf("example %d logit %d: f(αx+(1−α)y) = %v, αf(x)+(1−α)f(y) = %v", i, o, got, want)
					}
				}
			}
			if skip != "pad" {
				return
			}
			out := net.Layers[len(net.Layers)-1].(*nn.Dense[float64])
			for i := range x.Rows {
				for o := range m.Out {
					want := out.B.Value[o]
					for j := range 6 { // the narrowest layer keeps 6 inputs
						want += x.Row(i)[j] * out.W.Value[j*m.Out+o]
					}
					if got := y.Row(i)[o]; math.Abs(got-want) > 1e-12 {
						t.Fatalf("example %d logit %d: %v, output layer on the input gives %v", i, o, got, want)
					}
				}
			}
		})
	}
}

// TestPZeroIsOriginalNetwork: at p = 0 the mollified network computes the
// plain network with the same weights, bit for bit, in training and
// evaluation (claim 6b).
func TestPZeroIsOriginalNetwork(t *testing.T) {
	m := &experiment.MLP{In: 5, Hidden: []int{8, 8}, Out: 2, Act: nn.Tanh, Init: nn.Glorot}
	net, layers, err := BuildMLP[float32](m, experiment.Hyper{HypC: 0.5}, mlpOptions(t), 9)
	if err != nil {
		t.Fatal(err)
	}
	plain := nn.NewSequential[float32](layers[0].Dense, nn.NewAct[float32](nn.Tanh), layers[1].Dense, nn.NewAct[float32](nn.Tanh), net.Layers[2])
	x := nn.NewMat[float32](4, 5)
	for i := range x.Data {
		x.Data[i] = float32(i%7) - 3
	}
	for _, train := range []bool{true, false} {
		got := append([]float32(nil), net.Forward(x, train).Data...)
		want := plain.Forward(x, train).Data
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("train=%v: output %d = %v, plain network %v", train, i, got[i], want[i])
			}
		}
	}
}

func TestScheduleLimits(t *testing.T) {
	// Eq. 30: v → ∞ gives 1, v → 0 gives 0.
	if p := PAt(10, 1e9, 100, 1, 6); p != 1 {
		t.Errorf("p at huge loss = %v, want 1", p)
	}
	if p := PAt(10, 0, 100, 6, 6); p != 0 {
		t.Errorf("p at zero loss = %v, want 0", p)
	}
	// Bounded in [0,1], increasing in l, decreasing in t, increasing in v.
	for _, v := range []float64{0.01, 0.7, 5} {
		for t1 := 1; t1 < 5000; t1 = t1*3 + 1 {
			for l := 1; l <= 6; l++ {
				p := PAt(50, v, t1, l, 6)
				if p < 0 || p > 1 {
					t.Fatalf("p = %v outside [0,1]", p)
				}
				if l > 1 && p < PAt(50, v, t1, l-1, 6) {
					t.Fatalf("p not increasing in l at t=%d", t1)
				}
				if PAt(50, v, t1+1, l, 6) > p {
					t.Fatalf("p not decreasing in t at t=%d", t1)
				}
				if PAt(50, 2*v, t1, l, 6) < p {
					t.Fatalf("p not increasing in v at t=%d", t1)
				}
			}
		}
	}
	// The paper/METHOD.md §5 calibration: k = ln2·T/v0 gives p^L(T) = 1/2.
	if p := PAt(math.Ln2*1000/0.7, 0.7, 1000, 6, 6); math.Abs(p-0.5) > 1e-15 {
		t.Errorf("calibrated p^L(T) = %v, want 0.5", p)
	}
}

type recorder struct{ p float64 }

func (r *recorder) SetP(p float64) { r.p = p }

func TestScheduleStop(t *testing.T) {
	for _, mode := range []StopMode{StopZero, StopFreeze, StopNever} {
		t.Run(fmt.Sprint(mode), func(t *testing.T) {
			targets := []Target{&recorder{}, &recorder{}, &recorder{}}
			s := NewSchedule(30, 0.9, 0.15, 0.7, mode, targets)
			stopped := 0
			var atStop []float64
			for step := 1; step <= 2000; step++ {
				s.StartStep(step)
				var sum float64
				for _, tg := range targets {
					sum += tg.(*recorder).p
				}
				if stopped == 0 && s.StoppedAt() != 0 {
					stopped = step
					atStop = append([]float64(nil), s.P()...)
					if mode != StopNever && s.StoppedAt() != step {
						t.Fatalf("StoppedAt = %d at step %d", s.StoppedAt(), step)
					}
				}
				if stopped != 0 {
					switch mode {
					case StopZero:
						if sum != 0 {
							t.Fatalf("step %d: Σp = %v after the stop, want 0", step, sum)
						}
					case StopFreeze:
						for l, tg := range targets {
							if tg.(*recorder).p != atStop[l] {
								t.Fatalf("step %d: p changed after freezing", step)
							}
						}
					}
				} else if mode != StopNever && step > 1 && sum < 0.15 {
					t.Fatalf("step %d: Σp = %v < δ but annealing did not stop", step, sum)
				}
				s.ObserveLoss(step, 0.5)
			}
			if mode == StopNever && stopped != 0 {
				t.Fatal("StopNever stopped")
			}
			traced := map[string]float64{}
			s.Trace(func(k string, v float64) { traced[k] = v })
			if v, ok := traced[TraceStop]; ok != (mode != StopNever) || ok && v != float64(stopped) {
				t.Fatalf("trace %s = %v (present %v), want %d present only when the schedule can stop", TraceStop, v, ok, stopped)
			}
			if mode != StopNever && stopped == 0 {
				t.Fatal("annealing never stopped")
			}
		})
	}
}

func TestScheduleMovingAverage(t *testing.T) {
	s := NewSchedule(1, 0.99, 0, 2, StopNever, []Target{&recorder{}})
	s.ObserveLoss(1, 1)
	if want := 0.99*2 + 0.01*1; s.V() != want {
		t.Fatalf("v = %v, want %v", s.V(), want)
	}
}

func TestOptionsRejectUnknown(t *testing.T) {
	if _, err := experiment.ResolveOptions(Config{}.Options(), experiment.Options{"eval": "maybe"}); err == nil {
		t.Error("eval=maybe accepted")
	}
	if _, err := experiment.ResolveOptions(Config{}.Options(), experiment.Options{"colour": "red"}); err == nil {
		t.Error("unknown option accepted")
	}
}

func TestCalibrateK(t *testing.T) {
	for _, c := range []struct {
		tStop float64
		L     int
		delta float64
	}{{1000, 6, 0.3}, {50, 3, 0.15}, {1e6, 20, 1}} {
		k := CalibrateK(c.tStop, c.L, c.delta, 0.7)
		var sum float64
		for l := 1; l <= c.L; l++ {
			sum += PAt(k, 0.7, int(c.tStop), l, c.L)
		}
		if math.Abs(sum-c.delta) > 1e-9 {
			t.Errorf("%+v: Σp at tStop = %v, want δ = %v", c, sum, c.delta)
		}
		// And the schedule stops right there at constant loss.
		targets := make([]Target, c.L)
		for i := range targets {
			targets[i] = &recorder{}
		}
		s := NewSchedule(k*(1-1e-9), 0.99, c.delta, 0.7, StopZero, targets)
		for step := 1; step <= int(c.tStop); step++ {
			s.StartStep(step)
		}
		if s.StoppedAt() != int(c.tStop) {
			t.Errorf("%+v: stopped at %d", c, s.StoppedAt())
		}
	}
}
