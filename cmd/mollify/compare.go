package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"text/tabwriter"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/harness"
	"github.com/mollifying/mollify/report"
	"github.com/mollifying/mollify/stats"
	"github.com/mollifying/mollify/store"
)

// errRegression is returned by compare -fail-on-worse when a number got
// worse beyond noise: exit status 1.
var errRegression = errors.New("regression")

// cmdCompare compares the final runs of two result folders, in the manner
// of benchstat: for every task × configuration × reported metric both hold,
// the change NEW − OLD with its 95% bootstrap interval (paired by seed when
// the seeds agree) and a verdict: better or worse when the interval
// excludes 0, else no change beyond noise.
func cmdCompare(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("compare", stderr)
	failOnWorse := fs.Bool("fail-on-worse", false, "exit with status 1 when a number got worse beyond noise")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mollify compare [-fail-on-worse] OLD NEW  (two results folders, e.g. results/reference/paper results/paper)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() != 2 {
		return usagef("compare takes two results folders, OLD and NEW; got %d argument(s)", fs.NArg())
	}
	oldDir, newDir := fs.Arg(0), fs.Arg(1)
	oldRes, err := store.LoadResults(oldDir)
	if err != nil {
		return usagef("OLD %s: %v", oldDir, err)
	}
	newRes, err := store.LoadResults(newDir)
	if err != nil {
		return usagef("NEW %s: %v", newDir, err)
	}
	rows := compareFinals(finals(oldRes), finals(newRes))
	if len(rows) == 0 {
		return fmt.Errorf("%s and %s share no task, configuration and metric with final runs", oldDir, newDir)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "task\tconfiguration\tmetric\told\tnew\tΔ new − old [95% interval]\tseeds\tverdict")
	worse := 0
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", r.task, r.config, r.metric, num(r.old), num(r.new), r.diff.String(), r.diff.N, r.verdict)
		if r.verdict == "worse" {
			worse++
		}
	}
	tw.Flush()
	if worse > 0 && *failOnWorse {
		return fmt.Errorf("%w: %d number(s) worse beyond noise", errRegression, worse)
	}
	return nil
}

// cell is the final runs of one task × configuration.
type cell struct {
	task, config string
	runs         []*experiment.Record
}

// finals groups the final runs by task and configuration.
func finals(rs []*store.Result) map[[2]string]*cell {
	out := map[[2]string]*cell{}
	for _, r := range rs {
		s := r.Record.Spec
		if s.Phase != experiment.Final {
			continue
		}
		k := [2]string{s.Task, s.Config}
		if out[k] == nil {
			out[k] = &cell{task: s.Task, config: s.Config}
		}
		out[k].runs = append(out[k].runs, r.Record)
	}
	return out
}

// comparison is one row of compare's table.
type comparison struct {
	task, config, metric string
	old, new             float64
	diff                 stats.Summary
	verdict              string
}

// compareFinals compares the cells both sides hold, on the metrics the
// task reports (every shared final metric for a task the registry does not
// know), in registry order.
func compareFinals(old, new map[[2]string]*cell) []comparison {
	reg := reportRegistry()
	rank := func(order []string, name string) int {
		if i := slices.Index(order, name); i >= 0 {
			return i
		}
		return len(order) // unknown names last
	}
	keys := slices.SortedFunc(maps.Keys(old), func(a, b [2]string) int {
		if a[0] != b[0] {
			return rank(reg.Tasks, a[0]) - rank(reg.Tasks, b[0])
		}
		return rank(reg.Configs, a[1]) - rank(reg.Configs, b[1])
	})
	var out []comparison
	for _, k := range keys {
		o, n := old[k], new[k]
		if n == nil {
			continue
		}
		for _, m := range metricsOf(k[0], o, n) {
			ov, os := values(o.runs, m.Name)
			nv, ns := values(n.runs, m.Name)
			c := stats.Compare(nv, ov, ns, os, m.HigherBetter, "compare/"+k[0]+"/"+k[1]+"/"+m.Name)
			out = append(out, comparison{task: k[0], config: k[1], metric: m.Name, old: stats.Mean(ov), new: stats.Mean(nv), diff: c.Diff, verdict: verdict(c.Diff, m.HigherBetter)})
		}
	}
	return out
}

// verdict reads an interval of NEW − OLD.
func verdict(d stats.Summary, higherBetter bool) string {
	switch {
	case d.N == 0 || math.IsNaN(d.Lo) || math.IsNaN(d.Hi):
		return "undecided"
	case d.Lo > 0 && higherBetter, d.Hi < 0 && !higherBetter:
		return "better"
	case d.Hi < 0 && higherBetter, d.Lo > 0 && !higherBetter:
		return "worse"
	}
	return "no change"
}

// values returns each run's value of metric, with its seed.
func values(runs []*experiment.Record, metric string) ([]float64, []uint64) {
	var vs []float64
	var seeds []uint64
	for _, r := range runs {
		v, ok := r.Final[metric]
		if !ok {
			v = experiment.Num(math.NaN())
		}
		vs = append(vs, float64(v))
		seeds = append(seeds, r.Spec.Seed)
	}
	return vs, seeds
}

// metricsOf is what to compare for a task: its reported metrics that both
// sides hold, else every final metric both hold.
func metricsOf(task string, o, n *cell) []experiment.Metric {
	has := func(c *cell, name string) bool {
		_, ok := c.runs[0].Final[name]
		return ok
	}
	var spec experiment.ReportSpec
	if t, err := harness.LookupTask(task); err == nil {
		if r, ok := t.(experiment.Reporter); ok {
			spec = r.Report()
		}
	}
	var out []experiment.Metric
	for _, m := range spec.Metrics {
		if has(o, m.Name) && has(n, m.Name) {
			out = append(out, m)
		}
	}
	if len(spec.Metrics) > 0 {
		return out
	}
	for _, name := range slices.Sorted(maps.Keys(o.runs[0].Final)) {
		if has(n, name) {
			out = append(out, experiment.Metric{Name: name, HigherBetter: report.HigherBetter(spec, name)})
		}
	}
	return out
}

func num(v float64) string { return fmt.Sprintf("%.4g", v) }
