// Command benchtable runs the suite's speed benchmarks on one core, times
// the same products and training steps in PyTorch when it is available,
// times the quick profile, and prints (and writes under results/bench) a
// table of the Go and PyTorch times side by side, the goals they are held
// to, and an estimate of the paper profile's cost. `make bench` runs it.
//
//	go run ./perf/cmd/benchtable [flags]
//	go run ./perf/cmd/benchtable -from results/bench/<stamp>   # re-render saved measurements
//
// The Go products and steps are measured in -passes passes spread over the
// run (see goPlan), and the table shows each benchmark's best pass: on a
// shared host disturbances only ever slow a measurement down.
//
// It is a separate command, not a subcommand of mollify, because it drives
// `go test` on the source tree and an external Python: neither belongs in
// the binary that reproduces the paper.
//
// Each measurement writes four files under -out, named by date and host:
// <stamp>.md (the table), <stamp>-go.txt (the raw Go benchmark output, for
// benchstat), <stamp>-torch.json (the PyTorch script's output) and
// <stamp>-meta.json (load averages, commands, the quick profile's timing).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/cpu"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/perf/speed"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		if errors.As(err, new(usageError)) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError marks a bad command line: exit code 2.
type usageError struct{ error }

type options struct {
	out, from, benchtime, python, profile, coretype, filter string
	full, openblas, quick                                   bool
	cores, passes                                           int
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("benchtable", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.out, "out", "results/bench", "directory of the result files")
	fs.StringVar(&o.from, "from", "", "re-render the saved measurement `prefix` (results/bench/<stamp>) instead of measuring")
	fs.StringVar(&o.benchtime, "benchtime", "1s", "go test -benchtime, and the CPU time PyTorch spends per item")
	fs.StringVar(&o.python, "python", "/usr/bin/python3", "Python with torch; skipped when it cannot import torch")
	fs.StringVar(&o.profile, "profile", "paper", "profile whose sizes the steps use and whose cost is estimated")
	fs.StringVar(&o.coretype, "coretype", "auto", "OPENBLAS_CORETYPE for OpenBLAS and PyTorch (auto: SkylakeX with AVX-512, Haswell with AVX2; empty: OpenBLAS's own detection)")
	fs.StringVar(&o.filter, "steps", ".", "regexp of the step benchmarks to run (task[-variant]/config)")
	fs.BoolVar(&o.full, "full", true, "also measure the profile's own convolutional network (ResNet-110: seconds per step, 3.5 GB)")
	fs.BoolVar(&o.openblas, "openblas", true, "also benchmark the OpenBLAS backend (build tag openblas; needs cgo and libopenblas)")
	fs.BoolVar(&o.quick, "quick", true, "time the whole quick profile (mollify run -profile quick)")
	fs.IntVar(&o.cores, "cores", 2, "cores of the paper-profile estimate")
	fs.IntVar(&o.passes, "passes", 3, "passes over the products and the steps, spread over the run (the second before OpenBLAS, the others after it); each benchmark reports its best pass")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments %q", fs.Args())}
	}
	if o.passes < 1 {
		return usageError{fmt.Errorf("-passes %d: want at least 1 pass over the products and steps", o.passes)}
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if err := os.Chdir(root); err != nil {
		return err
	}
	var rep *Report
	if o.from != "" {
		rep, err = load(o.from)
	} else {
		rep, err = measure(o, stderr)
	}
	if err != nil {
		return err
	}
	rep.Est, err = EstimateProfile(rep.Meta.Profile, o.cores, rep.Go)
	if err != nil {
		return err
	}
	md := rep.Markdown()
	fmt.Fprint(stdout, md)
	prefix := o.from
	if prefix == "" {
		prefix = filepath.Join(o.out, stamp(rep.Meta))
	}
	if err := os.WriteFile(prefix+".md", []byte(md), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "benchtable: wrote %s.md\n", prefix)
	return nil
}

func stamp(m Meta) string {
	d := strings.NewReplacer(":", "", " ", "_").Replace(m.Date)
	return d + "-" + m.Host
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the mollify module (go env GOMOD is empty): run from the repository")
	}
	return filepath.Dir(mod), nil
}

