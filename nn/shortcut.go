package nn

import (
	"fmt"
	"math/rand/v2"
)

// ShortcutKind is how a residual block's shortcut changes the shape of its
// input when the block changes the number of channels or strides (He et al.
// 2016, Sec. 3.3). Where the shapes agree the shortcut is the identity.
type ShortcutKind int

// The shortcut kinds.
const (
	// ShortcutPad is He et al.'s option A, the one of their CIFAR-10
	// networks and of the stochastic-depth code: keep every stride-th pixel
	// and append zero channels. It has no parameters.
	ShortcutPad ShortcutKind = iota
	// ShortcutProject is option B: a strided 1×1 convolution followed by
	// batch normalisation.
	ShortcutProject
)

var shortcutNames = [...]string{"pad", "project"}

func (k ShortcutKind) String() string {
	if k < 0 || int(k) >= len(shortcutNames) {
		return fmt.Sprintf("ShortcutKind(%d)", int(k))
	}
	return shortcutNames[k]
}

// ParseShortcut returns the shortcut kind called name ("pad" or "project").
func ParseShortcut(name string) (ShortcutKind, error) {
	for i, n := range shortcutNames {
		if n == name {
			return ShortcutKind(i), nil
		}
	}
	return 0, fmt.Errorf("unknown shortcut %q (want pad or project)", name)
}

// MarshalText implements encoding.TextMarshaler.
func (k ShortcutKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *ShortcutKind) UnmarshalText(b []byte) error {
	v, err := ParseShortcut(string(b))
	*k = v
	return err
}

// Shortcut is the skip path of a residual block from In-shaped images to
// Out-shaped ones, Stride being the block's stride.
type Shortcut[T Float] struct {
	In, Out Shape
	Stride  int
	Kind    ShortcutKind
	// Proj and BN are the projection of ShortcutProject.
	Proj *Conv2D[T]
	BN   *SpatialBatchNorm[T]

	y, dx Mat[T]
}

// NewShortcut returns the shortcut from in to out images. A projection
// draws its weights by init from r; the identity and option A use no
// randomness.
func NewShortcut[T Float](name string, in, out Shape, stride int, kind ShortcutKind, init Init, r *rand.Rand) *Shortcut[T] {
	s := &Shortcut[T]{In: in, Out: out, Stride: stride, Kind: kind}
	if ho, wo := ConvOut(in.H, 1, stride, 0), ConvOut(in.W, 1, stride, 0); ho != out.H || wo != out.W {
		panic(fmt.Sprintf("nn: shortcut %s: stride %d maps %v to %d×%d pixels, not %v", name, stride, in, ho, wo, out))
	}
	if s.Identity() {
		return s
	}
	switch kind {
	case ShortcutPad:
		if out.C < in.C {
			panic(fmt.Sprintf("nn: shortcut %s: zero-padding cannot narrow %v to %v", name, in, out))
		}
	case ShortcutProject:
		s.Proj = NewConv2D[T](name+".proj", in, out.C, 1, stride, 0, false, init, r)
		s.BN = NewSpatialBatchNorm[T](name+".proj.bn", out)
	default:
		panic(fmt.Sprintf("nn: shortcut %s: unknown kind %v", name, kind))
	}
	return s
}

// Identity reports whether the shortcut passes its input through unchanged.
func (s *Shortcut[T]) Identity() bool { return s.In == s.Out && s.Stride == 1 }

// Forward implements [Layer]. The identity returns x itself.
func (s *Shortcut[T]) Forward(x *Mat[T], train bool) *Mat[T] {
	mustCols("Shortcut", x, s.In.Size())
	switch {
	case s.Identity():
		return x
	case s.Proj != nil:
		return s.BN.Forward(s.Proj.Forward(x, train), train)
	}
	y := s.y.Reshape(x.Rows, s.Out.Size())
	for i := range x.Rows {
		xi, yi := x.Row(i), y.Row(i)
		for c := range s.Out.C {
			dst := yi[c*s.Out.Plane() : (c+1)*s.Out.Plane()]
			if c >= s.In.C {
				clear(dst)
				continue
			}
			src := xi[c*s.In.Plane() : (c+1)*s.In.Plane()]
			for oh := range s.Out.H {
				row := src[oh*s.Stride*s.In.W:]
				d := dst[oh*s.Out.W : (oh+1)*s.Out.W]
				for ow := range d {
					d[ow] = row[ow*s.Stride]
				}
			}
		}
	}
	return y
}

// Backward implements [Layer]. The identity returns dy itself.
func (s *Shortcut[T]) Backward(dy *Mat[T]) *Mat[T] {
	switch {
	case s.Identity():
		return dy
	case s.Proj != nil:
		return s.Proj.Backward(s.BN.Backward(dy))
	}
	dx := s.dx.Reshape(dy.Rows, s.In.Size())
	dx.Zero()
	for i := range dy.Rows {
		di, oi := dy.Row(i), dx.Row(i)
		for c := range s.In.C {
			src := di[c*s.Out.Plane() : (c+1)*s.Out.Plane()]
			dst := oi[c*s.In.Plane() : (c+1)*s.In.Plane()]
			for oh := range s.Out.H {
				row := dst[oh*s.Stride*s.In.W:]
				for ow, v := range src[oh*s.Out.W : (oh+1)*s.Out.W] {
					row[ow*s.Stride] = v
				}
			}
		}
	}
	return dx
}

// Params implements [Layer].
func (s *Shortcut[T]) Params() []*Param[T] {
	if s.Proj == nil {
		return nil
	}
	return append(s.Proj.Params(), s.BN.Params()...)
}
