package report

import (
	"fmt"
	"strings"

	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/internal/format"
	"github.com/mollifying/mollify/stats"
)

// Summary is the table a report opens with: one row per claim of the paper
// that the results hold, with the paper's statement, our difference and its
// interval, the verdict, the profile and number of seeds, the state of the
// task's sanity gate, and the compared configurations' tuning picks at an
// edge of their grid (a verdict that may change with a wider grid).
func (r *Report) Summary() Table {
	t := Table{Title: "Summary: the paper's claims against these results",
		Header: []string{"task", "claim (the paper)", "ours [95% interval]", "verdict", "profile", "seeds", "sanity gate", "picks at a grid edge"}}
	for _, tr := range r.Tasks {
		gate := tr.Gate.state()
		for _, v := range tr.Claims {
			ours := "—"
			if v.Diff.N > 0 {
				ours = fmt.Sprintf("Δ %s = %s", v.Claim.Metric, fmtDelta(v.Claim.Metric, v.Diff))
			}
			t.Rows = append(t.Rows, []string{fmt.Sprintf("[%s](#%s)", tr.Name, anchor(tr)), v.Claim.Text, ours, v.Outcome, tr.Profile, fmt.Sprint(v.Diff.N), gate,
				edgeCell(edgesOf(tr, v.Claim.Config, v.Claim.Versus))})
		}
		if len(tr.Claims) == 0 {
			if row := unclaimedRow(tr, gate); row != nil {
				t.Rows = append(t.Rows, row)
			}
		}
	}
	var names []string
	for _, nr := range r.NotRun {
		names = append(names, nr.Name)
		for _, c := range nr.Spec.Claims {
			t.Rows = append(t.Rows, []string{nr.Name, c.Text, "—", notRunHere, nr.Profile, "0", "—", "—"})
		}
	}
	t.Notes = append(t.Notes, "Δ is the claimed configuration minus the other, per seed when the seeds pair up; each task's section gives the details, the gate's checks and the tuning.",
		"Picks at a grid edge: the compared configurations' tuned values that are the smallest or largest their trials tried (axes of three values or more); a wider grid could change the verdict.")
	if runs, secs := r.cost(); runs > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("Cost: the folder's %d runs (tuning included) took %s of run time in all: the sum of their wall times, which is their CPU time, runs executing one per core; each task's section gives its share.", runs, format.Seconds(secs)))
	}
	if len(names) > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("Not run here: the tasks of profile %s with no result in this folder; `mollify plan -profile %s -tasks %s` prints what they would cost on your machine.",
			r.NotRun[0].Profile, r.NotRun[0].Profile, strings.Join(names, ",")))
	}
	return t
}

// cost counts the report's runs and sums their wall times.
func (r *Report) cost() (runs int, seconds float64) {
	for _, tr := range r.Tasks {
		runs += tr.Runs
		seconds += tr.RunSeconds
	}
	return runs, seconds
}

// paperHeader heads every paper table.
var paperHeader = []string{"row (the paper's)", "configuration here", "the paper", "ours: mean [95% interval]", "seeds", "sanity gate"}

// notRunHere is the verdict and paper-table cell of a task with no results.
const notRunHere = "not run here"

// state is the gate as the summary tables show it.
func (g Gate) state() string {
	switch {
	case !g.Applicable:
		return "—"
	case g.Passed:
		return "passed"
	}
	return "not passed"
}

// edgeCell is the summary's cell for a row's edge picks.
func edgeCell(es []string) string {
	if len(es) == 0 {
		return "none"
	}
	return strings.Join(es, "; ")
}

