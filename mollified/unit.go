package mollified

import (
	"math"

	"github.com/mollifying/mollify/nn"
)

// Unit is the element-wise maths of Algorithm 1 for one activation. It is
// deterministic: the noise draws |ξ| are inputs.
type Unit struct {
	Kind nn.Kind
	// C scales the noise (Alg. 1 line 5; Eq. 26 has no c, which is c = 1).
	C float64
}

// Out is the value of a unit and its partial derivatives.
type Out struct {
	// Psi is the noisy activation ψ.
	Psi float64
	// DX and DA are ∂ψ/∂x and ∂ψ/∂a with ξ held fixed.
	DX, DA float64
}

// Sigma returns σ(x) = (sigmoid(a·Δ) − 0.5)² with Δ = u(x) − f(x), and its
// derivatives with respect to x and a. fx and dfx are f(x) and f'(x).
func (u Unit) Sigma(x, a, fx, dfx float64) (sigma, dx, da float64) {
	slope, u0 := u.Kind.Linear()
	delta := slope*x + u0 - fx
	sg := nn.SigmoidF(a * delta)
	g := sg - 0.5
	common := 2 * g * sg * (1 - sg)
	return g * g, common * a * (slope - dfx), common * delta
}

// Eval computes ψ(x, ξ) for noise level p, slope a and half-normal draw
// absXi = |ξ|. At p = 0 or absXi = 0 it returns f(x) exactly.
func (u Unit) Eval(x, p, a, absXi float64) Out {
	fx := u.Kind.F(x)
	dfx := u.Kind.D(x, fx)
	if p == 0 || absXi == 0 {
		return Out{Psi: fx, DX: dfx}
	}
	sigma, dsx, dsa := u.Sigma(x, a, fx, dfx)
	scale := p * u.C * absXi // s = scale·σ
	s := scale * sigma
	if u.Kind == nn.ReLU {
		// Eqs. 26-27: ψ = f(x) − min(|x|, s). Where |x| ≤ s the unit is the
		// identity (ψ = x, reached for x < 0 only: σ = 0 for x > 0).
		if math.Abs(x) <= s {
			return Out{Psi: x, DX: 1}
		}
		return Out{Psi: fx - s, DX: dfx - scale*dsx, DA: -scale * dsa}
	}
	slope, u0 := u.Kind.Linear()
	us := slope * x
	fs := fx - u0
	g := sign(us)
	if g == 0 {
		// x = 0: ψ = u(0) = f(0). The formula's derivative would be 0 here;
		// use f'(0) (= u's slope), its limit from both sides.
		return Out{Psi: u0, DX: dfx}
	}
	inner := fs + g*s
	if math.Abs(us) <= math.Abs(inner) {
		// The noise has pushed ψ onto the linear approximation: ψ = u(x).
		return Out{Psi: us + u0, DX: slope}
	}
	k := g * sign(inner)
	return Out{Psi: g*math.Abs(inner) + u0, DX: k * (dfx + g*scale*dsx), DA: k * g * scale * dsa}
}

func sign(v float64) float64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}
