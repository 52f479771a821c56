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
	total := s.Epochs * perEpoch
	evalEvery := s.EvalEvery
	if evalEvery == 0 {
		evalEvery = perEpoch
	}
	net := model.Net
	params := net.Params()
	opt := &nn.SGD[float32]{}
	hooks := CollectHooks(model)
	ev := &lmEval{net: net, steps: s.Steps, batch: s.EvalBatch}

	cols := len(c.Train) / s.Batch
	x := nn.NewMat[float32](s.Steps*s.Batch, 1)
	y := make([]int32, s.Steps*s.Batch)
	var ce nn.SeqSoftmaxCE[float32]

	rec := &experiment.Record{Params: nn.CountParams(params)}
	var running float64
	var runningN int
	t := 0
	epochLR := s.LR(lr, 1)
	bestValid, bestTest, bestUpdate := math.Inf(1), math.NaN(), 0
	reachedAt := 0
	evaluate := func() {
		p := experiment.Point{Update: t, Epoch: float64(t) / float64(perEpoch), Values: experiment.Values{}}
		if runningN > 0 {
			p.Values[TrainLoss] = experiment.Num(running / float64(runningN))
			p.Values[TrainPPL] = experiment.Num(math.Exp(running / float64(runningN)))
		}
		running, runningN = 0, 0
		vl := ev.run(c.Valid, &ce)
		tl := ev.run(c.Test, &ce)
		p.Values[ValidLoss], p.Values[ValidPPL] = experiment.Num(vl), experiment.Num(math.Exp(vl))
		p.Values[TestLoss], p.Values[TestPPL] = experiment.Num(tl), experiment.Num(math.Exp(tl))
		if s.Bits {
			p.Values[ValidBPC], p.Values[TestBPC] = experiment.Num(vl/math.Ln2), experiment.Num(tl/math.Ln2)
		}
		p.Values[LRValue] = experiment.Num(epochLR)
		hooks.Trace(p.Values)
		if vl < bestValid {
			bestValid, bestTest, bestUpdate = vl, tl, t
		}
		if s.TargetPPL > 0 && reachedAt == 0 && t > 0 && math.Exp(vl) <= s.TargetPPL {
			reachedAt = t
		}
		rec.Curve = append(rec.Curve, p)
	}

	evaluate() // the untrained network, at update 0
	for epoch := 1; epoch <= s.Epochs && !rec.Diverged; epoch++ {
		epochLR = s.LR(lr, epoch)
		nn.ResetState(net, s.Batch)
		for w := range perEpoch {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			t++
			for st := range s.Steps {
				for b := range s.Batch {
					at := b*cols + w*s.Steps + st
					x.Data[st*s.Batch+b] = float32(c.Train[at])
					y[st*s.Batch+b] = c.Train[at+1]
				}
			}
			loss, ok := hooks.Update(t, params, s.Clip, opt, epochLR, func() float64 {
				return lmForwardBackward(net, &ce, x, y, s.Batch)
			})
			if !ok {
				rec.Diverged = true
				running, runningN = loss, 1
				break
			}
			running += loss
			runningN++
			if t%evalEvery == 0 || t == total {
				evaluate()
				if progress != nil {
					progress(float64(t) / float64(total))
				}
			}
		}
	}
	if rec.Diverged {
		evaluate()
	}
	rec.Updates = t
	rec.Final = experiment.Values{}
	for k, v := range rec.Curve[len(rec.Curve)-1].Values {
		rec.Final[k] = v
	}
	rec.Final["best_valid_ppl"] = experiment.Num(math.Exp(bestValid))
	rec.Final["test_ppl_at_best_valid"] = experiment.Num(math.Exp(bestTest))
	rec.Final["best_valid_update"] = experiment.Num(bestUpdate)
	if s.Bits {
		rec.Final["best_valid_bpc"] = experiment.Num(bestValid / math.Ln2)
		rec.Final["test_bpc_at_best_valid"] = experiment.Num(bestTest / math.Ln2)
	}
	if s.TargetPPL > 0 {
		if reachedAt > 0 {
			rec.Final["updates_to_target"] = experiment.Num(reachedAt)
			rec.Final["reached_target"] = 1
		} else {
			rec.Final["updates_to_target"] = experiment.Num(total + 1)
			rec.Final["reached_target"] = 0
		}
	}
	return rec, nil
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
