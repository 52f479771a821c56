package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/harness"
	"github.com/mollifying/mollify/report"
	"github.com/mollifying/mollify/store"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // a run, a check or an I/O operation failed
	exitUsage = 2 // bad command line
)

// usageError marks errors in the command line; they exit with code 2.
type usageError struct{ error }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

const usage = `mollify runs the Mollifying Networks (ICLR 2017) benchmark suite.

Usage:
  mollify <command> [flags]

Commands:
  run        run a sweep (tuning, then final runs); resumes where it stopped
  report     rebuild report.md, figures and tables from the result files
  reproduce  run, then report (what "make reproduce" calls)
  check      run a profile afresh and compare it with golden result files
  plan       print what a sweep will run and its CPU time to go; runs nothing
  prune      list (-delete: remove) result files a sweep would not produce,
             left by a changed grid or design
  compare    compare the final runs of two results folders, benchstat-style
  replay     rerun stored runs with today's code and compare them bit for bit
             (by default the shortest run of each task and code revision)
  probe      rerun one stored run (optionally with other hyper-parameters)
             and print where its LSTM gates saturate and its gradient norms
  k8s        write the Kubernetes Indexed Job that runs a sweep as shards
  list       list tasks, configurations, their options and hyper-parameters
  version    print the revision, Go version, platform, CPU and GEMM kernel
             (the facts to paste into a bug report)
  help       show this text

Run "mollify <command> -h" for the flags of a command.
`

// run is the whole program, testable in-process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "run":
		err = cmdRun(ctx, rest, stdout, stderr, false)
	case "reproduce":
		err = cmdRun(ctx, rest, stdout, stderr, true)
	case "report":
		err = cmdReport(rest, stdout, stderr)
	case "check":
		err = cmdCheck(ctx, rest, stdout, stderr)
	case "list":
		err = cmdList(rest, stdout, stderr)
	case "version":
		err = cmdVersion(rest, stdout)
	case "compare":
		err = cmdCompare(rest, stdout, stderr)
	case "plan":
		err = cmdPlan(rest, stdout, stderr)
	case "prune":
		err = cmdPrune(rest, stdout, stderr)
	case "replay":
		err = cmdReplay(ctx, rest, stdout, stderr)
	case "probe":
		err = cmdProbe(ctx, rest, stdout, stderr)
	case "k8s":
		err = cmdK8s(rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
	default:
		err = usagef("unknown command %q (want run, report, reproduce, check, plan, prune, compare, replay, k8s, list, version or help)", cmd)
	}
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "mollify %s: %v\n", args[0], err)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "mollify %s: %v\n", args[0], err)
		return exitFail
	}
}

// sweepFlags are the flags shared by run, reproduce and check.
type sweepFlags struct {
	profile, tasks, configs, out string
	sel                          string
	workers, seeds               int
	set                          setFlag
	grid                         gridFlag
	file                         string
	fs                           *flag.FlagSet
	// prof is -profile resolved (by plan).
	prof experiment.Profile
}

// gridFlag collects -grid lr=v1,v2,... and -grid config.axis=v1,v2,...
type gridFlag map[string]map[string][]float64

func (g gridFlag) String() string { return "" }

func (g gridFlag) Set(v string) error {
	key, list, ok := strings.Cut(v, "=")
	if !ok || key == "" || list == "" {
		return fmt.Errorf("%q is not lr=v1,v2,... or config.axis=v1,v2,... (e.g. mollified.c=1,3,10)", v)
	}
	cfg, axis, hasCfg := strings.Cut(key, ".")
	if !hasCfg {
		cfg, axis = "", key
	}
	var vals []float64
	for _, f := range strings.Split(list, ",") {
		x, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return fmt.Errorf("%s: %q is not a number", key, f)
		}
		vals = append(vals, x)
	}
	if g[cfg] == nil {
		g[cfg] = map[string][]float64{}
	}
	g[cfg][axis] = vals
	return nil
}

// setFlag collects -set config.option=value.
type setFlag map[string]experiment.Options

