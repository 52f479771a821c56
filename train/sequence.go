package train

import (
	"context"
	"fmt"
	"math"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
)

// Corpus is a language-modelling corpus: three token streams over a
// vocabulary of Vocab ids.
type Corpus struct {
	Train, Valid, Test []int32
	Vocab              int
}

// LMSettings are the training settings of a language model trained by
// truncated back-propagation through time (Zaremba et al. 2014).
type LMSettings struct {
	Epochs int `json:"epochs"`
	// Batch is the number of columns the training stream is cut into,
	// Steps the length of a window (the unroll).
	Batch int `json:"batch"`
	Steps int `json:"steps"`
	// EvalBatch is the number of columns of the validation and test
	// streams; 1 reads them as one sequence.
	EvalBatch int `json:"eval_batch"`
	// EvalEvery is the evaluation interval in updates; 0 means at the end
	// of every epoch.
	EvalEvery int `json:"eval_every"`
	// Clip is the bound on the global gradient norm; 0 disables it.
	Clip float64 `json:"clip"`
	// The learning rate of 1-based epoch e is lr·Decay^max(0, e−DecayAfter).
	DecayAfter int     `json:"decay_after"`
	Decay      float64 `json:"decay"`
	// Bits adds bits-per-symbol metrics (character-level models).
	Bits bool `json:"bits,omitempty"`
	// TargetPPL, when positive, makes the loop record the first update at
	// which the validation perplexity is at most TargetPPL.
	TargetPPL float64 `json:"target_ppl,omitempty"`
}

// Validate reports the first bad field.
func (s LMSettings) Validate() error {
	switch {
	case s.Epochs <= 0:
		return fmt.Errorf("epochs = %d, want > 0", s.Epochs)
	case s.Batch <= 0:
		return fmt.Errorf("batch = %d, want > 0", s.Batch)
	case s.Steps <= 0:
		return fmt.Errorf("steps = %d, want > 0", s.Steps)
	case s.EvalBatch <= 0:
		return fmt.Errorf("eval_batch = %d, want > 0", s.EvalBatch)
	case s.EvalEvery < 0:
		return fmt.Errorf("eval_every = %d, want ≥ 0", s.EvalEvery)
	case s.Clip < 0:
		return fmt.Errorf("clip = %v, want ≥ 0", s.Clip)
	case s.DecayAfter < 0 || !(s.Decay > 0 && s.Decay <= 1):
		return fmt.Errorf("decay = %v after epoch %d, want a factor in (0, 1] after a non-negative epoch", s.Decay, s.DecayAfter)
	}
	return nil
}

// WindowsPerEpoch is the number of updates an epoch over n training tokens
// makes: the stream is cut into Batch columns of n/Batch tokens, and each
// window reads Steps inputs and the Steps next tokens as targets.
func (s LMSettings) WindowsPerEpoch(n int) int { return (n/s.Batch - 1) / s.Steps }

// Updates is the number of updates of a run over n training tokens.
func (s LMSettings) Updates(n int) int { return s.Epochs * s.WindowsPerEpoch(n) }

// LR returns the learning rate of 1-based epoch e.
func (s LMSettings) LR(lr float64, e int) float64 {
	return lr * math.Pow(s.Decay, float64(max(0, e-s.DecayAfter)))
}

// Metric names of language models, in each curve point and in Record.Final.
const (
	TrainPPL = "train_ppl" // exp of the mean training NLL since the last evaluation (training mode)
	ValidPPL = "valid_ppl"
	TestPPL  = "test_ppl"
	ValidBPC = "valid_bpc" // bits per symbol, with LMSettings.Bits
	TestBPC  = "test_bpc"
	LRValue  = "lr"
)

