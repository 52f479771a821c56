package train

import (
	"math/rand/v2"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
)

// Workload is the work of one run: its settings and the sizes of its
// splits. Tasks describe their profiles with it (see [Workloader]), so that
// tools can count updates and evaluations without loading data or
// training; package perf/speed turns it and measured step times into time
// estimates.
//
// A task that trains with [Classify] fills Settings and the split sizes.
// A task with a loop of its own (a recurrent task, see [Stepper]) fills
// the Settings its loop has (epochs, batch, evaluation interval, optimiser,
// clipping) and the fields after Test: its epochs are not Train/Batch
// batches, and an evaluation runs forward over sequences, not examples.
type Workload struct {
	Settings
	// Train, Valid and Test are the sizes of the splits, in Unit.
	Train, Valid, Test int
	// PerEpoch, when positive, is the number of updates of an epoch
	// (instead of Train/Batch): the windows of a token stream, the
	// batches of words grouped by length; a loop without epochs has
	// Epochs 1 and its updates here.
	PerEpoch int
	// PerEval, when positive, is what one evaluation runs forward, in
	// Unit (instead of the TrainEval subset, Valid and Test).
	PerEval int
	// Unit names what the sizes count: "" for examples (Classify),
	// "token", "sequence", "word".
	Unit string
	// InitialLoss, when positive, is the loss of an uninformed prediction
	// the task tells configurations (experiment.Env.InitialLoss); 0 means
	// ln(classes), Classify's.
	InitialLoss float64
}

// Workloader is implemented by tasks that can state the workload of one run
// under a profile.
type Workloader interface {
	Workload(p experiment.Profile) (Workload, error)
}

// UpdatesPerEpoch is the number of updates of an epoch: PerEpoch, or the
// whole batches of the training set.
func (w Workload) UpdatesPerEpoch() int {
	if w.PerEpoch > 0 {
		return w.PerEpoch
	}
	return w.Train / w.Batch
}

// Updates is the number of updates of a run, as Classify (or the task's
// loop) makes them.
func (w Workload) Updates() int { return w.Epochs * w.UpdatesPerEpoch() }

// Evaluations is the number of evaluations of a run that does not diverge:
// one of the untrained network, one every EvalEvery updates (every epoch
// when it is 0) and one after the last update.
func (w Workload) Evaluations() int {
	total := w.Updates()
	every := w.EvalEvery
	if every == 0 {
		every = w.UpdatesPerEpoch()
	}
	n := 1 + total/every
	if total%every != 0 {
		n++
	}
	return n
}

// EvalExamples is the number of examples (Unit) one evaluation runs
// forward: PerEval when set, else the training subset (TrainEval, or the
// whole training set when it is 0 or larger), the validation set and the
// test set.
func (w Workload) EvalExamples() int {
	if w.PerEval > 0 {
		return w.PerEval
	}
	tr := w.Train
	if w.TrainEval > 0 && w.TrainEval < w.Train {
		tr = w.TrainEval
	}
	return tr + w.Valid + w.Test
}

// EvalChunk is the number of examples Classify evaluates at once.
func (w Workload) EvalChunk() int {
	if w.EvalBatch > 0 {
		return w.EvalBatch
	}
	return max(w.Batch, 500)
}

// Stepper is implemented by tasks that train with a loop of their own
// rather than [Classify] (the recurrent tasks), so that the step
// benchmarks (package perf/speed) can time the loop's update and
// evaluation on a fixed batch, without the task's data.
type Stepper interface {
	// StepBatch draws from r the fixed batch of the step benchmark under
	// profile: one batch of the shape the loop trains on at update first.
	StepBatch(p experiment.Profile, first int, r *rand.Rand) (*SeqBatch, error)
	// Step returns a function whose calls make updates first, first+1,
	// ... of model m on b exactly as the task's loop makes them
	// (Hooks.Update with the loop's optimiser, clipping, learning rate
	// from lr, and loss), each returning the update's loss.
	Step(p experiment.Profile, m *experiment.Model, lr float64, first int, b *SeqBatch) (func() float64, error)
	// Eval returns a function that runs the loop's evaluation of one
	// chunk of the profile's evaluation shape, drawn from r (the forward
	// pass in evaluation mode and the loss), and the number of units
	// (those of Workload.EvalExamples) a call covers.
	Eval(p experiment.Profile, m *experiment.Model, r *rand.Rand) (func() float64, int, error)
}

// SeqBatch is a time-major batch of sequences (row t·Batch + b is step t of
// sequence b, see nn.Sequencer) as a recurrent task's loop trains on it.
type SeqBatch struct {
	// Loss names the loss: LossLM, LossBCE or LossMSE.
	Loss string
	// Batch sequences of Steps steps; Lens, when set, are the sequences'
	// own lengths (the batch is padded to the longest and Mask marks the
	// rows that carry targets).
	Batch, Steps int
	Lens         []int
	// X holds the inputs: token ids in one column, or vectors.
	X *nn.Mat[float32]
	// Labels are next-token targets (LossLM); Y are target vectors, one
	// row per step (LossBCE) or per sequence (LossMSE).
	Labels []int32
	Y      *nn.Mat[float32]
	Mask   []bool
}

// The losses of SeqBatch.
const (
	// LossLM is LanguageModel's: token cross-entropy summed over the
	// steps and averaged over the columns, the state carried from window
	// to window.
	LossLM = "lm"
	// LossBCE is binary cross-entropy of the masked target bits, averaged
	// over them (the copy task).
	LossBCE = "bce"
	// LossMSE is ½‖y − t‖² of each sequence's summary output, averaged
	// over the sequences (the word-embedding task).
	LossMSE = "mse"
)
