package train

import (
	"context"
	"fmt"
	"math"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
	"github.com/mollifying/mollify/rng"
)

// Split is a labelled set of examples: row i of X has label Y[i].
type Split struct {
	X *nn.Mat[float32]
	Y []int32
}

// Len is the number of examples.
func (s Split) Len() int { return len(s.Y) }

// Data is a classification problem.
type Data struct {
	Train, Valid, Test Split
	Classes            int
	// Augment, when set, transforms every training example as it is
	// gathered into a batch, with randomness from the run's "augment"
	// stream (see [Augmenter]).
	Augment Augmenter
}

// Settings are the training settings of a classification run.
type Settings struct {
	Epochs int `json:"epochs"`
	Batch  int `json:"batch"`
	// EvalEvery is the evaluation interval in updates; 0 means once per
	// epoch.
	EvalEvery int `json:"eval_every"`
	// TrainEval is how many training examples (the first ones) are
	// evaluated to measure the training loss of the deterministic network.
	TrainEval int `json:"train_eval"`
	// Optimizer is "sgd" or "adam".
	Optimizer string  `json:"optimizer"`
	Momentum  float64 `json:"momentum"`
	Nesterov  bool    `json:"nesterov"`
	// Clip is the gradient-norm bound; 0 disables clipping.
	Clip        float64 `json:"clip"`
	WeightDecay float64 `json:"weight_decay"`
	// Target, when set, makes the loop record the first update at which the
	// evaluation value TargetMetric reaches TargetValue.
	TargetMetric string  `json:"target_metric,omitempty"`
	TargetValue  float64 `json:"target_value,omitempty"`
	// LRDecayEpochs and LRDecayFactor make the learning rate a step
	// function (see [Settings.LR]); without them it is constant.
	LRDecayEpochs []int   `json:"lr_decay_epochs,omitempty"`
	LRDecayFactor float64 `json:"lr_decay_factor,omitempty"`
	// EvalBatch is the number of examples evaluated at once; 0 means
	// max(Batch, 500).
	EvalBatch int `json:"eval_batch,omitempty"`
	// EvalSubset, when positive, makes the intermediate evaluations use
	// the first EvalSubset examples of each split (of the TrainEval subset
	// for the training set); the first and last evaluations use them all.
	// The curve and early stopping then cost a fraction of the full
	// evaluations, and the final numbers are the full splits'.
	EvalSubset int `json:"eval_subset,omitempty"`
}

// prefix is the first n examples of s, or s when n ≤ 0 or n ≥ its size.
func (s Split) prefix(n int) Split {
	if n <= 0 || n >= s.Len() {
		return s
	}
	d := s.X.Cols
	return Split{X: &nn.Mat[float32]{Rows: n, Cols: d, Data: s.X.Data[:n*d]}, Y: s.Y[:n]}
}

// Validate reports the first bad field.
func (s Settings) Validate() error {
	switch {
	case s.Epochs <= 0:
		return fmt.Errorf("epochs = %d, want > 0", s.Epochs)
	case s.Batch <= 0:
		return fmt.Errorf("batch = %d, want > 0", s.Batch)
	case s.EvalEvery < 0:
		return fmt.Errorf("eval_every = %d, want ≥ 0", s.EvalEvery)
	case s.Optimizer != "sgd" && s.Optimizer != "adam":
		return fmt.Errorf("optimizer = %q, want sgd or adam", s.Optimizer)
	}
	return s.validateSchedule()
}

// Updates is the number of updates a run over n training examples makes:
// whole batches only, so every update sees Batch examples.
func (s Settings) Updates(n int) int { return s.Epochs * (n / s.Batch) }

// Metric names written into each curve point and into Record.Final.
const (
	TrainLoss     = "train_loss"      // mean minibatch loss since the last evaluation, training mode
	TrainEvalLoss = "train_eval_loss" // loss of the evaluation-mode network on the TrainEval subset
	TrainEvalAcc  = "train_eval_acc"
	ValidLoss     = "valid_loss"
	ValidAcc      = "valid_acc"
	TestLoss      = "test_loss"
	TestAcc       = "test_acc"
)

// ClassifyFinals are the final metrics Classify may record, for tasks'
// experiment.Finals.
func ClassifyFinals() []string {
	return []string{TrainLoss, TrainEvalLoss, TrainEvalAcc, ValidLoss, ValidAcc, TestLoss, TestAcc,
		"best_valid_acc", "test_acc_at_best_valid", "best_valid_update", experiment.UpdatesToTarget, experiment.ReachedTarget}
}

