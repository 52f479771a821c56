package train

import (
	"context"
	"fmt"
	"math"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/nn"
)

// Loop is the one training loop of the suite. A task says what differs
// (its batches, its loss, its evaluation, what it keeps for early stopping
// and which target it times); the loop owns everything else: the update
// counter, the epochs, the hooks and the optimiser step (through
// [Hooks.Update]: schedules, perturbations, clipping), the learning rate
// of each update, the evaluation points, progress, cancellation,
// divergence, the running training average, the curve and the final
// record.
//
// Per update t = 1, 2, ...: Batch(t), then Hooks.Update with LR(t) and
// Loss as the forward and backward pass; a NaN or infinite loss marks the
// run diverged, ends it, and evaluates once more. The curve has a point at
// update 0, every EvalEvery updates and at the last update.
type Loop struct {
	Model *experiment.Model
	Opt   nn.Optimizer[float32]
	// Clip bounds the global gradient norm; 0 disables it.
	Clip float64
	// Epochs × PerEpoch updates; PerEpoch also scales Point.Epoch. A loop
	// without epochs has Epochs = 1.
	Epochs, PerEpoch int
	// EvalEvery is the evaluation interval in updates; 0 means PerEpoch.
	EvalEvery int

	// StartEpoch, when set, is called before the first update of each
	// 0-based epoch (shuffles, state resets).
	StartEpoch func(epoch int)
	// Batch fills update t's batch.
	Batch func(t int)
	// LR is the learning rate of update t.
	LR func(t int) float64
	// Loss is the forward and backward pass of the current batch; it
	// returns the loss the hooks see.
	Loss func() float64
	// Running, when set, maps an update's loss to what the running
	// training average adds (nil: the loss).
	Running func(loss float64) float64
	// RunningValues writes the running average into a curve point (nil:
	// under TrainLoss).
	RunningValues func(v experiment.Values, mean float64)
	// Extra, when set, writes values that are not measurements of the
	// network (a learning rate, a curriculum bound) into the point of
	// update t.
	Extra func(v experiment.Values, t int)
	// Measure evaluates the network into v, every name ending in suffix
	// ("" for the network being trained, experiment.OriginalSuffix for the
	// original one, see [Hooks.Evaluate]); full is set at the first and
	// last evaluations, which must use whole splits.
	Measure func(v experiment.Values, suffix string, full bool)
	// Best, when set, keeps the evaluation where a validation value was
	// best (early stopping without keeping weights).
	Best *Best
	// Target, when set, times the first update whose evaluation reached a
	// value.
	Target *Target
}

// Best is early stopping's bookkeeping: at the evaluation where Judge was
// best (highest with Maximize, else lowest; ties keep the earlier), the
// values named by Keep are copied into the final record under their keys,
// with best_valid_update the update. Names refer to the run's headline
// values ([Hooks.Headline]): the original network's when the model trains
// another one.
type Best struct {
	Judge    string
	Maximize bool
	// Keep lists the final names and the values they keep, e.g.
	// "best_valid_acc" ← ValidAcc. One whose value is Judge starts at ∓Inf,
	// the others at NaN, so a run with no number says so.
	Keep []Kept
}

// Kept is one value [Best] keeps: Map(value) when Map is set (a
// perplexity from a loss, say), else the value.
type Kept struct {
	Final, Value string
	Map          func(float64) float64
}

func (k Kept) of(v float64) experiment.Num {
	if k.Map != nil {
		v = k.Map(v)
	}
	return experiment.Num(v)
}

// Target is a value a run should reach: the first update t > 0 whose
// evaluation has Metric ≥ Value (≤ with Below) becomes updates_to_target
// with reached_target 1; a run that never reaches it gets the budget + 1
// and 0 (the AlgoPerf convention).
type Target struct {
	Metric string
	Value  float64
	Below  bool
}

// Updates is the number of updates the loop makes.
func (l *Loop) Updates() int { return l.Epochs * l.PerEpoch }

