package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestPhasedIm2col checks that im2col and col2im through the phase planes
// give the bits of the general loops, on every phased geometry shape of
// window, stride and padding.
func TestPhasedIm2col(t *testing.T) {
	cases := []struct {
		in             Shape
		k, stride, pad int
	}{
		{Shape{C: 2, H: 8, W: 6}, 3, 2, 1}, // a ResNet's strided 3×3
		{Shape{C: 3, H: 4, W: 4}, 1, 2, 0}, // its projection
		{Shape{C: 1, H: 9, W: 6}, 5, 3, 2},
		{Shape{C: 2, H: 6, W: 4}, 2, 2, 0},
		{Shape{C: 1, H: 4, W: 6}, 4, 2, 1},
		{Shape{C: 2, H: 2, W: 2}, 3, 2, 1}, // one output pixel
	}
	r := rand.New(rand.NewPCG(5, 6))
	for _, c := range cases {
		t.Run(fmt.Sprintf("%v_k%d_s%d_p%d", c.in, c.k, c.stride, c.pad), func(t *testing.T) {
			ho, wo := ConvOut(c.in.H, c.k, c.stride, c.pad), ConvOut(c.in.W, c.k, c.stride, c.pad)
			if !phased(c.in, c.stride, ho, wo) {
				t.Fatalf("not a phased geometry: %d×%d output", ho, wo)
			}
			x := make([]float32, c.in.Size())
			for i := range x {
				x[i] = float32(r.NormFloat64())
			}
			n := c.in.C * c.k * c.k * ho * wo
			want, got := make([]float32, n), make([]float32, n)
			for i := range got {
				got[i] = float32(math.NaN()) // must all be overwritten
			}
			q := make([]float32, c.in.Size())
			im2col(x, c.in, c.k, c.stride, c.pad, ho, wo, want)
			im2colPhased(x, c.in, c.k, c.stride, c.pad, q, got)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("im2col[%d] = %v, general loop %v", i, got[i], want[i])
				}
			}
			dcol := make([]float32, n)
			for i := range dcol {
				dcol[i] = float32(r.NormFloat64())
			}
			dwant, dgot := make([]float32, c.in.Size()), make([]float32, c.in.Size())
			for i := range dgot {
				dgot[i] = float32(math.NaN())
			}
			col2im(append([]float32(nil), dcol...), c.in, c.k, c.stride, c.pad, ho, wo, dwant)
			col2imPhased(dcol, c.in, c.k, c.stride, c.pad, q, dgot)
			for i := range dwant {
				if math.Float32bits(dgot[i]) != math.Float32bits(dwant[i]) {
					t.Fatalf("col2im[%d] = %v, general loop %v", i, dgot[i], dwant[i])
				}
			}
		})
	}
}
