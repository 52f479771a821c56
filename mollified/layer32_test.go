package mollified

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/rng"
	"github.com/mollifying/mollify/vmath"
)

// TestKernelMatchesUnit compares the fused float32 kernel (vmath.Mollify)
// with Unit.Eval's float64 maths on the same float32 inputs, for every
// kind, noise level and slope. Elements within a hair of a branch boundary
// of Eq. 25 (|u*| = |f* ± s|, or f* ± s = 0; |x| = s for ReLU), where the
// two precisions may legitimately take different sides, are skipped.
func TestKernelMatchesUnit(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	const n = 4000
	x, xi, pi, prev, a := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	h, dpsi, dpsida := make([]float32, n), make([]float32, n), make([]float32, n)
	for _, k := range append(saturating, nn.ReLU) {
		for _, pc := range [][2]float64{{0.1, 0.5}, {0.5, 3}, {1, 1}} {
			p, c := pc[0], pc[1]
			for i := range n {
				x[i] = float32(3 * r.NormFloat64())
				if i%97 == 0 {
					x[i] = 0
				}
				xi[i] = float32(math.Abs(r.NormFloat64()))
				if i%13 == 0 {
					xi[i] = 0
				}
				pi[i] = float32(r.IntN(2))
				prev[i] = float32(r.NormFloat64())
				a[i] = float32(0.5 + 1.5*r.Float64())
			}
			vmath.Mollify(k.Fn(), h, dpsi, dpsida, x, xi, pi, prev, a, float32(p*c))
			u := Unit{Kind: k, C: c}
			checked := 0
			for i := range n {
				if pi[i] == 1 {
					if h[i] != prev[i] || dpsi[i] != 0 || dpsida[i] != 0 {
						t.Fatalf("%v: skipped unit %d gives h=%v ∂x=%v ∂a=%v, want %v 0 0", k, i, h[i], dpsi[i], dpsida[i], prev[i])
					}
					continue
				}
				xv, av, xiv := float64(x[i]), float64(a[i]), float64(xi[i])
				fx := k.F(xv)
				sigma, _, _ := u.Sigma(xv, av, fx, k.D(xv, fx))
				scale := p * c * xiv
				s := scale * sigma
				slope, u0 := k.Linear()
				margin := math.Abs(math.Abs(xv) - s)
				if k != nn.ReLU {
					inner := fx - u0 + math.Copysign(s, xv)
					margin = min(math.Abs(math.Abs(slope*xv)-math.Abs(inner)), math.Abs(inner))
				}
				if s != 0 && xv != 0 && margin < 1e-4*(1+math.Abs(xv)+s) {
					continue
				}
				checked++
				want := u.Eval(xv, p, av, xiv)
				tol := 1e-5 * (1 + scale)
				for _, c := range []struct {
					name      string
					got, want float64
				}{{"ψ", float64(h[i]), want.Psi}, {"∂ψ/∂x", float64(dpsi[i]), want.DX}, {"∂ψ/∂a", float64(dpsida[i]), want.DA}} {
					if math.Abs(c.got-c.want) > tol*(1+math.Abs(c.want)) {
						t.Fatalf("%v p=%v c=%v x=%v a=%v |ξ|=%v: %s = %v (float32 kernel), %v (Unit.Eval)", k, p, c, xv, av, xiv, c.name, c.got, c.want)
					}
				}
			}
			if checked < n/3 {
				t.Fatalf("%v: only %d of %d units checked", k, checked, n)
			}
		}
	}
}

