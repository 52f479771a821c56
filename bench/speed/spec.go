package speed

import (
	"fmt"

	"github.com/mollifying/mollify/bench"
)

// The benchmark command hands the PyTorch script (bench/torch_bench.py) a
// Spec in JSON: the products and training steps to time, described from
// the same values the Go benchmarks use, so that the two sides cannot
// drift apart.

// Spec is what the PyTorch script times.
type Spec struct {
	Gemm  []GemmShape `json:"gemm"`
	Steps []StepSpec  `json:"steps"`
	// Seconds is the CPU time to spend on each item, MinRound the shortest
	// round (see Measure), both in seconds.
	Seconds  float64 `json:"seconds"`
	MinRound float64 `json:"min_round"`
}

// GemmShape is one product C = op(A)·op(B), op(A) m×k, op(B) k×n.
type GemmShape struct {
	Name   string `json:"name"`
	M      int    `json:"m"`
	N      int    `json:"n"`
	K      int    `json:"k"`
	TransA bool   `json:"trans_a"`
	TransB bool   `json:"trans_b"`
}

// Flops is 2·m·n·k.
func (g GemmShape) Flops() float64 { return 2 * float64(g.M) * float64(g.N) * float64(g.K) }

// StepSpec describes a case's network and update for another framework.
type StepSpec struct {
	Name   string `json:"name"`
	Task   string `json:"task"`
	Config string `json:"config"`
	// Arch is "mlp" or "convnet"; MLP or ResNet describes the network.
	Arch   string      `json:"arch"`
	MLP    *bench.MLP  `json:"mlp,omitempty"`
	ResNet *ResNetSpec `json:"resnet,omitempty"`
	Batch  int         `json:"batch"`
	// Optimizer, Momentum, Nesterov, WeightDecay (on weights only, not on
	// biases or batch-norm parameters), Clip (0: none) and LR are those of
	// the task's training settings.
	Optimizer   string  `json:"optimizer"`
	Momentum    float64 `json:"momentum"`
	Nesterov    bool    `json:"nesterov"`
	WeightDecay float64 `json:"weight_decay"`
	Clip        float64 `json:"clip"`
	LR          float64 `json:"lr"`
}

// ResNetSpec is a ConvNet's description in plain fields.
type ResNetSpec struct {
	In       [3]int `json:"in"` // channels, height, width
	Classes  int    `json:"classes"`
	Blocks   int    `json:"blocks"`
	Widths   []int  `json:"widths"`
	Shortcut string `json:"shortcut"`
}

// StepSpecOf describes c.
func StepSpecOf(c Case) (StepSpec, error) {
	w := c.Work
	s := StepSpec{
		Name: c.Name(), Task: c.TaskName(), Config: c.Config, Batch: w.Batch,
		Optimizer: w.Optimizer, Momentum: w.Momentum, Nesterov: w.Nesterov,
		WeightDecay: w.WeightDecay, Clip: w.Clip, LR: c.Hyper.Get("lr"),
	}
	switch a := c.Arch.(type) {
	case *bench.MLP:
		s.Arch, s.MLP = a.ArchName(), a
	case *bench.ConvNet:
		s.Arch = a.ArchName()
		s.ResNet = &ResNetSpec{
			In: [3]int{a.In.C, a.In.H, a.In.W}, Classes: a.Classes, Blocks: a.Blocks,
			Widths: a.Widths, Shortcut: a.Shortcut.String(),
		}
	default:
		return StepSpec{}, fmt.Errorf("speed: %s: no description of a %T for other frameworks", c.Name(), c.Arch)
	}
	return s, nil
}
