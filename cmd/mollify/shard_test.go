package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mollifying/mollify/store"
)

// TestMain lets the tests start the command as separate processes: the
// test binary runs as mollify when MOLLIFY_AS_COMMAND is set.
func TestMain(m *testing.M) {
	if os.Getenv("MOLLIFY_AS_COMMAND") == "1" {
		main() // as the command does, signal handling included
	}
	os.Exit(m.Run())
}

// command starts the command as a separate process.
func command(args ...string) *exec.Cmd {
	c := exec.Command(os.Args[0], args...)
	c.Env = append(os.Environ(), "MOLLIFY_AS_COMMAND=1")
	return c
}

// runs returns the "run" object of every result file under dir.
func runs(t *testing.T, dir string) map[string]string {
	t.Helper()
	rs, err := store.LoadResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rs {
		rel, _ := filepath.Rel(dir, r.Path)
		out[rel] = r.Digest
	}
	return out
}

// TestThreeProcessesMergeToOne: a sweep split into three shards, run as
// three processes at once on one folder, leaves the same result files
// (run objects bit for bit) as the sweep in one process.
func TestThreeProcessesMergeToOne(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a sweep four times")
	}
	sweep := []string{"run", "-profile", "quick", "-tasks", "parity,copy", "-configs", "baseline,mollified", "-workers", "1"}
	one := t.TempDir()
	var stderr bytes.Buffer
	if code := run(context.Background(), append(sweep, "-out", one), &bytes.Buffer{}, &stderr); code != 0 {
		t.Fatalf("one process: exit %d\n%s", code, stderr.String())
	}
	merged := t.TempDir()
	var procs []*exec.Cmd
	var outs []*bytes.Buffer
	for i := range 3 {
		c := command(append(sweep, "-out", merged, "-shards", "3")...)
		c.Env = append(c.Env, fmt.Sprintf("SLURM_ARRAY_TASK_ID=%d", i))
		var out bytes.Buffer
		c.Stdout, c.Stderr = &out, &out
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		procs, outs = append(procs, c), append(outs, &out)
	}
	computed := 0
	for i, c := range procs {
		if err := c.Wait(); err != nil {
			t.Fatalf("shard %d: %v\n%s", i, err, outs[i])
		}
		var ran, found, elsewhere int
		var rest string
		for _, line := range strings.Split(outs[i].String(), "\n") {
			if n, _ := fmt.Sscanf(line, "%d runs executed, %d found in %s %d made", &ran, &found, &rest, &elsewhere); n >= 2 {
				computed += ran
			}
		}
	}
	want := runs(t, one)
	if computed != len(want) {
		t.Errorf("the three processes computed %d runs between them, want %d", computed, len(want))
	}
	if d := cmp.Diff(want, runs(t, merged)); d != "" {
		t.Fatalf("three processes differ from one (-one +three):\n%s", d)
	}
}