// TestFloat32LayerDraws: a float32 layer (vectorised path) and a float64
// layer (Unit's path) with the same noise stream take the same draws in the
// same order: the same π for every element, and the streams end in the
// same state; units that skip copy the previous layer exactly; and the
// vectorised backward pass agrees with the float64 one.
func TestFloat32LayerDraws(t *testing.T) {
	const in, out, batch = 9, 7, 6
	for v, variant := range []struct {
		perBatch, proj, learnA bool
		parts                  Parts
		p                      float64
	}{{false, false, false, Both, 0.6}, {false, false, false, SkipOnly, 0.6}, {false, false, false, NoiseOnly, 0.6}, {true, false, false, Both, 0.6},
		{false, true, false, Both, 0.6}, {false, false, true, Both, 0.6}, {false, false, false, Both, 0}, {false, true, false, Both, 0}} {
		perBatch, parts := variant.perBatch, variant.parts
		{
			l32 := NewLayer[float32]("h", in, out, nn.Sigmoid, 0.5, nn.Glorot, rand.New(rand.NewPCG(1, 1)), rng.NewNoise(2, "test"))
			l64 := NewLayer[float64]("h", in, out, nn.Sigmoid, 0.5, nn.Glorot, rand.New(rand.NewPCG(1, 1)), rng.NewNoise(2, "test"))
			if variant.proj {
				l32.Proj = nn.NewDense[float32]("p", in, out, nn.Glorot, rand.New(rand.NewPCG(4, 4)))
				l64.Proj = nn.NewDense[float64]("p", in, out, nn.Glorot, rand.New(rand.NewPCG(4, 4)))
			}
			if variant.learnA {
				l32.LearnA(1.5)
				l64.LearnA(1.5)
			}
			for _, l := range []interface{ SetP(float64) }{l32, l64} {
				l.SetP(variant.p)
			}
			l32.PerBatch, l64.PerBatch = perBatch, perBatch
			l32.Parts, l64.Parts = parts, parts
			x32, x64 := nn.NewMat[float32](batch, in), nn.NewMat[float64](batch, in)
			r := rand.New(rand.NewPCG(3, 3))
			for i := range x32.Data {
				x32.Data[i] = float32(r.NormFloat64())
				x64.Data[i] = float64(x32.Data[i])
			}
			for step := range 2 {
				h32, h64 := l32.Forward(x32, true), l64.Forward(x64, true)
				dy32, dy64 := nn.NewMat[float32](batch, out), nn.NewMat[float64](batch, out)
				for i := range dy32.Data {
					dy32.Data[i] = float32(r.NormFloat64())
					dy64.Data[i] = float64(dy32.Data[i])
				}
				nn.ZeroGrad(l32.Params())
				nn.ZeroGrad(l64.Params())
				dx32, dx64 := l32.Backward(dy32), l64.Backward(dy64)
				for i := range dx64.Data {
					if math.Abs(float64(dx32.Data[i])-dx64.Data[i]) > 1e-4 {
						t.Fatalf("variant %d: dL/dx[%d] = %v (float32), %v (float64)", v, i, dx32.Data[i], dx64.Data[i])
					}
				}
				for k, p := range l64.Params() {
					for i, g := range p.Grad {
						if math.Abs(float64(l32.Params()[k].Grad[i])-g) > 1e-4 {
							t.Fatalf("variant %d: %s grad[%d] = %v (float32), %v (float64)", v, p.Name, i, l32.Params()[k].Grad[i], g)
						}
					}
				}
				for i := range l64.w.Data {
					if float64(l32.w.Data[i]) != l64.w.Data[i] {
						t.Fatalf("perBatch=%v parts=%v step %d: π[%d] = %v (float32), %v (float64)", perBatch, parts, step, i, l32.w.Data[i], l64.w.Data[i])
					}
					if !variant.proj && l64.w.Data[i] == 1 && float64(h32.Data[i]) != h64.Data[i] {
						t.Fatalf("skipped unit %d: %v (float32), %v (float64)", i, h32.Data[i], h64.Data[i])
					}
					if math.Abs(float64(h32.Data[i])-h64.Data[i]) > 1e-3 {
						t.Fatalf("unit %d: h = %v (float32), %v (float64)", i, h32.Data[i], h64.Data[i])
					}
				}
			}
			if a, b := l32.rnd.Uint64(), l64.rnd.Uint64(); a != b {
				t.Fatalf("variant %d: the noise streams diverged", v)
			}
		}
	}
}

