package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/harness"
	"github.com/mollifying/mollify/store"
	"github.com/mollifying/mollify/tasks/cifar10"
	"github.com/mollifying/mollify/tasks/mnist"
	"github.com/mollifying/mollify/tasks/ptb"
)

// TestBadInput is the table of mistakes a user can make, each answered by
// one message that names the input, the value and what was expected, with
// exit status 2 for usage errors and bad data files (found before the first
// run: experiment.DataChecker), 1 for a results file that is wrong, no
// panic, and no file left in the results folder but those that were there.
func TestBadInput(t *testing.T) {
	type env map[string]string
	cases := []struct {
		name  string
		args  []string // "OUT" is replaced by the case's results folder
		env   env
		setup func(t *testing.T, out string) env // prepares files; may add variables
		code  int
		want  []string
	}{
		// Commands and flags.
		{name: "no command", args: nil, code: exitUsage, want: []string{"Usage"}},
		{name: "unknown command", args: []string{"frobnicate"}, code: exitUsage, want: []string{`unknown command "frobnicate"`, "run, report"}},
		{name: "unknown flag", args: []string{"run", "-bogus"}, code: exitUsage, want: []string{"-bogus"}},
		{name: "stray argument", args: []string{"run", "stray"}, code: exitUsage, want: []string{`unexpected argument "stray"`}},
		{name: "version with an argument", args: []string{"version", "extra"}, code: exitUsage, want: []string{"version takes no arguments", `"extra"`}},
		{name: "unknown profile", args: []string{"run", "-profile", "fast"}, code: exitUsage, want: []string{"-profile", `"fast"`, "quick, paper, reduced"}},
		{name: "unknown task", args: []string{"run", "-tasks", "mnist-sideways"}, code: exitUsage, want: []string{"-tasks", `"mnist-sideways"`, "known tasks: parity"}},
		{name: "unknown configuration", args: []string{"run", "-configs", "dropout"}, code: exitUsage, want: []string{"-configs", `"dropout"`, "baseline, residual, noisy"}},
		{name: "misspelt task", args: []string{"run", "-tasks", "mnist-tahn"}, code: exitUsage, want: []string{`"mnist-tahn"`, `did you mean "mnist-tanh"?`}},
		{name: "misspelt configuration", args: []string{"run", "-configs", "molified"}, code: exitUsage, want: []string{`"molified"`, `did you mean "mollified"?`}},
		{name: "misspelt option", args: []string{"run", "-set", "mollified.evl=p0"}, code: exitUsage, want: []string{`"evl"`, `did you mean "eval"?`}},
		{name: "negative learning rate", args: []string{"run", "-tasks", "parity", "-grid", "lr=0.1,-0.1"}, code: exitUsage, want: []string{"-grid lr", "-0.1", "want > 0"}},
		{name: "learning rate per configuration", args: []string{"run", "-tasks", "parity", "-grid", "mollified.lr=0.1"}, code: exitUsage, want: []string{"mollified.lr", "-grid lr="}},
		{name: "misspelt axis", args: []string{"run", "-tasks", "parity", "-grid", "mollified.kapa=0.1"}, code: exitUsage, want: []string{`"kapa"`, `did you mean "kappa"?`, "its axes: c, kappa"}},
		{name: "axis without its configuration", args: []string{"run", "-tasks", "parity", "-grid", "c=1,3"}, code: exitUsage, want: []string{"-grid c", "config.c"}},
		{name: "grid without values", args: []string{"run", "-grid", "lr="}, code: exitUsage, want: []string{`"lr="`, "lr=v1,v2"}},
		{name: "grid value not a number", args: []string{"run", "-grid", "lr=0.1,fast"}, code: exitUsage, want: []string{`"fast"`, "not a number"}},
		{name: "grid value not finite", args: []string{"run", "-tasks", "parity", "-grid", "lr=NaN"}, code: exitUsage, want: []string{"NaN", "not finite"}},
		{name: "grid of a configuration not run", args: []string{"run", "-tasks", "parity", "-configs", "baseline", "-grid", "mollified.c=1"}, code: exitUsage, want: []string{`"mollified"`, "not in the plan"}},
		{name: "grid value the configuration rejects", args: []string{"run", "-tasks", "parity", "-configs", "mollified", "-grid", "mollified.kappa=-1"}, code: exitUsage, want: []string{"mollified on parity", "kappa", "-1", "want > 0"}},
		{name: "selection metric no run records", args: []string{"run", "-tasks", "parity", "-select", "best_valid_acu:max"}, code: exitUsage, want: []string{"-select", `"best_valid_acu"`, `did you mean "best_valid_acc"?`}},
		{name: "sweep file with an unknown key", args: []string{"run", "-sweep", "OUT/s.json"},
			setup: func(t *testing.T, out string) env {
				write(t, filepath.Join(out, "s.json"), "{\n  \"tasks\": [\"parity\"],\n  \"seed\": 3\n}")
				return nil
			},
			code: exitUsage, want: []string{"-sweep", "OUT/s.json:3", `unknown key "seed"`, "known: profile"}},
		{name: "sweep file not JSON", args: []string{"run", "-sweep", "OUT/s.json"},
			setup: func(t *testing.T, out string) env {
				write(t, filepath.Join(out, "s.json"), "tasks: parity\n")
				return nil
			},
			code: exitUsage, want: []string{"-sweep", "OUT/s.json:1", "invalid character"}},
		{name: "sweep file missing", args: []string{"run", "-sweep", "OUT/none.json"}, code: exitUsage, want: []string{"-sweep", "none.json", "no such file"}},
		{name: "sweep file naming an unknown task", args: []string{"run", "-sweep", "OUT/s.json"},
			setup: func(t *testing.T, out string) env {
				write(t, filepath.Join(out, "s.json"), `{"tasks": ["party"]}`)
				return nil
			},
			code: exitUsage, want: []string{`"party"`, `did you mean "parity"?`}},
		{name: "profile file missing", args: []string{"run", "-profile", "OUT/none.json"}, code: exitUsage, want: []string{"-profile", "none.json", "no such file"}},
		{name: "profile file with an unknown key", args: []string{"run", "-profile", "OUT/p.json"},
			setup: func(t *testing.T, out string) env {
				write(t, filepath.Join(out, "p.json"), `{"name": "mine", "base": "quick", "task": {}}`)
				return nil
			},
			code: exitUsage, want: []string{"-profile", "p.json", `unknown field "task"`}},
		{name: "profile file misspelling a setting", args: []string{"run", "-profile", "OUT/p.json", "-tasks", "parity"},
			setup: func(t *testing.T, out string) env {
				write(t, filepath.Join(out, "p.json"), `{"name": "mine", "base": "quick", "tasks": {"parity": {"settings": {"epoch": 3}}}}`)
				return nil
			},
			code: exitUsage, want: []string{"profile mine", "tasks.parity", `unknown field "epoch"`}},
		{name: "profile file naming an unknown task", args: []string{"run", "-profile", "OUT/p.json"},
			setup: func(t *testing.T, out string) env {
				write(t, filepath.Join(out, "p.json"), `{"name": "mine", "base": "quick", "tasks": {"party": {}}}`)
				return nil
			},
			code: exitUsage, want: []string{"tasks.party", `did you mean "parity"?`}},
		{name: "profile file reusing a built-in name", args: []string{"run", "-profile", "OUT/p.json"},
			setup: func(t *testing.T, out string) env {
				write(t, filepath.Join(out, "p.json"), `{"name": "paper", "base": "quick"}`)
				return nil
			},
			code: exitUsage, want: []string{`name "paper" is a built-in profile's`}},
		{name: "profile file choosing a setting the task cannot honour", args: []string{"run", "-profile", "OUT/p.json", "-tasks", "wordembed"},
			setup: func(t *testing.T, out string) env {
				write(t, filepath.Join(out, "p.json"), `{"name": "mine", "base": "quick", "tasks": {"wordembed": {"settings": {"words": 500}}}}`)
				return nil
			},
			code: exitUsage, want: []string{"tasks.wordembed", "words = 500", "want 0 (every word) or 1200"}},
		{name: "profile file on a base the task lacks", args: []string{"run", "-profile", "OUT/p.json", "-tasks", "parity"},
			setup: func(t *testing.T, out string) env {
				write(t, filepath.Join(out, "p.json"), `{"name": "mine", "base": "reduced"}`)
				return nil
			},
			code: exitUsage, want: []string{"task parity has no profile \"reduced\"", "quick, paper"}},
		{name: "negative noise scale", args: []string{"run", "-tasks", "parity", "-configs", "mollified", "-grid", "mollified.c=-1"}, code: exitUsage, want: []string{"mollified on parity", "c = -1", "want ≥ 0"}},
		{name: "stop threshold beyond every layer", args: []string{"run", "-tasks", "parity", "-configs", "mollified", "-grid", "mollified.delta=2"}, code: exitUsage, want: []string{"delta = 2", "want 0 < δ < L"}},
		{name: "annealing fraction beyond training", args: []string{"run", "-tasks", "parity", "-configs", "anneal", "-grid", "anneal.anneal_frac=1.5"}, code: exitUsage, want: []string{"anneal_frac = 1.5", "(0, 1]"}},
		{name: "negative gradient-noise variance", args: []string{"run", "-tasks", "parity", "-configs", "gradnoise", "-grid", "gradnoise.eta=-0.3"}, code: exitUsage, want: []string{"eta = -0.3", "want ≥ 0"}},
		{name: "task without the profile", args: []string{"run", "-profile", "reduced", "-tasks", "parity"}, code: exitUsage, want: []string{"parity", `no profile "reduced"`}},
		{name: "zero workers", args: []string{"run", "-workers", "0"}, code: exitUsage, want: []string{"-workers", "0", "at least 1"}},
		{name: "negative seeds", args: []string{"run", "-seeds", "-1"}, code: exitUsage, want: []string{"-seeds", "-1"}},
		{name: "option value not allowed", args: []string{"run", "-set", "mollified.eval=maybe"}, code: exitUsage, want: []string{"eval", `"maybe"`, "expect, p0"}},
		{name: "unknown option", args: []string{"run", "-set", "mollified.colour=red"}, code: exitUsage, want: []string{`"colour"`, "eval, delta_on, stop"}},
		{name: "option not config.option=value", args: []string{"run", "-set", "nonsense"}, code: exitUsage, want: []string{`"nonsense"`, "config.option=value"}},
		{name: "option of an unknown configuration", args: []string{"run", "-set", "ghost.eval=p0"}, code: exitUsage, want: []string{`"ghost"`}},
		{name: "option of a configuration not selected", args: []string{"run", "-configs", "baseline", "-set", "mollified.eval=p0"}, code: exitUsage, want: []string{"mollified", "not selected"}},
		{name: "option that applies to no chosen task", args: []string{"run", "-tasks", "parity", "-configs", "mollified", "-set", "mollified.lstm_gates=hard"}, code: exitUsage, want: []string{"mollified.lstm_gates", "applies to none of the tasks", "parity", "lstm"}},
		{name: "malformed selection", args: []string{"run", "-select", "valid_acc"}, code: exitUsage, want: []string{"-select", `"valid_acc"`, "metric:min or metric:max"}},
		{name: "shard out of range", args: []string{"run", "-shard", "3/3"}, code: exitUsage, want: []string{"-shard", `"3/3"`, "0 ≤ i < n"}},
		{name: "shard not i/n", args: []string{"run", "-shard", "one"}, code: exitUsage, want: []string{"-shard", `"one"`}},
		{name: "shard and shards", args: []string{"run", "-shard", "0/2", "-shards", "2"}, code: exitUsage, want: []string{"-shard 0/2 and -shards 2"}},
		{name: "negative shards", args: []string{"run", "-shards", "-2"}, code: exitUsage, want: []string{"-shards", "-2", "at least 1"}},
		{name: "shards without an index", args: []string{"run", "-shards", "2"}, env: env{"SLURM_ARRAY_TASK_ID": "", "JOB_COMPLETION_INDEX": ""}, code: exitUsage, want: []string{"-shards 2", "SLURM_ARRAY_TASK_ID", "-shard i/n"}},
		{name: "array index beyond the shards", args: []string{"run", "-shards", "2"}, env: env{"SLURM_ARRAY_TASK_ID": "5"}, code: exitUsage, want: []string{"SLURM_ARRAY_TASK_ID", `"5"`, "0 ≤ i < n"}},
		{name: "unknown phase", args: []string{"run", "-phase", "tuning"}, code: exitUsage, want: []string{"-phase", `"tuning"`, "all, tune or final"}},
		{name: "plan with zero cores", args: []string{"plan", "-cores", "0"}, code: exitUsage, want: []string{"-cores", `"0"`, "positive whole number"}},
		{name: "k8s without an image", args: []string{"k8s", "-shards", "4"}, code: exitUsage, want: []string{"image", "empty"}},
		{name: "k8s with bad memory", args: []string{"k8s", "-image", "x", "-shards", "4", "-memory", "lots"}, code: exitUsage, want: []string{`memory "lots"`}},
		{name: "compare with one folder", args: []string{"compare", "OUT"}, code: exitUsage, want: []string{"two results folders", "1 argument"}},
		{name: "probe without a run", args: []string{"probe"}, code: exitUsage, want: []string{"-run", "required"}},
		{name: "probe of a missing file", args: []string{"probe", "-run", "OUT/none.json"}, code: exitUsage, want: []string{"-run", "OUT/none.json", "no such file"}},
		{name: "probe every zero updates", args: []string{"probe", "-run", "x.json", "-every", "0"}, code: exitUsage, want: []string{"-every", "0", "1 or more"}},
		{name: "probe hyper not a number", args: []string{"probe", "-hyper", "lr=fast"}, code: exitUsage, want: []string{`"lr=fast"`, "name=number"}},
		{name: "probe of a run without LSTM", args: []string{"probe", "-profile", "quick", "-run", "OUT/p.json"}, setup: func(t *testing.T, out string) env { writeProbeRun(t, out, "parity"); return nil }, code: exitUsage,
			want: []string{"OUT/p.json", "not an LSTM network", "task parity builds"}},
		{name: "probe of another profile's run", args: []string{"probe", "-profile", "paper", "-run", "OUT/p.json"}, setup: func(t *testing.T, out string) env { writeProbeRun(t, out, "copy"); return nil }, code: exitUsage,
			want: []string{"-profile", `"quick"`, `not "paper"`}},
		{name: "probe of an unknown hyper-parameter", args: []string{"probe", "-profile", "quick", "-run", "OUT/p.json", "-hyper", "kapa=1"}, setup: func(t *testing.T, out string) env { writeProbeRun(t, out, "copy"); return nil }, code: exitUsage,
			want: []string{"-hyper kapa", `no hyper-parameter "kapa"`, "kappa, lr"}},
		{name: "replay with an unknown sample", args: []string{"replay", "-sample", "some"}, code: exitUsage, want: []string{"-sample", `"some"`, "revision or all"}},
		{name: "replay with zero workers", args: []string{"replay", "-workers", "0"}, code: exitUsage, want: []string{"-workers", "0", "1 or more"}},
		{name: "replay of an unknown task", args: []string{"replay", "-tasks", "parrity"}, code: exitUsage, want: []string{"-tasks", `"parrity"`, `did you mean "parity"?`}},
		{name: "replay of a missing folder", args: []string{"replay", "-out", "OUT/none"}, code: exitUsage, want: []string{"-out", "OUT/none", "no results folder"}},
		{name: "replay of a folder without such runs", args: []string{"replay", "-profile", "quick", "-tasks", "copy", "-out", "OUT"},
			setup: func(t *testing.T, out string) env { os.MkdirAll(filepath.Join(out, "runs"), 0o755); return nil },
			code:  exitUsage, want: []string{"-out", "no run of profile quick", "tasks copy"}},
		// Results folders.
		{name: "report of a missing folder", args: []string{"report", "-out", "/nonexistent/dir"}, code: exitUsage, want: []string{"-out", "/nonexistent/dir"}},
		{name: "check with -out", args: []string{"check", "-out", "x"}, code: exitUsage, want: []string{"-out is not used"}},
		{name: "check -results with -update", args: []string{"check", "-results", "OUT", "-update"}, code: exitUsage, want: []string{"-results", "-update"}},
		{name: "results folder under a file", args: []string{"run", "-tasks", "parity", "-configs", "baseline", "-out", "OUT/file/results"},
			setup: func(t *testing.T, out string) env { write(t, filepath.Join(out, "file"), "not a folder"); return nil },
			code:  exitUsage, want: []string{"-out", "OUT/file/results", "cannot create"}},
		{name: "results folder not writable", args: []string{"run", "-tasks", "parity", "-configs", "baseline", "-out", "OUT/ro"},
			setup: func(t *testing.T, out string) env {
				if os.Geteuid() == 0 {
					t.Skip("root writes into read-only folders")
				}
				os.MkdirAll(filepath.Join(out, "ro", "runs"), 0o555)
				return nil
			},
			code: exitUsage, want: []string{"-out", "cannot write"}},
		{name: "truncated result file", args: []string{"report", "-out", "OUT"},
			setup: func(t *testing.T, out string) env {
				write(t, filepath.Join(out, "runs", "parity", "baseline", "final-0123456789abcdef.json"), `{"run": {"spec": {"task": "par`)
				return nil
			},
			code: exitFail, want: []string{"final-0123456789abcdef.json", "unexpected end of JSON"}},
		{name: "result file that is not a result", args: []string{"report", "-out", "OUT"},
			setup: func(t *testing.T, out string) env {
				write(t, filepath.Join(out, "runs", "parity", "baseline", "final-0123456789abcdef.json"), `{"run": 3}`)
				return nil
			},
			code: exitFail, want: []string{"final-0123456789abcdef.json"}},
		// Data files.
		{name: "PTB file modified", args: []string{"run", "-tasks", "ptb", "-configs", "baseline", "-out", "OUT/results"},
			setup: func(t *testing.T, out string) env {
				d := filepath.Join(out, "ptb")
				for _, n := range []string{"ptb.train.txt", "ptb.valid.txt", "ptb.test.txt"} {
					write(t, filepath.Join(d, n), " the cat sat on the mat \n")
				}
				return env{ptb.EnvDir: d}
			},
			code: exitUsage, want: []string{"ptb.train.txt", "sha256", "want", "truncated or modified"}},
		{name: "PTB file missing", args: []string{"run", "-tasks", "ptb", "-configs", "baseline", "-out", "OUT/results"},
			setup: func(t *testing.T, out string) env {
				d := filepath.Join(out, "ptb")
				os.MkdirAll(d, 0o755)
				return env{ptb.EnvDir: d}
			},
			code: exitUsage, want: []string{"ptb.train.txt", "not found", ptb.EnvDir}},
		{name: "MNIST folder without the files", args: []string{"run", "-tasks", "mnist-tanh", "-configs", "baseline", "-out", "OUT/results"},
			setup: func(t *testing.T, out string) env {
				d := filepath.Join(out, "mnist")
				os.MkdirAll(d, 0o755)
				return env{mnist.EnvDir: d}
			},
			code: exitUsage, want: []string{mnist.EnvDir, "does not hold", mnist.TrainImages.Name}},
		{name: "MNIST images truncated", args: []string{"run", "-tasks", "mnist-tanh", "-configs", "baseline", "-out", "OUT/results"},
			setup: func(t *testing.T, out string) env {
				d := filepath.Join(out, "mnist")
				for _, f := range []string{mnist.TrainImages.Name, mnist.TrainLabels.Name, mnist.TestImages.Name, mnist.TestLabels.Name} {
					writeGzip(t, filepath.Join(d, f), []byte{0, 0, 8, 3, 0, 0})
				}
				return env{mnist.EnvDir: d}
			},
			code: exitUsage, want: []string{"mnist", mnist.TrainImages.Name}},
		{name: "CIFAR-10 file truncated", args: []string{"run", "-profile", "paper", "-tasks", "cifar10", "-configs", "baseline", "-out", "OUT/results"},
			setup: func(t *testing.T, out string) env {
				d := filepath.Join(out, "cifar")
				for _, n := range []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"} {
					write(t, filepath.Join(d, n), "\x03short")
				}
				return env{cifar10.EnvDir: d}
			},
			code: exitUsage, want: []string{"cifar10", "data_batch_1.bin"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			if c.setup != nil {
				for k, v := range c.setup(t, out) {
					t.Setenv(k, v)
				}
			}
			before := files(t, out)
			var args []string
			for _, a := range c.args {
				args = append(args, strings.ReplaceAll(a, "OUT", out))
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), args, &stdout, &stderr)
			msg := strings.ReplaceAll(stderr.String(), out, "OUT")
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, c.code, msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("stderr lacks %q:\n%s", w, msg)
				}
			}
			if strings.Contains(msg, "panic") || c.args != nil && strings.Count(msg, "mollify "+c.args[0]+":") != 1 {
				t.Errorf("not one clear message:\n%s", msg)
			}
			if after := files(t, out); len(after) > len(before) {
				t.Errorf("files left in the results folder: %v (before: %v)", after, before)
			}
		})
	}
	if len(cases) < 30 {
		t.Fatalf("%d cases; the table should hold at least 30", len(cases))
	}
}

