package speed

import (
	"fmt"
	"math/rand/v2"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/rng"
	"github.com/mollifying/mollify/train"
)

// Step performs training updates of a case's model exactly as one update of
// train.Classify does (see package train's doc), on one fixed random batch:
// StepStarter hooks, zeroing the gradients, Perturber.Perturb, forward,
// loss, backward, Perturber.Restore, gradient-norm clipping, the optimiser
// step at the scheduled learning rate, LossObserver hooks. Gathering the
// batch (and augmenting it) is left out: it is a copy per example.
//
// For a task with its own loop (a train.Stepper: the recurrent tasks) the
// update is the one the task makes (the same sequence through
// train.Hooks.Update, with the loop's loss, optimiser and learning rate),
// on the fixed batch of sequences the task draws (Batch).
type Step struct {
	Case  Case
	Model *experiment.Model
	// Batch is the fixed batch of a task with its own loop, nil for a
	// classifier.
	Batch *train.SeqBatch
	run   func() float64

	params   []*nn.Param[float32]
	opt      nn.Optimizer[float32]
	ce       nn.SoftmaxCE[float32]
	x        *nn.Mat[float32]
	y        []int32
	t        int
	perEpoch int
	hooks    *train.Hooks
	fb       func() float64 // forwardBackward, bound once: no allocation per step
}

// NewStep builds the case's model and a batch of inputs uniform in [0, 1)
// (standard normal for images, which the task standardises) with uniform
// labels, from the stream (seed, "speed/batch"); for a task with its own
// loop, the batch its StepBatch draws from that stream.
func NewStep(c Case, seed uint64) (*Step, error) {
	m, err := c.Build()
	if err != nil {
		return nil, fmt.Errorf("speed: %s: %w", c.Name(), err)
	}
	s := &Step{Case: c, Model: m, params: m.Net.Params()}
	if st := c.Stepper(); st != nil {
		if s.Batch, err = st.StepBatch(c.Profile, c.FirstUpdate(), rng.New(seed, "speed/batch")); err != nil {
			return nil, fmt.Errorf("speed: %s: %w", c.Name(), err)
		}
		if s.run, err = st.Step(c.Profile, m, c.Hyper.Get("lr"), c.FirstUpdate(), s.Batch); err != nil {
			return nil, fmt.Errorf("speed: %s: %w", c.Name(), err)
		}
		return s, nil
	}
	w := c.Work
	if w.Optimizer == "adam" {
		s.opt = nn.NewAdam[float32]()
	} else {
		s.opt = &nn.SGD[float32]{Momentum: w.Momentum, Nesterov: w.Nesterov, WeightDecay: w.WeightDecay}
	}
	s.perEpoch = max(w.UpdatesPerEpoch(), 1)
	s.t = c.FirstUpdate() - 1
	s.hooks = train.CollectHooks(m)
	s.fb = s.forwardBackward
	s.x, s.y = batch(c, w.Batch, rng.New(seed, "speed/batch"))
	return s, nil
}

func batch(c Case, n int, r *rand.Rand) (*nn.Mat[float32], []int32) {
	_, image := c.Arch.(*experiment.ConvNet)
	x := nn.NewMat[float32](n, c.Inputs())
	for i := range x.Data {
		if image {
			x.Data[i] = float32(r.NormFloat64())
		} else {
			x.Data[i] = r.Float32()
		}
	}
	y := make([]int32, n)
	for i := range y {
		y[i] = int32(r.IntN(c.Classes()))
	}
	return x, y
}

// forwardBackward is the update's forward and backward pass; it returns
// the loss.
func (s *Step) forwardBackward() float64 {
	loss, _ := s.ce.Forward(s.Model.Net.Forward(s.x, true), s.y)
	s.Model.Net.Backward(s.ce.Backward())
	return loss
}

// Run performs one update and returns its training loss.
func (s *Step) Run() float64 {
	if s.run != nil {
		return s.run()
	}
	s.t++
	loss, _ := s.hooks.Update(s.t, s.params, s.Case.Work.Clip, s.opt, s.Case.Work.LR(s.Case.Hyper.Get("lr"), s.t, s.perEpoch), s.fb)
	return loss
}

// Eval is the forward pass of a case's model in evaluation mode over one
// chunk of the size train.Classify evaluates at once, or over the chunk a
// task with its own loop evaluates at once (its Stepper's Eval).
type Eval struct {
	Case  Case
	Model *experiment.Model
	x     *nn.Mat[float32]
	y     []int32
	ce    nn.SoftmaxCE[float32]
	run   func() float64
	units int
}

// NewEval builds the case's model and a chunk of random examples (see
// [NewStep]).
func NewEval(c Case, seed uint64) (*Eval, error) {
	m, err := c.Build()
	if err != nil {
		return nil, fmt.Errorf("speed: %s: %w", c.Name(), err)
	}
	e := &Eval{Case: c, Model: m}
	if st := c.Stepper(); st != nil {
		if e.run, e.units, err = st.Eval(c.Profile, m, rng.New(seed, "speed/batch")); err != nil {
			return nil, fmt.Errorf("speed: %s: %w", c.Name(), err)
		}
		return e, nil
	}
	e.x, e.y = batch(c, c.Work.EvalChunk(), rng.New(seed, "speed/batch"))
	e.units = len(e.y)
	return e, nil
}

// Examples is the number of examples of one Run, in the unit of the
// case's workload (Work.Unit: tokens, sequences or words for a task with
// its own loop).
func (e *Eval) Examples() int { return e.units }

// Run evaluates the chunk and returns its loss.
func (e *Eval) Run() float64 {
	if e.run != nil {
		return e.run()
	}
	loss, _ := e.ce.Forward(e.Model.Net.Forward(e.x, false), e.y)
	return loss
}