func (s setFlag) String() string { return "" }

func (s setFlag) Set(v string) error {
	key, val, ok := strings.Cut(v, "=")
	cfg, opt, ok2 := strings.Cut(key, ".")
	if !ok || !ok2 || cfg == "" || opt == "" {
		return fmt.Errorf("%q is not config.option=value (e.g. mollified.eval=expect)", v)
	}
	if s[cfg] == nil {
		s[cfg] = experiment.Options{}
	}
	s[cfg][opt] = val
	return nil
}

// register adds the sweep flags. -profile defaults to paper, as make
// reproduce and make report do (check, whose golden results are the quick
// profile's, passes quick).
func (f *sweepFlags) register(fs *flag.FlagSet, defaultProfile string) {
	f.set = setFlag{}
	f.grid = gridFlag{}
	f.fs = fs
	fs.StringVar(&f.file, "sweep", "", "a sweep file (JSON: profile, tasks, configs, seeds, select, options, grid, out); flags given here win")
	fs.StringVar(&f.profile, "profile", defaultProfile, "profile: quick, paper, reduced (ptb and pentomino only), or a profile file (JSON, see docs/PROFILES.md)")
	fs.StringVar(&f.tasks, "tasks", "all", "comma-separated tasks, or all")
	fs.StringVar(&f.configs, "configs", "all", "comma-separated configurations, or all")
	fs.StringVar(&f.out, "out", "", "results directory (default results/<profile>)")
	fs.IntVar(&f.workers, "workers", runtime.NumCPU(), "concurrent single-threaded runs")
	fs.IntVar(&f.seeds, "seeds", 0, "number of final seeds (1..n); 0 keeps the task's")
	fs.Var(f.set, "set", "option of a configuration, config.option=value (repeatable)")
	fs.Var(f.grid, "grid", "replace a grid: lr=v1,v2,... (every configuration's learning rates and trial budget) or config.axis=v1,v2,... (repeatable)")
	fs.StringVar(&f.sel, "select", "", "tuning selection metric, metric:min or metric:max (default: each task's own)")
}

// plan resolves the flags into a plan, with usage errors for bad values.
func (f *sweepFlags) plan() (harness.Plan, error) {
	if f.file != "" {
		sf, err := readSweepFile(f.file)
		if err != nil {
			return harness.Plan{}, usagef("-sweep: %v", err)
		}
		given := map[string]bool{}
		f.fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
		if err := sf.apply(f, given); err != nil {
			return harness.Plan{}, usagef("-sweep %s: %v", f.file, err)
		}
		f.file = "" // applied: a second call must not apply it again
	}
	prof, err := experiment.LookupProfile(f.profile)
	if err != nil {
		return harness.Plan{}, usagef("-profile: %v", err)
	}
	var names []string
	for _, t := range harness.Tasks() {
		names = append(names, t.Name())
	}
	if err := experiment.CheckProfileTasks(prof, names); err != nil {
		return harness.Plan{}, usagef("-profile %s: %v", f.profile, err)
	}
	f.prof = prof
	if f.workers < 1 {
		return harness.Plan{}, usagef("-workers: %d, want at least 1", f.workers)
	}
	if f.seeds < 0 {
		return harness.Plan{}, usagef("-seeds: %d, want 0 (the task's seeds) or more", f.seeds)
	}
	p := harness.Plan{Profile: prof, Seeds: f.seeds, Options: map[string]experiment.Options(f.set), Grid: f.grid}
	if f.sel != "" {
		metric, dir, ok := strings.Cut(f.sel, ":")
		if !ok || metric == "" || (dir != "min" && dir != "max") {
			return p, usagef("-select: %q is not metric:min or metric:max (e.g. best_valid_acc:max)", f.sel)
		}
		p.Select = &experiment.Selector{Metric: metric, Maximize: dir == "max"}
	}
	if p.Tasks, err = pick(f.tasks, harness.Tasks, harness.LookupTask); err != nil {
		return p, usagef("-tasks: %v", err)
	}
	if f.tasks == "all" {
		// All the tasks that offer the profile (reduced: ptb, pentomino).
		p.Tasks = slices.DeleteFunc(p.Tasks, func(t experiment.Task) bool { return !slices.Contains(t.Profiles(), prof.Base) })
	}
	if p.Configs, err = pick(f.configs, harness.Configs, harness.LookupConfig); err != nil {
		return p, usagef("-configs: %v", err)
	}
	for name, opts := range p.Options {
		c, err := harness.LookupConfig(name)
		if err != nil {
			return p, usagef("-set: %v", err)
		}
		if !slices.Contains(p.Configs, c) {
			return p, usagef("-set: configuration %s is not selected by -configs", name)
		}
		if _, err := experiment.ResolveOptions(c.Options(), opts); err != nil {
			return p, usagef("-set: %s: %v", name, err)
		}
	}
	if err := p.Validate(); err != nil {
		return p, usageError{err}
	}
	return p, nil
}

