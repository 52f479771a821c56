package train

import (
	"fmt"
	"math/rand/v2"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
)

// LMWindow draws a fixed training window of s (Steps steps of Batch
// columns over a vocabulary of vocab tokens) for the step benchmarks. Each
// column repeats a random sequence of Steps tokens, and the targets are
// the next tokens of that cycle, so that the window is the one every
// update of LanguageModel sees on a training stream whose columns repeat
// the same sequences (which is how the tests compare the two).
func LMWindow(s LMSettings, vocab int, r *rand.Rand) *SeqBatch {
	b := &SeqBatch{Loss: LossLM, Batch: s.Batch, Steps: s.Steps, X: nn.NewMat[float32](s.Steps*s.Batch, 1), Labels: make([]int32, s.Steps*s.Batch)}
	cycle := make([]int32, s.Steps)
	for col := range s.Batch {
		for i := range cycle {
			cycle[i] = int32(r.IntN(vocab))
		}
		for st := range s.Steps {
			b.X.Data[st*s.Batch+col] = float32(cycle[st])
			b.Labels[st*s.Batch+col] = cycle[(st+1)%s.Steps]
		}
	}
	return b
}

// lmStep makes LanguageModel's updates on a fixed window.
type lmStep struct {
	net      nn.Layer[float32]
	params   []*nn.Param[float32]
	opt      *nn.SGD[float32]
	hooks    *Hooks
	s        LMSettings
	perEpoch int
	lr       float64
	t        int
	b        *SeqBatch
	ce       nn.SeqSoftmaxCE[float32]
	fb       func() float64
}

// NewLMStep returns a function whose calls make updates first, first+1,
// ... of model m exactly as LanguageModel makes them with settings s, base
// learning rate lr and perEpoch updates per epoch, each on the window b
// (see [LMWindow]): the state is carried from update to update and reset
// at the start of every epoch (and before the first call, a window in the
// middle of an epoch starting from a zero state instead of a carried one,
// which costs the same); plain SGD at the epoch's learning rate, clipping
// at s.Clip.
func NewLMStep(m *experiment.Model, s LMSettings, perEpoch int, lr float64, first int, b *SeqBatch) (func() float64, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	switch {
	case perEpoch < 1:
		return nil, fmt.Errorf("train: %d updates per epoch, want ≥ 1", perEpoch)
	case first < 1:
		return nil, fmt.Errorf("train: first update %d, want ≥ 1", first)
	case b.Loss != LossLM || b.Batch != s.Batch || b.Steps != s.Steps || b.X.Rows != s.Steps*s.Batch || b.X.Cols != 1 || len(b.Labels) != b.X.Rows:
		return nil, fmt.Errorf("train: a %q batch of %d×%d steps (%v inputs, %d labels), want a %q window of %d steps of %d columns", b.Loss, b.Steps, b.Batch, b.X, len(b.Labels), LossLM, s.Steps, s.Batch)
	}
	st := &lmStep{net: m.Net, params: m.Net.Params(), opt: &nn.SGD[float32]{}, hooks: CollectHooks(m), s: s, perEpoch: perEpoch, lr: lr, t: first - 1, b: b}
	st.fb = func() float64 { return lmForwardBackward(st.net, &st.ce, st.b.X, st.b.Labels, st.s.Batch) }
	nn.ResetState(st.net, s.Batch)
	return st.run, nil
}

func (st *lmStep) run() float64 {
	st.t++
	if (st.t-1)%st.perEpoch == 0 {
		nn.ResetState(st.net, st.s.Batch)
	}
	loss, _ := st.hooks.Update(st.t, st.params, st.s.Clip, st.opt, st.s.LR(st.lr, (st.t-1)/st.perEpoch+1), st.fb)
	return loss
}

// NewLMEval returns a function that evaluates one window of s.Steps steps
// of s.EvalBatch columns as LanguageModel's evaluation reads the
// validation and test streams (evaluation mode, the state carried from
// call to call), on random tokens from r, and the tokens a call covers.
func NewLMEval(m *experiment.Model, s LMSettings, vocab int, r *rand.Rand) (func() float64, int) {
	n := s.Steps * s.EvalBatch
	x := nn.NewMat[float32](n, 1)
	y := make([]int32, n)
	for i := range y {
		x.Data[i] = float32(r.IntN(vocab))
		y[i] = int32(r.IntN(vocab))
	}
	var ce nn.SeqSoftmaxCE[float32]
	net := m.Net
	nn.ResetState(net, s.EvalBatch)
	return func() float64 {
		sum, k, _ := ce.Forward(net.Forward(x, false), y)
		return sum / float64(k)
	}, n
}
