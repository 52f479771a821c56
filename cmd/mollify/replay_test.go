package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/store"
)

// TestReplay: the runs of a fresh sweep replay identical bit for bit; a
// stored number changed by one digit is found and named (exit 1), and a
// run whose settings no longer match today's is refused as stale, not
// replayed.
func TestReplay(t *testing.T) {
	dir := sweepQuick(t, "parity", "baseline")
	replay := func() (int, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"replay", "-profile", "quick", "-sample", "all", "-workers", "2", "-out", dir}, &stdout, &stderr)
		return code, stdout.String() + stderr.String()
	}
	code, out := replay()
	if code != 0 || !strings.Contains(out, "replay: all ") || !strings.Contains(out, "identical bit for bit") {
		t.Fatalf("replay of untouched runs: exit %d\n%s", code, out)
	}
	rs, err := store.LoadResults(dir)
	if err != nil || len(rs) < 2 {
		t.Fatalf("results: %v (%d)", err, len(rs))
	}
	edit := func(r *store.Result, change func(*experiment.Record)) {
		t.Helper()
		change(r.Record)
		if err := store.WriteResult(r.Path, r.Record, r.Env); err != nil {
			t.Fatal(err)
		}
	}
	final := rs[slices.IndexFunc(rs, func(r *store.Result) bool { return r.Record.Spec.Phase == experiment.Final })]
	edit(final, func(rec *experiment.Record) { rec.Final["train_eval_loss"] += 1e-9 })
	tune := rs[slices.IndexFunc(rs, func(r *store.Result) bool { return r.Record.Spec.Phase == experiment.Tune })]
	edit(tune, func(rec *experiment.Record) { rec.Spec.Settings = "0000000000000000" })
	code, out = replay()
	if code != exitFail {
		t.Fatalf("replay of edited runs: exit %d, want %d\n%s", code, exitFail, out)
	}
	for _, want := range []string{"differs: train_eval_loss", "not replayed: ", "stale result file", "2 of ", "are not the stored ones"} {
		if !strings.Contains(out, want) {
			t.Errorf("replay output lacks %q:\n%s", want, out)
		}
	}
}

// TestShortestPerRevision: one run per task and revision, the shortest, the
// first by path on a tie, in path order.
func TestShortestPerRevision(t *testing.T) {
	res := func(path, task, rev string, secs float64) *store.Result {
		return &store.Result{Path: path, Record: &experiment.Record{Spec: experiment.RunSpec{Task: task}},
			Env: store.Env{Provenance: store.Provenance{Revision: rev}, WallSeconds: secs}}
	}
	in := []*store.Result{
		res("a/3", "a", "r1", 5), res("a/1", "a", "r1", 3), res("a/2", "a", "r1", 3),
		res("a/4", "a", "r2", 9),
		res("b/1", "b", "r1", 1), res("b/2", "b", "r1", 2),
	}
	var got []string
	for _, r := range shortestPerRevision(in) {
		got = append(got, r.Path)
	}
	if want := []string{"a/1", "a/4", "b/1"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// sweepQuick runs the quick profile's sweep of one task and configuration
// with one final seed into a fresh folder and returns it.
func sweepQuick(t *testing.T, task, config string) string {
	t.Helper()
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"run", "-profile", "quick", "-tasks", task, "-configs", config, "-seeds", "1", "-workers", "1", "-out", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr.String())
	}
	return dir
}
