package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/harness"
	"github.com/mollifying/mollify/internal/format"
	"github.com/mollifying/mollify/perf/speed"
)

// EstimateRow is the estimated cost of one (task, configuration) cell of a
// profile's sweep, from measured step and evaluation times.
type EstimateRow struct {
	Task, Config string
	// Bench names the benchmarks whose times are used: task/config, or
	// for a network measured through a stand-in "own × stand-in ÷
	// stand-in reference"; Missing says why there is no estimate, when
	// there is none.
	Bench, Missing string
	// TuneRuns and FinalRuns count the cell's runs.
	TuneRuns, FinalRuns int
	// Updates and Evals are per run; EvalExamples per evaluation, in Unit
	// (examples when empty; tokens, sequences or words for the recurrent
	// tasks, see train.Workload).
	Updates, Evals, EvalExamples int
	Unit                         string
	// Step is the CPU time of an update (the slower of the early and late
	// measurements when there are both), EvalPerExample of one example's
	// evaluation; Run is one run's CPU time.
	Step, EvalPerExample, Run time.Duration
}

// Estimate is the cost of a whole profile on a number of cores.
type Estimate struct {
	Profile string
	Cores   int
	Rows    []EstimateRow
	// CPU is the total CPU time of all runs; Wall the time on Cores cores:
	// the harness runs every tuning run, then every final run, each run
	// on one core, so each phase takes at least its CPU time over the
	// cores and at least its longest run.
	CPU, Wall time.Duration
	// Incomplete lists the cells without measurements (not in the totals).
	Incomplete []string
}

// caseName returns the name of the early case of task/config that is (own)
// or is not (a stand-in) the profile's own network, or "".
func caseName(cs []speed.Case, task, config string, own bool) string {
	for _, c := range cs {
		if c.Task == task && c.Config == config && c.Own == own && !c.Late {
			return c.Name()
		}
	}
	return ""
}

// stepOf is the step time of a benchmark: for a configuration with a
// schedule, measured early and late in training, the slower of the two (an
// upper bound for the run).
func stepOf(g *GoResults, name string) (float64, bool) {
	step, ok := g.Best("Step/"+name, "ns/step", true)
	if late, ok2 := g.Best("Step/"+name+"/late", "ns/step", true); ok && ok2 {
		step = max(step, late)
	}
	return step, ok
}

// times returns the step and per-example evaluation times of a cell: those
// of the profile's own network when measured, else the reference
// configuration's on the own network scaled by the cell's cost relative to
// the reference on the stand-in. how names the benchmarks used; missing
// says what is lacking.
func times(g *GoResults, cs []speed.Case, task, config string) (step, eval float64, how, missing string) {
	if own := caseName(cs, task, config, true); own != "" {
		s, ok1 := stepOf(g, own)
		e, ok2 := g.Best("Eval/"+own, "ns/example", true)
		switch {
		case !ok1:
			return 0, 0, own, "Step/" + own + " not measured"
		case !ok2:
			return 0, 0, own, "Eval/" + own + " not measured"
		}
		return s, e, own, ""
	}
	stand := caseName(cs, task, config, false)
	ref := caseName(cs, task, speed.Reference, true)
	standRef := caseName(cs, task, speed.Reference, false)
	if stand == "" || ref == "" || standRef == "" {
		return 0, 0, "", "no benchmark of the profile's network (run with -full)"
	}
	var v [6]float64
	for i, q := range []struct{ name, metric string }{
		{"Step/" + ref, "ns/step"}, {"Eval/" + ref, "ns/example"},
		{"Step/" + stand, ""}, {"Eval/" + stand, "ns/example"},
		{"Step/" + standRef, ""}, {"Eval/" + standRef, "ns/example"},
	} {
		var ok bool
		if q.metric == "" {
			v[i], ok = stepOf(g, strings.TrimPrefix(q.name, "Step/"))
		} else {
			v[i], ok = g.Best(q.name, q.metric, true)
		}
		if !ok {
			return 0, 0, "", q.name + " not measured"
		}
	}
	how = fmt.Sprintf("%s × %s ÷ %s", ref, stand, standRef)
	return v[0] * v[2] / v[4], v[1] * v[3] / v[5], how, ""
}

