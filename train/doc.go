// Package train holds the training loops of the suite's tasks: minibatch
// training of a configured model, periodic evaluation, and the run record.
// [Classify] trains classifiers; [LanguageModel] trains recurrent language
// models by truncated back-propagation through time. [Hooks] lets other
// loops call a model's hooks at the same points.
//
// One update t (1-based) runs, in this order: StepStarter hooks; zero the
// gradients; Perturber.Perturb; forward, loss, backward; Perturber.Restore;
// stop if the loss is not finite; gradient-norm clipping; the optimiser
// step; LossObserver hooks. Every ‘EvalEvery’ updates the loop evaluates the
// model in evaluation mode on a fixed subset of the training set and on the
// validation and test sets, and records Tracer values.
//
// The loop never allocates after its first evaluation: batches are gathered
// into reused buffers.
//
// [Workload] states the work of a task's run (updates, evaluations and
// their sizes) without data; tasks with loops of their own (the recurrent
// tasks) also implement [Stepper], which makes their loop's update on a
// fixed batch ([SeqBatch]; [NewLMStep] for LanguageModel), so that package
// perf/speed can time every task's update.
package train