// load reads a saved measurement.
func load(prefix string) (*Report, error) {
	rep := &Report{}
	b, err := os.ReadFile(prefix + "-meta.json")
	if err != nil {
		return nil, err
	}
	var saved struct {
		Meta
		Shapes []speed.GemmShape `json:"gemm_shapes"`
	}
	if err := json.Unmarshal(b, &saved); err != nil {
		return nil, fmt.Errorf("%s-meta.json: %w", prefix, err)
	}
	rep.Meta, rep.Shapes = saved.Meta, saved.Shapes
	f, err := os.Open(prefix + "-go.txt")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if rep.Go, err = ParseGo(f); err != nil {
		return nil, err
	}
	if b, err := os.ReadFile(prefix + "-torch.json"); err == nil {
		rep.Torch = &TorchResults{}
		if err := json.Unmarshal(b, rep.Torch); err != nil {
			return nil, fmt.Errorf("%s-torch.json: %w", prefix, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return rep, nil
}

// measure runs everything and saves the raw results.
func measure(o options, log io.Writer) (*Report, error) {
	host, _ := os.Hostname()
	m := Meta{
		Host: host, Date: time.Now().UTC().Format("2006-01-02 15:04Z"), Revision: revision(),
		GoVersion: runtime.Version(), CPUs: runtime.NumCPU(), Benchtime: o.benchtime, Profile: o.profile,
	}
	listed, err := GemmShapes(filepath.Join("gemm", "bench_test.go"))
	if err != nil {
		return nil, err
	}
	// The paper profile's products, whatever -profile the steps use: the
	// list is of the paper's models.
	paper, err := experiment.Builtin(experiment.Paper)
	if err != nil {
		return nil, err
	}
	models, err := speed.StepShapes(paper)
	if err != nil {
		return nil, err
	}
	shapes, err := annotate(listed, models)
	if err != nil {
		return nil, err
	}
	var tinyNames []string
	for _, s := range shapes {
		if tiny(s) {
			tinyNames = append(tinyNames, regexp.QuoteMeta(s.Name))
		}
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return nil, err
	}
	prefix := filepath.Join(o.out, stamp(m))
	m.OpenBLASCoreType = o.coretype
	if o.coretype == "auto" {
		m.OpenBLASCoreType = autoCoreType()
	}

	// Go: the passes over the products and steps, OpenBLAS in the middle.
	var raw bytes.Buffer
	oneCore := []string{"GOMAXPROCS=1"}
	m.GoLoadBefore = loadavg()
	before, after := goPlan(o, tinyNames)
	for _, a := range before {
		if err := goTest(a, oneCore, &raw, log, &m); err != nil {
			return nil, err
		}
	}
	if o.openblas {
		env := []string{"GOMAXPROCS=1", "OPENBLAS_NUM_THREADS=1", "OPENBLAS_CORETYPE=" + m.OpenBLASCoreType}
		a := []string{"test", "-tags", "openblas", "-run", "^$", "-bench", "SgemmOpenBLAS", "-cpu", "1", "-benchtime", o.benchtime, "./gemm"}
		var ob bytes.Buffer
		if err := goTest(a, env, &ob, log, &m); err != nil {
			m.OpenBLASNote = "the openblas build failed (cgo and libopenblas-dev needed): " + firstLine(err.Error())
			fmt.Fprintln(log, "benchtable: no OpenBLAS column:", m.OpenBLASNote)
		} else {
			raw.Write(ob.Bytes())
		}
	} else {
		m.OpenBLASNote = "not run (-openblas=false)"
	}
	for _, a := range after {
		if err := goTest(a, oneCore, &raw, log, &m); err != nil {
			return nil, err
		}
	}
	m.GoLoadAfter = loadavg()
	m.PeakAfterGo = peakNow(log)
	if err := os.WriteFile(prefix+"-go.txt", raw.Bytes(), 0o644); err != nil {
		return nil, err
	}
	g, err := ParseGo(bytes.NewReader(raw.Bytes()))
	if err != nil {
		return nil, err
	}

	// PyTorch.
	torch, note, err := runTorch(o, m, shapes, prefix, log)
	if err != nil {
		return nil, err
	}
	m.TorchNote = note
	if torch != nil {
		m.PeakAfterTorch = peakNow(log)
	}

	// The quick profile.
	if o.quick {
		m.Quick = timeQuick(log)
	}

	saved := struct {
		Meta
		Shapes []speed.GemmShape `json:"gemm_shapes"`
	}{m, shapes}
	b, _ := json.MarshalIndent(saved, "", " ")
	if err := os.WriteFile(prefix+"-meta.json", b, 0o644); err != nil {
		return nil, err
	}
	return &Report{Meta: m, Go: g, Torch: torch, Shapes: shapes}, nil
}

// goPlan returns the go test invocations (at GOMAXPROCS=1) run before and
// after OpenBLAS: the first pass (the peak and the Fast products, gonum on
// the tiny ones, the steps and evaluations), the second pass before
// OpenBLAS, the others after it. The passes are spread out because the
// host's slow spells, and other tenants' use of the shared caches, last
// from seconds to minutes: a benchmark's best pass is what the code does
// undisturbed, and each pass is kept in the raw output (benchstat sees
// them as repeated samples).
func goPlan(o options, tinyNames []string) (before, after [][]string) {
	gemm := func(bench string) []string {
		return []string{"test", "-run", "^$", "-bench", bench, "-cpu", "1", "-benchtime", o.benchtime, "./gemm"}
	}
	steps := []string{"test", "-run", "^$", "-bench", "^Benchmark(Step|Eval)$/" + o.filter, "-cpu", "1", "-benchtime", o.benchtime, "-timeout", "2h",
		"./perf/speed", "-args", "-speed.profile=" + o.profile, "-speed.full=" + strconv.FormatBool(o.full)}
	before = [][]string{gemm("Peak|Sgemm/.*/fast"), gemm("Sgemm/^(" + strings.Join(tinyNames, "|") + ")$/gonum"), steps}
	for i := 2; i <= o.passes; i++ {
		pass := [][]string{gemm("Sgemm/.*/fast"), steps}
		if i == 2 {
			before = append(before, pass...)
		} else {
			after = append(after, pass...)
		}
	}
	return before, after
}

// goTest runs go with args (benchmark output to out and log) and env added.
func goTest(args, env []string, out *bytes.Buffer, log io.Writer, m *Meta) error {
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), env...)
	var errb bytes.Buffer
	cmd.Stdout = io.MultiWriter(out, log)
	cmd.Stderr = io.MultiWriter(&errb, log)
	line := strings.Join(env, " ") + " go " + strings.Join(quoteArgs(args), " ")
	fmt.Fprintln(log, "benchtable:", line)
	m.GoCommands = append(m.GoCommands, line)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w\n%s", line, err, errb.String())
	}
	return nil
}

func quoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, "|^$*() ") {
			a = "'" + a + "'"
		}
		out[i] = a
	}
	return out
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// runTorch writes the spec, runs the script and returns its results, or a
// note saying why there are none.
func runTorch(o options, m Meta, shapes []speed.GemmShape, prefix string, log io.Writer) (*TorchResults, string, error) {
	if err := exec.Command(o.python, "-c", "import torch").Run(); err != nil {
		return nil, fmt.Sprintf("%s cannot import torch (%v)", o.python, err), nil
	}
	bt, err := time.ParseDuration(o.benchtime)
	if err != nil {
		return nil, "", fmt.Errorf("-benchtime %q: PyTorch needs a duration (%w)", o.benchtime, err)
	}
	profile, err := experiment.LookupProfile(o.profile)
	if err != nil {
		return nil, "", err
	}
	cs, err := speed.Cases(profile, o.full)
	if err != nil {
		return nil, "", err
	}
	keep, err := regexp.Compile(o.filter)
	if err != nil {
		return nil, "", fmt.Errorf("-steps: %w", err)
	}
	// Steps is never nil: an empty list (-steps matching none) is [] in JSON.
	spec := speed.Spec{Gemm: shapes, Steps: []speed.StepSpec{}, Seconds: bt.Seconds(), MinRound: 0.01}
	for _, c := range cs {
		if !keep.MatchString(c.Name()) {
			continue
		}
		s, err := speed.StepSpecOf(c)
		if err != nil {
			return nil, "", err
		}
		spec.Steps = append(spec.Steps, s)
	}
	b, _ := json.MarshalIndent(spec, "", " ")
	specPath := prefix + "-torch-spec.json"
	if err := os.WriteFile(specPath, b, 0o644); err != nil {
		return nil, "", err
	}
	defer os.Remove(specPath)
	cmd := exec.Command(o.python, filepath.Join("perf", "torch_bench.py"), specPath)
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS=1", "OPENBLAS_NUM_THREADS=1", "MKL_NUM_THREADS=1", "OPENBLAS_CORETYPE="+m.OpenBLASCoreType)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, log
	fmt.Fprintf(log, "benchtable: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=%s %s perf/torch_bench.py %s\n", m.OpenBLASCoreType, o.python, specPath)
	if err := cmd.Run(); err != nil {
		return nil, "", fmt.Errorf("perf/torch_bench.py: %w", err)
	}
	if err := os.WriteFile(prefix+"-torch.json", out.Bytes(), 0o644); err != nil {
		return nil, "", err
	}
	var t TorchResults
	if err := json.Unmarshal(out.Bytes(), &t); err != nil {
		return nil, "", fmt.Errorf("perf/torch_bench.py output: %w", err)
	}
	return &t, "", nil
}

