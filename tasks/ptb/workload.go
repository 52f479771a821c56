package ptb

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/train"
)

var (
	_ train.Workloader = Task{}
	_ train.Stepper    = Task{}
)

// Workload implements train.Workloader, in tokens: the training stream's
// windows per epoch, and per evaluation the tokens LanguageModel predicts
// in the validation and test streams (each cut into EvalBatch columns, of
// which the last token has no successor).
func (Task) Workload(p experiment.Profile) (train.Workload, error) {
	s, err := settingsFor(p)
	if err != nil {
		return train.Workload{}, err
	}
	return s.workload()
}

func (s Settings) workload() (train.Workload, error) {
	n := s.sizes()
	set := train.Settings{Epochs: s.Epochs, Batch: s.Batch, EvalEvery: s.EvalEvery, Optimizer: "sgd", Clip: s.Clip}
	// LMSettings' lr·Decay^max(0, e−DecayAfter) for 1-based epoch e is
	// Settings' step function with a decay at every 0-based epoch from
	// DecayAfter on.
	if s.Decay < 1 {
		if s.DecayAfter < 1 {
			return train.Workload{}, fmt.Errorf("ptb: decay after epoch %d has no train.Settings form (want ≥ 1)", s.DecayAfter)
		}
		for e := s.DecayAfter; e < s.Epochs; e++ {
			set.LRDecayEpochs = append(set.LRDecayEpochs, e)
		}
		set.LRDecayFactor = s.Decay
	}
	predicted := func(tokens int) int { return (tokens/s.EvalBatch - 1) * s.EvalBatch }
	return train.Workload{
		Settings: set, Train: n[0], Valid: n[1], Test: n[2],
		PerEpoch: s.WindowsPerEpoch(n[0]), PerEval: predicted(n[1]) + predicted(n[2]), Unit: "token",
		InitialLoss: math.Log(float64(vocabSize(s.Level))),
	}, nil
}

// StepBatch implements train.Stepper: a window of Steps tokens in Batch
// columns (train.LMWindow).
func (Task) StepBatch(p experiment.Profile, _ int, r *rand.Rand) (*train.SeqBatch, error) {
	s, err := settingsFor(p)
	if err != nil {
		return nil, err
	}
	return train.LMWindow(s.LMSettings, vocabSize(s.Level), r), nil
}

// Step implements train.Stepper: LanguageModel's update (train.NewLMStep).
func (Task) Step(p experiment.Profile, m *experiment.Model, lr float64, first int, b *train.SeqBatch) (func() float64, error) {
	s, err := settingsFor(p)
	if err != nil {
		return nil, err
	}
	return train.NewLMStep(m, s.LMSettings, s.WindowsPerEpoch(s.sizes()[0]), lr, first, b)
}

// Eval implements train.Stepper: one window of the evaluation's columns
// (train.NewLMEval), per token.
func (Task) Eval(p experiment.Profile, m *experiment.Model, r *rand.Rand) (func() float64, int, error) {
	s, err := settingsFor(p)
	if err != nil {
		return nil, 0, err
	}
	f, n := train.NewLMEval(m, s.LMSettings, vocabSize(s.Level), r)
	return f, n, nil
}