// Classify trains model on data with learning rate lr and returns the run's
// curve and final metrics:
//
//   - the last evaluation's values, under their own names;
//   - best_valid_acc, and test_acc_at_best_valid / best_valid_update: the
//     test accuracy at the evaluation with the best validation accuracy
//     (early stopping without keeping weights);
//   - updates_to_target when Settings.TargetMetric is set: the first update
//     whose evaluation reached the target, or updates+1 when none did (the
//     AlgoPerf convention), with reached_target 1 or 0.
func Classify(ctx context.Context, data *Data, model *experiment.Model, s Settings, lr float64, seed uint64, progress func(float64)) (*experiment.Record, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	n := data.Train.Len()
	if n < s.Batch {
		return nil, fmt.Errorf("train: %d training examples is fewer than one batch of %d", n, s.Batch)
	}
	perEpoch := n / s.Batch
	net := model.Net
	var opt nn.Optimizer[float32]
	if s.Optimizer == "adam" {
		opt = nn.NewAdam[float32]()
	} else {
		opt = &nn.SGD[float32]{Momentum: s.Momentum, Nesterov: s.Nesterov, WeightDecay: s.WeightDecay}
	}
	shuffle := rng.New(seed, "shuffle")
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	d := data.Train.X.Cols
	xb := nn.NewMat[float32](s.Batch, d)
	yb := make([]int32, s.Batch)
	var ce nn.SoftmaxCE[float32]
	ev := newEvaluator(net, s.Batch)
	if s.EvalBatch > 0 {
		ev.chunk = s.EvalBatch
	}
	augment := rng.New(seed, "augment")
	trainEval := data.Train
	if s.TrainEval > 0 && s.TrainEval < n {
		trainEval = Split{X: &nn.Mat[float32]{Rows: s.TrainEval, Cols: d, Data: trainEval.X.Data[:s.TrainEval*d]}, Y: trainEval.Y[:s.TrainEval]}
	}
	loop := &Loop{
		Model: model, Opt: opt, Clip: s.Clip,
		Epochs: s.Epochs, PerEpoch: perEpoch, EvalEvery: s.EvalEvery,
		StartEpoch: func(int) {
			shuffle.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		},
		Batch: func(t int) {
			b := (t - 1) % perEpoch
			for k, idx := range order[b*s.Batch : (b+1)*s.Batch] {
				if data.Augment != nil {
					data.Augment.Augment(xb.Row(k), data.Train.X.Row(idx), augment)
				} else {
					copy(xb.Row(k), data.Train.X.Row(idx))
				}
				yb[k] = data.Train.Y[idx]
			}
		},
		LR: func(t int) float64 { return s.LR(lr, t, perEpoch) },
		Loss: func() float64 {
			loss, _ := ce.Forward(net.Forward(xb, true), yb)
			net.Backward(ce.Backward())
			return loss
		},
		Measure: func(v experiment.Values, suf string, full bool) {
			n := s.EvalSubset
			if full {
				n = 0
			}
			l, a := ev.run(trainEval.prefix(n), &ce)
			v[TrainEvalLoss+suf], v[TrainEvalAcc+suf] = experiment.Num(l), experiment.Num(a)
			vl, va := ev.run(data.Valid.prefix(n), &ce)
			v[ValidLoss+suf], v[ValidAcc+suf] = experiment.Num(vl), experiment.Num(va)
			tl, ta := ev.run(data.Test.prefix(n), &ce)
			v[TestLoss+suf], v[TestAcc+suf] = experiment.Num(tl), experiment.Num(ta)
		},
		Best: &Best{Judge: ValidAcc, Maximize: true, Keep: []Kept{
			{Final: "best_valid_acc", Value: ValidAcc},
			{Final: "test_acc_at_best_valid", Value: TestAcc},
		}},
	}
	if s.TargetMetric != "" {
		loop.Target = &Target{Metric: s.TargetMetric, Value: s.TargetValue}
	}
	return loop.Run(ctx, progress)
}

// evaluator runs a network in evaluation mode over a split in fixed-size
// chunks, reusing one input buffer.
type evaluator struct {
	net   nn.Layer[float32]
	chunk int
	view  nn.Mat[float32] // a window onto the split, reused
}

func newEvaluator(net nn.Layer[float32], batch int) *evaluator {
	return &evaluator{net: net, chunk: max(batch, 500)}
}

// run returns the mean loss and the accuracy on s.
func (e *evaluator) run(s Split, ce *nn.SoftmaxCE[float32]) (loss, acc float64) {
	n := s.Len()
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	d := s.X.Cols
	var total float64
	var correct int
	for lo := 0; lo < n; lo += e.chunk {
		hi := min(lo+e.chunk, n)
		e.view = nn.Mat[float32]{Rows: hi - lo, Cols: d, Data: s.X.Data[lo*d : hi*d]}
		l, c := ce.Forward(e.net.Forward(&e.view, false), s.Y[lo:hi])
		total += l * float64(hi-lo)
		correct += c
	}
	return total / float64(n), float64(correct) / float64(n)
}

// RunTask is the Run of a classification task: it builds cfg's model for
// arch (with the run seed, the number of updates the settings make on data,
// and ln(classes) as the loss of an uninformed predictor), trains it with
// [Classify] at the spec's learning rate, and stamps the record with the
// spec and the task's settings (recorded as given).
func RunTask(ctx context.Context, spec experiment.RunSpec, cfg experiment.Config, arch experiment.Arch, data *Data, s Settings, recorded any, progress func(float64)) (*experiment.Record, error) {
	env := experiment.Env{Seed: spec.Seed, Updates: s.Updates(data.Train.Len()), InitialLoss: math.Log(float64(data.Classes))}
	model, err := cfg.Build(arch, spec.Hyper, spec.Options, env)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", spec.Task, cfg.Name(), err)
	}
	rec, err := Classify(ctx, data, model, s, spec.Hyper.Get("lr"), spec.Seed, progress)
	if err != nil {
		return nil, err
	}
	rec.Spec, rec.Settings = spec, recorded
	return rec, nil
}

// MLPCost is the multiply-adds of a classification run of MLP a on splits
// of the given sizes: training (forward and backward, 3 per weight per
// example) and every evaluation (the training subset, validation and test).
// The harness only orders runs by it (experiment.Coster).
func (s Settings) MLPCost(a *experiment.MLP, split [3]int) float64 {
	weights, in := 0, a.In
	for _, w := range a.Hidden {
		weights += in * w
		in = w
	}
	weights += in * a.Out
	updates := s.Updates(split[0])
	every := s.EvalEvery
	if every <= 0 {
		every = max(1, split[0]/max(1, s.Batch))
	}
	evals := float64(updates/every+1) * float64(s.TrainEval+split[1]+split[2])
	return (float64(updates*s.Batch)*3 + evals) * float64(weights)
}
