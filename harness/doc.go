// Package harness runs sweeps: it expands (task × configuration × seed) into
// runs, tunes each configuration on the validation split within the task's
// budget, runs the selected hyper-parameters on the final seeds, and writes
// one JSON result file per run.
//
// # Sweep
//
// For each task and each configuration that applies to it, the harness
//
//  1. forms the configuration's trials ([Trials]): the task's learning-rate
//     grid crossed with the configuration's own axes (experiment.Config.Space);
//     when that product exceeds the task's budget, a balanced design of budget
//     points (each learning rate equally often, each value of the other axes
//     equally often), so that every configuration gets the same number;
//  2. runs every trial on the task's tuning seeds (phase "tune");
//  3. selects the trial with the best mean of the task's selection metric
//     (ties go to the earlier trial; diverged runs, and runs whose annealing
//     did not stop within the budget, never win);
//  4. runs the selected point on the final seeds (phase "final").
//
// # Result files (package store)
//
// A run's file is <dir>/runs/<task>/<config>/<phase>-<hash>.json, where hash
// identifies the run spec. It holds two objects: "run", the deterministic
// experiment.Record (bit-identical whenever the spec and code are, whatever the
// number of workers), and "env", the provenance (code revision, Go version,
// CPU, GEMM kernel, wall time). Files are written to a temporary name and
// renamed, so a file under its final name is always complete; a sweep that
// finds a run's file skips the run, which is how an interrupted sweep
// resumes.
//
// # Workers
//
// Runs execute on a pool of single-threaded workers, one per core by
// default. A run is a pure function of its spec, so the pool size changes
// only the wall time.
//
// # Several processes, one folder
//
// Any number of processes may write into one results folder: whole sweeps
// started twice, or the shards of one sweep ([Shard], [Phase]) on a cluster
// with a shared filesystem. Each run is claimed by a lease file beside its
// result (store.Lease) while it is computed, so no two live processes
// compute it; a process that needs a run another holds waits for its file,
// and one that waits LeaseTTL for a run nobody has claimed (its shard
// crashed or never started) computes it itself. The merged folder equals a
// one-process sweep's file for file (TestShardsMergeToOneSweep; the command's
// TestThreeProcessesMergeToOne does it with three processes).
//
// # Registry
//
// [Tasks] and [Configs] list everything the suite knows, in one place: adding
// a task or a configuration is one file in its package plus one line there.
package harness