// TestConvBlockFloat32Draws: the float32 convnet (fused ReLU kernel) and the
// float64 one (Unit's path) take the same draws in the same order, per
// activation and per batch, and agree on every block's output.
func TestConvBlockFloat32Draws(t *testing.T) {
	a := &experiment.ConvNet{ResNetSpec: nn.ResNetSpec{In: nn.Shape{C: 2, H: 5, W: 5}, Classes: 3, Blocks: 1, Widths: []int{3, 4}, Init: nn.He}}
	for _, gran := range []string{"example", "batch"} {
		o, err := experiment.ResolveOptions(Config{}.Options(), experiment.Options{OptGranularity: gran})
		if err != nil {
			t.Fatal(err)
		}
		n32, b32s, err := BuildConvNet[float32](a, convHyper(), o, 3)
		if err != nil {
			t.Fatal(err)
		}
		n64, b64s, err := BuildConvNet[float64](a, convHyper(), o, 3)
		if err != nil {
			t.Fatal(err)
		}
		for i := range b32s {
			b32s[i].SetP(0.6)
			b64s[i].SetP(0.6)
		}
		x32 := randImages(4, a.In, 5)
		x64 := nn.NewMat[float64](x32.Rows, x32.Cols)
		for i, v := range x32.Data {
			x64.Data[i] = float64(v)
		}
		y32, y64 := n32.Forward(x32, true), n64.Forward(x64, true)
		for i := range y64.Data {
			if math.Abs(float64(y32.Data[i])-y64.Data[i]) > 1e-3*(1+math.Abs(y64.Data[i])) {
				t.Fatalf("%s: logit %d = %v (float32), %v (float64)", gran, i, y32.Data[i], y64.Data[i])
			}
		}
		for k := range b32s {
			for i, w := range b64s[k].w.Data {
				if float64(b32s[k].w.Data[i]) != w {
					t.Fatalf("%s: block %d π[%d] = %v (float32), %v (float64)", gran, k, i, b32s[k].w.Data[i], w)
				}
			}
			if b32s[k].rnd.Uint64() != b64s[k].rnd.Uint64() {
				t.Fatalf("%s: block %d: the noise streams diverged", gran, k)
			}
		}
	}
}

// BenchmarkUnitKernel times Algorithm 1 per element: Unit.Eval in float64
// (the path a float32 layer took before the kernels) against the fused
// float32 kernel vmath.Mollify, in ns per element, draws excluded.
func BenchmarkUnitKernel(b *testing.B) {
	const n = 10000
	r := rand.New(rand.NewPCG(1, 2))
	x, xi, pi, prev, a := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	h, dpsi, dpsida := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range n {
		x[i], xi[i], pi[i], prev[i], a[i] = float32(3*r.NormFloat64()), float32(math.Abs(r.NormFloat64())), float32(r.IntN(2)), 1, 1
	}
	for _, k := range []nn.Kind{nn.Sigmoid, nn.ReLU} {
		u := Unit{Kind: k, C: 0.5}
		b.Run(k.String()+"/eval", func(b *testing.B) {
			for b.Loop() {
				for i := range x {
					if pi[i] == 1 {
						h[i], dpsi[i], dpsida[i] = prev[i], 0, 0
						continue
					}
					o := u.Eval(float64(x[i]), 1, float64(a[i]), float64(xi[i]))
					h[i], dpsi[i], dpsida[i] = float32(o.Psi), float32(o.DX), float32(o.DA)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/elem")
		})
		b.Run(k.String()+"/kernel", func(b *testing.B) {
			for b.Loop() {
				vmath.Mollify(k.Fn(), h, dpsi, dpsida, x, xi, pi, prev, a, 0.5)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/elem")
		})
	}
}
