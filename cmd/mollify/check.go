package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/harness"
	"github.com/mollifying/mollify/store"
)

// cmdCheck runs a profile into a fresh directory and compares every result
// with the golden files: the deterministic "run" objects must be identical.
// With -update it replaces the golden files (and their report) instead.
func cmdCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("check", stderr)
	var f sweepFlags
	f.register(fs, experiment.Quick)
	golden := fs.String("golden", "", "golden results directory (default results/golden/<profile>)")
	update := fs.Bool("update", false, "replace the golden files with this run's")
	keep := fs.Bool("keep", false, "keep the fresh results directory")
	results := fs.String("results", "", "compare this results directory (for example shards merged on a cluster) instead of running afresh")
	if err := parse(fs, args); err != nil {
		return err
	}
	if f.out != "" {
		return usagef("-out is not used by check (it runs into a temporary directory; see -keep)")
	}
	if *golden == "" {
		*golden = filepath.Join("results", "golden", f.profileName())
	}
	if *results != "" {
		if *update || *keep {
			return usagef("-results compares existing results: -update and -keep do not apply")
		}
		return reportDifferences(*golden, *results, stdout)
	}
	p, err := f.plan()
	if err != nil {
		return err
	}
	if err := p.CheckData(); err != nil {
		return usageError{err}
	}
	tmp, err := os.MkdirTemp("", "mollify-check-")
	if err != nil {
		return err
	}
	if !*keep {
		defer os.RemoveAll(tmp)
	} else {
		fmt.Fprintf(stderr, "fresh results kept in %s\n", tmp)
	}
	r := &harness.Runner{Dir: tmp, Workers: f.workers, Log: stderr, Terminal: isTerminal(stderr)}
	if _, err := r.Run(ctx, p); err != nil {
		return err
	}
	if *update {
		if err := os.RemoveAll(filepath.Join(*golden, "runs")); err != nil {
			return err
		}
		if err := os.MkdirAll(*golden, 0o755); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(tmp, "runs"), filepath.Join(*golden, "runs")); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "golden results updated in %s\n", *golden)
		return writeReport(*golden, stdout)
	}
	return reportDifferences(*golden, tmp, stdout)
}

// reportDifferences compares the results in dir with the golden ones and
// fails with the list of differences.
func reportDifferences(golden, dir string, stdout io.Writer) error {
	problems, err := compareResults(golden, dir)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d difference(s) from the golden results in %s:\n  %s\n(if the change is intended, run: make golden)", len(problems), golden, strings.Join(problems, "\n  "))
	}
	fmt.Fprintf(stdout, "check: every result matches %s bit for bit\n", golden)
	return nil
}

// compareResults lists the differences between two results directories,
// run by run.
func compareResults(golden, got string) ([]string, error) {
	want, err := store.LoadResults(golden)
	if err != nil {
		return nil, fmt.Errorf("golden results: %w", err)
	}
	have, err := store.LoadResults(got)
	if err != nil {
		return nil, err
	}
	index := func(rs []*store.Result, root string) map[string]*store.Result {
		m := map[string]*store.Result{}
		for _, r := range rs {
			rel, _ := filepath.Rel(root, r.Path)
			m[rel] = r
		}
		return m
	}
	wm, hm := index(want, golden), index(have, got)
	var problems []string
	for _, k := range slices.Sorted(maps.Keys(wm)) {
		h, ok := hm[k]
		if !ok {
			problems = append(problems, "missing: "+k)
			continue
		}
		if h.Digest == wm[k].Digest {
			continue
		}
		problems = append(problems, fmt.Sprintf("differs: %s (%s)", k, strings.Join(recordDiffs(wm[k].Record, h.Record), ", ")))
	}
	for _, k := range slices.Sorted(maps.Keys(hm)) {
		if _, ok := wm[k]; !ok {
			problems = append(problems, "not in the golden results: "+k)
		}
	}
	return problems, nil
}

// recordDiffs says how two runs of one spec differ: the final metrics that
// differ (old → new), or that only the curve does.
func recordDiffs(want, got *experiment.Record) []string {
	var diffs []string
	wf, hf := want.Final, got.Final
	for _, name := range slices.Sorted(maps.Keys(wf)) {
		if a, b := wf[name], hf[name]; a != b && !(a != a && b != b) {
			diffs = append(diffs, fmt.Sprintf("%s %v → %v", name, a, b))
		}
	}
	if len(diffs) == 0 {
		diffs = append(diffs, "final metrics equal; the curve differs")
	}
	return diffs
}
