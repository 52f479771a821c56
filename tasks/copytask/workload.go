package copytask

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/train"
)

var (
	_ train.Workloader = Task{}
	_ train.Stepper    = Task{}
)

// Workload implements train.Workloader, in sequences: Updates updates of
// Batch fresh sequences (one "epoch"), and per evaluation the validation
// and test sequences.
func (Task) Workload(p experiment.Profile) (train.Workload, error) {
	s, err := settingsFor(p)
	if err != nil {
		return train.Workload{}, err
	}
	return s.workload(), nil
}

func (s Settings) workload() train.Workload {
	return train.Workload{
		Settings: train.Settings{Epochs: 1, Batch: s.Batch, EvalEvery: s.EvalEvery, Optimizer: s.Optimizer, Clip: s.Clip},
		Train:    s.Updates * s.Batch, Valid: s.Valid, Test: s.Test,
		PerEpoch: s.Updates, PerEval: s.Valid + s.Test, Unit: "sequence", InitialLoss: math.Ln2,
	}
}

// StepBatch implements train.Stepper: Batch sequences with the lengths
// the curriculum draws for the examples of update first (so the batch is
// padded to a longest sequence as the run's batches are then), laid out
// by the Generator, all drawn from r.
func (Task) StepBatch(p experiment.Profile, first int, r *rand.Rand) (*train.SeqBatch, error) {
	s, err := settingsFor(p)
	if err != nil {
		return nil, err
	}
	lens := make([]int, s.Batch)
	for i := range lens {
		lens[i] = s.Curriculum.Len((first-1)*s.Batch+i, s.MaxLen, r)
	}
	var b Batch
	s.gen().Fill(&b, lens, r)
	return seqBatch(&b), nil
}

func seqBatch(b *Batch) *train.SeqBatch {
	return &train.SeqBatch{Loss: train.LossBCE, Batch: len(b.Lens), Steps: b.X.Rows / len(b.Lens), Lens: b.Lens, X: b.X, Y: b.Y, Mask: b.Mask}
}

// Step implements train.Stepper: the loop's update (forwardBackward under
// Hooks.Update with the profile's optimiser, clipping and learning rate).
func (Task) Step(p experiment.Profile, m *experiment.Model, lr float64, first int, b *train.SeqBatch) (func() float64, error) {
	s, err := settingsFor(p)
	if err != nil {
		return nil, err
	}
	return s.step(m, lr, first, b)
}

func (s Settings) step(m *experiment.Model, lr float64, first int, sb *train.SeqBatch) (func() float64, error) {
	if sb.Loss != train.LossBCE || len(sb.Lens) != sb.Batch || sb.X.Rows != sb.Steps*sb.Batch || sb.X.Cols != s.gen().In() || sb.Y.Cols != s.Bits || len(sb.Mask) != sb.X.Rows {
		return nil, fmt.Errorf("copy: a %q batch of %d×%d steps (%v inputs, %v targets), want padded %d-bit sequences", sb.Loss, sb.Steps, sb.Batch, sb.X, sb.Y, s.Bits)
	}
	opt, err := s.optimizer()
	if err != nil {
		return nil, err
	}
	b := &Batch{Lens: sb.Lens, X: sb.X, Y: sb.Y, Mask: sb.Mask}
	var bce nn.SigmoidBCE[float32]
	fb := func() float64 {
		sum, n := forwardBackward(m.Net, &bce, b)
		return sum / float64(n)
	}
	return train.StepFrom(m, first, s.Clip, opt, lr, fb), nil
}

// Eval implements train.Stepper: one batch of Batch sequences with lengths
// uniform on 1..MaxLen, as the evaluation sets are drawn, scored as the
// loop scores them; per sequence.
func (Task) Eval(p experiment.Profile, m *experiment.Model, r *rand.Rand) (func() float64, int, error) {
	s, err := settingsFor(p)
	if err != nil {
		return nil, 0, err
	}
	lens := make([]int, s.Batch)
	for i := range lens {
		lens[i] = 1 + r.IntN(s.MaxLen)
	}
	b := &Batch{}
	s.gen().Fill(b, lens, r)
	set := evalSet{b}
	var bce nn.SigmoidBCE[float32]
	return func() float64 {
		bps, _ := score(m.Net, set, &bce)
		return bps
	}, s.Batch, nil
}