// timeQuick builds the command and times the whole quick profile into a
// fresh directory (the build is not timed).
func timeQuick(log io.Writer) *QuickRun {
	q := &QuickRun{Command: "mollify run -profile quick -out $(mktemp -d)", Workers: runtime.NumCPU()}
	dir, err := os.MkdirTemp("", "benchtable-quick-")
	if err != nil {
		q.Err = err.Error()
		return q
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "mollify")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/mollify").CombinedOutput(); err != nil {
		q.Err = fmt.Sprintf("go build: %v: %s", err, out)
		return q
	}
	cmd := exec.Command(bin, "run", "-profile", "quick", "-out", filepath.Join(dir, "out"))
	cmd.Stdout, cmd.Stderr = log, log
	fmt.Fprintln(log, "benchtable:", q.Command)
	q.LoadBefore = loadavg()
	t0 := time.Now()
	err = cmd.Run()
	q.Wall = time.Since(t0).Seconds()
	q.LoadAfter = loadavg()
	if err != nil {
		q.Err = err.Error()
		return q
	}
	q.CPU = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	return q
}

// autoCoreType names the OpenBLAS kernel family of this CPU. OpenBLAS's
// own detection reads the CPU model, which virtual machines often hide: on
// the reference machine it falls back to Prescott (SSE3) kernels, a
// quarter of the speed or less, which would make PyTorch's matrix products
// needlessly slow.
func autoCoreType() string {
	switch {
	case cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512DQ:
		return "SkylakeX"
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return "Haswell"
	}
	return ""
}

func revision() string {
	out, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	rev := strings.TrimSpace(string(out))
	if exec.Command("git", "diff", "--quiet", "HEAD").Run() != nil {
		rev += "-dirty"
	}
	return rev
}

// peakNow runs gemm's BenchmarkPeak once more and returns its GFLOP/s, or
// 0: the clock of a virtual core drifts with its host's load, so the peak
// is read again after each phase.
func peakNow(log io.Writer) float64 {
	out, err := exec.Command("go", "test", "-run", "^$", "-bench", "^BenchmarkPeak$", "-cpu", "1", "./gemm").Output()
	if err != nil {
		fmt.Fprintln(log, "benchtable: peak:", err)
		return 0
	}
	g, err := ParseGo(bytes.NewReader(out))
	if err != nil {
		return 0
	}
	v, _ := g.Best("Peak", "GFLOP/s", false)
	fmt.Fprintf(log, "benchtable: peak now %.1f GFLOP/s\n", v)
	return v
}

// loadavg is the 1, 5 and 15 minute load averages, or nil.
func loadavg() []float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return nil
	}
	f := strings.Fields(string(b))
	var out []float64
	for _, s := range f[:min(3, len(f))] {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil
		}
		out = append(out, v)
	}
	return out
}