// LanguageModel trains model, a network from token ids (one column,
// time-major, see nn.Sequencer) to next-token logits, on the corpus by
// truncated back-propagation through time, with plain SGD at learning rate
// lr decayed per epoch, and returns the curve and final metrics.
//
// The training stream is cut into Batch contiguous columns; the carried
// state is reset at the start of every epoch and flows from each window to
// the next. The loss of a window is the token cross-entropy summed over its
// steps and averaged over its columns (the scale at which Zaremba et al.'s
// learning rate 1 and clip 5 apply); the loss hooks and curves see the mean
// per token, in nats. Evaluation reads the validation and test streams in
// EvalBatch columns, the state carried through the whole split, in
// evaluation mode; the training state is set aside meanwhile.
//
// Final metrics: the last evaluation's values; best_valid_ppl with
// test_ppl_at_best_valid and best_valid_update (early stopping on the
// validation split, without keeping weights); the same in bits per symbol
// with Bits; updates_to_target and reached_target with TargetPPL.
func LanguageModel(ctx context.Context, c *Corpus, model *experiment.Model, s LMSettings, lr float64, progress func(float64)) (*experiment.Record, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	perEpoch := s.WindowsPerEpoch(len(c.Train))
	if perEpoch < 1 {
		return nil, fmt.Errorf("train: %d training tokens make no window of %d steps in %d columns", len(c.Train), s.Steps, s.Batch)
	}
	for name, split := range map[string][]int32{"validation": c.Valid, "test": c.Test} {
		if len(split)/s.EvalBatch < 2 {
			return nil, fmt.Errorf("train: the %s split (%d tokens) is too short for %d columns", name, len(split), s.EvalBatch)
		}
	}
	net := model.Net
	ev := &lmEval{net: net, steps: s.Steps, batch: s.EvalBatch}
	cols := len(c.Train) / s.Batch
	x := nn.NewMat[float32](s.Steps*s.Batch, 1)
	y := make([]int32, s.Steps*s.Batch)
	var ce nn.SeqSoftmaxCE[float32]
	epochOf := func(t int) int { return (t-1)/perEpoch + 1 } // 1-based
	loop := &Loop{
		Model: model, Opt: &nn.SGD[float32]{}, Clip: s.Clip,
		Epochs: s.Epochs, PerEpoch: perEpoch, EvalEvery: s.EvalEvery,
		StartEpoch: func(int) { nn.ResetState(net, s.Batch) },
		Batch: func(t int) {
			w := (t - 1) % perEpoch
			for st := range s.Steps {
				for b := range s.Batch {
					at := b*cols + w*s.Steps + st
					x.Data[st*s.Batch+b] = float32(c.Train[at])
					y[st*s.Batch+b] = c.Train[at+1]
				}
			}
		},
		LR:   func(t int) float64 { return s.LR(lr, epochOf(t)) },
		Loss: func() float64 { return lmForwardBackward(net, &ce, x, y, s.Batch) },
		RunningValues: func(v experiment.Values, mean float64) {
			v[TrainLoss], v[TrainPPL] = experiment.Num(mean), experiment.Num(math.Exp(mean))
		},
		Extra: func(v experiment.Values, t int) {
			v[LRValue] = experiment.Num(s.LR(lr, epochOf(max(t, 1))))
		},
		Measure: func(v experiment.Values, suf string, _ bool) {
			vl := ev.run(c.Valid, &ce)
			tl := ev.run(c.Test, &ce)
			v[ValidLoss+suf], v[ValidPPL+suf] = experiment.Num(vl), experiment.Num(math.Exp(vl))
			v[TestLoss+suf], v[TestPPL+suf] = experiment.Num(tl), experiment.Num(math.Exp(tl))
			if s.Bits {
				v[ValidBPC+suf], v[TestBPC+suf] = experiment.Num(vl/math.Ln2), experiment.Num(tl/math.Ln2)
			}
		},
	}
	keep := []Kept{
		{Final: "best_valid_ppl", Value: ValidLoss, Map: math.Exp},
		{Final: "test_ppl_at_best_valid", Value: TestLoss, Map: math.Exp},
	}
	if s.Bits {
		bits := func(x float64) float64 { return x / math.Ln2 }
		keep = append(keep, Kept{Final: "best_valid_bpc", Value: ValidLoss, Map: bits}, Kept{Final: "test_bpc_at_best_valid", Value: TestLoss, Map: bits})
	}
	loop.Best = &Best{Judge: ValidLoss, Keep: keep}
	if s.TargetPPL > 0 {
		loop.Target = &Target{Metric: ValidPPL, Value: s.TargetPPL, Below: true}
	}
	return loop.Run(ctx, progress)
}

// lmForwardBackward is the forward and backward pass of a LanguageModel
// update on the window x, y of batch columns: the loss back-propagated is
// the token cross-entropy summed over the window's steps and averaged over
// its columns; the loss returned is the mean per token.
func lmForwardBackward(net nn.Layer[float32], ce *nn.SeqSoftmaxCE[float32], x *nn.Mat[float32], y []int32, batch int) float64 {
	sum, n, _ := ce.Forward(net.Forward(x, true), y)
	net.Backward(ce.Backward(1 / float64(batch)))
	return sum / float64(n)
}

// lmEval computes the mean NLL of a stream in evaluation mode.
type lmEval struct {
	net          nn.Layer[float32]
	steps, batch int
	x            nn.Mat[float32]
	y            []int32
}

// run reads split in e.batch columns, windows of e.steps with the state
// carried, and returns the mean NLL per predicted token. The caller's
// carried state is saved and restored around it.
func (e *lmEval) run(split []int32, ce *nn.SeqSoftmaxCE[float32]) float64 {
	nn.PushState(e.net)
	defer nn.PopState(e.net)
	nn.ResetState(e.net, e.batch)
	cols := len(split) / e.batch
	if cap(e.y) < e.steps*e.batch {
		e.y = make([]int32, e.steps*e.batch)
	}
	var sum float64
	var count int
	for start := 0; start < cols-1; start += e.steps {
		n := min(e.steps, cols-1-start)
		x := e.x.Reshape(n*e.batch, 1)
		y := e.y[:n*e.batch]
		for st := range n {
			for b := range e.batch {
				at := b*cols + start + st
				x.Data[st*e.batch+b] = float32(split[at])
				y[st*e.batch+b] = split[at+1]
			}
		}
		s, k, _ := ce.Forward(e.net.Forward(x, false), y)
		sum += s
		count += k
	}
	return sum / float64(count)
}
