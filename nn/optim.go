package nn

import (
	"fmt"
	"math"

	"github.com/mollifying/mollify/vmath"
)

// Optimizer updates parameters from their gradients.
type Optimizer[T Float] interface {
	// Step applies one update with learning rate lr. The parameter list must
	// be the same, in the same order, at every call.
	Step(ps []*Param[T], lr float64)
}

// SGD is stochastic gradient descent with optional (Nesterov) momentum and
// L2 weight decay, in the PyTorch form: v ← μv + g; w ← w − lr·v
// (w ← w − lr·(g + μv) with Nesterov).
type SGD[T Float] struct {
	Momentum    float64
	Nesterov    bool
	WeightDecay float64

	vel [][]T
}

// Step implements [Optimizer].
func (o *SGD[T]) Step(ps []*Param[T], lr float64) {
	if o.Momentum != 0 && o.vel == nil {
		o.vel = make([][]T, len(ps))
		for i, p := range ps {
			o.vel[i] = make([]T, len(p.Value))
		}
	}
	checkState("SGD", len(o.vel), len(ps), o.Momentum != 0)
	mu, wd, eta := T(o.Momentum), T(o.WeightDecay), T(lr)
	for i, p := range ps {
		decay := wd
		if p.NoDecay {
			decay = 0
		}
		if o.Momentum == 0 {
			for j, g := range p.Grad {
				p.Value[j] -= eta * (g + decay*p.Value[j])
			}
			continue
		}
		v := o.vel[i]
		if w32, ok := any(p.Value).([]float32); ok {
			// The vectorised kernel computes the loop below, bit for bit.
			vmath.SGD(w32, any(p.Grad).([]float32), any(v).([]float32), float32(mu), float32(decay), float32(eta), o.Nesterov)
			continue
		}
		for j, g := range p.Grad {
			g += decay * p.Value[j]
			v[j] = mu*v[j] + g
			if o.Nesterov {
				p.Value[j] -= eta * (g + mu*v[j])
			} else {
				p.Value[j] -= eta * v[j]
			}
		}
	}
}

// Adam is the optimiser of Kingma & Ba (2015) with bias correction.
type Adam[T Float] struct {
	Beta1, Beta2, Eps float64

	t    int
	m, v [][]T
}

// NewAdam returns Adam with the usual constants (0.9, 0.999, 1e-8).
func NewAdam[T Float]() *Adam[T] { return &Adam[T]{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8} }

// Step implements [Optimizer].
func (o *Adam[T]) Step(ps []*Param[T], lr float64) {
	if o.m == nil {
		o.m, o.v = make([][]T, len(ps)), make([][]T, len(ps))
		for i, p := range ps {
			o.m[i], o.v[i] = make([]T, len(p.Value)), make([]T, len(p.Value))
		}
	}
	checkState("Adam", len(o.m), len(ps), true)
	o.t++
	b1, b2 := T(o.Beta1), T(o.Beta2)
	c1 := 1 - math.Pow(o.Beta1, float64(o.t))
	c2 := 1 - math.Pow(o.Beta2, float64(o.t))
	step := T(lr * math.Sqrt(c2) / c1)
	eps := T(o.Eps * math.Sqrt(c2))
	for i, p := range ps {
		m, v := o.m[i], o.v[i]
		for j, g := range p.Grad {
			m[j] = b1*m[j] + (1-b1)*g
			v[j] = b2*v[j] + (1-b2)*g*g
			p.Value[j] -= step * m[j] / (T(math.Sqrt(float64(v[j]))) + eps)
		}
	}
}

func checkState(name string, have, want int, used bool) {
	if used && have != want {
		panic(fmt.Sprintf("nn: %s was set up for %d parameters and called with %d", name, have, want))
	}
}

// GradNorm returns the global L2 norm of the gradients.
func GradNorm[T Float](ps []*Param[T]) float64 {
	var s float64
	for _, p := range ps {
		for _, g := range p.Grad {
			s += float64(g) * float64(g)
		}
	}
	return math.Sqrt(s)
}

// ClipGradNorm rescales the gradients so that their global norm is at most
// max, and returns the norm before clipping. max ≤ 0 disables clipping, and
// then the norm is not computed (it returns 0): a full pass over the
// gradients is a noticeable part of a small network's step.
func ClipGradNorm[T Float](ps []*Param[T], max float64) float64 {
	if max <= 0 {
		return 0
	}
	n := GradNorm(ps)
	if max > 0 && n > max {
		s := T(max / n)
		for _, p := range ps {
			for j := range p.Grad {
				p.Grad[j] *= s
			}
		}
	}
	return n
}
