package speed

import (
	"fmt"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/rng"
)

// The benchmark command hands the PyTorch script (perf/torch_bench.py) a
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
	// Use is the training step in which the product has its largest share
	// of the step's product flops, Share that fraction (see StepShapes);
	// empty and 0 for a shape no model makes.
	Use   string  `json:"use,omitempty"`
	Share float64 `json:"share,omitempty"`
}

// Flops is 2·m·n·k.
func (g GemmShape) Flops() float64 { return 2 * float64(g.M) * float64(g.N) * float64(g.K) }

// StepSpec describes a case's network and update for another framework.
type StepSpec struct {
	Name   string `json:"name"`
	Task   string `json:"task"`
	Config string `json:"config"`
	// Arch is "mlp", "convnet" or "lstm"; MLP, ResNet or LSTM describes
	// the network, and Seq the batch of sequences an LSTM trains on.
	Arch   string          `json:"arch"`
	MLP    *experiment.MLP `json:"mlp,omitempty"`
	ResNet *ResNetSpec     `json:"resnet,omitempty"`
	LSTM   *nn.LSTMNetSpec `json:"lstm,omitempty"`
	Seq    *SeqSpec        `json:"seq,omitempty"`
	Batch  int             `json:"batch"`
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

// SeqSpec is the shape of a batch of sequences (train.SeqBatch).
type SeqSpec struct {
	// Loss is train.LossLM (token cross-entropy summed over the steps,
	// averaged over the columns, state carried from window to window),
	// train.LossBCE (sigmoid cross-entropy of the masked target bits,
	// averaged over them; the copy task's layout) or train.LossMSE
	// (½‖y − t‖² of each sequence's final states, averaged).
	Loss string `json:"loss"`
	// Steps is the number of time steps of the batch; Lens, for a padded
	// batch, the sequences' own lengths.
	Steps int   `json:"steps"`
	Lens  []int `json:"lens,omitempty"`
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
	case *experiment.MLP:
		s.Arch, s.MLP = a.ArchName(), a
	case *experiment.ConvNet:
		s.Arch = a.ArchName()
		s.ResNet = &ResNetSpec{
			In: [3]int{a.In.C, a.In.H, a.In.W}, Classes: a.Classes, Blocks: a.Blocks,
			Widths: a.Widths, Shortcut: a.Shortcut.String(),
		}
	case *experiment.LSTM:
		st := c.Stepper()
		if st == nil {
			return StepSpec{}, fmt.Errorf("speed: %s: an LSTM without a task loop to describe", c.Name())
		}
		b, err := st.StepBatch(c.Profile, c.FirstUpdate(), rng.New(1, "speed/batch"))
		if err != nil {
			return StepSpec{}, fmt.Errorf("speed: %s: %w", c.Name(), err)
		}
		s.Arch, s.LSTM = a.ArchName(), &a.LSTMNetSpec
		s.Seq = &SeqSpec{Loss: b.Loss, Steps: b.Steps, Lens: b.Lens}
	default:
		return StepSpec{}, fmt.Errorf("speed: %s: no description of a %T for other frameworks", c.Name(), c.Arch)
	}
	return s, nil
}
