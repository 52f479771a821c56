package harness

import (
	"fmt"
	"strconv"
	"strings"
)

// Shard is a share of a sweep: the runs at positions Index, Index+Count,
// Index+2·Count, ... of each phase's run list, which is the same in every
// process given the same plan and results (tuning runs in plan order; final
// runs in plan order once tuning is complete). Count 0 or 1 is the whole
// sweep. Shards of one sweep may write into one results folder, at the same
// time or not: the merged folder holds the same files as a one-process
// sweep.
type Shard struct {
	Index, Count int
}

// ParseShard reads "i/n" with 0 ≤ i < n.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("shard %q: want i/n with 0 ≤ i < n, for example 0/4", s)
	}
	return Shard{Index: i, Count: n}, nil
}

func (s Shard) count() int { return max(s.Count, 1) }

// mine reports whether the k-th run of a phase belongs to the shard.
func (s Shard) mine(k int) bool { return s.Count <= 1 || k%s.Count == s.Index }

// share is the shard's part of a phase's jobs.
func (s Shard) share(jobs []job) []job {
	var out []job
	for k, j := range jobs {
		if s.mine(k) {
			out = append(out, j)
		}
	}
	return out
}

// String is "i/n", or "all" for the whole sweep.
func (s Shard) String() string {
	if s.Count <= 1 {
		return "all"
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// Phase restricts a process to part of a sweep. A cluster runs the tuning
// runs as one job array and the final runs as a second array that starts
// after the first has finished (Slurm's --dependency=afterok); a single
// process runs both.
type Phase int

// Phases.
const (
	// PhaseAll runs the tuning runs, waits for every one of them (other
	// shards' included), selects, then runs the final runs.
	PhaseAll Phase = iota
	// PhaseTune runs this shard's tuning runs and stops.
	PhaseTune
	// PhaseFinal selects from complete tuning results (an error names
	// each cell whose tuning is incomplete) and runs this shard's final
	// runs.
	PhaseFinal
)

// ParsePhase reads "all", "tune" or "final".
func ParsePhase(s string) (Phase, error) {
	switch s {
	case "all", "":
		return PhaseAll, nil
	case "tune":
		return PhaseTune, nil
	case "final":
		return PhaseFinal, nil
	}
	return 0, fmt.Errorf("phase %q: want all, tune or final", s)
}
