package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUsageErrors: every bad command line exits 2 with a message that names
// the field, the value and what was expected.
func TestHelpAndList(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"help"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "reproduce") {
		t.Fatalf("help: exit %d\n%s", code, stdout.String())
	}
	stdout.Reset()
	if code := run(context.Background(), []string{"list"}, &stdout, &stderr); code != 0 {
		t.Fatalf("list: exit %d: %s", code, stderr.String())
	}
	for _, w := range []string{"parity", "mollified", "-set mollified.eval=expect", "parity quick: hyper c = [10]"} {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("list lacks %q", w)
		}
	}
	if code := run(context.Background(), []string{"run", "-h"}, &stdout, &stderr); code != 0 {
		t.Fatalf("run -h: exit %d", code)
	}
}

// TestVersion: the facts of a bug report, each on its own line.
func TestVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"version"}, &stdout, &stderr); code != 0 {
		t.Fatalf("version: exit %d: %s", code, stderr.String())
	}
	for _, w := range []string{"mollify ", "go:       go1.", "platform: ", "cpu:      ", "CPUs)", "gemm:     "} {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("version output lacks %q:\n%s", w, stdout.String())
		}
	}
}

// TestRunPrintsEstimateFirst: a sweep says what it will cost before its
// first run, unless -estimate=false.
func TestRunPrintsEstimateFirst(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want bool
	}{
		{"default", nil, true},
		{"off", []string{"-estimate=false"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"run", "-profile", "quick", "-tasks", "parity", "-configs", "baseline", "-seeds", "1", "-workers", "1", "-out", t.TempDir()}, c.args...)
			if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			log := stderr.String()
			est, first := strings.Index(log, "CPU time to go: "), strings.Index(log, "[1/")
			if first < 0 {
				t.Fatalf("no progress line in:\n%s", log)
			}
			if got := est >= 0 && est < first; got != c.want {
				t.Errorf("estimate before the first run: %v, want %v; log:\n%s", got, c.want, log)
			}
		})
	}
}

// TestPrune: prune lists a result file the sweep would not make and leaves
// it; -delete removes it; files of configurations outside the sweep stay.
func TestPrune(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "runs", "parity", "baseline", "tune-0000000000000000.json")
	other := filepath.Join(dir, "runs", "parity", "noisy", "tune-0000000000000000.json")
	for _, p := range []string{stale, other} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"prune", "-profile", "quick", "-tasks", "parity", "-configs", "baseline", "-out", dir}
	for _, c := range []struct {
		extra     []string
		want      string
		staleKept bool
	}{
		{nil, "1 stale result files", true},
		{[]string{"-delete"}, "1 stale result files removed", false},
		{nil, "0 stale result files", false},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), append(args, c.extra...), &stdout, &stderr); code != 0 {
			t.Fatalf("prune %v: exit %d: %s", c.extra, code, stderr.String())
		}
		if !strings.Contains(stdout.String(), c.want) {
			t.Errorf("prune %v says %q, want %q", c.extra, stdout.String(), c.want)
		}
		if _, err := os.Stat(stale); (err == nil) != c.staleKept {
			t.Errorf("prune %v: stale file present = %v, want %v", c.extra, err == nil, c.staleKept)
		}
		if _, err := os.Stat(other); err != nil {
			t.Errorf("prune %v removed a configuration outside the sweep: %v", c.extra, err)
		}
	}
}
