// Package store holds the suite's result files: one JSON file per run
// (RunPath), whose "run" object is the deterministic record and whose "env"
// object is the provenance of the execution (Provenance: revision, Go, CPU,
// GEMM kernel, wall time). Files are written atomically (a temporary file in
// the same folder, then a rename), so a reader sees a file complete or not
// at all; several processes may write into one folder (temporary files are
// named by host and pid, and only left-overs of ended writers are removed),
// and a run being computed is claimed by a lease beside its file (Lease), so
// that no two live processes compute it. CheckWritable probes a folder
// before a sweep starts.
//
// It imports no task: the report reads results through it alone.
package store