// files lists the regular files under dir, result files, temporary files
// and leases alike (not the folders a check may create).
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeGzip(t *testing.T, path string, content []byte) {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(content)
	w.Close()
	write(t, path, b.String())
}

// TestFullDisk: a sweep into a folder on a full filesystem fails with the
// file it could not write, and leaves no partial or temporary file. It
// mounts a 64 KiB tmpfs, so it needs root (CI runs as root).
func TestFullDisk(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=64k"); err != nil {
		t.Skipf("cannot mount a small tmpfs (%v); run as root", err)
	}
	defer syscall.Unmount(dir, 0)
	// Fill the disk but for a few hundred bytes: the probe passes, result files do not fit.
	filler, _ := os.Create(filepath.Join(dir, "filler"))
	filler.Write(make([]byte, 60*1024))
	filler.Close()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"run", "-profile", "quick", "-tasks", "parity", "-configs", "baseline", "-workers", "1", "-out", dir}, &stdout, &stderr)
	if code != exitFail && code != exitUsage || !strings.Contains(stderr.String(), "no space left on device") {
		t.Fatalf("exit %d, want a failure naming the full disk; stderr:\n%s", code, stderr.String())
	}
	for _, f := range files(t, filepath.Join(dir, "runs")) {
		t.Errorf("left behind on the full disk: %s", f)
	}
}