// Validate reports a loop the task set up wrongly.
func (l *Loop) Validate() error {
	switch {
	case l.Model == nil || l.Opt == nil || l.Batch == nil || l.LR == nil || l.Loss == nil || l.Measure == nil:
		return fmt.Errorf("train: the loop lacks a model, an optimiser, a batch, a learning rate, a loss or a measure")
	case l.Epochs <= 0 || l.PerEpoch <= 0:
		return fmt.Errorf("train: %d epochs of %d updates, want positive numbers", l.Epochs, l.PerEpoch)
	case l.EvalEvery < 0:
		return fmt.Errorf("train: eval_every = %d, want ≥ 0", l.EvalEvery)
	}
	return nil
}

// Run trains and returns the record: its curve, the number of updates
// made, whether it diverged, and the final values (the last evaluation's,
// then Best's and Target's).
func (l *Loop) Run(ctx context.Context, progress func(float64)) (*experiment.Record, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	total := l.Updates()
	evalEvery := l.EvalEvery
	if evalEvery == 0 {
		evalEvery = l.PerEpoch
	}
	params := l.Model.Net.Params()
	hooks := CollectHooks(l.Model)
	headline := hooks.Headline()
	rec := &experiment.Record{Params: nn.CountParams(params)}

	var running float64
	var runningN int
	t := 0
	var best experiment.Values
	bestUpdate := 0
	if l.Best != nil {
		best = experiment.Values{}
		for _, k := range l.Best.Keep {
			best[k.Final] = k.of(math.NaN())
			if k.Value == l.Best.Judge {
				best[k.Final] = k.of(math.Inf(1))
				if l.Best.Maximize {
					best[k.Final] = k.of(math.Inf(-1))
				}
			}
		}
	}
	bestJudge := math.Inf(1)
	if l.Best != nil && l.Best.Maximize {
		bestJudge = math.Inf(-1)
	}
	reachedAt := 0

	evaluate := func() {
		p := experiment.Point{Update: t, Epoch: float64(t) / float64(l.PerEpoch), Values: experiment.Values{}}
		if runningN > 0 {
			mean := running / float64(runningN)
			if l.RunningValues != nil {
				l.RunningValues(p.Values, mean)
			} else {
				p.Values[TrainLoss] = experiment.Num(mean)
			}
		}
		running, runningN = 0, 0
		if l.Extra != nil {
			l.Extra(p.Values, t)
		}
		full := t == 0 || t == total || rec.Diverged
		hooks.Evaluate(p.Values, func(v experiment.Values, suffix string) { l.Measure(v, suffix, full) })
		hooks.Trace(p.Values)
		if l.Best != nil {
			j := float64(p.Values[l.Best.Judge+headline])
			if l.Best.Maximize && j > bestJudge || !l.Best.Maximize && j < bestJudge {
				bestJudge, bestUpdate = j, t
				for _, k := range l.Best.Keep {
					best[k.Final] = k.of(float64(p.Values[k.Value+headline]))
				}
			}
		}
		if g := l.Target; g != nil && reachedAt == 0 && t > 0 {
			if v, ok := p.Values[g.Metric]; ok && (!g.Below && float64(v) >= g.Value || g.Below && float64(v) <= g.Value) {
				reachedAt = t
			}
		}
		rec.Curve = append(rec.Curve, p)
	}

	evaluate() // the untrained network, at update 0
	for epoch := 0; epoch < l.Epochs && !rec.Diverged; epoch++ {
		if l.StartEpoch != nil {
			l.StartEpoch(epoch)
		}
		for range l.PerEpoch {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			t++
			l.Batch(t)
			loss, ok := hooks.Update(t, params, l.Clip, l.Opt, l.LR(t), l.Loss)
			r := loss
			if l.Running != nil {
				r = l.Running(loss)
			}
			if !ok {
				rec.Diverged = true
				running, runningN = r, 1
				break
			}
			running += r
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
	if l.Best != nil {
		for k, v := range best {
			rec.Final[k] = v
		}
		rec.Final["best_valid_update"] = experiment.Num(bestUpdate)
	}
	if l.Target != nil {
		if reachedAt > 0 {
			rec.Final[experiment.UpdatesToTarget] = experiment.Num(reachedAt)
			rec.Final[experiment.ReachedTarget] = 1
		} else {
			rec.Final[experiment.UpdatesToTarget] = experiment.Num(total + 1)
			rec.Final[experiment.ReachedTarget] = 0
		}
	}
	return rec, nil
}
