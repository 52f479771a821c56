// Package train holds the suite's one training loop, [Loop], and the two
// kinds of task that share most of their set-up: [Classify] trains
// classifiers and [LanguageModel] recurrent language models by truncated
// back-propagation through time; the copy and word-embedding tasks build
// their own [Loop].
//
// A task supplies what differs: its batches (Batch, and StartEpoch for
// shuffles and state resets), its forward and backward pass (Loss), the
// learning rate of each update (LR), its evaluation (Measure, plus Extra
// for values that are not measurements), and what early stopping keeps
// (Best) and which target it times (Target). The loop owns the rest: the
// update counter and epochs, the hooks and the optimiser step, the
// evaluation points (update 0, every EvalEvery updates, the last update),
// progress, cancellation, divergence (a NaN or infinite loss ends the run,
// evaluated once more), the running training average, the curve and the
// final record.
//
// One update t (1-based) runs, in this order: Batch(t); StepStarter hooks;
// zero the gradients; Perturber.Perturb; Loss (forward, loss, backward);
// Perturber.Restore; stop if the loss is not finite; gradient-norm
// clipping; the optimiser step with LR(t); LossObserver hooks. At each
// evaluation point the loop measures the network in evaluation mode
// ([Hooks.Evaluate]: the network being trained, and the original network
// beside it for a configuration with an [experiment.Originaler]) and
// records Tracer values.
//
// The loop never allocates after its first evaluation: batches are gathered
// into reused buffers.
//
// [Workload] states the work of a task's run (updates, evaluations and
// their sizes) without data; the recurrent tasks also implement [Stepper],
// which makes their update on a fixed batch ([SeqBatch]; [NewLMStep] for
// LanguageModel), so that package perf/speed can time every task's update.
package train