// TestFinalMetricsDeclared: every final metric a task's baseline runs
// record in the golden quick results (and in the paper-profile reference
// results) is among the names the task declares (experiment.Finals), so
// that checking -select against them never rejects a metric the runs have.
func TestFinalMetricsDeclared(t *testing.T) {
	for _, dir := range []string{"golden/quick", "reference/paper"} {
		rs, err := store.LoadResults(filepath.Join("..", "..", "results", dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.Record.Spec.Config != "baseline" {
				continue
			}
			task, err := harness.LookupTask(r.Record.Spec.Task)
			if err != nil {
				t.Fatal(err)
			}
			f, ok := task.(experiment.Finals)
			if !ok {
				t.Errorf("task %s does not declare its final metrics", task.Name())
				continue
			}
			for k := range r.Record.Final {
				if !slices.Contains(f.FinalMetrics(), k) {
					t.Errorf("%s: %s records %q, which %s's FinalMetrics lacks", dir, filepath.Base(r.Path), k, task.Name())
				}
			}
		}
	}
}

// TestReadOnlyResults: a results folder on a read-only filesystem is
// refused before the first run with the folder and the reason, even for
// root (who writes into read-only folders of a writable filesystem). It
// mounts a read-only tmpfs, so it needs root (CI runs as root).
func TestReadOnlyResults(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_RDONLY, "size=64k"); err != nil {
		t.Skipf("cannot mount a read-only tmpfs (%v); run as root", err)
	}
	defer syscall.Unmount(dir, 0)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"run", "-profile", "quick", "-tasks", "parity", "-configs", "baseline", "-out", dir}, &stdout, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "-out "+dir) || !strings.Contains(stderr.String(), "read-only file system") {
		t.Fatalf("exit %d, want %d naming the folder and the read-only filesystem; stderr:\n%s", code, exitUsage, stderr.String())
	}
}

// writeProbeRun writes out/p.json, a stored quick-profile mollified tuning
// run of task (its numbers do not matter to the checks the probe makes
// before running).
func writeProbeRun(t *testing.T, out, task string) {
	t.Helper()
	rec := &experiment.Record{Spec: experiment.RunSpec{Schema: experiment.Schema, Task: task, Profile: experiment.Quick, Config: "mollified",
		Phase: experiment.Tune, Seed: 101, Hyper: experiment.Hyper{"kappa": 0.03, "lr": 0.01}}}
	if err := store.WriteResult(filepath.Join(out, "p.json"), rec, store.Env{}); err != nil {
		t.Fatal(err)
	}
}
