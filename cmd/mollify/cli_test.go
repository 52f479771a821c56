package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestUsageErrors: every bad command line exits 2 with a message that names
// the field, the value and what was expected.
func TestUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{nil, []string{"Usage"}},
		{[]string{"frobnicate"}, []string{`unknown command "frobnicate"`, "run, report"}},
		{[]string{"run", "-profile", "fast"}, []string{"-profile", `"fast"`, "quick or paper"}},
		{[]string{"run", "-tasks", "mnist-sideways"}, []string{"-tasks", `"mnist-sideways"`, "known tasks: parity"}},
		{[]string{"run", "-configs", "dropout"}, []string{"-configs", `"dropout"`, "baseline, residual, noisy, anneal, gradnoise, mollified"}},
		{[]string{"run", "-workers", "0"}, []string{"-workers", "0", "at least 1"}},
		{[]string{"run", "-seeds", "-1"}, []string{"-seeds", "-1"}},
		{[]string{"run", "-set", "mollified.eval=maybe"}, []string{"eval", `"maybe"`, "expect, p0"}},
		{[]string{"run", "-set", "mollified.colour=red"}, []string{`"colour"`, "eval, delta_on, stop"}},
		{[]string{"run", "-set", "nonsense"}, []string{"config.option=value"}},
		{[]string{"run", "-set", "ghost.eval=p0"}, []string{`"ghost"`}},
		{[]string{"run", "-configs", "baseline", "-set", "mollified.eval=p0"}, []string{"not selected"}},
		{[]string{"run", "-bogus"}, []string{"-bogus"}},
		{[]string{"run", "-select", "valid_acc"}, []string{"-select", `"valid_acc"`, "metric:min or metric:max"}},
		{[]string{"run", "stray"}, []string{`unexpected argument "stray"`}},
		{[]string{"report", "-out", "/nonexistent/dir"}, []string{"-out"}},
		{[]string{"check", "-out", "x"}, []string{"-out is not used"}},
		{[]string{"run", "-tasks", "parity", "-configs", "mollified", "-set", "mollified.lstm_gates=hard"}, []string{"mollified.lstm_gates", "applies to none of the tasks", "parity", "lstm"}},
		{[]string{"version", "extra"}, []string{"version takes no arguments", `"extra"`}},
		{[]string{"run", "-shard", "3/3"}, []string{"-shard", `"3/3"`, "0 ≤ i < n"}},
		{[]string{"run", "-shard", "one"}, []string{"-shard", `"one"`}},
		{[]string{"run", "-shard", "0/2", "-shards", "2"}, []string{"-shard 0/2 and -shards 2"}},
		{[]string{"run", "-shards", "-2"}, []string{"-shards", "-2", "at least 1"}},
		{[]string{"run", "-phase", "tuning"}, []string{"-phase", `"tuning"`, "all, tune or final"}},
		{[]string{"reproduce", "-shard", "0/2"}, []string{"-shard"}},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), c.args, &stdout, &stderr)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitUsage, stderr.String())
			}
			for _, w := range c.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
		})
	}
}

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
