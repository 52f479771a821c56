package vmath

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestColumnsSameBits runs each column kernel on every path this CPU has
// and checks it against its Go loop over the whole row, bit for bit, at
// lengths around the vector width.
func TestColumnsSameBits(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	f32 := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(r.NormFloat64() * 3)
		}
		return s
	}
	f64 := func(n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = r.NormFloat64()
		}
		return s
	}
	same64 := func(name string, got, want []float64) {
		t.Helper()
		for i := range want {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("%s[%d] = %v, Go loop %v", name, i, got[i], want[i])
			}
		}
	}
	same32 := func(name string, got, want []float32) {
		t.Helper()
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s[%d] = %v, Go loop %v", name, i, got[i], want[i])
			}
		}
	}
	for _, p := range paths() {
		for _, n := range []int{0, 1, 7, 8, 9, 16, 23, 100, 256, 512} {
			t.Run(fmt.Sprintf("%s/%d", pathNames[p], n), func(t *testing.T) {
				prev := active
				active = p
				defer func() { active = prev }()
				x, x2, g, b := f32(n), f32(n), f32(n), f32(n)
				acc, mean, inv, sh, sdx := f64(n), f64(n), f64(n), f64(n), f64(n)

				got, want := slices.Clone(acc), slices.Clone(acc)
				ColAdd(got, x)
				colAddGo(want, x)
				same64("ColAdd", got, want)

				got, want = slices.Clone(acc), slices.Clone(acc)
				ColAddSqDev(got, mean, x)
				colAddSqDevGo(want, mean, x)
				same64("ColAddSqDev", got, want)

				got, want = slices.Clone(acc), slices.Clone(acc)
				gotP, wantP := slices.Clone(mean), slices.Clone(mean)
				ColAddDot(got, gotP, x, x2)
				colAddDotGo(want, wantP, x, x2)
				same64("ColAddDot s", got, want)
				same64("ColAddDot sp", gotP, wantP)

				h, y, wh, wy := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
				ColNormalize(h, y, x, mean, inv, g, b)
				colNormalizeGo(wh, wy, x, mean, inv, g, b)
				same32("ColNormalize h", h, wh)
				same32("ColNormalize y", y, wy)

				dx, wdx := make([]float32, n), make([]float32, n)
				ColNormalizeGrad(dx, x, x2, inv, sh, sdx, 0.01)
				colNormalizeGradGo(wdx, x, x2, inv, sh, sdx, 0.01)
				same32("ColNormalizeGrad", dx, wdx)
			})
		}
	}
}

// TestColumnsFormulas checks the Go loops against their documented
// formulas on values whose every operation is exact.
func TestColumnsFormulas(t *testing.T) {
	acc := []float64{1, 2}
	ColAdd(acc, []float32{0.5, -4})
	ColAddSqDev(acc, []float64{1, 1}, []float32{3, -1})
	if !slices.Equal(acc, []float64{5.5, 2}) {
		t.Errorf("ColAdd, ColAddSqDev: %v, want [5.5 2]", acc)
	}
	s, sp := []float64{0}, []float64{1}
	ColAddDot(s, sp, []float32{3}, []float32{-2})
	if s[0] != 3 || sp[0] != -5 {
		t.Errorf("ColAddDot: %v %v, want 3 -5", s, sp)
	}
	h, y := make([]float32, 1), make([]float32, 1)
	ColNormalize(h, y, []float32{5}, []float64{1}, []float64{0.5}, []float32{3}, []float32{1})
	if h[0] != 2 || y[0] != 7 {
		t.Errorf("ColNormalize: h %v y %v, want 2 7", h, y)
	}
	dx := make([]float32, 1)
	ColNormalizeGrad(dx, []float32{4}, []float32{2}, []float64{2}, []float64{1}, []float64{3}, 0.5)
	if dx[0] != 0 { // 2·((4 − 1) − 0.5·2·3)
		t.Errorf("ColNormalizeGrad: %v, want 0", dx[0])
	}
}

func TestColumnsShortSlicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("a short accumulator did not panic")
		}
	}()
	ColAdd(make([]float64, 7), make([]float32, 8))
}
