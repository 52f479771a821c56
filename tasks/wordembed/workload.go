package wordembed

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

// The shape of the profiles' training words, which the workload states
// without building the data (TestShapeOfTheData checks them against it):
// the batches of an epoch (every length group cut into batches of the
// profile's Batch words) and StepLen, the word length nearest to the mean
// length over an epoch's batches (7.31 and 6.21), at which the step
// benchmark times an update and an evaluation.
const (
	PaperBatches, PaperStepLen = 259, 7
	QuickBatches, QuickStepLen = 56, 6
)

// vocabWords is the number of words of the PTB vocabulary the task can
// use: all but <unk> and <eos>.
const vocabWords = 9998

// shape returns the batches per epoch and the step length of the
// settings' word set.
func (s Settings) shape() (batches, stepLen int) {
	w := wordSets[s.Words]
	return w.batches, w.stepLen
}

// splitSizes are the numbers of training, validation and test words.
func (s Settings) splitSizes() [3]int {
	n := vocabWords
	if s.Words > 0 && s.Words < n {
		n = s.Words
	}
	nv := int(s.Split * float64(n))
	return [3]int{n - 2*nv, nv, nv}
}

// Workload implements train.Workloader, in words: Epochs of the length
// groups' batches, and per evaluation the fixed training subset, the
// validation and the test words.
func (Task) Workload(p experiment.Profile) (train.Workload, error) {
	s, err := settingsFor(p)
	if err != nil {
		return train.Workload{}, err
	}
	batches, _ := s.shape()
	return s.workload(batches), nil
}

func (s Settings) workload(batches int) train.Workload {
	n := s.splitSizes()
	return train.Workload{
		Settings: train.Settings{Epochs: s.Epochs, Batch: s.Batch, EvalEvery: s.EvalEvery, TrainEval: s.TrainEval, Optimizer: "adam", Clip: s.Clip},
		Train:    n[0], Valid: n[1], Test: n[2],
		PerEpoch: batches, Unit: "word", InitialLoss: 0.5,
	}
}

// randomWords draws n words of length chars over the profile's character
// set with random unit target vectors.
func randomWords(s Settings, n, length int, r *rand.Rand) []Word {
	ws := make([]Word, n)
	for i := range ws {
		w := Word{Chars: make([]int32, length), Target: make([]float32, s.Vectors.Dim)}
		for j := range w.Chars {
			w.Chars[j] = int32(r.IntN(s.chars()))
		}
		var norm float64
		for j := range w.Target {
			v := r.NormFloat64()
			w.Target[j] = float32(v)
			norm += v * v
		}
		for j := range w.Target {
			w.Target[j] /= float32(math.Sqrt(norm))
		}
		ws[i] = w
	}
	return ws
}

// StepBatch implements train.Stepper: Batch random words of the profile's
// step length (see PaperStepLen), laid out as the loop lays out a batch.
func (Task) StepBatch(p experiment.Profile, _ int, r *rand.Rand) (*train.SeqBatch, error) {
	s, err := settingsFor(p)
	if err != nil {
		return nil, err
	}
	_, length := s.shape()
	ws := randomWords(s, s.Batch, length, r)
	idx := make([]int, len(ws))
	for i := range idx {
		idx[i] = i
	}
	b := &train.SeqBatch{Loss: train.LossMSE, Batch: s.Batch, Steps: length, X: &nn.Mat[float32]{}, Y: &nn.Mat[float32]{}}
	fill(b.X, b.Y, ws, idx)
	return b, nil
}

// Step implements train.Stepper: the loop's update (forwardBackward under
// Hooks.Update with Adam, the profile's clipping and the learning rate).
func (Task) Step(p experiment.Profile, m *experiment.Model, lr float64, first int, b *train.SeqBatch) (func() float64, error) {
	s, err := settingsFor(p)
	if err != nil {
		return nil, err
	}
	return s.step(m, lr, first, b)
}

func (s Settings) step(m *experiment.Model, lr float64, first int, b *train.SeqBatch) (func() float64, error) {
	if b.Loss != train.LossMSE || b.X.Rows != b.Steps*b.Batch || b.X.Cols != 1 || b.Y.Rows != b.Batch || b.Y.Cols != s.Vectors.Dim {
		return nil, fmt.Errorf("wordembed: a %q batch of %d×%d steps (%v inputs, %v targets), want %d-dimensional targets of words", b.Loss, b.Steps, b.Batch, b.X, b.Y, s.Vectors.Dim)
	}
	var se nn.SquaredError[float32]
	fb := func() float64 { return forwardBackward(m.Net, &se, b.X, b.Y, b.Batch) }
	return train.StepFrom(m, first, s.Clip, nn.NewAdam[float32](), lr, fb), nil
}

// Eval implements train.Stepper: Batch random words of the step length,
// scored as the loop scores a set (loss and cosine); per word.
func (Task) Eval(p experiment.Profile, m *experiment.Model, r *rand.Rand) (func() float64, int, error) {
	s, err := settingsFor(p)
	if err != nil {
		return nil, 0, err
	}
	_, length := s.shape()
	ws := randomWords(s, s.Batch, length, r)
	ev := &scorer{batch: s.Batch}
	return func() float64 {
		loss, _ := ev.run(m.Net, ws)
		return loss
	}, len(ws), nil
}