// shardFlags select a share of the sweep for one process of many (a
// cluster job array, or several machines on one shared folder).
type shardFlags struct {
	shard  string
	shards int
	phase  string
}

func (f *shardFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.shard, "shard", "", "run only share i of n of the sweep, as i/n (0 ≤ i < n)")
	fs.IntVar(&f.shards, "shards", 0, "run only one share of n, its index from $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX")
	fs.StringVar(&f.phase, "phase", "all", "all (tuning, then final runs), tune, or final (needs every tuning run)")
}

// shardEnv are the variables that carry a job array's index, in the order
// they are read: Slurm's job arrays, Kubernetes' indexed jobs.
var shardEnv = []string{"SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"}

func (f *shardFlags) resolve(getenv func(string) string) (harness.Shard, harness.Phase, error) {
	phase, err := harness.ParsePhase(f.phase)
	if err != nil {
		return harness.Shard{}, 0, usagef("-phase: %v", err)
	}
	switch {
	case f.shard != "" && f.shards != 0:
		return harness.Shard{}, 0, usagef("-shard %s and -shards %d: give one of them", f.shard, f.shards)
	case f.shard != "":
		s, err := harness.ParseShard(f.shard)
		if err != nil {
			return s, 0, usagef("-shard: %v", err)
		}
		return s, phase, nil
	case f.shards < 0:
		return harness.Shard{}, 0, usagef("-shards: %d, want at least 1", f.shards)
	case f.shards > 0:
		for _, name := range shardEnv {
			if v := getenv(name); v != "" {
				s, err := harness.ParseShard(v + "/" + strconv.Itoa(f.shards))
				if err != nil {
					return s, 0, usagef("-shards %d with $%s = %q: %v", f.shards, name, v, err)
				}
				return s, phase, nil
			}
		}
		return harness.Shard{}, 0, usagef("-shards %d: neither $%s nor $%s is set, so this process does not know its index (use -shard i/n)", f.shards, shardEnv[0], shardEnv[1])
	}
	return harness.Shard{}, phase, nil
}

// args are the flags that choose the sweep, for a process started
// elsewhere (a pod): profile, tasks, configurations, seeds, options and
// selection, in a fixed order.
func (f *sweepFlags) args() []string {
	a := []string{"-profile", f.profile, "-tasks", f.tasks, "-configs", f.configs}
	if f.seeds > 0 {
		a = append(a, "-seeds", strconv.Itoa(f.seeds))
	}
	for _, cfg := range slices.Sorted(maps.Keys(f.set)) {
		for _, opt := range slices.Sorted(maps.Keys(f.set[cfg])) {
			a = append(a, "-set", cfg+"."+opt+"="+f.set[cfg][opt])
		}
	}
	for _, cfg := range slices.Sorted(maps.Keys(f.grid)) {
		for _, axis := range slices.Sorted(maps.Keys(f.grid[cfg])) {
			key := axis
			if cfg != "" {
				key = cfg + "." + axis
			}
			var vs []string
			for _, v := range f.grid[cfg][axis] {
				vs = append(vs, strconv.FormatFloat(v, 'g', -1, 64))
			}
			a = append(a, "-grid", key+"="+strings.Join(vs, ","))
		}
	}
	if f.sel != "" {
		a = append(a, "-select", f.sel)
	}
	return a
}

