package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mollifying/mollify/store"
)

// TestKillSoak kills a quick sweep with SIGKILL at random moments, then lets
// it finish, and checks that every result is present, valid, and bit for
// bit the golden one: a kill loses at most the runs in flight, never a
// finished run, and leaves no file that a resumed sweep would trust. The
// short form (make test) kills a sweep of a few tasks 3 times; MOLLIFY_SOAK=N
// (make soak) kills the whole quick profile N times.
func TestKillSoak(t *testing.T) {
	kills, sweep := 3, []string{"-tasks", "parity,copy,mnist-tanh", "-configs", "baseline,mollified,anneal"}
	if n, err := strconv.Atoi(os.Getenv("MOLLIFY_SOAK")); err == nil && n > 0 {
		kills, sweep = n, nil
	}
	golden := goldenSubset(t, sweep)
	dir := t.TempDir()
	args := append([]string{"run", "-profile", "quick", "-workers", "2", "-out", dir}, sweep...)
	r := rand.New(rand.NewPCG(2017, uint64(kills)))
	start := time.Now()
	killed := 0
	for killed < kills {
		c := command(args...)
		var out bytes.Buffer
		c.Stdout, c.Stderr = &out, &out
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		// A moment between 0.3 s and 3 s into the process's life: some
		// kills land while data is prepared, most while runs are writing.
		time.Sleep(time.Duration(300+r.IntN(2700)) * time.Millisecond)
		c.Process.Signal(syscall.SIGKILL)
		err := c.Wait()
		if err == nil {
			break // the sweep finished before the kill
		}
		killed++
		checkValid(t, dir)
	}
	c := command(args...)
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("the sweep after %d kills: %v\n%s", killed, err, out)
	}
	got := runs(t, dir)
	lost := 0
	for k, d := range golden {
		if got[k] != d {
			lost++
			t.Errorf("%s: missing or different from the golden result", k)
		}
	}
	if len(got) != len(golden) {
		t.Errorf("%d result files, want %d", len(got), len(golden))
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "runs", "*", "*", ".tmp-*"))
	leases, _ := filepath.Glob(filepath.Join(dir, "runs", "*", "*", "*.lease"))
	if len(leftovers)+len(leases) > 0 {
		t.Errorf("left behind: %v %v", leftovers, leases)
	}
	t.Logf("soak: %d kills with SIGKILL, %d runs, %d results lost or different, %s in all", killed, len(golden), lost, time.Since(start).Round(time.Second))
}

// checkValid fails if a result file under dir does not load (a torn or
// half-written file under a final name).
func checkValid(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "runs")); err != nil {
		return
	}
	if _, err := store.LoadResults(dir); err != nil {
		t.Fatalf("after a kill: %v", err)
	}
}

// goldenSubset is the digest of every golden quick result of the sweep's
// tasks and configurations (all when sweep is empty).
func goldenSubset(t *testing.T, sweep []string) map[string]string {
	t.Helper()
	all := runs(t, filepath.Join("..", "..", "results", "golden", "quick"))
	if len(sweep) == 0 {
		return all
	}
	tasks, configs := strings.Split(sweep[1], ","), strings.Split(sweep[3], ",")
	out := map[string]string{}
	for k, d := range all {
		parts := strings.Split(filepath.ToSlash(k), "/") // runs/task/config/file
		if len(parts) == 4 && contains(tasks, parts[1]) && contains(configs, parts[2]) {
			out[k] = d
		}
	}
	if len(out) == 0 {
		t.Fatalf("no golden result for %v", sweep)
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