// EstimateProfile computes the cost of profile from the step and
// evaluation benchmarks in g (BenchmarkStep and BenchmarkEval of package
// perf/speed, run at that profile's sizes), for every registered task
// that states its workload and every configuration that applies.
func EstimateProfile(name string, cores int, g *GoResults) (*Estimate, error) {
	profile, err := experiment.LookupProfile(name)
	if err != nil {
		return nil, err
	}
	cs, err := speed.Cases(profile, true)
	if err != nil {
		return nil, err
	}
	est := &Estimate{Profile: name, Cores: cores}
	var tune, final []time.Duration
	seen := map[string]bool{}
	for _, c := range cs {
		key := c.Task + "/" + c.Config
		if seen[key] {
			continue
		}
		seen[key] = true
		t, err := harness.LookupTask(c.Task)
		if err != nil {
			return nil, err
		}
		sw, err := t.Sweep(profile)
		if err != nil {
			return nil, err
		}
		arch, err := t.Arch(profile)
		if err != nil {
			return nil, err
		}
		cfg, err := harness.LookupConfig(c.Config)
		if err != nil {
			return nil, err
		}
		trials := harness.Trials(sw, cfg.Space(profile, arch), key)
		row := EstimateRow{
			Task: c.Task, Config: c.Config,
			TuneRuns: len(trials) * len(sw.TuneSeeds), FinalRuns: len(sw.Seeds),
			Updates: c.Work.Updates(), Evals: c.Work.Evaluations(), EvalExamples: c.Work.EvalExamples(), Unit: c.Work.Unit,
		}
		step, ev, how, missing := times(g, cs, c.Task, c.Config)
		row.Bench, row.Missing = how, missing
		if row.Missing != "" {
			est.Incomplete = append(est.Incomplete, key+": "+row.Missing)
			est.Rows = append(est.Rows, row)
			continue
		}
		row.Step, row.EvalPerExample = time.Duration(step), time.Duration(ev)
		evalTime := time.Duration(float64(row.Evals) * float64(row.EvalExamples) * ev)
		row.Run = time.Duration(row.Updates)*row.Step + evalTime
		for range row.TuneRuns {
			tune = append(tune, row.Run)
		}
		for range row.FinalRuns {
			final = append(final, row.Run)
		}
		est.Rows = append(est.Rows, row)
	}
	for _, phase := range [][]time.Duration{tune, final} {
		var sum, longest time.Duration
		for _, d := range phase {
			sum += d
			longest = max(longest, d)
		}
		est.CPU += sum
		est.Wall += max(sum/time.Duration(cores), longest)
	}
	return est, nil
}

// Markdown renders the estimate.
func (e *Estimate) Markdown(b *strings.Builder) {
	fmt.Fprintf(b, "| task | config | times of | runs (tune + final) | updates/run | step | evals/run × examples | eval/run | run | CPU of all runs |\n")
	fmt.Fprintf(b, "|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range e.Rows {
		unit := ""
		if r.Unit != "" {
			unit = " " + r.Unit + "s"
		}
		if r.Missing != "" {
			fmt.Fprintf(b, "| %s | %s | %s | %d + %d | %d | — | %d × %d%s | — | — | %s |\n", r.Task, r.Config, r.Bench, r.TuneRuns, r.FinalRuns, r.Updates, r.Evals, r.EvalExamples, unit, r.Missing)
			continue
		}
		evalRun := time.Duration(float64(r.Evals) * float64(r.EvalExamples) * float64(r.EvalPerExample))
		fmt.Fprintf(b, "| %s | %s | %s | %d + %d | %d | %s | %d × %d%s | %s | %s | %s |\n",
			r.Task, r.Config, r.Bench, r.TuneRuns, r.FinalRuns, r.Updates, short(r.Step), r.Evals, r.EvalExamples, unit,
			format.Duration(evalRun), format.Duration(r.Run), format.Duration(time.Duration(r.TuneRuns+r.FinalRuns)*r.Run))
	}
	fmt.Fprintf(b, "\nTotal CPU time of the %s profile: **%s**; on %d cores (each phase — tuning, then final runs — at least its CPU time over the cores and at least its longest run): **%s**.\n",
		e.Profile, format.Duration(e.CPU), e.Cores, format.Duration(e.Wall))
	if len(e.Incomplete) > 0 {
		fmt.Fprintf(b, "Not in the totals (no measurement): %s.\n", strings.Join(e.Incomplete, "; "))
	}
}

// short prints a step time.
func short(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.1f µs", float64(d)/1e3)
	}
}
