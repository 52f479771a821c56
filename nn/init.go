package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Init names a weight initialisation scheme. Weights are drawn in float64 and
// rounded to the element type.
type Init struct {
	Kind InitKind
	// Scale is the gain of Orthogonal and the half-width of Uniform.
	Scale float64
}

// InitKind enumerates the initialisation schemes.
type InitKind int

// Initialisation schemes.
const (
	// GlorotUniform draws U(−r, r) with r = sqrt(6/(fan_in+fan_out))
	// (Glorot & Bengio 2010), the paper's "Glorot initialization".
	GlorotUniform InitKind = iota
	// HeNormal draws N(0, 2/fan_in) (He et al. 2015), for ReLU networks.
	HeNormal
	// Orthogonal is a random (semi-)orthogonal matrix times Scale
	// (Saxe et al. 2014).
	Orthogonal
	// Uniform draws U(−Scale, Scale), as in Zaremba et al.'s LSTMs.
	Uniform
	// Zeros sets every weight to 0.
	Zeros
)

// Common initialisers.
var (
	Glorot = Init{Kind: GlorotUniform}
	He     = Init{Kind: HeNormal}
)

// String is the name ParseInit reads back.
func (in Init) String() string {
	switch in.Kind {
	case GlorotUniform:
		return "glorot"
	case HeNormal:
		return "he"
	case Orthogonal:
		return "orthogonal:" + strconv.FormatFloat(in.Scale, 'g', -1, 64)
	case Uniform:
		return "uniform:" + strconv.FormatFloat(in.Scale, 'g', -1, 64)
	case Zeros:
		return "zeros"
	}
	return fmt.Sprintf("InitKind(%d)", int(in.Kind))
}

// ParseInit reads "glorot", "he", "zeros", "orthogonal[:gain]" or
// "uniform:<half-width>".
func ParseInit(s string) (Init, error) {
	name, arg, hasArg := strings.Cut(s, ":")
	scale := 1.0
	if hasArg {
		v, err := strconv.ParseFloat(arg, 64)
		if err != nil || v <= 0 || math.IsInf(v, 0) {
			return Init{}, fmt.Errorf("init %q: scale %q is not a positive number", s, arg)
		}
		scale = v
	}
	switch name {
	case "glorot":
		return Glorot, nil
	case "he":
		return He, nil
	case "zeros":
		return Init{Kind: Zeros}, nil
	case "orthogonal":
		return Init{Kind: Orthogonal, Scale: scale}, nil
	case "uniform":
		if !hasArg {
			return Init{}, fmt.Errorf("init %q: uniform needs a half-width, e.g. uniform:0.1", s)
		}
		return Init{Kind: Uniform, Scale: scale}, nil
	}
	return Init{}, fmt.Errorf("unknown init %q (want glorot, he, zeros, orthogonal[:gain] or uniform:<half-width>)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (in Init) MarshalText() ([]byte, error) { return []byte(in.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (in *Init) UnmarshalText(b []byte) error {
	v, err := ParseInit(string(b))
	*in = v
	return err
}

// Fill draws a fanIn×fanOut weight matrix (row-major) into w.
func (in Init) Fill(w any, fanIn, fanOut int, r *rand.Rand) {
	v := make([]float64, fanIn*fanOut)
	switch in.Kind {
	case GlorotUniform:
		lim := math.Sqrt(6 / float64(fanIn+fanOut))
		for i := range v {
			v[i] = (2*r.Float64() - 1) * lim
		}
	case HeNormal:
		std := math.Sqrt(2 / float64(fanIn))
		for i := range v {
			v[i] = r.NormFloat64() * std
		}
	case Uniform:
		for i := range v {
			v[i] = (2*r.Float64() - 1) * in.Scale
		}
	case Orthogonal:
		orthogonal(v, fanIn, fanOut, in.Scale, r)
	case Zeros:
	default:
		panic("nn: unknown init " + in.String())
	}
	switch w := w.(type) {
	case []float32:
		for i := range w {
			w[i] = float32(v[i])
		}
	case []float64:
		copy(w, v)
	default:
		panic(fmt.Sprintf("nn: Init.Fill of %T", w))
	}
}

// orthogonal fills v (rows×cols) with gain·Q, where Q comes from the QR
// factorisation of a Gaussian matrix, signs fixed by diag(R) so that Q is
// Haar-distributed.
func orthogonal(v []float64, rows, cols int, gain float64, r *rand.Rand) {
	tall := rows >= cols
	n, k := rows, cols
	if !tall {
		n, k = cols, rows
	}
	g := mat.NewDense(n, k, nil)
	for i := range n {
		for j := range k {
			g.Set(i, j, r.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q, rr mat.Dense
	qr.QTo(&q)
	qr.RTo(&rr)
	for i := range rows {
		for j := range cols {
			a, b := i, j
			if !tall {
				a, b = j, i
			}
			s := 1.0
			if rr.At(b, b) < 0 {
				s = -1
			}
			v[i*cols+j] = gain * s * q.At(a, b)
		}
	}
}
