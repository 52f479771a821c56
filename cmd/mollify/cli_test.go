package main

import (
	"bytes"
	"context"
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