// PaperTables lays out each of the paper's tables that a task of the
// report reproduces (experiment.ReportSpec.Paper) as the paper does, row by
// row in its order and names, with the paper's number beside ours (the
// final runs' mean and interval, in the paper's unit). A task of the profile
// without results gets its table too, every cell of ours "not run here".
func (r *Report) PaperTables() []Table {
	var out []Table
	for _, tr := range r.Tasks {
		pt := tr.Spec.Paper
		if pt == nil {
			continue
		}
		scale := pt.Scale
		if scale == 0 {
			scale = 1
		}
		t := paperTable(pt, fmt.Sprintf("[%s](#%s), profile %s", tr.Name, anchor(tr), tr.Profile), tr.Gate.state(),
			func(config string) (ours, n string) {
				c := tr.config(config)
				if c == nil || len(c.Runs) == 0 {
					return "not run", "—"
				}
				vs := c.Values(pt.Metric)
				for i := range vs {
					vs[i] *= scale
				}
				return fmtSummary(stats.Summarize(vs, tr.Name+"/"+c.Name+"/"+pt.Metric)), fmt.Sprint(len(vs))
			})
		t.Notes = append(t.Notes, fmt.Sprintf("Ours: %s of the final runs, in the paper's unit.", pt.Metric))
		if tr.Profile != experiment.Paper { // a user profile on the paper base has other sizes too
			t.Notes = append(t.Notes, fmt.Sprintf("Profile %s: not the paper's sizes, so the numbers cannot be compared with the paper's; the table shows the layout.", tr.Profile))
		}
		out = append(out, t)
	}
	for _, nr := range r.NotRun {
		pt := nr.Spec.Paper
		if pt == nil {
			continue
		}
		t := paperTable(pt, fmt.Sprintf("%s, profile %s, %s", nr.Name, nr.Profile, notRunHere), "—",
			func(string) (string, string) { return notRunHere, "—" })
		t.Notes = append(t.Notes, fmt.Sprintf("No result of %s in this folder; `mollify plan -profile %s -tasks %s` prints what its runs would cost.", nr.Name, nr.Profile, nr.Name))
		out = append(out, t)
	}
	return out
}

// paperTable is the paper's table pt with our cells: ours gives the cell
// and seed count of a row naming one of our configurations; a row of the
// paper's with no configuration here is "not compared here".
func paperTable(pt *experiment.PaperTable, ours, gate string, cell func(config string) (ours, n string)) Table {
	t := Table{Title: fmt.Sprintf("%s — ours: %s", pt.Title, ours), Header: paperHeader}
	for _, row := range pt.Rows {
		cfg, o, n := "—", "not compared here", "—"
		if row.Config != "" {
			cfg = row.Config
			o, n = cell(row.Config)
		}
		t.Rows = append(t.Rows, []string{row.Label, cfg, fmtNum(row.Value), o, n, gate})
	}
	return t
}

// unclaimedRow summarises a task on which the paper makes no claim (deep
// MLPs on MNIST, the copy task): the mollified network's first reported
// metric beside the best other configuration's, with no verdict; nil when
// the task has no mollified final runs.
func unclaimedRow(tr *TaskReport, gate string) []string {
	m := tr.config(Method)
	if m == nil || len(m.Runs) == 0 || len(tr.Spec.Metrics) == 0 {
		return nil
	}
	metric := tr.Spec.Metrics[0]
	mean := func(c *ConfigReport) float64 {
		return stats.Summarize(c.Values(metric.Name), tr.Name+"/"+c.Name+"/"+metric.Name).Mean
	}
	var best *ConfigReport
	for _, c := range tr.Configs {
		if c.Name == Method || c.Name == Method+"-res" || len(c.Runs) == 0 || mean(c) != mean(c) {
			continue
		}
		if best == nil || (metric.HigherBetter && mean(c) > mean(best)) || (!metric.HigherBetter && mean(c) < mean(best)) {
			best = c
		}
	}
	ours := fmt.Sprintf("%s: mollified %s", metricLabel(metric), fmtMetric(metric.Name, stats.Summarize(m.Values(metric.Name), tr.Name+"/"+Method+"/"+metric.Name)))
	if best != nil {
		ours += fmt.Sprintf(", best other (%s) %s", best.Name, fmtMetric(metric.Name, stats.Summarize(best.Values(metric.Name), tr.Name+"/"+best.Name+"/"+metric.Name)))
	}
	cfgs := []string{Method}
	if best != nil {
		cfgs = append(cfgs, best.Name)
	}
	return []string{fmt.Sprintf("[%s](#%s)", tr.Name, anchor(tr)), "— (the paper makes no claim on this task)", ours, "no claim", tr.Profile, fmt.Sprint(len(m.Runs)), gate,
		edgeCell(edgesOf(tr, cfgs...))}
}

// anchor is the Markdown anchor of a task's section heading.
func anchor(tr *TaskReport) string {
	h := strings.ToLower(fmt.Sprintf("%s (profile %s)", tr.Name, tr.Profile))
	var b strings.Builder
	for _, r := range h {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}
