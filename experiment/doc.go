// Package experiment defines the suite's domain: what a task, a configuration, a
// run and its record are. It holds no algorithm; the training engine is
// package nn, the training loops package train, the paper's method package
// mollified, the comparison methods package baselines, the experiments
// package tasks, and the sweep runner package harness.
//
// # Tasks and configurations
//
// A [Task] is one experiment of the paper (data, architecture, training
// budget, metrics). A [Config] is one way of training a network (the plain
// network, a residual network, noisy activations, annealed weight noise, the
// mollified network). A task describes the network it needs as an [Arch]; a
// configuration turns that description into a [Model]: a float32 network plus
// optional hooks (see [StepStarter], [Perturber], [LossObserver], [Tracer])
// that the training loop calls at fixed points of every update. A
// configuration that cannot build an architecture returns [ErrNotApplicable]
// and the task skips it.
//
// # Profiles
//
// A [Profile] is the size a sweep runs at: one of the built-in ones (quick,
// paper, reduced) or a user's profile file over one of them ([ReadProfile]).
// Each task states its built-in definitions as typed values
// ([Definition]: its own settings type and a [Sweep]) and resolves them
// through [Defined], which decodes a profile file's overlay strictly; no task
// looks at a profile's name.
//
// # Runs
//
// A [RunSpec] names everything a run depends on: task, profile,
// configuration, hyper-parameters, named options and seed. A run is a pure
// function of its spec and the code, so its [Record] is bit-for-bit
// reproducible; the spec's hash names the result file.
package experiment
