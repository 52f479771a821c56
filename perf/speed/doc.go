// Package speed measures how fast the suite trains: one training update of
// every task's network under every configuration that applies, at the
// sizes and batch of a profile (the paper's by default), in Go's benchmark
// format so that benchstat can compare runs.
//
//	GOMAXPROCS=1 go test ./perf/speed -run '^$' -bench . -cpu 1 [-args -speed.full]
//
// `make bench` runs these benchmarks with gemm's, times the same networks
// in PyTorch (perf/torch_bench.py) and prints them side by side
// (perf/cmd/benchtable); this package holds what both sides share: the
// cases, the step, the measurement and the description handed to Python.
//
// # What a step is
//
// [Step] performs an update exactly as train.Classify does (package train
// documents the order): the configuration's hooks, zeroing the gradients,
// forward, softmax cross-entropy, backward, gradient-norm clipping (the
// norm is computed even when the task does not clip, as in Classify) and
// the task's optimiser at the scheduled learning rate. It trains on one
// fixed random batch: the cost of an update does not depend on the data,
// and gathering a batch (a copy per example, plus CIFAR-10's augmentation)
// is left out. TestStepMatchesClassify checks that Step and Classify train
// the same weights.
//
// The recurrent tasks train with loops of their own (ptb with
// train.LanguageModel, copy and wordembed with theirs) and implement
// train.Stepper: the task draws the fixed batch of its loop's shape
// (StepBatch: a window of 20×20 tokens for ptb, the state carried from
// update to update; padded bit sequences with their mask, with the
// lengths the curriculum draws at the case's update, for copy; words of
// one length, the one nearest the mean over an epoch's batches, for
// wordembed) and makes the update as its loop does (Step: the loop's
// forward-backward under train.Hooks.Update with the loop's optimiser,
// clipping and learning rate). The tasks' own tests check that these
// steps train the same weights as their loops.
//
// Each case is a registered task under a registered configuration, built by
// the configuration's own Build from the task's Arch, with the first value
// of every axis of the configuration's space and the smallest learning rate
// of the task's grid, and experiment.Env.Updates set to the run's length, so
// that schedules run at their real pace. A configuration whose hooks depend
// on the update (annealed p, annealed weight noise, stochastic depth) is
// measured twice: from update 1, where the mollified network draws noise
// and skips for every unit, and (name suffix /late) from 90% of the run,
// where annealing is over.
//
// The paper profile's CIFAR-10 network, ResNet-110, takes seconds per step
// (and 3.5 GB at batch 128), so every configuration is measured on
// ResNet-20 (same widths, input and batch; "cifar10-resnet20") and the
// ResNet-110 step itself only with -speed.full, and only for the plain
// network ("cifar10-resnet110/baseline"); the paper-profile estimate scales
// it by each configuration's cost relative to the plain network on
// ResNet-20 (the blocks are the same, only their number differs).
//
// # How it is measured
//
// The machine is shared, so the benchmarks report CPU time of the process
// ([CPUTime]), not wall time, and the best of many rounds ([Measure]):
// other processes only ever slow a round down. Rounds are compared by CPU
// time per GEMM flop, which a counting backend in front of the GEMM
// backend records, so that a step whose work is random (stochastic depth)
// is not credited with its cheapest draws. Metrics: ns/step (the best
// round's CPU time per update), mean-ns/step, examples/s, GFLOP/s (matrix
// products only, 2·m·n·k each) and MFLOP/step. ns/op is Go's wall time per
// update and includes the time other processes held the core.
// BenchmarkEval times the evaluation-mode forward pass per example, at the
// chunk size Classify evaluates with, for the estimate of whole runs; for
// a recurrent task per unit of its workload (train.Workload.Unit), on the
// chunk its loop evaluates at once: a window of 20 tokens in one column for
// ptb (which reads the validation and test streams as one sequence each),
// a batch of 32 sequences of lengths uniform on 1..20 for copy, 32 words
// for wordembed.
package speed
