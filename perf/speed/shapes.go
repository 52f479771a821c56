package speed

import (
	"fmt"
	"sort"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/gemm"
)

// shapeKey identifies a product up to its operands.
type shapeKey struct {
	transA, transB bool
	m, n, k        int
}

// recorder is a gemm.Backend that forwards to another and adds up the
// flops of each distinct product shape.
type recorder struct {
	gemm.Backend
	flops map[shapeKey]float64
}

func (r *recorder) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	r.flops[shapeKey{transA, transB, m, n, k}] += 2 * float64(m) * float64(n) * float64(k)
	r.Backend.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// ShapeName names a product as the GEMM benchmarks do: m×n×k in digits,
// "_tA" or "_tB" for a transposed operand.
func ShapeName(transA, transB bool, m, n, k int) string {
	s := fmt.Sprintf("%dx%dx%d", m, n, k)
	if transA {
		s += "_tA"
	}
	if transB {
		s += "_tB"
	}
	return s
}

// StepShapes runs one update of every case of a profile (see Cases; the
// early phase of a scheduled configuration, whose products are those of
// the late one) and returns every distinct product shape the updates
// make, named by ShapeName, each with the case in which it has its largest
// share of the update's product flops (Use, Share): largest share first,
// then by name. It swaps the process-wide gemm backend while it runs.
func StepShapes(profile experiment.Profile) ([]GemmShape, error) {
	cs, err := Cases(profile, false)
	if err != nil {
		return nil, err
	}
	best := map[shapeKey]GemmShape{}
	for _, c := range cs {
		if c.Late {
			continue
		}
		s, err := NewStep(c, 1)
		if err != nil {
			return nil, fmt.Errorf("speed: %s: %w", c.Name(), err)
		}
		r := &recorder{Backend: gemm.Current(), flops: map[shapeKey]float64{}}
		prev := gemm.Use(r)
		s.Run()
		gemm.Use(prev)
		var total float64
		for _, f := range r.flops {
			total += f
		}
		for k, f := range r.flops {
			if g, ok := best[k]; ok && g.Share >= f/total {
				continue
			}
			best[k] = GemmShape{
				Name: ShapeName(k.transA, k.transB, k.m, k.n, k.k), M: k.m, N: k.n, K: k.k, TransA: k.transA, TransB: k.transB,
				Use: c.Name(), Share: f / total,
			}
		}
	}
	out := make([]GemmShape, 0, len(best))
	for _, g := range best {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Share != out[j].Share {
			return out[i].Share > out[j].Share
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}
