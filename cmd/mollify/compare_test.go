package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/store"
)

// writeFinals writes five final runs of an unregistered task whose loss is
// base + 0.001·seed.
func writeFinals(t *testing.T, dir string, base float64) {
	t.Helper()
	for seed := uint64(1); seed <= 5; seed++ {
		spec := experiment.RunSpec{Task: "toy", Profile: "paper", Config: "baseline", Phase: experiment.Final, Seed: seed}
		rec := &experiment.Record{Spec: spec, Hash: spec.Hash(), Final: experiment.Values{"valid_loss": experiment.Num(base + 0.001*float64(seed))}}
		if err := store.WriteResult(store.RunPath(dir, spec), rec, store.Env{}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCompare: a folder against itself shows no change and exits 0; against
// one whose loss is worse, -fail-on-worse exits 1 naming the regression.
func TestCompare(t *testing.T) {
	ref, worse := t.TempDir(), t.TempDir()
	writeFinals(t, ref, 0.1)
	writeFinals(t, worse, 0.3)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"compare", "-fail-on-worse", ref, ref}, exitOK, "no change"},
		{[]string{"compare", ref, worse}, exitOK, "worse"},
		{[]string{"compare", "-fail-on-worse", ref, worse}, exitFail, "worse"},
		{[]string{"compare", "-fail-on-worse", worse, ref}, exitOK, "better"},
		{[]string{"compare", ref}, exitUsage, "two results folders"},
		{[]string{"compare", ref, filepath.Join(ref, "missing")}, exitUsage, "NEW"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), c.args, &stdout, &stderr)
		out := stdout.String() + stderr.String()
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", c.args, code, c.code, c.want, out)
		}
	}
}

// TestPlan: plan lists every cell with its runs and runs nothing; with no
// result in the folder it estimates from measured steps, or, with
// -measure=false, says it has no estimate.
func TestPlan(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{nil, []string{"(step)", "CPU time to go:", "(parity ", "on 2 cores", "on 1000 cores"}},
		{[]string{"-measure=false"}, []string{"no time estimate"}},
		{[]string{"-cores", "4,8"}, []string{"on 4 cores", "on 8 cores"}},
	} {
		dir := t.TempDir()
		var stdout, stderr bytes.Buffer
		args := append([]string{"plan", "-profile", "quick", "-tasks", "parity", "-configs", "baseline,mollified", "-workers", "2", "-out", dir}, c.args...)
		code := run(context.Background(), args, &stdout, &stderr)
		out := stdout.String()
		if code != exitOK || !strings.Contains(out, "parity  baseline") || !strings.Contains(out, "2 × 1 seeds") {
			t.Fatalf("%v: exit %d\n%s%s", c.args, code, out, stderr.String())
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", c.args, w, out)
			}
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Fatalf("plan wrote %d entries into the results folder", len(entries))
		}
	}
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"plan", "-cores", "0"}, &bytes.Buffer{}, &stderr); code != exitUsage || !strings.Contains(stderr.String(), `-cores: "0"`) {
		t.Fatalf("-cores 0: exit %d, %s", code, stderr.String())
	}
}

// TestCompareWorseLearningRate: real runs. The quick parity sweep of the
// residual network compared with itself shows no change; the same sweep
// with a learning rate ten times too small (-grid lr=0.001) is reported as
// a regression and fails -fail-on-worse.
func TestCompareWorseLearningRate(t *testing.T) {
	good, bad := t.TempDir(), t.TempDir()
	sweep := []string{"run", "-profile", "quick", "-tasks", "parity", "-configs", "residual", "-seeds", "5", "-workers", "2"}
	for _, c := range []struct {
		dir   string
		extra []string
	}{{good, nil}, {bad, []string{"-grid", "lr=0.001"}}} {
		var stderr bytes.Buffer
		if code := run(context.Background(), append(append(sweep, c.extra...), "-out", c.dir), &bytes.Buffer{}, &stderr); code != 0 {
			t.Fatalf("sweep: exit %d\n%s", code, stderr.String())
		}
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"compare", "-fail-on-worse", good, good}, &out, &out); code != exitOK || strings.Contains(out.String(), "worse") {
		t.Errorf("against itself: exit %d\n%s", code, out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"compare", "-fail-on-worse", good, bad}, &out, &out); code != exitFail || !strings.Contains(out.String(), "train_eval_loss") || !strings.Contains(out.String(), "regression") {
		t.Errorf("against the worse learning rate: exit %d\n%s", code, out.String())
	}
}
