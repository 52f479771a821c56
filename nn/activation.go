package nn

import (
	"fmt"
	"math"
	"strings"

	"github.com/mollifying/mollify/vmath"
)

// Kind names an element-wise non-linearity.
type Kind int

// The non-linearities of the paper's models.
const (
	Identity Kind = iota
	Sigmoid
	Tanh
	ReLU
	HardSigmoid // max(min(0.25x+0.5, 1), 0)
	HardTanh    // max(min(x, 1), -1)
)

var kindNames = [...]string{"identity", "sigmoid", "tanh", "relu", "hard-sigmoid", "hard-tanh"}

func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return kindNames[k]
}

// ParseKind returns the non-linearity called name.
func ParseKind(name string) (Kind, error) {
	for i, n := range kindNames {
		if n == name {
			return Kind(i), nil
		}
	}
	return 0, fmt.Errorf("unknown activation %q (want one of %s)", name, strings.Join(kindNames[:], ", "))
}

// MarshalText implements encoding.TextMarshaler, so a Kind reads as its name
// in configuration files.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	*k = v
	return err
}

// SigmoidF is the logistic function, written so that it neither overflows nor
// loses the small tail for large |x|.
func SigmoidF(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// F evaluates the non-linearity.
func (k Kind) F(x float64) float64 {
	switch k {
	case Identity:
		return x
	case Sigmoid:
		return SigmoidF(x)
	case Tanh:
		return math.Tanh(x)
	case ReLU:
		return max(x, 0)
	case HardSigmoid:
		return max(min(0.25*x+0.5, 1), 0)
	case HardTanh:
		return max(min(x, 1), -1)
	}
	panic("nn: unknown activation " + k.String())
}

// D is the derivative at x, given y = F(x) (cheaper for sigmoid and tanh).
// At the kinks of the piecewise-linear functions it takes the one-sided
// value of the flat side, as the authors' Theano code does.
func (k Kind) D(x, y float64) float64 {
	switch k {
	case Identity:
		return 1
	case Sigmoid:
		return y * (1 - y)
	case Tanh:
		return 1 - y*y
	case ReLU:
		if x > 0 {
			return 1
		}
		return 0
	case HardSigmoid:
		if x > -2 && x < 2 {
			return 0.25
		}
		return 0
	case HardTanh:
		if x > -1 && x < 1 {
			return 1
		}
		return 0
	}
	panic("nn: unknown activation " + k.String())
}

// Linear returns the first-order Taylor expansion at 0, u(x) = slope·x + u0,
// that the noisy and mollified units are pushed towards (paper Sec. 5,
// Noisy Activation Functions Sec. 2). For ReLU it is the identity (Sec. 5.1).
func (k Kind) Linear() (slope, u0 float64) {
	switch k {
	case Sigmoid, HardSigmoid:
		return 0.25, 0.5
	case Tanh, HardTanh, ReLU, Identity:
		return 1, 0
	}
	panic("nn: unknown activation " + k.String())
}

// Act applies a non-linearity element-wise.
type Act[T Float] struct {
	Kind Kind

	x     *Mat[T]
	y, dx Mat[T]
}

// NewAct returns the element-wise layer for kind.
func NewAct[T Float](kind Kind) *Act[T] { return &Act[T]{Kind: kind} }

// Fn returns the vmath function of k (the two enumerations share their
// values, which TestKindFn checks).
func (k Kind) Fn() vmath.Fn { return vmath.Fn(k) }

// Forward implements [Layer]. A float32 batch goes through the vectorised
// kernels of package vmath; float64 (the gradient checks) stays on the
// exact math path.
func (a *Act[T]) Forward(x *Mat[T], _ bool) *Mat[T] {
	a.x = x
	y := a.y.Reshape(x.Rows, x.Cols)
	if xs, ok := any(x.Data).([]float32); ok {
		vmath.Forward(a.Kind.Fn(), any(y.Data).([]float32), xs)
		return y
	}
	for i, v := range x.Data {
		y.Data[i] = T(a.Kind.F(float64(v)))
	}
	return y
}

// Backward implements [Layer].
func (a *Act[T]) Backward(dy *Mat[T]) *Mat[T] {
	dx := a.dx.Reshape(dy.Rows, dy.Cols)
	if g, ok := any(dy.Data).([]float32); ok {
		vmath.Backward(a.Kind.Fn(), any(dx.Data).([]float32), g, any(a.x.Data).([]float32), any(a.y.Data).([]float32))
		return dx
	}
	for i, g := range dy.Data {
		dx.Data[i] = g * T(a.Kind.D(float64(a.x.Data[i]), float64(a.y.Data[i])))
	}
	return dx
}

// Params implements [Layer]; an activation has none.
func (a *Act[T]) Params() []*Param[T] { return nil }
