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

// TestSignalStopsGracefully: SIGTERM to a sweep lets the runs in flight
// finish and be saved, starts no other, and exits with a message saying how
// to resume; the folder holds only complete result files.
func TestSignalStopsGracefully(t *testing.T) {
	dir := t.TempDir()
	c := command("run", "-profile", "quick", "-tasks", "mnist-tanh", "-configs", "baseline,mollified", "-workers", "2", "-out", dir)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	// Signal once the first run has been saved: the sweep is in the middle
	// of its tuning runs.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if ms, _ := filepath.Glob(filepath.Join(dir, "runs", "*", "*", "*.json")); len(ms) > 0 {
			break
		}
		if time.Now().After(deadline) {
			c.Process.Kill()
			t.Fatalf("no run finished within 2 minutes:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.Process.Signal(syscall.SIGTERM)
	err := c.Wait()
	msg := out.String()
	if err == nil || !strings.Contains(msg, "stopping once the runs in flight are saved") || !strings.Contains(msg, "run the same command again to resume") {
		t.Fatalf("exit %v; output:\n%s", err, msg)
	}
	checkValid(t, dir)
	leftovers, _ := filepath.Glob(filepath.Join(dir, "runs", "*", "*", ".tmp-*"))
	leases, _ := filepath.Glob(filepath.Join(dir, "runs", "*", "*", "*.lease"))
	if len(leftovers)+len(leases) > 0 {
		t.Fatalf("left behind: %v %v", leftovers, leases)
	}
	// Every run the output says started and was not reported done must
	// not exist; those reported done must.
	done := strings.Count(msg, "] mnist-tanh/")
	files, _ := filepath.Glob(filepath.Join(dir, "runs", "*", "*", "*.json"))
	if len(files) != done || done >= 8 {
		t.Fatalf("%d result files, %d runs reported done (of 8): the sweep did not stop after its runs in flight\n%s", len(files), done, msg)
	}
}