func pick[T any](list string, all func() []T, lookup func(string) (T, error)) ([]T, error) {
	if list == "all" {
		return all(), nil
	}
	var out []T
	for _, name := range strings.Split(list, ",") {
		v, err := lookup(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (f *sweepFlags) dir() string {
	if f.out != "" {
		return f.out
	}
	return filepath.Join("results", f.profileName())
}

// profileName is the resolved profile's name (a profile file's own name),
// or the flag's value before plan has resolved it.
func (f *sweepFlags) profileName() string {
	if f.prof.Name != "" {
		return f.prof.Name
	}
	if p, err := experiment.LookupProfile(f.profile); err == nil {
		return p.Name
	}
	return f.profile
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("mollify "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse turns flag errors into usage errors and rejects stray arguments.
func parse(fs *flag.FlagSet, args []string) error {
	// The flag package prints the error and every flag on a mistake; the
	// user gets one message instead, and the flags on -h.
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.Usage()
			return err
		}
		return usagef("%v (%s -h lists the flags)", err, fs.Name())
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer, andReport bool) error {
	name := "run"
	if andReport {
		name = "reproduce"
	}
	fs := newFlagSet(name, stderr)
	var f sweepFlags
	f.register(fs, experiment.Paper)
	var sf shardFlags
	if !andReport {
		sf.register(fs)
	}
	estimate := fs.Bool("estimate", true, "print the plan's CPU time to go before the first run, as plan does (cells without runs are measured, about 0.3 s each; not for shards)")
	if err := parse(fs, args); err != nil {
		return err
	}
	p, err := f.plan()
	if err != nil {
		return err
	}
	shard, phase, err := sf.resolve(os.Getenv)
	if err != nil {
		return err
	}
	if err := p.CheckData(); err != nil {
		return usageError{err}
	}
	if err := store.CheckWritable(f.dir()); err != nil {
		return usagef("-out %s: %v", f.dir(), err)
	}
	// One process running the whole sweep says first what it will cost; a
	// shard of many would measure the same cells many times over.
	if *estimate && shard.Count <= 1 {
		est, err := estimatePlan(f, p, true, stderr)
		if err != nil {
			return err
		}
		est.summary(stderr, f.dir(), []int{f.workers})
	}
	r := &harness.Runner{Dir: f.dir(), Workers: f.workers, Log: stderr, Terminal: isTerminal(stderr), Shard: shard, Phase: phase}
	sum, err := r.Run(ctx, p)
	if sum != nil {
		fmt.Fprintf(stderr, "%d runs executed, %d found in %s, %d made by other processes (shard %s)\n", sum.Ran, sum.Cached, f.dir(), sum.Elsewhere, shard)
		for _, s := range sum.Skipped {
			fmt.Fprintf(stderr, "not applicable: %s\n", s)
		}
		for _, s := range sum.Unselectable {
			fmt.Fprintf(stderr, "warning: no tuning trial of %s finished with a usable score; the first was used\n", s)
		}
	}
	if err != nil {
		return err
	}
	if !andReport {
		return nil
	}
	return writeReport(f.dir(), stdout, f.prof)
}

func writeReport(dir string, stdout io.Writer, profiles ...experiment.Profile) error {
	results, err := store.LoadResults(dir)
	if err != nil {
		return err
	}
	rep, err := report.Build(results, reportRegistry(profiles...))
	if err != nil {
		return err
	}
	if err := rep.Write(dir); err != nil {
		return err
	}
	if err := rep.Print(stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nreport: %s\n", filepath.Join(dir, "report.md"))
	return nil
}

func cmdReport(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report", stderr)
	profile := fs.String("profile", experiment.Paper, "profile whose results to report on (the folder results/<profile>): a built-in name or a profile file")
	dir := fs.String("out", "", "results directory to report on (default results/<profile>, as run writes)")
	if err := parse(fs, args); err != nil {
		return err
	}
	prof, err := experiment.LookupProfile(*profile)
	if err != nil {
		return usagef("-profile: %v", err)
	}
	if *dir == "" {
		*dir = filepath.Join("results", prof.Name)
	}
	if _, err := os.Stat(*dir); err != nil {
		return usagef("-out %s: no results folder there (%v); run a sweep into it first (mollify run -profile %s)", *dir, errors.Unwrap(err), *profile)
	}
	return writeReport(*dir, stdout, prof)
}

func cmdList(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("list", stderr)
	defs := fs.Bool("definitions", false, "print each task's definition under each built-in profile, as JSON in the form a profile file overlays")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *defs {
		return listDefinitions(stdout)
	}
	w := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "TASK\tPROFILES\tSUMMARY")
	for _, t := range harness.Tasks() {
		fmt.Fprintf(w, "%s\t%s\t%s\n", t.Name(), strings.Join(t.Profiles(), ","), t.Summary())
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "CONFIGURATION\tSUMMARY")
	for _, c := range harness.Configs() {
		fmt.Fprintf(w, "%s\t%s\n", c.Name(), c.Summary())
	}
	w.Flush()
	for _, c := range harness.Configs() {
		fmt.Fprintf(stdout, "\n%s:\n", c.Name())
		for _, o := range c.Options() {
			fmt.Fprintf(stdout, "  -set %s.%s=%s  (allowed: %s)\n      %s\n", c.Name(), o.Name, o.Default, strings.Join(o.Allowed, ", "), o.Doc)
		}
		for _, t := range harness.Tasks() {
			for _, name := range t.Profiles() {
				profile, err := experiment.Builtin(name)
				if err != nil {
					return err
				}
				arch, err := t.Arch(profile)
				if err != nil {
					return err
				}
				for _, a := range c.Space(profile, arch) {
					fmt.Fprintf(stdout, "  %s %s: hyper %s = %v  (%s)\n", t.Name(), name, a.Name, a.Values, a.Doc)
				}
			}
		}
	}
	return nil
}

// listDefinitions prints {"task": {"profile": {"settings": ..., "sweep":
// ...}}}: the names and values a profile file's "tasks" entries change.
func listDefinitions(stdout io.Writer) error {
	all := map[string]map[string]any{}
	for _, t := range harness.Tasks() {
		all[t.Name()] = map[string]any{}
		for _, name := range t.Profiles() {
			p, err := experiment.Builtin(name)
			if err != nil {
				return err
			}
			settings, err := t.Settings(p)
			if err != nil {
				return err
			}
			sweep, err := t.Sweep(p)
			if err != nil {
				return err
			}
			all[t.Name()][name] = map[string]any{"settings": settings, "sweep": sweep}
		}
	}
	b, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", b)
	return err
}

// cmdVersion prints the provenance every result file records, one fact per
// line, plus the number of CPUs the process may use.
func cmdVersion(args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return usagef("version takes no arguments, got %q", strings.Join(args, " "))
	}
	p := store.CurrentProvenance()
	fmt.Fprintf(stdout, "mollify %s\ngo:       %s\nplatform: %s\ncpu:      %s (%d CPUs)\ngemm:     %s\n",
		p.Revision, p.GoVersion, p.Platform, p.CPU, runtime.NumCPU(), p.GEMM)
	return nil
}

// reportRegistry is what package report needs of the harness's registry:
// task lookup and the order of tasks and configurations.
func reportRegistry(profiles ...experiment.Profile) report.Registry {
	r := report.Registry{Task: harness.LookupTask, Profile: func(name string) (experiment.Profile, error) {
		for _, p := range profiles {
			if p.Name == name {
				return p, nil
			}
		}
		return experiment.Builtin(name)
	}}
	for _, t := range harness.Tasks() {
		r.Tasks = append(r.Tasks, t.Name())
	}
	for _, c := range harness.Configs() {
		r.Configs = append(r.Configs, c.Name())
	}
	return r
}
